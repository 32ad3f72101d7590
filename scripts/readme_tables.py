"""Regenerate the score and error tables of README.md from models/default/metrics.json and errors.py.

    python scripts/readme_tables.py          # rewrites the blocks between the BEGIN/END markers
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cx_nlp.errors import ERRORS, STATUSES  # noqa: E402


def scores_table() -> str:
    m = json.loads((ROOT / "models" / "default" / "metrics.json").read_text())
    rows = ["| language | corpus | task | n | macro-F1 | accuracy |", "|---|---|---|---|---|---|"]
    for task in ("sentiment", "emotions"):
        for key, rep in sorted(m.get(task, {}).items()):
            lang, corpus = key.split("/", 1)
            kind = task + (" (binary)" if rep.get("binary") else "")
            rows.append(f"| {lang} | {corpus} | {kind} | {rep['n']} | {rep['macro_f1']:.3f} | {rep.get('accuracy', '')} |")
    return "\n".join(rows)


def errors_table() -> str:
    rows = ["| code | meaning | what to do |", "|---|---|---|"]
    rows += [f"| {code} | {meaning} | {hint} |" for code, (meaning, hint) in sorted(ERRORS.items())]
    rows += ["", "Item statuses (per row, never raised):", "", "| status | meaning | what to do |", "|---|---|---|"]
    rows += [f"| `{s.code}` | {s.meaning} | {s.hint} |" for s in STATUSES.values()]
    return "\n".join(rows)


def main() -> None:
    path = ROOT / "README.md"
    text = path.read_text()
    for name, block in (("SCORES", scores_table()), ("ERRORS", errors_table())):
        begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
        if f"{name}_TABLE" in text:
            text = text.replace(f"{name}_TABLE", f"{begin}\n{block}\n{end}")
        else:
            text = re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda _: f"{begin}\n{block}\n{end}", text, flags=re.S)
    path.write_text(text)


if __name__ == "__main__":
    main()
