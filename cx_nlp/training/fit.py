"""Fit a head on frozen embeddings: seeded, early-stopped, then calibrated on validation data.

Partial labels are first-class: ``allowed`` masks classes a source cannot express (a binary corpus
never teaches "neutral"), and ``mask`` hides multi-label targets a source never annotates (a corpus
without a ``trust`` label says nothing about trust).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..heads import Head, HeadConfig


@dataclass
class FitConfig:
    hidden: int = 256
    dropout: float = 0.1
    lr: float = 1e-3
    weight_decay: float = 1e-4
    batch_size: int = 256
    max_epochs: int = 40
    patience: int = 5
    seed: int = 13


def _single_loss(logits, y, allowed, w):
    logits = logits.masked_fill(~allowed, -1e4)
    return (nn.functional.cross_entropy(logits, y, reduction="none") * w).sum() / w.sum()


def _multi_loss(logits, y, mask, w, pos_weight=None):
    loss = nn.functional.binary_cross_entropy_with_logits(logits, y, reduction="none", pos_weight=pos_weight) * mask
    return (loss.sum(1) * w).sum() / (mask.sum(1) * w).sum().clamp(min=1.0)


def fit_head(name: str, labels: list[str], kind: str, X: np.ndarray, y: np.ndarray, Xv: np.ndarray, yv: np.ndarray,
             mask: np.ndarray | None = None, mask_v: np.ndarray | None = None, weights: np.ndarray | None = None,
             config: FitConfig | None = None, progress=None, pos_weight: np.ndarray | None = None) -> Head:
    """Train a head. ``kind="single"``: y are class ids and ``mask`` (n, k) bool marks allowed classes.
    ``kind="multi"``: y are (n, k) 0/1 targets and ``mask`` (n, k) marks annotated labels.
    ``pos_weight`` (multi only, (k,)): weight of each label's positives in the training loss (imbalance);
    validation loss, temperature and thresholds always use the plain loss."""
    cfg = config or FitConfig()
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    k = len(labels)
    head = Head(HeadConfig(name=name, labels=list(labels), kind=kind, input_dim=X.shape[1],
                           hidden=cfg.hidden, dropout=cfg.dropout))
    if mask is None:
        mask = np.ones((len(X), k), dtype=bool if kind == "single" else np.float32)
    if mask_v is None:
        mask_v = np.ones((len(Xv), k), dtype=bool if kind == "single" else np.float32)
    w = np.ones(len(X), dtype=np.float32) if weights is None else weights.astype(np.float32)
    tX, tXv = torch.from_numpy(X.astype(np.float32)), torch.from_numpy(Xv.astype(np.float32))
    if kind == "single":
        ty, tyv = torch.from_numpy(y.astype(np.int64)), torch.from_numpy(yv.astype(np.int64))
        tm, tmv = torch.from_numpy(mask.astype(bool)), torch.from_numpy(mask_v.astype(bool))
        loss_fn = _single_loss
    else:
        ty, tyv = torch.from_numpy(y.astype(np.float32)), torch.from_numpy(yv.astype(np.float32))
        tm, tmv = torch.from_numpy(mask.astype(np.float32)), torch.from_numpy(mask_v.astype(np.float32))
        loss_fn = _multi_loss
    train_loss = loss_fn
    if pos_weight is not None and kind == "multi":
        tpw = torch.from_numpy(np.asarray(pos_weight, dtype=np.float32))

        def train_loss(logits, y_, m_, w_):
            return _multi_loss(logits, y_, m_, w_, pos_weight=tpw)
    tw, twv = torch.from_numpy(w), torch.ones(len(Xv))
    opt = torch.optim.AdamW(head.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    best, best_state, bad = float("inf"), None, 0
    for epoch in range(cfg.max_epochs):
        head.train()
        order = torch.from_numpy(rng.permutation(len(X)))
        for i in range(0, len(order), cfg.batch_size):
            b = order[i:i + cfg.batch_size]
            opt.zero_grad()
            loss = train_loss(head(tX[b]), ty[b], tm[b], tw[b])
            loss.backward()
            opt.step()
        head.eval()
        with torch.no_grad():
            vloss = float(loss_fn(head(tXv), tyv, tmv, twv))
        if progress:
            progress(f"{name} epoch {epoch + 1}: held-out loss {vloss:.4f}")
        if vloss < best - 1e-4:
            best, bad = vloss, 0
            best_state = {k2: v.clone() for k2, v in head.state_dict().items()}
        else:
            bad += 1
            if bad >= cfg.patience:
                break
    if best_state is not None:  # None only when every validation loss was NaN
        head.load_state_dict(best_state)
    head.eval()
    with torch.no_grad():
        logits_v = head(tXv)
    head.config.temperature = fit_temperature(logits_v, tyv, tmv, loss_fn)
    if kind == "multi":
        pv = torch.sigmoid(logits_v / head.config.temperature).numpy()
        head.config.thresholds = best_thresholds(pv, yv, mask_v, labels)
    return head


def fit_temperature(logits, y, mask, loss_fn) -> float:
    """Temperature scaling (Guo et al. 2017): one scalar that minimises validation NLL."""
    log_t = torch.zeros(1, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=100)
    ones = torch.ones(len(logits))

    def closure():
        opt.zero_grad()
        loss = loss_fn(logits / log_t.exp(), y, mask, ones)
        loss.backward()
        return loss

    opt.step(closure)
    return float(np.clip(log_t.exp().item(), 0.05, 20.0))


def best_thresholds(p: np.ndarray, y: np.ndarray, mask: np.ndarray, labels: list[str]) -> dict[str, float]:
    """Per-label threshold maximising F1 on the validation rows that annotate that label."""
    out = {}
    grid = np.linspace(0.05, 0.95, 91)
    for j, lab in enumerate(labels):
        m = mask[:, j] > 0
        if m.sum() < 20 or y[m, j].sum() < 5:
            out[lab] = 0.5
            continue
        yt, pj = y[m, j] > 0.5, p[m, j]
        f1 = [_f1(yt, pj >= t) for t in grid]
        out[lab] = round(float(grid[int(np.argmax(f1))]), 3)
    return out


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = float((y & pred).sum())
    denom = float(y.sum() + pred.sum())
    return 2 * tp / denom if denom else 0.0
