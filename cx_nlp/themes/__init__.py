"""Recurring themes across a collection: sentence level, cross-lingual, editable (see model.py)."""
from __future__ import annotations

__all__ = ["ThemeModel", "Theme"]


def __getattr__(name: str):
    if name in ("ThemeModel", "Theme"):
        from . import model

        return getattr(model, name)
    raise AttributeError(f"module 'cx_nlp.themes' has no attribute {name!r}")
