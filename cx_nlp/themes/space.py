"""Theme space: a linear map of the sentence embedding in which sentences group by topic.

The frozen encoder places a sentence by what it is about *and* by how it is phrased and how the writer
feels: "can u ask an agent how to cancel my order" lies closer to other "ask an agent" requests than to
"I want to cancel my order". A theme is the topic, so before clustering the embedding is mapped into a
space learned from public data where that is what counts: linear discriminant analysis (shrinkage
covariance) over sentences labelled with aspect categories and support intents from several corpora,
domains and languages (``cx_nlp.training.theme_space``). LDA keeps the directions along which categories
differ relative to how much sentences of one category vary (phrasing, sentiment, language), and drops the rest.

Measured on ``benchmarks/themes.py`` leaving each evaluated corpus (and any corpus that shares its
sentences) out of the space's training data, so the numbers are those of a user's unseen domain: NMI
rose on all six data sets (see the model card). The map is ``(l2n(x) - mean) @ components``, re-normalised:
cheap enough to apply in chunks to millions of sentences.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CxError
from .reduce import l2n

__all__ = ["ThemeSpace", "load_space", "SPACE_FILE"]

SPACE_FILE = "theme_space"  # <model folder>/theme_space.safetensors + .json


class ThemeSpace:
    """Linear theme space (scikit-learn contract).

    Parameters: ``n_components`` (dimensions kept; chosen on the tune half of the theme benchmark, leaving
    each corpus out), ``shrinkage`` (LDA covariance shrinkage, "auto" = Ledoit-Wolf).
    Learned: ``mean_`` (input mean), ``components_`` (input_dim x n_components), ``n_classes_``,
    ``n_train_``, ``info_`` (free-form provenance: corpora, counts).
    """

    def __init__(self, n_components: int = 120, shrinkage: Any = "auto"):
        self.n_components = n_components
        self.shrinkage = shrinkage

    def fit(self, X: np.ndarray, y: Any, info: dict | None = None) -> "ThemeSpace":
        from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

        X = l2n(np.asarray(X, dtype=np.float32))
        y = np.asarray(y)
        classes = np.unique(y)
        if len(classes) < 3:
            raise CxError("E301", f"a theme space needs at least 3 categories, got {len(classes)}",
                          hint="label sentences with their aspect category or intent")
        mean = X.mean(0)
        k = int(min(self.n_components, len(classes) - 1, X.shape[1]))
        lda = LinearDiscriminantAnalysis(solver="eigen", shrinkage=self.shrinkage, n_components=k)
        lda.fit(X - mean, y)
        self.mean_ = mean.astype(np.float32)
        self.components_ = np.ascontiguousarray(lda.scalings_[:, :k], dtype=np.float32)
        self.n_classes_ = int(len(classes))
        self.n_train_ = int(len(X))
        self.info_ = dict(info or {})
        return self

    @property
    def input_dim(self) -> int:
        return int(self.components_.shape[0])

    @property
    def output_dim(self) -> int:
        return int(self.components_.shape[1])

    def transform(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[1] != self.input_dim:
            raise CxError("E805", f"the theme space maps {self.input_dim}-d embeddings, not {X.shape[-1]}-d",
                          hint="use the encoder it was trained with, or ThemeModel(space=None)")
        return l2n((l2n(X) - self.mean_) @ self.components_)

    # ------------------------------------------------------------------ persistence
    def state(self) -> dict[str, np.ndarray]:
        return {"space_mean": self.mean_, "space_components": self.components_}

    @classmethod
    def from_state(cls, arr: dict[str, np.ndarray], meta: dict | None = None) -> "ThemeSpace":
        meta = meta or {}
        sp = cls(n_components=int(arr["space_components"].shape[1]), shrinkage=meta.get("shrinkage", "auto"))
        sp.mean_ = np.asarray(arr["space_mean"], dtype=np.float32)
        sp.components_ = np.ascontiguousarray(arr["space_components"], dtype=np.float32)
        sp.n_classes_ = int(meta.get("n_classes", 0))
        sp.n_train_ = int(meta.get("n_train", 0))
        sp.info_ = dict(meta.get("info", {}))
        return sp

    def save(self, folder: str | Path, name: str = SPACE_FILE) -> Path:
        from safetensors.numpy import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        save_file({k: np.ascontiguousarray(v) for k, v in self.state().items()}, str(folder / f"{name}.safetensors"))
        meta = {"format": "cx_nlp.theme_space", "version": 1, "n_components": self.output_dim,
                "input_dim": self.input_dim, "shrinkage": self.shrinkage, "n_classes": self.n_classes_,
                "n_train": self.n_train_, "info": self.info_}
        (folder / f"{name}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        return folder / f"{name}.safetensors"

    @classmethod
    def load(cls, path: str | Path) -> "ThemeSpace":
        """From a model folder (its ``theme_space.*``) or the ``.safetensors`` file itself."""
        from safetensors.numpy import load_file

        p = Path(path)
        st = p / f"{SPACE_FILE}.safetensors" if p.is_dir() else p
        try:
            arr = load_file(str(st))
            meta_path = st.with_suffix(".json")
            meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        except (OSError, ValueError) as exc:
            raise CxError("E803", f"{p} holds no theme space: {exc}",
                          hint="python scripts/train_theme_space.py writes one into models/default") from exc
        if "space_components" not in arr or "space_mean" not in arr:
            raise CxError("E803", f"{st} is not a theme space (no space_components / space_mean)")
        return cls.from_state(arr, meta)


_DEFAULT: dict[str, ThemeSpace | None] = {}


def load_space(spec: Any, input_dim: int) -> ThemeSpace | None:
    """Resolve ``ThemeModel(space=...)``: "auto" -> the bundled model's space when it fits ``input_dim``
    (None when absent or for another encoder's width); None/False/"none" -> None; a ThemeSpace or a path -> it."""
    if spec is None or spec is False or (isinstance(spec, str) and spec.lower() == "none"):
        return None
    if isinstance(spec, ThemeSpace):
        return spec
    if spec == "auto":
        if "auto" not in _DEFAULT:
            from ..paths import default_model_dir

            folder = Path(default_model_dir())
            _DEFAULT["auto"] = ThemeSpace.load(folder) if (folder / f"{SPACE_FILE}.safetensors").is_file() else None
        sp = _DEFAULT["auto"]
        return sp if sp is not None and sp.input_dim == input_dim else None
    if isinstance(spec, (str, Path)):
        return ThemeSpace.load(spec)
    raise ValueError(f"[E301] space must be 'auto', None, a ThemeSpace or a path, not {spec!r}")
