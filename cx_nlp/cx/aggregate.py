"""Collection-level CX aggregates from ``Analyzer.predict`` results.

Every function takes a list of ``Result`` objects or their ``to_dict()`` forms (results whose status is
not "ok" are skipped) and returns a ``pandas.DataFrame``:

* :func:`touchpoint_summary` - per touchpoint: volume (texts and sentences), share, net sentiment
  (-100..100 = %positive - %negative over the texts that mention it), polarity counts, emotion mix of
  its sentences, top themes, journey stage / channel / clue, and a representative quote per polarity.
* :func:`journey_map` - journey stage x sentiment: mentions per polarity and net sentiment per stage.
* :func:`clue_breakdown` - the same per clue type (functional / mechanical / humanic): the *why*.
* :func:`driver_analysis` - which touchpoints pull a score column (rating, NPS, CSAT) down or up:
  per touchpoint, the mean score when it is mentioned negatively / positively vs not mentioned, a ridge
  regression coefficient of the score on "mentioned negatively" / "mentioned positively" indicators
  (so co-occurring touchpoints are separated), and ``impact`` = coefficient x share of texts (points of
  the collection's mean score the touchpoint costs or earns).
* :func:`signal_summary` - per signal type: count, share, mean score and the strongest quote.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

SENTIMENTS = ("negative", "neutral", "positive")
EMOTIONS = ("anger", "anticipation", "disgust", "fear", "joy", "sadness", "surprise", "trust")


def _as_dict(r: Any) -> dict:
    if isinstance(r, Mapping):
        return dict(r)
    if hasattr(r, "to_dict"):
        return r.to_dict()
    raise TypeError(f"expected a Result or its dict, got {type(r).__name__}")


def _ok(results: Iterable[Any]) -> list[tuple[int, dict]]:
    out = []
    for i, r in enumerate(results):
        d = _as_dict(r)
        if d.get("status", "ok") == "ok":
            out.append((i, d))
    return out


def _net(pos: int, neg: int, n: int) -> float | None:
    return round(100.0 * (pos - neg) / n, 1) if n else None


def _sentence_index(d: dict) -> dict[tuple[int, int], dict]:
    return {(s.get("start"), s.get("end")): s for s in d.get("sentences") or []}


def _themes_of(themes, i: int) -> list:
    if themes is None:
        return []
    t = themes[i]
    if t is None:
        return []
    if isinstance(t, (list, tuple, set, np.ndarray)):
        return [x for x in t if x is not None and x != -1]
    return [] if t == -1 else [t]


def touchpoint_summary(results: Sequence[Any], themes: Sequence[Any] | None = None,
                       theme_names: Mapping[Any, str] | None = None, top_themes: int = 3,
                       taxonomy=None) -> pd.DataFrame:
    """One row per touchpoint found, by volume. ``themes``: per result, a theme id (or a list of ids;
    -1 = none), e.g. ``ThemeModel.transform(texts)``; ``theme_names`` maps ids to names."""
    ok = _ok(results)
    n_texts = len(ok)
    acc: dict[str, dict[str, Any]] = {}
    for i, d in ok:
        sents = _sentence_index(d)
        for tp in d.get("touchpoints") or []:
            name = tp.get("name")
            if not name:
                continue
            a = acc.setdefault(name, {"texts": 0, "sentences": 0, "pol": Counter(), "emo": np.zeros(len(EMOTIONS)),
                                      "n_emo": 0, "themes": Counter(), "quote": {}, "meta": tp})
            a["texts"] += 1
            pol = tp.get("sentiment") or "neutral"
            a["pol"][pol] += 1
            for th in _themes_of(themes, i):
                a["themes"][th] += 1
            for start, end in tp.get("evidence") or []:
                a["sentences"] += 1
                s = sents.get((start, end))
                if s is None:  # a clause: find the sentence that holds it
                    s = next((x for x in d.get("sentences") or [] if x["start"] <= start and end <= x["end"]), None)
                if s and s.get("emotions"):
                    a["emo"] += np.asarray([float(s["emotions"].get(e, 0.0)) for e in EMOTIONS])
                    a["n_emo"] += 1
                text = d.get("text") or ""
                quote = text[start:end] if isinstance(text, str) and start is not None else ""
                score = float(tp.get("score", 0.0))
                if quote and (pol not in a["quote"] or score > a["quote"][pol][0]):
                    a["quote"][pol] = (score, quote)
    rows = []
    for name, a in acc.items():
        meta = a["meta"]
        if taxonomy is not None and taxonomy.get(name) is not None:
            t = taxonomy.get(name)
            meta = {"label": t.label, "stage": t.stage, "channel": t.channel_mode, "contact": t.channel_contact,
                    "clue": t.clue}
        row = {"touchpoint": name, "label": meta.get("label"), "stage": meta.get("stage"), "channel": meta.get("channel"),
               "contact": meta.get("contact"), "clue": meta.get("clue"), "texts": a["texts"], "sentences": a["sentences"],
               "share": round(100.0 * a["texts"] / n_texts, 1) if n_texts else 0.0}
        for s in SENTIMENTS:
            row[s] = a["pol"][s]
        row["net_sentiment"] = _net(a["pol"]["positive"], a["pol"]["negative"], a["texts"])
        emo = a["emo"] / a["n_emo"] if a["n_emo"] else np.zeros(len(EMOTIONS))
        for e, v in zip(EMOTIONS, emo):
            row[f"emotion_{e}"] = round(float(v), 4)
        row["top_emotion"] = EMOTIONS[int(np.argmax(emo))] if a["n_emo"] else None
        row["top_themes"] = [theme_names.get(t, t) if theme_names else t for t, _ in a["themes"].most_common(top_themes)]
        row["quote_negative"] = a["quote"].get("negative", (0, None))[1]
        row["quote_positive"] = a["quote"].get("positive", (0, None))[1]
        rows.append(row)
    cols = ["touchpoint", "label", "stage", "channel", "contact", "clue", "texts", "sentences", "share", *SENTIMENTS,
            "net_sentiment", *[f"emotion_{e}" for e in EMOTIONS], "top_emotion", "top_themes", "quote_negative",
            "quote_positive"]
    df = pd.DataFrame(rows, columns=cols)
    return df.sort_values(["texts", "touchpoint"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _group_by(results, key: str, order: Sequence[str] | None) -> pd.DataFrame:
    counts: dict[str, Counter] = {}
    texts: dict[str, set] = {}
    for i, d in _ok(results):
        for tp in d.get("touchpoints") or []:
            g = tp.get(key) or "unknown"
            counts.setdefault(g, Counter())[tp.get("sentiment") or "neutral"] += 1
            texts.setdefault(g, set()).add(i)
    groups = list(order or []) + sorted(g for g in counts if g not in (order or []))
    rows = []
    for g in groups:
        c = counts.get(g, Counter())
        n = sum(c.values())
        rows.append({key: g, "mentions": n, "texts": len(texts.get(g, ())), **{s: c[s] for s in SENTIMENTS},
                     "net_sentiment": _net(c["positive"], c["negative"], n)})
    return pd.DataFrame(rows, columns=[key, "mentions", "texts", *SENTIMENTS, "net_sentiment"])


def journey_map(results: Sequence[Any], taxonomy=None) -> pd.DataFrame:
    """Journey stage x sentiment, stages in journey order (the taxonomy's, default: the bundled one);
    a stage nobody mentioned is kept with zero counts, so the map always shows the whole journey."""
    if taxonomy is None:
        from .taxonomy import Taxonomy

        taxonomy = Taxonomy.load()
    return _group_by(results, "stage", taxonomy.stage_ids)


def clue_breakdown(results: Sequence[Any]) -> pd.DataFrame:
    """Clue type (functional / mechanical / humanic) x sentiment."""
    return _group_by(results, "clue", ["functional", "mechanical", "humanic"])


def driver_analysis(results: Sequence[Any], scores: Sequence[float], alpha: float = 1.0,
                    min_mentions: int = 5) -> pd.DataFrame:
    """Which touchpoints pull ``scores`` (rating, NPS, CSAT; one per result, NaN = missing) down or up.

    Columns: touchpoint, n_negative, n_positive, mean_when_negative, mean_when_positive, mean_without,
    coef_negative, coef_positive (ridge regression on 0/1 indicators, in score units), impact
    (coef_negative x share negative + coef_positive x share positive: the net effect on the mean score),
    sorted with the biggest drag first. Touchpoints with fewer than ``min_mentions`` mentions are left out.
    """
    scores = np.asarray(scores, dtype=np.float64)
    dicts = [_as_dict(r) for r in results]
    if len(scores) != len(dicts):
        raise ValueError(f"{len(scores)} scores for {len(dicts)} results")
    keep = [i for i, d in enumerate(dicts) if d.get("status", "ok") == "ok" and np.isfinite(scores[i])]
    names = sorted({tp["name"] for i in keep for tp in dicts[i].get("touchpoints") or [] if tp.get("name")})
    cols = ["touchpoint", "n_negative", "n_positive", "mean_when_negative", "mean_when_positive", "mean_without",
            "coef_negative", "coef_positive", "impact"]
    if not keep or not names:
        return pd.DataFrame(columns=cols)
    y = scores[keep]
    neg = np.zeros((len(keep), len(names)))
    pos = np.zeros((len(keep), len(names)))
    col = {n: j for j, n in enumerate(names)}
    for r, i in enumerate(keep):
        for tp in dicts[i].get("touchpoints") or []:
            j = col.get(tp.get("name"))
            if j is None:
                continue
            if tp.get("sentiment") == "negative":
                neg[r, j] = 1
            elif tp.get("sentiment") == "positive":
                pos[r, j] = 1
    F = np.concatenate([neg, pos], axis=1)
    Fc = F - F.mean(0)
    yc = y - y.mean()
    coef = np.linalg.solve(Fc.T @ Fc + alpha * np.eye(F.shape[1]), Fc.T @ yc)
    rows = []
    for j, n in enumerate(names):
        nn, npos = int(neg[:, j].sum()), int(pos[:, j].sum())
        if nn + npos < min_mentions:
            continue
        without = (neg[:, j] == 0) & (pos[:, j] == 0)
        cn, cp = float(coef[j]), float(coef[len(names) + j])
        rows.append({"touchpoint": n, "n_negative": nn, "n_positive": npos,
                     "mean_when_negative": round(float(y[neg[:, j] > 0].mean()), 3) if nn else None,
                     "mean_when_positive": round(float(y[pos[:, j] > 0].mean()), 3) if npos else None,
                     "mean_without": round(float(y[without].mean()), 3) if without.any() else None,
                     "coef_negative": round(cn, 4), "coef_positive": round(cp, 4),
                     "impact": round(cn * neg[:, j].mean() + cp * pos[:, j].mean(), 4)})
    df = pd.DataFrame(rows, columns=cols)
    return df.sort_values(["impact", "touchpoint"], kind="stable").reset_index(drop=True)


def signal_summary(results: Sequence[Any]) -> pd.DataFrame:
    """Per signal type: texts raising it, share of texts, mean score, and the strongest quote."""
    from .signals import SIGNAL_TYPES

    ok = _ok(results)
    acc: dict[str, dict[str, Any]] = {}
    for _, d in ok:
        for s in d.get("signals") or []:
            kind = s.get("type")
            a = acc.setdefault(kind, {"n": 0, "sum": 0.0, "best": (-1.0, None, None)})
            a["n"] += 1
            a["sum"] += float(s.get("score", 0.0))
            if float(s.get("score", 0.0)) > a["best"][0]:
                a["best"] = (float(s.get("score", 0.0)), s.get("text"), s.get("touchpoint"))
    rows = []
    for kind in list(SIGNAL_TYPES) + sorted(k for k in acc if k not in SIGNAL_TYPES):
        a = acc.get(kind)
        rows.append({"signal": kind, "texts": a["n"] if a else 0,
                     "share": round(100.0 * a["n"] / len(ok), 1) if a and ok else 0.0,
                     "mean_score": round(a["sum"] / a["n"], 4) if a else None,
                     "quote": a["best"][1] if a else None, "touchpoint": a["best"][2] if a else None})
    return pd.DataFrame(rows, columns=["signal", "texts", "share", "mean_score", "quote", "touchpoint"])


__all__ = ["touchpoint_summary", "journey_map", "clue_breakdown", "driver_analysis", "signal_summary"]
