"""Emotion head (Plutchik-8, multi-label) and its sentence -> text roll-up."""
from __future__ import annotations

import numpy as np

from . import EMOTION_LABELS


def as_dict(p: np.ndarray) -> dict:
    return {lab: round(float(v), 4) for lab, v in zip(EMOTION_LABELS, p)}


def rollup(probs: np.ndarray) -> np.ndarray:
    """A text expresses an emotion when any of its sentences does: the max over sentences.

    Why max and not mean: emotions are presence labels; one furious sentence in a five-sentence
    review is anger in that review, and averaging would hide it behind the calm sentences.
    """
    return probs.max(axis=0)


def present(p: dict, thresholds: dict[str, float]) -> list[str]:
    """Emotion names above their per-emotion thresholds (chosen on validation data), strongest first."""
    names = [k for k, v in p.items() if v >= thresholds.get(k, 0.5)]
    return sorted(names, key=lambda k: -p[k])
