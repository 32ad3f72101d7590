"""Report sections that answer *where* and *why*: journey map, touchpoint drivers, signals and themes.

A scored file holds touchpoints as ``name:sentiment;...`` and signals as ``name;...``. These are turned back
into the minimal result dicts that ``cx_nlp.cx.aggregate`` already knows how to summarise, so the report
and the Python API compute journey maps and driver analyses in one place. Stage and clue type come from
the taxonomy (default: the bundled one); a touchpoint the taxonomy does not know is kept under "other".
Themes are read from the ``themes.json`` that ``cx-nlp themes`` writes.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from ..batch.flatten import SENTIMENTS
from ..errors import CxError
from .aggregate import _split


def touchpoint_results(df: pd.DataFrame, taxonomy=None) -> list[dict[str, Any]]:
    """One minimal result dict per row (status, touchpoints with stage/clue, signals) from the flat columns."""
    if taxonomy is None:
        from ..cx.taxonomy import Taxonomy

        taxonomy = Taxonomy.load()
    status = df["cx_status"].tolist() if "cx_status" in df.columns else ["ok"] * len(df)
    tps = df["cx_touchpoints"].tolist() if "cx_touchpoints" in df.columns else [""] * len(df)
    sigs = df["cx_signals"].tolist() if "cx_signals" in df.columns else [""] * len(df)
    out = []
    for st, tp_cell, sig_cell in zip(status, tps, sigs):
        items = []
        for item in _split(tp_cell):
            name, _, sent = item.partition(":")
            t = taxonomy.get(name)
            items.append({"name": name, "sentiment": sent if sent in SENTIMENTS else "neutral",
                          "stage": t.stage if t is not None and t.stage else "other",
                          "clue": t.clue if t is not None and t.clue else "other"})
        out.append({"status": st if isinstance(st, str) and st else "ok", "touchpoints": items,
                    "signals": [{"type": s} for s in _split(sig_cell)]})
    return out


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    rows = df.to_dict(orient="records")
    for r in rows:
        for k, v in r.items():
            if isinstance(v, float) and not math.isfinite(v):
                r[k] = None
    return rows


def journey(results: list[dict[str, Any]], taxonomy=None) -> list[dict[str, Any]]:
    """Journey stage x sentiment, in journey order; empty when no touchpoint was found at all."""
    from ..cx.aggregate import journey_map

    if not any(r["touchpoints"] for r in results):
        return []
    return _records(journey_map(results, taxonomy=taxonomy))


def drivers(results: list[dict[str, Any]], scores: pd.Series, min_mentions: int = 5) -> list[dict[str, Any]]:
    """Touchpoints that pull the score column down (first) or up, from ``driver_analysis``."""
    from ..cx.aggregate import driver_analysis

    y = pd.to_numeric(scores, errors="coerce").to_numpy(dtype=float)
    if (pd.notna(y)).sum() < 10:
        return []
    return _records(driver_analysis(results, y, min_mentions=min_mentions))


def signals(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from ..cx.aggregate import signal_summary

    rows = _records(signal_summary(results))
    return [r for r in rows if r["texts"]]


# ------------------------------------------------------------------------------------------ themes
def read_themes(path: str | Path) -> dict[str, Any]:
    """``themes.json`` (or the folder holding it) written by ``cx-nlp themes``."""
    p = Path(path)
    if p.is_dir():
        p = p / "themes.json"
    if not p.is_file():
        raise CxError("E703", f"no themes file at {p}; run `cx-nlp themes INPUT -o DIR` and pass DIR")
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CxError("E703", f"{p} is not a readable themes.json: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("themes"), list):
        raise CxError("E703", f"{p} is not a themes.json written by `cx-nlp themes` (no 'themes' list)")
    return doc


def theme_rows(doc: dict[str, Any], top: int = 15) -> dict[str, Any]:
    """The report's view of a themes.json: the ``top`` themes by volume with their numbers and a quote."""
    parents = {p.get("id"): p.get("name") for p in doc.get("parents") or [] if isinstance(p, dict)}
    rows = []
    for t in doc["themes"]:
        if not isinstance(t, dict):
            continue
        emotions = t.get("emotions") or {}
        top_emotion = max(emotions, key=lambda e: emotions[e]) if emotions else None
        impact = t.get("impact") or {}
        quotes = t.get("quotes") or []
        tps = [x.get("name") if isinstance(x, dict) else str(x) for x in t.get("touchpoints") or []]
        rows.append({"id": t.get("id"), "name": str(t.get("name", "")), "parent": parents.get(t.get("parent")),
                     "keywords": ", ".join(str(k) for k in (t.get("keywords") or [])[:6]),
                     "texts": int(t.get("texts", t.get("docs", 0)) or 0),
                     "sentences": int(t.get("sentences", t.get("size", 0)) or 0),
                     "share": round(100.0 * float(t.get("share_texts", 0.0) or 0.0), 1),
                     "net": t.get("net_sentiment"), "top_emotion": top_emotion,
                     "impact": impact.get("diff"), "impact_ci": impact.get("diff_ci95"),
                     "touchpoints": ", ".join(x for x in tps[:3] if x),
                     "quote": quotes[0]["text"] if quotes and isinstance(quotes[0], dict) else None})
    rows.sort(key=lambda r: (-r["texts"], r["name"]))
    summary = doc.get("summary") or {}
    return {"rows": rows[:top], "total": len(rows), "outlier_share": summary.get("outlier_share"),
            "score_col": (doc.get("columns") or {}).get("score")}


__all__ = ["touchpoint_results", "journey", "drivers", "signals", "read_themes", "theme_rows"]
