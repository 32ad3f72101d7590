"""Dimensionality reduction before clustering: "auto" (default: "spectral" from 300 sentences on, else "pca"),
"spectral" (Laplacian eigenmaps on the 10-nearest-neighbour graph, scikit-learn's cousin of UMAP, fitted on
at most ``SPECTRAL_MAX_ROWS`` sentences because it grows superlinearly), whitened PCA (deterministic, seconds on any sample), UMAP when ``umap-learn`` is
installed, or any estimator with ``fit``/``transform`` (or ``fit_transform``).

Why spectral by default: the clusters a reader calls one theme are chains of near paraphrases more than
round blobs, and a k-NN graph follows such chains where a linear projection cuts them. On the tuning half
of ``benchmarks/themes.py`` (three 85% sub-samples of each of the six data sets) it raised NMI on every data
set over whitened PCA (mean ratio to BERTopic 1.36 -> 1.44), most on the small, noisy ones.

The reducer only serves the clusterer: themes are then described by prototypes in the full embedding
space, so ``transform`` never needs the reducer and a reducer without ``transform`` is fine.

The reducer is fitted on a sample (``max_fit_samples``, and at most ``max_fit_rows`` where the reducer
declares one) and applied in chunks, so memory stays flat for millions of sentences. Reduced vectors are
L2-normalised again (cosine geometry for the clusterer), except the spectral coordinates: their norm
carries how central a sentence is in its neighbourhood, and normalising it away merged neighbouring themes.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import CxError

__all__ = ["make_reducer", "apply_reducer", "fit_reduce", "l2n", "SPECTRAL_MAX_ROWS", "SPECTRAL_MIN_ROWS"]

SPECTRAL_MAX_ROWS = 5000  # sentences the spectral embedding is computed on (about 10 s on 2 cores)
SPECTRAL_MIN_ROWS = 300   # "auto" uses PCA below this (the same "small collection" as polarity removal)


def l2n(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


class Identity:
    def fit(self, x, y=None):
        return self

    def transform(self, x):
        return np.asarray(x, dtype=np.float32)


def make_reducer(spec: Any, n: int, dim: int, n_components: int, random_state: int):
    """``spec``: "auto" | "spectral" | "pca" | "umap" | "none" | an estimator with fit/transform (used as given).

    "auto": spectral from ``SPECTRAL_MIN_ROWS`` sentences on, whitened PCA below (a 10-NN graph of a few dozen
    sentences is mostly noise: on the project's 60-sentence multilingual test it merged five themes into two).
    """
    if spec is None or spec == "none":
        return Identity()
    if not isinstance(spec, str):
        return spec
    if spec == "auto":
        spec = "spectral" if n >= SPECTRAL_MIN_ROWS else "pca"
    k = int(max(1, min(n_components, dim, max(n - 1, 1))))
    if spec == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=k, whiten=True, random_state=random_state, svd_solver=_pca_solver(n))
    if spec == "spectral":
        return _Spectral(k, random_state, n_neighbors=10)
    if spec == "umap":
        try:
            import umap  # type: ignore
        except ImportError as exc:
            raise CxError("E801", "reducer='umap' needs the umap-learn package",
                          hint="pip install umap-learn, or use reducer='pca'") from exc
        return umap.UMAP(n_components=min(k, 10), n_neighbors=15, min_dist=0.0, metric="cosine",
                         random_state=random_state)
    raise ValueError(f"[E301] reducer must be 'auto', 'pca', 'spectral', 'umap', 'none' or an estimator, not {spec!r}")


def _pca_solver(n: int) -> str:
    """covariance_eigh (scikit-learn >= 1.5) is the fast exact solver for many rows of few columns."""
    import sklearn

    major, minor = (int(v) for v in sklearn.__version__.split(".")[:2])
    return "covariance_eigh" if (major, minor) >= (1, 5) else ("full" if n <= 5000 else "randomized")


class _Spectral:
    """PCA to 50 dimensions, then a spectral embedding of the k-nearest-neighbour graph (fit_transform only).

    ``renormalise = False``: the coordinates go to the clusterer as they are (see the module docstring);
    ``max_fit_rows``: the fit clusters a seeded sub-sample of this size, the other sentences join their
    nearest prototype afterwards (as HDBSCAN's noise does).
    """

    renormalise = False
    max_fit_rows = SPECTRAL_MAX_ROWS

    def __init__(self, n_components: int, random_state: int, n_neighbors: int = 10):
        self.n_components = n_components
        self.random_state = random_state
        self.n_neighbors = n_neighbors

    def fit_transform(self, x):
        import warnings

        from sklearn.decomposition import PCA
        from sklearn.manifold import SpectralEmbedding

        x = np.asarray(x, dtype=np.float32)
        if len(x) < 4:  # no graph to speak of: the (centred) vectors themselves
            return x
        p = PCA(n_components=min(50, x.shape[1], max(len(x) - 1, 1)), random_state=self.random_state).fit_transform(x)
        k = min(self.n_components, max(len(x) - 2, 1))
        with warnings.catch_warnings():  # "graph is not fully connected": isolated groups are themes too
            warnings.simplefilter("ignore", UserWarning)
            z = SpectralEmbedding(n_components=k, affinity="nearest_neighbors",
                                  n_neighbors=min(self.n_neighbors, len(x) - 1),
                                  random_state=self.random_state).fit_transform(p)
        return np.asarray(z, dtype=np.float32)


def fit_reduce(reducer, x: np.ndarray, chunk: int = 65536) -> np.ndarray:
    """Fit ``reducer`` on ``x`` and return the reduced, re-normalised ``x``."""
    if hasattr(reducer, "fit_transform") and not hasattr(reducer, "transform"):
        z = np.asarray(reducer.fit_transform(np.asarray(x, dtype=np.float32)), dtype=np.float32)
        return l2n(z) if getattr(reducer, "renormalise", True) else z
    reducer.fit(np.asarray(x, dtype=np.float32))
    return apply_reducer(reducer, x, chunk)


def apply_reducer(reducer, x: np.ndarray, chunk: int = 65536) -> np.ndarray:
    parts = [np.asarray(reducer.transform(np.asarray(x[i:i + chunk], dtype=np.float32)), dtype=np.float32)
             for i in range(0, len(x), chunk)]
    out = np.concatenate(parts) if parts else np.zeros((0, 1), np.float32)
    return l2n(out)
