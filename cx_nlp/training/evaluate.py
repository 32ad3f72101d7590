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


# ------------------------------------------------------------------------ reports for users' own heads
def ece_binary(p: np.ndarray, y: np.ndarray, bins: int = 15) -> float:
    """Calibration error of independent yes/no probabilities (every row x label pair is one forecast)."""
    p, y = np.asarray(p, dtype=np.float64).ravel(), np.asarray(y, dtype=np.float64).ravel()
    if len(p) == 0:
        return 0.0
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1], right=True), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            total += m.mean() * abs(y[m].mean() - p[m].mean())
    return float(total)


def multi_label_full_report(probs: np.ndarray, y: np.ndarray, labels: list[str],
                            thresholds: dict[str, float]) -> dict:
    """Macro/micro-F1, exact-match accuracy, ECE and a per-label table with 2x2 confusion [[tn, fp], [fn, tp]].

    Macro-F1 averages the labels that occur in this group (a label without positives here has no F1).
    """
    from sklearn.metrics import precision_recall_fscore_support

    th = np.asarray([thresholds.get(lab, 0.5) for lab in labels])
    pred = probs >= th
    yt = y > 0.5
    per = {}
    for j, lab in enumerate(labels):
        p_, r_, f_, _ = precision_recall_fscore_support(yt[:, j], pred[:, j], average="binary", zero_division=0)
        tn = int((~yt[:, j] & ~pred[:, j]).sum())
        fp = int((~yt[:, j] & pred[:, j]).sum())
        fn = int((yt[:, j] & ~pred[:, j]).sum())
        tp = int((yt[:, j] & pred[:, j]).sum())
        per[lab] = {"f1": round(float(f_), 4), "precision": round(float(p_), 4), "recall": round(float(r_), 4),
                    "support": int(yt[:, j].sum()), "threshold": float(th[j]), "confusion": [[tn, fp], [fn, tp]]}
    occurring = [v["f1"] for v in per.values() if v["support"] > 0]
    tp = float((yt & pred).sum())
    denom = float(yt.sum() + pred.sum())
    return {
        "n": int(len(y)),
        "macro_f1": round(float(np.mean(occurring)), 4) if occurring else 0.0,
        "micro_f1": round(2 * tp / denom, 4) if denom else 0.0,
        "accuracy": round(float((pred == yt).all(1).mean()), 4) if len(y) else 0.0,  # exact match
        "ece": round(ece_binary(probs, yt), 4),
        "labels": list(labels),
        "per_label": per,
    }


def single_label_full_report(probs: np.ndarray, y: np.ndarray, labels: list[str]) -> dict:
    """``single_label_report`` over all classes plus per-class precision/recall/F1/support."""
    from sklearn.metrics import precision_recall_fscore_support

    rep = single_label_report(probs, y, labels)
    pred = probs.argmax(1)
    p_, r_, f_, s_ = precision_recall_fscore_support(y, pred, labels=list(range(len(labels))), zero_division=0)
    rep["per_label"] = {lab: {"f1": round(float(f_[j]), 4), "precision": round(float(p_[j]), 4),
                              "recall": round(float(r_[j]), 4), "support": int(s_[j])}
                        for j, lab in enumerate(labels)}
    # macro-F1 over the classes present in this group's gold or predictions (sklearn's default)
    present = sorted(set(np.asarray(y).tolist()) | set(pred.tolist()))
    rep["macro_f1"] = round(float(f1_score(y, pred, labels=present, average="macro", zero_division=0)), 4)
    del rep["binary"]
    return rep


def head_report(probs: np.ndarray, y: np.ndarray, kind: str, labels: list[str],
                thresholds: dict[str, float] | None = None) -> dict:
    if kind == "single":
        return single_label_full_report(probs, y, labels)
    return multi_label_full_report(probs, y, labels, thresholds or {})


def grouped_report(probs: np.ndarray, y: np.ndarray, kind: str, labels: list[str],
                   thresholds: dict[str, float] | None, groups: list[str] | np.ndarray,
                   min_group: int = 1) -> dict:
    """``{"overall": report, "by_lang": {group: report}}`` (groups sorted; groups under ``min_group`` rows skipped)."""
    groups = np.asarray([g if g else "unknown" for g in groups], dtype=object)
    out = {"overall": head_report(probs, y, kind, labels, thresholds), "by_lang": {}}
    for g in sorted(set(groups.tolist())):
        m = groups == g
        if m.sum() >= min_group:
            out["by_lang"][g] = head_report(probs[m], y[m], kind, labels, thresholds)
    return out


def touchpoint_report(det, emb: np.ndarray, labels: list[list[str]], texts: list[str] | None = None,
                      langs: list[str | None] | None = None) -> dict:
    """A touchpoint detector on labeled texts, scored as the Analyzer scores a sentence: top-1 accuracy on
    rows about exactly one touchpoint, micro/macro-F1 of the thresholded sets, the share of rows about no
    touchpoint that get none, and precision/recall/F1 per touchpoint."""
    ids = list(det.ids)
    n = len(labels)
    Y = np.zeros((n, len(ids)), dtype=np.int64)
    for i, labs in enumerate(labels):
        for lab in labs:
            Y[i, ids.index(lab)] = 1
    S = det.scores(np.asarray(emb, dtype=np.float32), texts, langs) if n else np.zeros((0, len(ids)))
    P = (S >= det.threshold_vector()[None, :]).astype(np.int64)
    single = Y.sum(1) == 1
    none = Y.sum(1) == 0
    top1 = float((S[single].argmax(1) == Y[single].argmax(1)).mean()) if single.any() else None
    out = {"n": int(n), "n_single": int(single.sum()), "top1_accuracy": None if top1 is None else round(top1, 4),
           "micro_f1": round(float(f1_score(Y, P, average="micro", zero_division=0)), 4) if n else None,
           "macro_f1": None, "none_accuracy": round(float((P[none].sum(1) == 0).mean()), 4) if none.any() else None,
           "per_touchpoint": {}}
    present = [j for j in range(len(ids)) if Y[:, j].any()]
    if present:
        out["macro_f1"] = round(float(f1_score(Y[:, present], P[:, present], average="macro", zero_division=0)), 4)
    for j in present:
        tp, fp, fn = int((Y[:, j] & P[:, j]).sum()), int(((1 - Y[:, j]) & P[:, j]).sum()), int((Y[:, j] & (1 - P[:, j])).sum())
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        out["per_touchpoint"][ids[j]] = {"support": int(Y[:, j].sum()), "precision": round(prec, 4),
                                         "recall": round(rec, 4),
                                         "f1": round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0}
    return out
