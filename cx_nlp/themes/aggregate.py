"""Aggregates per theme: volume, net sentiment, emotion mix, trend over time, impact on a score, quotes.

Inputs are plain per-sentence arrays (theme id, document row, sentiment label, emotion probabilities) and
optional per-document columns (date, numeric score), so the batch scorer and the report can call it on
their own tables as well as on ``ThemeModel`` output.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Any, Sequence

import numpy as np

__all__ = ["net_sentiment", "score_impact", "theme_aggregates"]


def net_sentiment(labels: Sequence[str]) -> float | None:
    """100 x (positive - negative) / all, in -100..100 (None without sentences)."""
    n = len(labels)
    if not n:
        return None
    c = Counter(labels)
    return round(100.0 * (c.get("positive", 0) - c.get("negative", 0)) / n, 1)


def score_impact(with_theme: np.ndarray, without: np.ndarray) -> dict[str, Any] | None:
    """Mean score of texts with the theme minus texts without it, Welch 95% CI, and Cohen's d with its CI."""
    a = np.asarray(with_theme, dtype=np.float64)
    b = np.asarray(without, dtype=np.float64)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if len(a) < 2 or len(b) < 2:
        return None
    from scipy import stats

    ma, mb = a.mean(), b.mean()
    va, vb = a.var(ddof=1), b.var(ddof=1)
    se = math.sqrt(va / len(a) + vb / len(b))
    diff = ma - mb
    if se > 0:
        df = (va / len(a) + vb / len(b)) ** 2 / ((va / len(a)) ** 2 / (len(a) - 1) + (vb / len(b)) ** 2 / (len(b) - 1))
        t = stats.t.ppf(0.975, df)
        lo, hi = diff - t * se, diff + t * se
        p = float(2 * stats.t.sf(abs(diff / se), df))
    else:
        lo = hi = diff
        p = 1.0 if diff == 0 else 0.0
    sp = math.sqrt(((len(a) - 1) * va + (len(b) - 1) * vb) / (len(a) + len(b) - 2))
    d = diff / sp if sp > 0 else 0.0
    se_d = math.sqrt((len(a) + len(b)) / (len(a) * len(b)) + d * d / (2 * (len(a) + len(b))))
    return {"mean_with": round(ma, 4), "mean_without": round(mb, 4), "diff": round(diff, 4),
            "diff_ci95": [round(lo, 4), round(hi, 4)], "cohens_d": round(d, 4),
            "d_ci95": [round(d - 1.96 * se_d, 4), round(d + 1.96 * se_d, 4)], "p_value": round(p, 6),
            "n_with": int(len(a)), "n_without": int(len(b))}


def theme_aggregates(theme_of_sentence: Sequence[int], doc_of_sentence: Sequence[int], n_docs: int,
                     sentiment: Sequence[str | None] | None = None,
                     emotions: Sequence[dict[str, float] | None] | None = None,
                     sentence_text: Sequence[str] | None = None, similarity: Sequence[float] | None = None,
                     dates: Sequence[Any] | None = None, scores: Sequence[Any] | None = None,
                     freq: str = "M", n_quotes: int = 3) -> dict[int, dict[str, Any]]:
    """Per theme id: volume, share, net_sentiment, sentiment counts, emotions (mean), trend, impact, quotes."""
    theme = np.asarray(theme_of_sentence, dtype=np.int64)
    doc = np.asarray(doc_of_sentence, dtype=np.int64)
    ids = sorted(int(t) for t in set(theme.tolist()) if t >= 0)
    docs_of: dict[int, set[int]] = defaultdict(set)
    for t, d in zip(theme.tolist(), doc.tolist()):
        if t >= 0:
            docs_of[t].add(d)
    period = None
    if dates is not None:
        import pandas as pd

        dt = pd.to_datetime(pd.Series(list(dates)), errors="coerce", utc=True).dt.tz_localize(None)
        period = dt.dt.to_period(freq).astype(str).where(dt.notna(), None).tolist()
    score_arr = None
    if scores is not None:
        import pandas as pd

        score_arr = pd.to_numeric(pd.Series(list(scores)), errors="coerce").to_numpy(dtype=np.float64)
    out: dict[int, dict[str, Any]] = {}
    n_sent = max(int((theme >= -1).sum()), 1)
    for t in ids:
        rows = np.flatnonzero(theme == t)
        agg: dict[str, Any] = {"sentences": int(len(rows)), "texts": len(docs_of[t]),
                               "share_sentences": round(len(rows) / n_sent, 6),
                               "share_texts": round(len(docs_of[t]) / max(n_docs, 1), 6)}
        if sentiment is not None:
            labs = [sentiment[i] for i in rows if sentiment[i]]
            agg["net_sentiment"] = net_sentiment(labs)
            agg["sentiment"] = dict(Counter(labs))
        if emotions is not None:
            acc: dict[str, float] = defaultdict(float)
            k = 0
            for i in rows:
                e = emotions[i]
                if e:
                    k += 1
                    for name, p in e.items():
                        acc[name] += float(p)
            agg["emotions"] = {name: round(v / k, 4) for name, v in sorted(acc.items())} if k else {}
        if period is not None:
            trend: dict[str, list] = defaultdict(list)
            for i in rows:
                p = period[doc[i]]
                if p is not None:
                    trend[p].append(sentiment[i] if sentiment is not None else None)
            agg["trend"] = [{"period": p, "sentences": len(v),
                             "net_sentiment": net_sentiment([x for x in v if x]) if sentiment is not None else None}
                            for p, v in sorted(trend.items())]
        if score_arr is not None:
            has = np.zeros(n_docs, dtype=bool)
            has[list(docs_of[t])] = True
            agg["impact"] = score_impact(score_arr[has], score_arr[~has])
        if sentence_text is not None:
            order = rows[np.argsort(-np.asarray(similarity)[rows], kind="stable")] if similarity is not None else rows
            quotes, seen = [], set()
            for i in order:
                q = " ".join(str(sentence_text[i]).split())
                if q.casefold() in seen:
                    continue
                seen.add(q.casefold())
                quotes.append({"text": q, "row": int(doc[i]),
                               "sentiment": sentiment[i] if sentiment is not None else None})
                if len(quotes) >= n_quotes:
                    break
            agg["quotes"] = quotes
        out[t] = agg
    return out
