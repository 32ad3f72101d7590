"""Turn ``Result.to_dict()`` into flat table columns (one row per text, or one row per sentence).

Spreadsheets and BI tools cannot read nested JSON, so lists become ";"-joined strings and probabilities
get one column each. Probabilities are rounded to 4 decimals: more digits are noise, and rounding makes
a resumed run byte-identical to an uninterrupted one even when batch composition moves the last bits.
"""
from __future__ import annotations

from typing import Any, Mapping

EMOTIONS = ("anger", "anticipation", "disgust", "fear", "joy", "sadness", "surprise", "trust")
SENTIMENTS = ("negative", "neutral", "positive")
DEFAULT_THRESHOLD = 0.5
DIGITS = 4

COLUMNS = (["cx_lang", "cx_status", "cx_status_message", "cx_sentiment", "cx_sentiment_score"]
           + [f"cx_p_{s}" for s in SENTIMENTS] + ["cx_emotions"] + [f"cx_{e}" for e in EMOTIONS]
           + ["cx_touchpoints", "cx_n_sentences", "cx_signals"])
SENTENCE_COLUMNS = ["row_id", "sentence", "start", "end", "text", "sentiment", "sentiment_score",
                    "p_negative", "p_neutral", "p_positive", "emotions", "touchpoints"]


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if f != f else round(f, DIGITS)


def emotions_above(emotions: Mapping[str, float] | None, thresholds: Mapping[str, float]) -> str:
    """Names whose probability reaches their threshold, strongest first (ties in Plutchik order)."""
    if not emotions:
        return ""
    order = {e: i for i, e in enumerate(EMOTIONS)}
    hits = [(name, p) for name, p in emotions.items()
            if _num(p) is not None and float(p) >= thresholds.get(name, DEFAULT_THRESHOLD)]
    hits.sort(key=lambda kv: (-float(kv[1]), order.get(kv[0], len(order)), kv[0]))
    return ";".join(name for name, _ in hits)


def touchpoints_text(touchpoints: Any) -> str:
    """``delivery_logistics:negative;customer_support:positive`` in the result's order (best first)."""
    parts = []
    for tp in touchpoints or []:
        if isinstance(tp, Mapping):
            name = tp.get("name")
            if not name:
                continue
            sent = tp.get("sentiment")
            if isinstance(sent, Mapping):
                sent = sent.get("label")
            parts.append(f"{name}:{sent}" if sent else str(name))
        elif tp:
            parts.append(str(tp))
    return ";".join(parts)


def signals_text(signals: Any) -> str:
    names: list[str] = []
    for s in signals or []:
        if isinstance(s, Mapping):
            name = s.get("name") or s.get("type") or s.get("signal") or s.get("kind")
        else:
            name = s
        if name and str(name) not in names:
            names.append(str(name))
    return ";".join(names)


def _sentiment(sent: Any) -> tuple[str, float | None, dict[str, float | None]]:
    if not isinstance(sent, Mapping):
        return "", None, {s: None for s in SENTIMENTS}
    scores = sent.get("scores") or {}
    return (str(sent.get("label") or ""), _num(sent.get("score")),
            {s: _num(scores.get(s)) for s in SENTIMENTS})


def flatten(result: Mapping[str, Any], thresholds: Mapping[str, float] | None = None) -> dict[str, Any]:
    """The cx_* output columns of one result dict (see ``COLUMNS``)."""
    thresholds = thresholds or {}
    label, score, probs = _sentiment(result.get("sentiment"))
    emotions = result.get("emotions") if isinstance(result.get("emotions"), Mapping) else None
    row: dict[str, Any] = {
        "cx_lang": result.get("lang") or "",
        "cx_status": result.get("status") or "",
        "cx_status_message": result.get("status_message") or "",
        "cx_sentiment": label,
        "cx_sentiment_score": score,
    }
    for s in SENTIMENTS:
        row[f"cx_p_{s}"] = probs[s]
    row["cx_emotions"] = emotions_above(emotions, thresholds)
    for e in EMOTIONS:
        row[f"cx_{e}"] = _num(emotions.get(e)) if emotions else None
    row["cx_touchpoints"] = touchpoints_text(result.get("touchpoints"))
    row["cx_n_sentences"] = len(result.get("sentences") or [])
    row["cx_signals"] = signals_text(result.get("signals"))
    return row


def flatten_sentences(result: Mapping[str, Any], thresholds: Mapping[str, float] | None = None,
                      row_id: Any = None) -> list[dict[str, Any]]:
    """One row per sentence of a result (see ``SENTENCE_COLUMNS``); character offsets index the text."""
    thresholds = thresholds or {}
    rows = []
    for i, s in enumerate(result.get("sentences") or []):
        label, score, probs = _sentiment(s.get("sentiment"))
        emotions = s.get("emotions") if isinstance(s.get("emotions"), Mapping) else None
        rows.append({
            "row_id": row_id, "sentence": i, "start": s.get("start"), "end": s.get("end"),
            "text": s.get("text") or "", "sentiment": label, "sentiment_score": score,
            "p_negative": probs["negative"], "p_neutral": probs["neutral"], "p_positive": probs["positive"],
            "emotions": emotions_above(emotions, thresholds),
            "touchpoints": touchpoints_text(s.get("touchpoints")),
        })
    return rows
