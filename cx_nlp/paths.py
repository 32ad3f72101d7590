"""Where cx_nlp keeps things: the cache home and the bundled model folder."""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def cache_home() -> Path:
    """``CX_NLP_HOME`` if set, else ``$XDG_CACHE_HOME/cx_nlp`` (``~/.cache/cx_nlp``)."""
    env = os.environ.get("CX_NLP_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "cx_nlp"


def default_model_dir() -> Path:
    """The default model shipped with the package (heads + manifest + card).

    An installed wheel carries it as package data; a source checkout keeps it in ``models/default``.
    """
    env = os.environ.get("CX_NLP_MODEL")
    if env:
        return Path(env).expanduser()
    inside = PACKAGE_DIR / "models" / "default"
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parent / "models" / "default"
