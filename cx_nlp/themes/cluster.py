"""Clustering steps: density clustering on reduced vectors, then prototypes in the full embedding space.

0. ``smooth_knn``: each sampled vector averaged with its k nearest neighbours (clustering input only).
1. ``run_clusterer``: HDBSCAN (default, finds the number of themes; ``leaf`` selection keeps fine,
   homogeneous clusters), k-means (``n_clusters``) or any estimator with ``fit`` + ``labels_``, on the
   reduced, re-normalised vectors of a sample.
2. ``refine``: spherical k-means iterations seeded with those clusters, in the *centred* full space
   (embeddings minus their mean, re-normalised: e5 vectors share a large common direction that makes raw
   cosines all high). HDBSCAN's noise points join their nearest theme here.
3. ``merge_close``: prototypes whose cosine exceeds ``merge_threshold`` become one theme.
4. ``assign``: nearest prototype in chunks (constant memory over a memmap); the same function serves
   ``fit`` and ``transform``, which is why they agree.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .reduce import l2n

__all__ = ["auto_min_cluster_size", "run_clusterer", "refine", "merge_close", "assign", "centre", "smooth_knn"]

SMOOTH_MAX_REF = 5000  # reference sentences the neighbourhood smoothing searches (cost: rows x this)


def auto_min_cluster_size(n: int) -> int:
    """Smallest theme HDBSCAN may form: 0.5% of the (sampled) sentences, at least 5."""
    return int(max(5, round(0.005 * n)))


def centre(x: np.ndarray, mean: np.ndarray) -> np.ndarray:
    return l2n(np.asarray(x, dtype=np.float32) - mean)


def smooth_knn(w: np.ndarray, k: int, rng: np.random.Generator | None = None, chunk: int = 4096,
               max_ref: int = SMOOTH_MAX_REF) -> np.ndarray:
    """Each row plus the mean of its ``k`` nearest other rows (cosine), re-normalised.

    One step of neighbourhood averaging (feature propagation over the k-NN graph): paraphrases that use
    different words but share neighbours move together, so the clusterer sees one theme where the raw
    vectors show a few lexical variants; an isolated sentence keeps half of its own direction. Neighbours
    are searched among at most ``max_ref`` rows (a seeded sample), in chunks, so the cost is linear in rows.
    """
    w = np.asarray(w, dtype=np.float32)
    n = len(w)
    if k <= 0 or n <= k + 1:
        return w
    ref = np.arange(n) if n <= max_ref else np.sort((rng or np.random.default_rng(0)).choice(n, max_ref, replace=False))
    pos = np.full(n, -1, dtype=np.int64)
    pos[ref] = np.arange(len(ref))
    rt = np.ascontiguousarray(w[ref].T)
    out = np.empty_like(w)
    for i in range(0, n, chunk):
        s = w[i:i + chunk] @ rt
        r = np.arange(i, min(i + chunk, n))
        own = pos[r] >= 0
        s[np.flatnonzero(own), pos[r][own]] = -np.inf  # a row is not its own neighbour
        idx = np.argpartition(-s, k, axis=1)[:, :k]
        out[i:i + len(s)] = w[i:i + chunk] + w[ref][idx].mean(1)
    return l2n(out)


def run_clusterer(z: np.ndarray, spec: Any, min_cluster_size: int, min_samples: int | None,
                  n_clusters: int | None, random_state: int) -> np.ndarray:
    n = len(z)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if not isinstance(spec, str):
        est = spec.fit(z)
        return np.asarray(getattr(est, "labels_", None) if hasattr(est, "labels_") else est.predict(z), dtype=np.int64)
    if spec == "kmeans":
        from sklearn.cluster import KMeans

        k = int(min(n_clusters or max(2, int(np.sqrt(n / 2))), n))
        return KMeans(n_clusters=k, n_init=3, random_state=random_state).fit(z).labels_.astype(np.int64)
    if spec == "hdbscan":
        from sklearn.cluster import HDBSCAN

        if n < max(min_cluster_size, 2) * 2:
            return np.zeros(n, dtype=np.int64) if n >= 2 else np.full(n, -1, dtype=np.int64)
        ms = min_samples if min_samples is not None else 2
        est = HDBSCAN(min_cluster_size=min_cluster_size, min_samples=min(ms, n - 1),
                      cluster_selection_method="leaf", copy=True)
        return est.fit(z).labels_.astype(np.int64)
    raise ValueError(f"[E301] clusterer must be 'hdbscan', 'kmeans' or an estimator, not {spec!r}")


def prototypes_from_labels(w: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, list[int]]:
    ids = sorted(int(i) for i in set(labels.tolist()) if i >= 0)
    if not ids:
        return np.zeros((0, w.shape[1]), np.float32), []
    c = np.stack([w[labels == i].mean(0) for i in ids])
    return l2n(c), ids


def assign(x: np.ndarray, protos: np.ndarray, mean: np.ndarray | Callable[[int, int], np.ndarray],
           chunk: int = 65536, progress: Callable[[int], None] | None = None,
           prep: Callable[[np.ndarray], np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Nearest prototype and its cosine (centred space) for every row of ``x`` (array or memmap).

    ``mean``: one vector, or ``mean(start, stop)`` giving the centre of each row (per-language centring);
    ``prep``: applied to each chunk first (normalisation and polarity removal); default L2 normalisation.
    """
    n = len(x)
    best = np.full(n, -1, dtype=np.int64)
    sim = np.full(n, -np.inf, dtype=np.float32)
    if len(protos) == 0:
        return best, sim
    pt = np.ascontiguousarray(protos.T, dtype=np.float32)
    for i in range(0, n, chunk):
        m = mean(i, min(i + chunk, n)) if callable(mean) else mean
        xb = prep(x[i:i + chunk]) if prep else l2n(np.asarray(x[i:i + chunk], dtype=np.float32))
        s = centre(xb, m) @ pt
        best[i:i + len(s)] = s.argmax(1)
        sim[i:i + len(s)] = s.max(1)
        if progress:
            progress(len(s))
    return best, sim


def refine(w: np.ndarray, protos: np.ndarray, iters: int = 3, fixed: dict[int, np.ndarray] | None = None,
           min_size: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Spherical k-means from ``protos`` on centred, normalised vectors ``w``.

    ``fixed``: prototype index -> rows that always belong to it (guided themes' keyword matches).
    Prototypes left with fewer than ``min_size`` rows are dropped. Returns (prototypes, kept indices).
    """
    keep = np.arange(len(protos))
    for _ in range(max(iters, 0)):
        if len(protos) == 0:
            break
        a = (w @ protos.T).argmax(1)
        for p, rows in (fixed or {}).items():
            pos = np.flatnonzero(keep == p)
            if len(pos):
                a[rows] = pos[0]
        counts = np.bincount(a, minlength=len(protos))
        new = np.stack([w[a == j].mean(0) if counts[j] else protos[j] for j in range(len(protos))])
        ok = (counts >= min_size) | np.isin(keep, list((fixed or {}).keys()))
        protos, keep = l2n(new[ok]), keep[ok]
    return protos, keep


def merge_close(protos: np.ndarray, sizes: np.ndarray, threshold: float) -> np.ndarray:
    """Group labels for prototypes: average-linkage groups whose cosine is above ``threshold``."""
    if len(protos) < 2 or threshold is None or threshold >= 1:
        return np.arange(len(protos))
    from sklearn.cluster import AgglomerativeClustering

    ag = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                 distance_threshold=1.0 - threshold).fit(protos)
    return ag.labels_.astype(np.int64)
