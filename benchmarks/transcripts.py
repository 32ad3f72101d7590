"""Does customer-turn sentiment track user satisfaction in dialogues?

    python benchmarks/transcripts.py              # 1000 turns, seeded
    python benchmarks/transcripts.py --n 300 --json artifacts/transcripts.json

Data: ``../shared/data/train/user_satisfaction_simulation.jsonl.gz`` (read-only; MultiWOZ, ReDial and CCPE
task dialogues; each row is one user turn with its 1-5 satisfaction and up to 3 previous turns as
``context``; ``sentiment_raw`` holds the three annotators' scores, e.g. "3,2,2"). The default model never
trained on it. Each sampled turn is rebuilt as a transcript (``context`` + ``USER: text``), parsed by
``cx_nlp.batch.transcripts`` (USER -> customer, SYSTEM -> agent: the role mapping is checked too), and
its last customer turn is scored by the Analyzer; polarity = p(positive) - p(negative).

Printed numbers:

- ``spearman``: Spearman rank correlation between polarity and satisfaction on a seeded random sample
  (dominated by satisfaction 3: about 85% of the rows), with a bootstrap 95% interval;
- ``spearman (balanced)``: the same on a sample with equal numbers of satisfaction <=2, 3 and >=4, where
  the ranking matters at every level;
- per source (mwoz/redial/ccpe) and the mean polarity per satisfaction level;
- ``human ceiling``: Spearman between one annotator's score and the mean of the other two (same rows),
  i.e. how far people agree on these labels: the context for our number.
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cx_nlp.batch.transcripts import CUSTOMER, assign_roles, parse_text  # noqa: E402
from cx_nlp.training.corpora import shared_data_dir  # noqa: E402

SEED = 13
FILE = "user_satisfaction_simulation.jsonl.gz"


def load(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def sample(rows: list[dict], n: int, balanced: bool, seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    if not balanced:
        return rng.sample(rows, min(n, len(rows)))
    groups = {"low": [r for r in rows if r["satisfaction"] <= 2], "mid": [r for r in rows if r["satisfaction"] == 3],
              "high": [r for r in rows if r["satisfaction"] >= 4]}
    k = n // 3
    return [r for g in groups.values() for r in rng.sample(g, min(k, len(g)))]


def spearman(x, y) -> float:
    from scipy.stats import spearmanr
    return float(spearmanr(x, y).statistic)


def bootstrap(x, y, reps: int = 1000, seed: int = SEED) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    x, y = np.asarray(x), np.asarray(y)
    vals = []
    for _ in range(reps):
        idx = rng.integers(0, len(x), len(x))
        if len(set(y[idx])) > 1:
            vals.append(spearman(x[idx], y[idx]))
    return float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5))


def as_transcript(row: dict) -> str:
    return (row.get("context") or "").strip() + f"\nUSER: {row['text']}"


def human_ceiling(rows: list[dict]) -> float | None:
    a, b = [], []
    for r in rows:
        try:
            s = [float(v) for v in str(r.get("sentiment_raw") or "").split(",") if v.strip()]
        except ValueError:
            continue
        if len(s) < 3:
            continue
        for k in range(len(s)):
            a.append(s[k])
            b.append(sum(s[:k] + s[k + 1:]) / (len(s) - 1))
    return spearman(a, b) if a else None


def score(analyzer, rows: list[dict]) -> tuple[list[float | None], float, float]:
    """Polarity of each row's last customer turn (parsed from its transcript); role accuracy; seconds."""
    texts, role_ok = [], 0
    for r in rows:
        (conv,) = parse_text(as_transcript(r))
        assign_roles(conv)
        last = [t for t in conv.turns if t.role == CUSTOMER]
        role_ok += bool(last) and last[-1].text == r["text"].strip()
        texts.append(last[-1].text if last else r["text"])
    t0 = time.perf_counter()
    res = [x.to_dict() for x in analyzer.predict(texts)]
    secs = time.perf_counter() - t0
    pol = [(d["sentiment"]["scores"]["positive"] - d["sentiment"]["scores"]["negative"]) if d["status"] == "ok"
           else None for d in res]
    return pol, role_ok / max(len(rows), 1), secs


def report(name: str, rows: list[dict], pol: list[float | None]) -> dict:
    keep = [(p, r["satisfaction"], r["id"].split(":")[1]) for p, r in zip(pol, rows) if p is not None]
    x = [k[0] for k in keep]
    y = [k[1] for k in keep]
    rho = spearman(x, y)
    lo, hi = bootstrap(x, y)
    by_level = {}
    for lvl in sorted(set(y)):
        v = [p for p, s in zip(x, y) if s == lvl]
        by_level[int(lvl)] = {"n": len(v), "mean_polarity": round(float(np.mean(v)), 3)}
    by_source = {}
    for src in sorted({k[2] for k in keep}):
        xs = [k[0] for k in keep if k[2] == src]
        ys = [k[1] for k in keep if k[2] == src]
        by_source[src] = {"n": len(xs), "spearman": round(spearman(xs, ys), 3) if len(set(ys)) > 1 else None}
    print(f"\n{name}: n={len(x)} scored of {len(rows)}")
    print(f"  spearman(polarity, satisfaction) = {rho:.3f}   95% bootstrap CI [{lo:.3f}, {hi:.3f}]")
    print("  mean polarity by satisfaction: " + ", ".join(f"{k}: {v['mean_polarity']:+.3f} (n={v['n']})"
                                                        for k, v in by_level.items()))
    print("  per source: " + ", ".join(f"{k} {v['spearman']} (n={v['n']})" for k, v in by_source.items()))
    return {"n": len(x), "spearman": round(rho, 4), "ci95": [round(lo, 4), round(hi, 4)], "by_level": by_level,
            "by_source": by_source, "human_ceiling": human_ceiling(rows)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="turns per sample")
    ap.add_argument("--json", type=Path, help="also write the numbers here")
    ap.add_argument("--no-balanced", action="store_true", help="skip the balanced sample")
    args = ap.parse_args()
    data = shared_data_dir()
    if data is None or not (data / FILE).is_file():
        sys.exit(f"{FILE} not found (set CX_NLP_SHARED_DATA to the folder holding it)")
    from cx_nlp import Analyzer

    rows = load(data / FILE)
    an = Analyzer.load()
    out = {}
    for name, balanced in (("random", False), ("balanced", True)):
        if balanced and args.no_balanced:
            continue
        s = sample(rows, args.n, balanced)
        pol, role_acc, secs = score(an, s)
        out[name] = report(f"{name} sample", s, pol)
        out[name].update({"role_mapping_accuracy": role_acc, "turns_per_s": round(len(s) / secs, 1)})
        ceil = out[name]["human_ceiling"]
        print(f"  role mapping (USER->customer, last customer turn = the rated turn): {role_acc:.1%}; "
              f"{len(s) / secs:.1f} turns/s")
        if ceil is not None:
            print(f"  human ceiling (one annotator vs the mean of the other two): spearman {ceil:.3f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
