"""Users' own heads (trained with ``cx-nlp train``): their scores in ``Result.custom``.

A custom head was trained on text embeddings (the length-weighted mean of a text's sentence vectors,
exactly what ``Analyzer.embed`` returns), so a text's reading comes from that text vector, and each
sentence's from its own vector. Single-label heads give ``{"label", "score", "scores"}``; multi-label
heads give ``{"labels": [...above each label's threshold, best first], "scores"}``.
"""
from __future__ import annotations

import numpy as np

from .base import Head

BUILTIN = ("sentiment", "emotions")


def custom_heads(heads: dict[str, Head]) -> dict[str, Head]:
    """Heads that have no slot of their own in ``Result`` (everything but sentiment and emotions)."""
    return {n: h for n, h in heads.items() if n not in BUILTIN}


def as_dict(head: Head, p: np.ndarray) -> dict:
    labels = head.config.labels
    scores = {lab: round(float(v), 4) for lab, v in zip(labels, p)}
    if head.config.kind == "single":
        i = int(np.argmax(p))
        return {"label": labels[i], "score": round(float(p[i]), 4), "scores": scores}
    th = head.config.thresholds
    on = [(lab, float(v)) for lab, v in zip(labels, p) if v >= th.get(lab, 0.5)]
    on.sort(key=lambda kv: -kv[1])  # stable: ties keep the head's label order
    return {"labels": [lab for lab, _ in on], "scores": scores}


def text_vectors(emb: np.ndarray, rows_of: list[np.ndarray], weights: list[np.ndarray],
                 block: int | None = None) -> np.ndarray:
    """L2-normalised weighted means of sentence rows (the same vector ``Analyzer.embed`` returns).

    ``block``: the encoder's features are blocks of this width (the embedding, then middle-layer means),
    each normalised on its own, as ``encode_features`` gives them per sentence; the first block is then
    exactly the text embedding."""
    out = np.zeros((len(rows_of), emb.shape[1]), dtype=np.float32)
    width = block or emb.shape[1]
    for i, (rows, w) in enumerate(zip(rows_of, weights)):
        v = (emb[rows] * w[:, None]).sum(0)
        for a in range(0, emb.shape[1], width):
            out[i, a:a + width] = v[a:a + width] / max(float(np.linalg.norm(v[a:a + width])), 1e-12)
    return out


def attach(heads: dict[str, Head], feats: np.ndarray, piece_of: dict, weights: dict, results: list,
           block: int | None = None) -> None:
    """Fill ``Result.custom`` and ``SentenceResult.custom`` of the ok results (in place). ``feats``: the
    encoder's features per sentence (blocks of width ``block``); each head reads the leading columns it was
    trained on (the embedding alone for heads trained before feature layers)."""
    extra = custom_heads(heads)
    if not extra:
        return
    docs = [d for d, r in enumerate(results) if r.status == "ok" and d in piece_of]
    if not docs:
        return
    T = text_vectors(feats, [piece_of[d] for d in docs], [weights[d] for d in docs], block)
    for name, head in extra.items():
        p_text, p_sent = head.read(T), head.read(feats)
        for k, d in enumerate(docs):
            res = results[d]
            res.custom[name] = as_dict(head, p_text[k])
            for s, r in zip(res.sentences, piece_of[d]):
                s.custom[name] = as_dict(head, p_sent[r])
