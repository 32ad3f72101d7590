"""Train the bundled theme space (models/default/theme_space.*) from the topic corpora in ../shared/data/train.

    python scripts/train_theme_space.py            # about 4 min the first time (encoding), seconds after

Sentences are embedded once with the project's encoder (fp32, the same vectors the theme benchmark uses)
and cached under artifacts/ (gitignored). The space is fitted on every topic corpus (``PER_CORPUS_CAP``
sentences each); the benchmark measures the same recipe with each evaluated corpus left out.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ART = ROOT / "artifacts"


def embed_pool(pool, progress: bool = True) -> np.ndarray:
    """Vectors for the pool's sentences, cached across runs (``CachedEncoder`` keyed by text)."""
    from cx_nlp.cx.touchpoint_data import CachedEncoder
    from cx_nlp.encoder import ensure_encoder
    from cx_nlp.encoder.backends import TorchEncoder

    enc = CachedEncoder(TorchEncoder(ensure_encoder(), max_tokens=256), ART)
    texts = pool["text"].tolist()
    out = np.zeros((len(texts), 384), np.float32)
    t0 = time.perf_counter()
    step = 4096
    for i in range(0, len(texts), step):
        out[i:i + step] = enc.encode(texts[i:i + step])
        if progress:
            done = min(i + step, len(texts))
            print(f"  embedded {done}/{len(texts)} ({time.perf_counter() - t0:.0f} s)", flush=True)
    enc.save()
    return out


def main() -> None:
    from cx_nlp.model_folder import read_manifest, write_manifest
    from cx_nlp.training.model_card import THEME_SPACE_SECTION, set_card_section, theme_space_section
    from cx_nlp.paths import default_model_dir
    from cx_nlp.training.corpora import shared_data_dir
    from cx_nlp.training.theme_space import PER_CORPUS_CAP, fit_theme_space, topic_pool

    folder = shared_data_dir()
    if folder is None:
        sys.exit("../shared/data/train not found")
    pool = topic_pool(folder)
    print(pool.groupby("corpus").size().to_string(), flush=True)
    X = embed_pool(pool)
    t0 = time.perf_counter()
    space = fit_theme_space(pool, X)
    space.info_["per_corpus_cap"] = PER_CORPUS_CAP
    model = Path(default_model_dir())
    space.save(model)
    card = model / "model_card.md"
    meta = json.loads((model / "theme_space.json").read_text())
    card.write_text(set_card_section(card.read_text(), theme_space_section(meta), THEME_SPACE_SECTION))
    manifest = read_manifest(model, verify=False)
    manifest["theme_space"] = {"weights": "theme_space.safetensors", "config": "theme_space.json",
                               "n_components": space.output_dim, "classes": space.n_classes_,
                               "sentences": space.n_train_, "corpora": space.info_["corpora"]}
    write_manifest(model, manifest)
    print(f"theme space {space.input_dim} -> {space.output_dim}, {space.n_classes_} categories, "
          f"{space.n_train_} sentences, fitted in {time.perf_counter() - t0:.1f} s -> {model}", flush=True)


if __name__ == "__main__":
    main()
