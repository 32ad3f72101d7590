"""Dimensionality reduction before clustering: whitened PCA (default: deterministic, seconds on a sample),
"spectral" (Laplacian eigenmaps on a k-NN graph, scikit-learn's cousin of UMAP: a little better on small
collections, slow beyond ~10k sentences), UMAP when ``umap-learn`` is installed, or any estimator with
``fit``/``transform`` (or ``fit_transform``).

The reducer only serves the clusterer: themes are then described by prototypes in the full embedding
space, so ``transform`` never needs the reducer and a reducer without ``transform`` is fine.

The reducer is fitted on a sample (``max_fit_samples``) and applied in chunks, so memory stays flat for
millions of sentences. Reduced vectors are L2-normalised again: clustering then works on cosine geometry.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import CxError

__all__ = ["make_reducer", "apply_reducer", "fit_reduce", "l2n"]


def l2n(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


class Identity:
    def fit(self, x, y=None):
        return self

    def transform(self, x):
        return np.asarray(x, dtype=np.float32)


def make_reducer(spec: Any, n: int, dim: int, n_components: int, random_state: int):
    """``spec``: "pca" | "umap" | "none" | an estimator with fit/transform (used as given)."""
    if spec is None or spec == "none":
        return Identity()
    if not isinstance(spec, str):
        return spec
    k = int(max(1, min(n_components, dim, max(n - 1, 1))))
    if spec == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=k, whiten=True, random_state=random_state, svd_solver=_pca_solver(n))
    if spec == "spectral":
        return _Spectral(k, random_state)
    if spec == "umap":
        try:
            import umap  # type: ignore
        except ImportError as exc:
            raise CxError("E801", "reducer='umap' needs the umap-learn package",
                          hint="pip install umap-learn, or use reducer='pca'") from exc
        return umap.UMAP(n_components=min(k, 10), n_neighbors=15, min_dist=0.0, metric="cosine",
                         random_state=random_state)
    raise ValueError(f"[E301] reducer must be 'pca', 'spectral', 'umap', 'none' or an estimator, not {spec!r}")


def _pca_solver(n: int) -> str:
    """covariance_eigh (scikit-learn >= 1.5) is the fast exact solver for many rows of few columns."""
    import sklearn

    major, minor = (int(v) for v in sklearn.__version__.split(".")[:2])
    return "covariance_eigh" if (major, minor) >= (1, 5) else ("full" if n <= 5000 else "randomized")


class _Spectral:
    """PCA to 50 dimensions, then a spectral embedding of the 15-nearest-neighbour graph (fit_transform only)."""

    def __init__(self, n_components: int, random_state: int):
        self.n_components = n_components
        self.random_state = random_state

    def fit_transform(self, x):
        from sklearn.decomposition import PCA
        from sklearn.manifold import SpectralEmbedding

        x = np.asarray(x, dtype=np.float32)
        p = PCA(n_components=min(50, x.shape[1], max(len(x) - 1, 1)), random_state=self.random_state).fit_transform(x)
        k = min(self.n_components, max(len(x) - 2, 1))
        return SpectralEmbedding(n_components=k, affinity="nearest_neighbors", n_neighbors=min(15, len(x) - 1),
                                 random_state=self.random_state).fit_transform(p).astype(np.float32)


def fit_reduce(reducer, x: np.ndarray, chunk: int = 65536) -> np.ndarray:
    """Fit ``reducer`` on ``x`` and return the reduced, re-normalised ``x``."""
    if hasattr(reducer, "fit_transform") and not hasattr(reducer, "transform"):
        return l2n(np.asarray(reducer.fit_transform(np.asarray(x, dtype=np.float32)), dtype=np.float32))
    reducer.fit(np.asarray(x, dtype=np.float32))
    return apply_reducer(reducer, x, chunk)


def apply_reducer(reducer, x: np.ndarray, chunk: int = 65536) -> np.ndarray:
    parts = [np.asarray(reducer.transform(np.asarray(x[i:i + chunk], dtype=np.float32)), dtype=np.float32)
             for i in range(0, len(x), chunk)]
    out = np.concatenate(parts) if parts else np.zeros((0, 1), np.float32)
    return l2n(out)
