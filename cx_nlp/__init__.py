"""cx_nlp: multilingual customer-experience text analysis.

Public surface: ``Analyzer`` (sentiment, emotions, touchpoints per text and sentence), ``ThemeModel``
(recurring themes across a collection) and ``train``. Heavy modules load lazily, so ``import cx_nlp``
stays fast and never touches the encoder.
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Analyzer", "ThemeModel", "train", "__version__"]


def __getattr__(name: str):
    if name == "Analyzer":
        from .analyzer import Analyzer
        return Analyzer
    if name == "ThemeModel":
        from .themes.model import ThemeModel
        return ThemeModel
    if name == "train":
        from .training.api import train
        return train
    raise AttributeError(f"module 'cx_nlp' has no attribute {name!r}")
