"""The user-editable theme file (YAML): rename, merge, split, drop themes and pin seed keywords.

``ThemeModel.write_theme_file(path)`` (and ``save``) write one entry per theme; the user edits it and
passes it to the next fit (``ThemeModel(theme_file=path)`` or ``cx-nlp themes --theme-file``). Theme ids
are stable across refits (matched by centroid), so an entry keeps meaning the same theme.

    themes:
    - id: 3
      name: Late delivery          # a new name is kept as given
      seeds: [courier, late]       # sentences with these words (lemmatised) always go to this theme
      merge_into: 7                # this theme's sentences join theme 7
      split: 2                     # cut this theme in two (k-means on its sentences)
      drop: true                   # no such theme: its sentences go to their next-nearest theme
    - name: Refunds                # no id: a new guided theme, made of the sentences that hold a seed
      seeds: [refund, money back]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CxError

__all__ = ["ThemeEdit", "read_theme_file", "theme_file_text"]

HEADER = """\
# cx_nlp theme file: edit it and pass it to the next fit
#   ThemeModel(theme_file="themes.yaml").fit(...)   or   cx-nlp themes INPUT -o DIR --theme-file themes.yaml
# Per theme (ids are stable across refits):
#   name: <text>        rename (kept as written)
#   seeds: [w1, w2]     pin keywords: sentences containing them always join this theme (guided theme)
#   merge_into: <id>    merge this theme into another one
#   split: <n>          split this theme into n themes
#   drop: true          remove the theme; its sentences go to the nearest remaining theme
# An entry without id, with a name and seeds, creates a new guided theme.
# keywords, size, examples and parent are written for reference and ignored when read.
"""


@dataclass
class ThemeEdit:
    id: int | None = None
    name: str | None = None
    seeds: list[str] = field(default_factory=list)
    merge_into: int | None = None
    split: int | None = None
    drop: bool = False
    keywords: list[str] = field(default_factory=list)  # reference only: matches a theme when ids are unknown


def _int_or_none(v: Any, what: str, where: str) -> int | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        raise CxError("E802", f"{where}: '{what}' must be an integer, not {v!r}")
    try:
        return int(v)
    except (TypeError, ValueError):
        raise CxError("E802", f"{where}: '{what}' must be an integer, not {v!r}") from None


def parse_edits(data: Any, source: str = "theme file") -> list[ThemeEdit]:
    if data is None:
        return []
    if isinstance(data, dict):
        data = data.get("themes", [])
    if not isinstance(data, list):
        raise CxError("E802", f"{source}: expected a mapping with a 'themes' list")
    out: list[ThemeEdit] = []
    for k, e in enumerate(data):
        where = f"{source}, theme entry {k + 1}"
        if not isinstance(e, dict):
            raise CxError("E802", f"{where}: each entry must be a mapping (id, name, seeds, ...)")
        seeds = e.get("seeds") or e.get("pin") or []
        if isinstance(seeds, str):
            seeds = [seeds]
        if not isinstance(seeds, list) or not all(isinstance(s, (str, int, float)) for s in seeds):
            raise CxError("E802", f"{where}: 'seeds' must be a list of words or phrases")
        split = _int_or_none(e.get("split"), "split", where)
        if split is not None and split < 2:
            split = None
        ed = ThemeEdit(id=_int_or_none(e.get("id"), "id", where),
                       name=str(e["name"]).strip() if e.get("name") not in (None, "") else None,
                       seeds=[str(s).strip() for s in seeds if str(s).strip()],
                       merge_into=_int_or_none(e.get("merge_into"), "merge_into", where),
                       split=split, drop=bool(e.get("drop", False)),
                       keywords=[str(x) for x in (e.get("keywords") or []) if x is not None])
        if ed.id is None and not ed.seeds:
            raise CxError("E802", f"{where}: an entry without an id needs 'seeds' (a new guided theme)")
        out.append(ed)
    return out


def read_theme_file(path: str | Path | dict | list | None) -> list[ThemeEdit]:
    if path is None:
        return []
    if isinstance(path, (dict, list)):
        return parse_edits(path, "theme edits")
    import yaml

    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CxError("E802", f"cannot read theme file {p}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise CxError("E802", f"theme file {p} is not valid YAML: {exc}") from exc
    return parse_edits(data, str(p))


def theme_file_text(themes: list[dict], guided_new: list[dict] | None = None) -> str:
    import yaml

    entries = []
    for t in themes:
        e: dict[str, Any] = {"id": int(t["id"]), "name": t["name"]}
        e["seeds"] = list(t.get("seeds") or [])
        e["keywords"] = list(t.get("keywords") or [])[:8]
        e["size"] = int(t.get("size", 0))
        if t.get("parent") is not None:
            e["parent"] = t.get("parent_name") or t["parent"]
        ex = t.get("examples") or []
        if ex:
            e["examples"] = [str(x)[:160] for x in ex[:2]]
        entries.append(e)
    body = yaml.safe_dump({"themes": entries + list(guided_new or [])}, allow_unicode=True, sort_keys=False, width=110)
    return HEADER + body
