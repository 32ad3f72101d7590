"""Metrics for heads: macro-F1, accuracy, expected calibration error, per group (language, corpus)."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score


def ece(probs: np.ndarray, y: np.ndarray, bins: int = 15) -> float:
    """Expected calibration error of the top class (equal-width confidence bins)."""
    conf = probs.max(1)
    correct = probs.argmax(1) == y
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            total += m.mean() * abs(correct[m].mean() - conf[m].mean())
    return float(total)


def single_label_report(probs: np.ndarray, y: np.ndarray, labels: list[str], binary: bool = False) -> dict:
    """For a binary corpus only negative vs positive compete (its gold never says neutral)."""
    p = probs.copy()
    classes = list(range(len(labels)))
    if binary:
        keep = [labels.index("negative"), labels.index("positive")]
        p = np.zeros_like(probs)
        p[:, keep] = probs[:, keep]
        p /= p.sum(1, keepdims=True)
        classes = keep
    pred = p.argmax(1)
    return {
        "n": int(len(y)),
        "macro_f1": round(float(f1_score(y, pred, labels=classes, average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(y, pred)), 4),
        "ece": round(ece(p, y), 4),
        "binary": binary,
        "confusion": confusion_matrix(y, pred, labels=classes).tolist(),
        "labels": [labels[c] for c in classes],
    }


def multi_label_report(probs: np.ndarray, y: np.ndarray, mask: np.ndarray, labels: list[str],
                       thresholds: dict[str, float]) -> dict:
    """Macro-F1 over the labels this group annotates (and that occur in it)."""
    th = np.asarray([thresholds.get(lab, 0.5) for lab in labels])
    pred = probs >= th
    per = {}
    for j, lab in enumerate(labels):
        m = mask[:, j] > 0
        if not m.any() or y[m, j].sum() == 0:
            continue
        per[lab] = round(float(f1_score(y[m, j] > 0.5, pred[m, j], zero_division=0)), 4)
    return {"n": int(len(y)), "macro_f1": round(float(np.mean(list(per.values()))) if per else 0.0, 4), "per_label": per}
