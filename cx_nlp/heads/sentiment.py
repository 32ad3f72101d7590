"""Sentiment head (negative / neutral / positive) and its sentence -> text roll-up."""
from __future__ import annotations

import numpy as np

from . import SENTIMENT_LABELS


def as_dict(p: np.ndarray) -> dict:
    i = int(np.argmax(p))
    return {"label": SENTIMENT_LABELS[i], "score": round(float(p[i]), 4),
            "scores": {lab: round(float(v), 4) for lab, v in zip(SENTIMENT_LABELS, p)}}


def rollup(probs: np.ndarray, n_tokens: np.ndarray) -> np.ndarray:
    """Text sentiment from its sentences' probabilities.

    A weighted mean, where a sentence weighs more when it is longer (sqrt of its tokens, so one long
    sentence cannot drown the rest) and when it takes a side (|p_pos - p_neg|). Why: reviews mix
    factual sentences ("Ordered on Monday.") with opinions, and a neutral filler sentence should not
    pull a clearly negative review toward neutral. A floor of 0.15 keeps all-neutral texts neutral.
    """
    if len(probs) == 1:
        return probs[0]
    polarity = np.abs(probs[:, 2] - probs[:, 0])
    w = np.sqrt(np.maximum(n_tokens, 1)) * (0.15 + polarity)
    out = (probs * w[:, None]).sum(0) / w.sum()
    return out / out.sum()
