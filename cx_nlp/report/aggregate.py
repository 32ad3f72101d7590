"""The numbers of a CX report, computed from a scored table (the output of ``score_file``).

Every function takes the scored DataFrame and returns plain JSON-ready values. Net sentiment is
%positive - %negative over scored rows (-100..100), the usual CX "net" convention.
"""
from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from ..errors import CxError
from ..io.columns import detect_text_column, normalise_name
from ..batch.flatten import EMOTIONS, SENTIMENTS

QUOTE_CHARS = 300
_DATE_HINTS = ("date", "time", "created", "timestamp", "submitted", "posted", "day", "month",
               "data", "dата", "дата", "время", "تاریخ", "زمان")
_SCORE_HINTS = ("rating", "stars", "star", "score", "nps", "csat", "ces", "grade", "ocena", "gwiazdki",
                "оценка", "рейтинг", "балл", "امتیاز", "نمره", "nota", "punctaj")
_DEFUSED = re.compile(r"^'(?=[\t\r]|\s*[=+\-@])")


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce")


def _round(x: float | None, nd: int = 1) -> float | None:
    if x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))):
        return None
    return round(float(x), nd)


def net_sentiment(labels: pd.Series) -> float | None:
    n = len(labels)
    if not n:
        return None
    return _round(100.0 * ((labels == "positive").sum() - (labels == "negative").sum()) / n)


def require_scored(df: pd.DataFrame) -> None:
    missing = [c for c in ("cx_status", "cx_sentiment") if c not in df.columns]
    if missing:
        raise CxError("E701", f"the table has no {', '.join(missing)} column(s); columns are {list(df.columns)[:20]}")


def ok_rows(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["cx_status"].astype(str) == "ok"]


def _split(cell: Any) -> list[str]:
    """Items of a ";"-joined cell, spaces around each trimmed (a hand-edited "a; b" reads as a, b)."""
    if not isinstance(cell, str):
        return []
    return [p.strip() for p in cell.split(";") if p.strip()]


# ----------------------------------------------------------------------------------------- pieces
def kpis(df: pd.DataFrame) -> dict[str, Any]:
    ok = ok_rows(df)
    emo = emotion_mix(df)
    top = max(emo, key=lambda e: (e["share"], e["mean"])) if emo else None
    return {
        "rows": int(len(df)),
        "scored": int(len(ok)),
        "scored_share": _round(100.0 * len(ok) / len(df)) if len(df) else None,
        "net_sentiment": net_sentiment(ok["cx_sentiment"].astype(str)),
        "top_emotion": top["name"] if top and (top["share"] > 0 or top["mean"] > 0) else None,
        "top_emotion_share": top["share"] if top else None,
        "languages": int(ok["cx_lang"].astype(str).replace("", pd.NA).dropna().nunique()) if "cx_lang" in ok else 0,
    }


def sentiment_distribution(df: pd.DataFrame) -> list[dict[str, Any]]:
    ok = ok_rows(df)
    counts = ok["cx_sentiment"].astype(str).value_counts()
    n = max(len(ok), 1)
    return [{"label": s, "count": int(counts.get(s, 0)), "share": _round(100.0 * counts.get(s, 0) / n)}
            for s in SENTIMENTS]


def emotion_mix(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Per emotion: share of scored texts where it passed its threshold, and its mean probability."""
    ok = ok_rows(df)
    if not len(ok):
        return []
    present = [e for e in EMOTIONS if f"cx_{e}" in ok.columns]
    if not present and "cx_emotions" not in ok.columns:
        return []
    hits = {e: 0 for e in EMOTIONS}
    if "cx_emotions" in ok.columns:
        for cell in ok["cx_emotions"].tolist():
            for name in _split(cell):
                if name in hits:
                    hits[name] += 1
    out = []
    for e in EMOTIONS:
        mean = _num(ok[f"cx_{e}"]).mean() if f"cx_{e}" in ok.columns else None
        out.append({"name": e, "share": _round(100.0 * hits[e] / len(ok)), "mean": _round(mean, 3) or 0.0})
    return out


def touchpoint_net(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Mentions and net sentiment per touchpoint, from ``cx_touchpoints`` ("name:sentiment;...")."""
    if "cx_touchpoints" not in df.columns:
        return []
    stats: dict[str, dict[str, int]] = {}
    for cell in ok_rows(df)["cx_touchpoints"].tolist():
        for item in _split(cell):
            name, _, sent = item.partition(":")
            st = stats.setdefault(name, {"mentions": 0, "positive": 0, "neutral": 0, "negative": 0})
            st["mentions"] += 1
            if sent in SENTIMENTS:
                st[sent] += 1
    rows = []
    for name, st in stats.items():
        n = st["mentions"]
        rows.append({"name": name, **st, "net": _round(100.0 * (st["positive"] - st["negative"]) / n)})
    rows.sort(key=lambda r: (-r["mentions"], r["name"]))
    return rows


def language_split(df: pd.DataFrame, top: int = 12) -> list[dict[str, Any]]:
    if "cx_lang" not in df.columns:
        return []
    ok = ok_rows(df)
    langs = ok["cx_lang"].astype(str).replace({"": "unknown", "nan": "unknown", "None": "unknown"})
    counts = langs.value_counts()
    n = max(len(ok), 1)
    rows = [{"lang": str(k), "count": int(v), "share": _round(100.0 * v / n),
             "net": net_sentiment(ok.loc[langs == k, "cx_sentiment"].astype(str))}
            for k, v in counts.head(top).items()]
    rest = int(counts.iloc[top:].sum()) if len(counts) > top else 0
    if rest:
        rows.append({"lang": "other", "count": rest, "share": _round(100.0 * rest / n), "net": None})
    return rows


def _parse_dates(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s
    else:
        values = s.astype(str).where(s.notna(), None)
        out = pd.to_datetime(values, errors="coerce", utc=True, format="mixed")
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_convert(None)
    return out


def detect_date_column(df: pd.DataFrame) -> str | None:
    """A column named like a date whose values mostly parse as dates."""
    for name in df.columns:
        if str(name).startswith("cx_"):
            continue
        norm = normalise_name(name)
        if not any(h in norm for h in _DATE_HINTS):
            continue
        sample = df[name].head(500)
        if pd.api.types.is_numeric_dtype(sample):
            continue
        parsed = _parse_dates(sample)
        if len(sample) and parsed.notna().mean() >= 0.8:
            return str(name)
    return None


def detect_score_column(df: pd.DataFrame) -> str | None:
    """A numeric column named like a rating/NPS/CSAT."""
    for name in df.columns:
        if str(name).startswith("cx_"):
            continue
        norm = normalise_name(name)
        if not any(h == norm or norm.startswith(h) or norm.endswith(h) for h in _SCORE_HINTS):
            continue
        vals = _num(df[name].head(500))
        if len(vals) and vals.notna().mean() >= 0.8:
            return str(name)
    return None


def sentiment_trend(df: pd.DataFrame, date_col: str) -> dict[str, Any]:
    ok = ok_rows(df).copy()
    ok["_date"] = _parse_dates(ok[date_col])
    ok = ok.dropna(subset=["_date"])
    if not len(ok):
        return {"period": None, "points": []}
    span = (ok["_date"].max() - ok["_date"].min()).days
    freq, period = ("D", "day") if span <= 62 else (("W-MON", "week") if span <= 730 else ("MS", "month"))
    points = []
    for when, g in ok.groupby(pd.Grouper(key="_date", freq=freq)):
        if not len(g):
            continue
        labels = g["cx_sentiment"].astype(str)
        points.append({"date": when.strftime("%Y-%m-%d"), "count": int(len(g)), "net": net_sentiment(labels),
                       "positive": _round(100.0 * (labels == "positive").mean()),
                       "negative": _round(100.0 * (labels == "negative").mean())})
    return {"period": period, "points": points}


def segment_comparison(df: pd.DataFrame, segment_col: str, top: int = 12) -> list[dict[str, Any]]:
    ok = ok_rows(df)
    seg = ok[segment_col].astype(str).where(ok[segment_col].notna(), "(missing)").replace("", "(missing)")
    counts = seg.value_counts()
    rows = []
    keep = list(counts.head(top).index)
    for value in keep:
        g = ok[seg == value]
        labels = g["cx_sentiment"].astype(str)
        mix = emotion_mix(g) if len(g) else []
        top_emo = max(mix, key=lambda e: (e["share"], e["mean"]))["name"] if mix else None
        rows.append({"segment": str(value), "count": int(len(g)), "net": net_sentiment(labels),
                     "positive": _round(100.0 * (labels == "positive").mean()),
                     "negative": _round(100.0 * (labels == "negative").mean()), "top_emotion": top_emo})
    if len(counts) > top:
        g = ok[~seg.isin(keep)]
        labels = g["cx_sentiment"].astype(str)
        rows.append({"segment": f"(other {len(counts) - top})", "count": int(len(g)), "net": net_sentiment(labels),
                     "positive": _round(100.0 * (labels == "positive").mean()),
                     "negative": _round(100.0 * (labels == "negative").mean()), "top_emotion": None})
    return rows


def score_by_sentiment(df: pd.DataFrame, score_col: str) -> list[dict[str, Any]]:
    ok = ok_rows(df)
    vals = _num(ok[score_col])
    labels = ok["cx_sentiment"].astype(str)
    out = []
    for s in SENTIMENTS:
        v = vals[labels == s].dropna()
        out.append({"label": s, "count": int(len(v)), "mean": _round(v.mean(), 2) if len(v) else None})
    return out


def _clean_quote(text: Any) -> str:
    s = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    s = _DEFUSED.sub("", s)   # undo the CSV formula defusing for display: this is HTML, not a spreadsheet
    s = " ".join(s.split())
    return s if len(s) <= QUOTE_CHARS else s[:QUOTE_CHARS - 1].rstrip() + "…"


def quotes(df: pd.DataFrame, text_col: str | None, k: int = 5) -> dict[str, list[dict[str, Any]]]:
    """The k most negative and k most positive distinct texts (by sentiment probability)."""
    if not text_col or text_col not in df.columns:
        return {"negative": [], "positive": []}
    ok = ok_rows(df)
    out = {}
    for side in ("negative", "positive"):
        col = f"cx_p_{side}"
        if col not in ok.columns:
            out[side] = []
            continue
        p = _num(ok[col])
        order = p.sort_values(ascending=False, kind="stable").index
        picked, seen = [], set()
        for idx in order:
            if ok.at[idx, "cx_sentiment"] != side:
                continue
            text = _clean_quote(ok.at[idx, text_col])
            if not text or text in seen:
                continue
            seen.add(text)
            picked.append({"text": text, "p": _round(p.at[idx], 3),
                           "lang": str(ok.at[idx, "cx_lang"]) if "cx_lang" in ok.columns else "",
                           "touchpoints": str(ok.at[idx, "cx_touchpoints"] or "").replace(";", ", ")
                           if "cx_touchpoints" in ok.columns else ""})
            if len(picked) >= k:
                break
        out[side] = picked
    return out


# ----------------------------------------------------------------------------------------- all
def aggregate(df: pd.DataFrame, date_col: str | None = None, segment_col: str | None = None,
              score_col: str | None = None, text_col: str | None = None, themes: Any = None,
              taxonomy=None) -> dict[str, Any]:
    """Everything the report shows. ``themes``: a themes.json path/folder or its parsed dict (optional)."""
    from .journey import drivers, journey, read_themes, signals, theme_rows, touchpoint_results

    require_scored(df)
    for label, col in (("date", date_col), ("segment", segment_col), ("score", score_col), ("text", text_col)):
        if col is not None and col not in df.columns:
            raise CxError("E702", f"no {label} column {col!r}; the columns are {list(df.columns)}")
    df = df.reset_index(drop=True)
    notes = []
    if date_col is None:
        date_col = detect_date_column(df)
        if date_col:
            notes.append(f"dates from column '{date_col}' (detected)")
    if score_col is None:
        score_col = detect_score_column(df)
        if score_col:
            notes.append(f"scores from column '{score_col}' (detected)")
    if text_col is None:
        text_col = detect_text_column(df)
    if themes is not None and not isinstance(themes, dict):
        themes = read_themes(themes)
    tp_results = touchpoint_results(df, taxonomy=taxonomy)
    return {
        "kpis": kpis(df),
        "sentiment": sentiment_distribution(df),
        "emotions": emotion_mix(df),
        "touchpoints": touchpoint_net(df),
        "languages": language_split(df),
        "trend": sentiment_trend(df, date_col) if date_col else None,
        "segments": segment_comparison(df, segment_col) if segment_col else None,
        "score": score_by_sentiment(df, score_col) if score_col else None,
        "quotes": quotes(df, text_col),
        "journey": journey(tp_results, taxonomy=taxonomy),
        "drivers": drivers(tp_results, df[score_col]) if score_col else [],
        "signals": signals(tp_results),
        "themes": theme_rows(themes) if themes is not None else None,
        "columns": {"date": date_col, "segment": segment_col, "score": score_col, "text": text_col},
        "notes": notes,
    }
