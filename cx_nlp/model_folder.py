"""A saved cx_nlp model is a folder: ``manifest.json`` + safetensors/JSON files + ``model_card.md``.

The manifest lists every file with its SHA-256, so a truncated or edited folder is refused before any
weight is read. Only safetensors, JSON and YAML are ever loaded: no pickle.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .errors import CxError

MANIFEST = "manifest.json"
FORMAT = 1
SAFE_SUFFIXES = {".safetensors", ".json", ".yaml", ".yml", ".md", ".txt"}


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_manifest(folder: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    files = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != MANIFEST)
    manifest = dict(manifest, format=FORMAT, files={n: sha256(folder / n) for n in files})
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def write_model_folder(folder: Path, training: dict[str, Any], evaluation: dict[str, Any], card: str,
                       manifest: dict[str, Any]) -> dict[str, Any]:
    """The files every trainer writes: ``training.json`` (settings, for reproduction), ``evaluation.json``,
    ``model_card.md``, then the manifest over everything already in ``folder`` (weights included)."""
    (folder / "training.json").write_text(json.dumps(training, indent=2, ensure_ascii=False, default=str))
    (folder / "evaluation.json").write_text(json.dumps(evaluation, indent=2, ensure_ascii=False, default=float))
    (folder / "model_card.md").write_text(card, encoding="utf-8")
    return write_manifest(folder, manifest)


def read_manifest(folder: Path, verify: bool = True) -> dict[str, Any]:
    folder = Path(folder)
    path = folder / MANIFEST
    if not path.is_file():
        raise CxError("E201", f"{folder} has no {MANIFEST}")
    try:
        manifest = json.loads(path.read_text())
    except ValueError as exc:
        raise CxError("E201", f"{path} is not valid JSON: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise CxError("E203", f"{folder} has model format {manifest.get('format')}, this cx_nlp reads {FORMAT}")
    for name, digest in manifest.get("files", {}).items():
        p = folder / name
        if Path(name).suffix not in SAFE_SUFFIXES or "/" in name or "\\" in name:
            raise CxError("E201", f"{folder}: manifest lists an unsupported file {name!r} (only safetensors/JSON/YAML)")
        if not p.is_file():
            raise CxError("E201", f"{folder} is missing {name}, listed in its manifest")
        if verify and sha256(p) != digest:
            raise CxError("E202", f"{p} does not match its SHA-256 in {MANIFEST}")
    return manifest
