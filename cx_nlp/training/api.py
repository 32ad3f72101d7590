"""``cx_nlp.train`` and ``cx_nlp.training.api.evaluate``: users' own labels -> a model folder -> scores.

    from cx_nlp import train, Analyzer
    res = train("tickets.csv", "models/tickets", text_col="body", label_col="topic")
    Analyzer.load("models/tickets").predict("Courier never came")   # .custom["topic"] = {"label": ...}

The output folder is a complete model: the default sentiment/emotion heads and touchpoints copied from
the bundled model (frozen mode), the new head (``<name>.safetensors`` + ``<name>.json``), ``label_map.json``,
``training.json`` (every setting, for reproduction), ``evaluation.json`` (validation scores per language),
``model_card.md`` and ``manifest.json`` (SHA-256 of every file) — ``Analyzer.load(path)`` reads it.

Training modes (``mode``):
- ``frozen``: embed every text once with the encoder as it is (cached, so a resumed run skips it) and fit
  a small MLP head. Minutes on a CPU; keeps the default heads valid, since the encoder is unchanged.
- ``lora``: train LoRA adapters on the encoder's attention projections (needs ``peft``), then fit the head
  on the adapted embeddings. The adapter (a few hundred KB) is merged into the encoder at load time.
- ``full``: fine-tune every encoder weight (GPU users); the encoder is saved as ``encoder/`` in the folder.
- ``auto`` (default): ``frozen`` without a CUDA GPU; with one: ``frozen`` under 2,000 training rows (too few
  to adapt 118M weights reliably, and the frozen head is as good there), ``lora`` from 2,000 to 200,000
  rows (``frozen`` if peft is missing), ``full`` above 200,000.
Adapted encoders (lora/full) change every embedding, so the default heads and touchpoints, trained on the
original encoder, are not carried into such a folder: it holds only the new head.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .. import __version__
from ..errors import CxError
from ..heads import EMOTION_LABELS, SENTIMENT_LABELS, Head
from ..model_folder import read_manifest, write_model_folder
from .data import LabelSpec, class_weights, head_name_for, infer_spec, load_labeled
from .evaluate import grouped_report
from .fit import FitConfig, fit_head
from .lora import AdaptSettings, peft_available

AUTO_GPU_MIN_ROWS = 2_000
AUTO_FULL_MIN_ROWS = 200_000
CACHE_DIR = ".cache"
RESERVED_NAMES = {"touchpoints", "manifest", "metrics", "training", "evaluation", "label_map", "adapter",
                  "model_card", "encoder", "default_heads_metrics"}
TRAINING_FILE = "training.json"


# ---------------------------------------------------------------------------------------------- helpers
class _Bars:
    """Rich progress bars on stderr (silent when disabled)."""

    def __init__(self, enabled: bool):
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)

        self.enabled = enabled
        self.console = Console(stderr=True)
        self.p = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), TimeRemainingColumn(), console=self.console, disable=not enabled)

    def __enter__(self):
        self.p.start()
        return self

    def __exit__(self, *exc):
        self.p.stop()

    def task(self, description: str, total: int | None):
        return self.p.add_task(description, total=total)

    def update(self, task, **kw) -> None:
        self.p.update(task, **kw)

    def say(self, msg: str) -> None:
        if self.enabled:
            self.p.console.print(f"[cx_nlp] {msg}", markup=False, highlight=False)


class _one_thread:
    """A small MLP gains nothing from threads, and busy threads on a shared CPU slow it tenfold; one
    thread also makes the head's bytes independent of the machine's core count."""

    def __enter__(self):
        import torch

        self.n = torch.get_num_threads()
        torch.set_num_threads(1)

    def __exit__(self, *exc):
        import torch

        torch.set_num_threads(self.n)


def choose_mode(mode: str, n_train: int, cuda: bool, peft_ok: bool) -> tuple[str, str]:
    """(mode, why) — the rule is in the module docstring."""
    if mode not in ("auto", "frozen", "lora", "full"):
        raise ValueError(f"[E301] mode must be 'auto', 'frozen', 'lora' or 'full', not {mode!r}")
    if mode == "lora" and not peft_ok:
        raise CxError("E503", "mode='lora' needs the `peft` package")
    if mode != "auto":
        return mode, "chosen by the caller"
    if not cuda:
        return "frozen", "no CUDA GPU: frozen encoder with cached embeddings"
    if n_train < AUTO_GPU_MIN_ROWS:
        return "frozen", f"fewer than {AUTO_GPU_MIN_ROWS} training rows: too few to adapt the encoder"
    if n_train > AUTO_FULL_MIN_ROWS:
        return "full", f"GPU and more than {AUTO_FULL_MIN_ROWS} training rows"
    if not peft_ok:
        return "frozen", "GPU, but `peft` is not installed (pip install 'cx-nlp[train]' for LoRA)"
    return "lora", f"GPU and {AUTO_GPU_MIN_ROWS}-{AUTO_FULL_MIN_ROWS} training rows"


def fit_config_for(n_train: int, seed: int) -> FitConfig:
    """Batches of ~n/16 (16..256) and enough epochs for ~2,000 optimiser steps; early stopping decides."""
    bs = int(min(256, max(16, 2 ** round(math.log2(max(n_train, 1) / 16)))))
    steps = max(1, math.ceil(n_train / bs))
    return FitConfig(batch_size=bs, max_epochs=int(min(300, max(40, math.ceil(2000 / steps)))),
                     patience=10 if n_train < 5000 else 5, seed=seed)


def _sha(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8", "surrogatepass"))
        h.update(b"\x1e")
    return h.hexdigest()


def embed_texts(enc, texts: Sequence[str], cache_dir: Path | None = None, tag: str = "", bars: _Bars | None = None,
                chunk: int = 256, description: str = "embedding",
                features: bool = False) -> tuple[np.ndarray, list[str | None], np.ndarray]:
    """(X, detected languages, ok) with X the analyzer's text vectors (sentence segmentation, one encoder
    pass, length-weighted mean: what ``Analyzer.embed`` gives). Chunks are cached by content under
    ``cache_dir`` (plain .npy + JSON), so an interrupted run re-embeds nothing it already did.

    ``features``: X is the encoder's features (the embedding, then its middle-layer means, each block
    normalised), what users' heads read at prediction (``heads.custom.attach``); else the embedding."""
    from ..analyzer import Analyzer
    from ..encoder.backends import feature_dim
    from ..heads.custom import text_vectors

    an = Analyzer(enc, {}, touchpoints=None)
    n = len(texts)
    width = feature_dim(enc) if features else enc.dim
    tag = f"{tag}:features{width}" if features else tag
    X = np.zeros((n, width), dtype=np.float32)
    langs: list[str | None] = [None] * n
    ok = np.zeros(n, dtype=bool)
    task = bars.task(description, n) if bars else None
    if cache_dir is not None:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
    for start in range(0, n, chunk):
        part = list(texts[start:start + chunk])
        key = _sha(tag, *part)[:24]
        f_npy = Path(cache_dir) / f"emb-{key}.npy" if cache_dir is not None else None
        f_meta = Path(cache_dir) / f"emb-{key}.json" if cache_dir is not None else None
        if f_npy is not None and f_npy.is_file() and f_meta.is_file():
            vec = np.load(f_npy, allow_pickle=False)
            meta = json.loads(f_meta.read_text())
        else:
            docs = an._prepare(part, lang=None)
            emb, piece_of, _ = an._encode_features(docs) if features else an._encode(docs)
            good = [d for d in range(len(part)) if d in piece_of]
            vec = np.zeros((len(part), width), dtype=np.float32)
            if good:
                vec[good] = text_vectors(emb, [piece_of[d] for d in good], [docs["weights"][d] for d in good],
                                         enc.dim)
            meta = {"ok": [d in piece_of for d in range(len(part))],
                    "lang": [docs["langs"][d][0] if d in docs["langs"] else None for d in range(len(part))]}
            if f_npy is not None:
                tmp = f_npy.with_name(f_npy.name + ".tmp.npy")
                np.save(tmp, vec, allow_pickle=False)
                os.replace(tmp, f_npy)
                f_meta.write_text(json.dumps(meta))
        X[start:start + len(part)] = vec
        ok[start:start + len(part)] = meta["ok"]
        langs[start:start + len(part)] = meta["lang"]
        if bars:
            bars.update(task, advance=len(part))
    return X, langs, ok


def _encoder_tag(folder: Path, enc_info: dict, extra: str = "") -> str:
    stamp = ""
    for name in ("cx_nlp_build.json", "config.json"):
        p = Path(folder) / name
        if p.is_file():
            stamp += p.read_text()
    return _sha(json.dumps(enc_info, sort_keys=True), stamp, extra)


@dataclass
class TrainResult:
    """What ``train`` returns: the folder, the head, and the validation report (also in evaluation.json)."""
    path: Path
    head: str
    kind: str
    labels: list[str]
    mode: str
    metrics: dict
    seconds: float
    rows: dict
    notes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        o = self.metrics.get("valid", {}).get("overall", {})
        return (f"TrainResult(path={str(self.path)!r}, head={self.head!r}, mode={self.mode!r}, "
                f"rows={self.rows}, valid macro_f1={o.get('macro_f1')}, accuracy={o.get('accuracy')}, "
                f"seconds={self.seconds:.1f})")


def _prepare_output(out: Path, resume: bool, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise CxError("E502", f"{out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    existing = [p for p in out.iterdir() if p.name != CACHE_DIR]
    if existing and not (resume or overwrite):
        raise CxError("E502", f"{out} already holds {len(existing)} file(s), e.g. {existing[0].name}")
    for p in existing:  # a resumed or overwritten run rewrites the whole folder (caches stay)
        shutil.rmtree(p) if p.is_dir() else p.unlink()


def _copy_defaults(base: Path, base_manifest: dict, out: Path, skip: str) -> tuple[list[str], dict | None, dict]:
    """Copy the base model's heads (all but ``skip``), touchpoint detector and embedding heads into ``out``.
    Returns (head names, touchpoint manifest entry, manifest entries for the embedding heads)."""
    heads = []
    for h in base_manifest.get("heads", []):
        if h == skip:
            continue
        for suffix in (".safetensors", ".json"):
            shutil.copy2(base / f"{h}{suffix}", out / f"{h}{suffix}")
        heads.append(h)
    embedding_heads = list(base_manifest.get("embedding_heads", []))  # themes' polarity teacher travels too
    for h in embedding_heads:
        for suffix in (".safetensors", ".json"):
            shutil.copy2(base / f"{h}{suffix}", out / f"{h}{suffix}")
    tp = base_manifest.get("touchpoints")
    if tp:
        for key in ("weights", "config"):
            shutil.copy2(base / tp[key], out / tp[key])
    if (base / "metrics.json").is_file():
        shutil.copy2(base / "metrics.json", out / "default_heads_metrics.json")
    return heads, tp, ({"embedding_heads": embedding_heads} if embedding_heads else {})


def _baseline(X, y, Xv, yv, langs_v, labels, seed) -> dict | None:
    """Logistic regression on the same embeddings: the number a new head should beat (single-label)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    if len(np.unique(y)) < 2:
        return None
    if len(X) > 20000:  # a fair baseline, not a slow one
        idx = np.random.default_rng(seed).choice(len(X), 20000, replace=False)
        X, y = X[idx], y[idx]
    lr = LogisticRegression(max_iter=2000, class_weight="balanced").fit(X, y)
    pred = lr.predict(Xv)
    out = {"overall": round(float(f1_score(yv, pred, average="macro", zero_division=0)), 4), "by_lang": {}}
    langs_v = np.asarray([g or "unknown" for g in langs_v], dtype=object)
    for g in sorted(set(langs_v.tolist())):
        m = langs_v == g
        present = sorted(set(yv[m].tolist()) | set(pred[m].tolist()))
        out["by_lang"][g] = round(float(f1_score(yv[m], pred[m], labels=present, average="macro",
                                                 zero_division=0)), 4)
    return out


# ---------------------------------------------------------------------------------------------- train
def train(data: str | Path | pd.DataFrame, output: str | Path, *, text_col: str | None = None,
          label_col: str | None = None, valid: str | Path | pd.DataFrame | None = None, split_col: str | None = None,
          lang_col: str | None = None, head_name: str | None = None, label_kind: str = "auto",
          label_sep: str | None = None, mode: str = "auto", base_model: str | Path | None = None,
          keep_default_heads: bool = True, valid_fraction: float = 0.15, seed: int = 13,
          class_weight: str = "balanced", min_count: int = 2, epochs: int | None = None, max_length: int = 128,
          batch_size: int = 16, learning_rate: float | None = None, lora_r: int = 8, lora_alpha: int = 16,
          device: str | None = None, resume: bool = False, overwrite: bool = False, keep_cache: bool = False,
          progress: bool = True, task: str = "head", taxonomy: str | Path | None = None,
          inputs: str = "auto") -> TrainResult:
    """Train a head on your own labeled texts and write a model folder ``Analyzer.load`` reads.

    data: CSV/TSV/XLSX/JSONL/Parquet file, a ``datasets`` folder or a DataFrame. Columns are detected
    when not given (text: the free-text column; label: label/labels/topic/category/rating/...; language:
    lang/language; split: split/fold with train/valid/test values). ``valid``: a separate validation
    file; otherwise a split column, otherwise a seeded stratified ``valid_fraction``. ``label_kind``:
    auto | single | multi | rating | nps | sentiment (see ``training/data.py``). ``head_name``: default
    the label column's name; ``"sentiment"`` replaces the default sentiment head (labels must be
    negative/neutral/positive). Same data + same seed + same machine gives byte-identical head weights.

    ``task="touchpoint"``: the labels are touchpoint ids (``a;b``, optionally ``a:negative``) of the base
    model's taxonomy or of ``taxonomy`` (your YAML); the touchpoint detector (and, given polarities, its
    aspect polarity head) is retrained and the default sentiment/emotion heads are kept
    (see ``training/touchpoints.py``).

    ``inputs``: what the head reads. "embedding" (the last layer's mean), "features" (plus the base model's
    middle-layer means, as the default sentiment and emotion heads), or "auto": whichever scores the higher
    macro-F1 on an inner 20% of the training rows (the validation rows are not used to choose). Measured:
    the middle layers help polarity-like labels and hurt topic-like ones (banking77 intents: 0.834 -> 0.808).
    """
    import torch

    if task not in ("head", "touchpoint"):
        raise ValueError(f"[E301] task must be 'head' or 'touchpoint', not {task!r}")
    if task == "touchpoint":
        from .touchpoints import train_touchpoints

        return train_touchpoints(data, output, text_col=text_col, label_col=label_col, valid=valid,
                                 split_col=split_col, lang_col=lang_col, taxonomy=taxonomy, base_model=base_model,
                                 valid_fraction=valid_fraction, seed=seed, overwrite=overwrite, resume=resume,
                                 keep_cache=keep_cache, progress=progress)
    if taxonomy is not None:
        raise ValueError("[E301] taxonomy= is for task='touchpoint'")

    t0 = time.perf_counter()
    out = Path(output)
    with _Bars(progress) as bars:
        # ---------------------------------------------------------------- data
        ld = load_labeled(data, text_col=text_col, label_col=label_col, valid=valid, split_col=split_col,
                          lang_col=lang_col, kind=label_kind, sep=label_sep, valid_fraction=valid_fraction,
                          seed=seed, min_count=min_count)
        spec, y = ld.spec, ld.y
        name = head_name or head_name_for(ld.label_col, spec)
        if not name.replace("_", "").isalnum() or name in RESERVED_NAMES:
            raise ValueError(f"[E301] head name {name!r} is reserved or not a plain identifier")
        if name == "sentiment":
            if spec.kind != "single" or not set(spec.labels) <= set(SENTIMENT_LABELS):
                raise CxError("E501", f"a head named 'sentiment' must have labels {SENTIMENT_LABELS}, not {spec.labels}")
            remap = np.asarray([SENTIMENT_LABELS.index(lab) for lab in spec.labels])
            y, spec.labels = remap[y], list(SENTIMENT_LABELS)
        if name == "emotions" and (spec.kind != "multi" or not set(spec.labels) <= set(EMOTION_LABELS)):
            raise CxError("E501", f"a head named 'emotions' must be multi-label over {EMOTION_LABELS}")
        if name == "emotions" and spec.labels != EMOTION_LABELS:
            idx = [spec.labels.index(lab) if lab in spec.labels else None for lab in EMOTION_LABELS]
            y = np.stack([y[:, i] if i is not None else np.zeros(len(y), np.float32) for i in idx], 1)
            spec.labels = list(EMOTION_LABELS)
        tr, va, te = ld.fold == "train", ld.fold == "valid", ld.fold == "test"
        cuda = torch.cuda.is_available()
        mode_used, why = choose_mode(mode, int(tr.sum()), cuda, peft_available())
        device = device or ("cuda" if cuda else "cpu")
        notes = []
        if mode_used in ("lora", "full") and keep_default_heads:
            keep_default_heads = False
            notes.append(f"{mode_used} changes the encoder, so the default heads and touchpoints (trained on the "
                         "original encoder) are not included; this folder holds only the new head")
        if mode_used == "full" and device == "cpu":
            notes.append("full fine-tuning on a CPU is slow; mode='frozen' or 'lora' are the CPU choices")
        bars.say(f"{len(ld.texts)} labeled rows ({int(tr.sum())} train / {int(va.sum())} valid"
                 f"{f' / {int(te.sum())} test' if te.any() else ''}; split: {ld.split_source}); head {name!r}: "
                 f"{spec.kind}-label, {len(spec.labels)} labels ({spec.source}); mode {mode_used} ({why})")
        for n_ in notes:
            bars.say(n_)
        _prepare_output(out, resume, overwrite)
        cache = out / CACHE_DIR
        base_dir = Path(base_model) if base_model is not None else None
        from ..paths import default_model_dir

        base_dir = base_dir or default_model_dir()
        base_manifest = read_manifest(base_dir)
        enc_info = dict(base_manifest.get("encoder", {}))
        prefix = enc_info.get("prefix", "query: ")

        from ..encoder import ensure_encoder
        from ..encoder.backends import TorchEncoder

        enc_folder = ensure_encoder(progress=bars.say if progress else None)
        tag = _encoder_tag(enc_folder, enc_info)
        # the encoder also gives the base model's middle-layer means; the head reads them where they help (inputs=)
        layers = tuple(enc_info.get("feature_layers") or ())
        Wr, pos_w = class_weights(y[tr], spec.kind, class_weight)
        extra_manifest: dict[str, Any] = {}
        adapt_log = None
        adapt_settings = None
        # ---------------------------------------------------------------- adapt the encoder (lora/full)
        if mode_used in ("lora", "full"):
            from .lora import adapt_encoder, apply_adapter, save_adapter, save_encoder_folder

            adapt_settings = AdaptSettings(mode=mode_used, r=lora_r, alpha=lora_alpha, epochs=epochs or
                                           (3 if mode_used == "lora" else 2), batch_size=batch_size,
                                           max_length=max_length, lr=learning_rate, seed=seed)
            base_enc = TorchEncoder(enc_folder, prefix=prefix, device=device)
            texts = np.asarray(ld.texts, dtype=object)
            steps = math.ceil(int(tr.sum()) / adapt_settings.batch_size)
            task = bars.task(f"{mode_used} epoch 1/{adapt_settings.epochs}", steps)

            def on_step(desc, done, total):
                bars.update(task, description=f"{mode_used} {desc}", completed=done, total=total)

            state, adapt_log = adapt_encoder(
                base_enc.model, base_enc.tokenizer, prefix, texts[tr].tolist(), y[tr], spec.kind, len(spec.labels),
                texts[va].tolist(), y[va], adapt_settings, weights=Wr, pos_weight=pos_w,
                checkpoint_dir=cache / "adapt", resume=resume, device=device, progress=on_step, say=bars.say)
            if mode_used == "lora":
                extra_manifest["adapter"] = save_adapter(out, state, adapt_settings, enc_info)
                enc = TorchEncoder(enc_folder, prefix=prefix, device=device, feature_layers=layers)
                apply_adapter(enc.model, out, extra_manifest["adapter"])
                from ..model_folder import sha256

                tag = _sha(tag, sha256(out / "adapter.safetensors"))
            else:
                files = save_encoder_folder(base_enc.model, base_enc.tokenizer, out / "encoder", prefix)
                enc_info = dict(enc_info, path="encoder", files=files, fine_tuned=True)
                enc = TorchEncoder(out / "encoder", prefix=prefix, device=device, feature_layers=layers)
                tag = _sha(tag, json.dumps(files, sort_keys=True))
            del base_enc
        else:
            enc = TorchEncoder(enc_folder, prefix=prefix, device=device, feature_layers=layers)
        # ---------------------------------------------------------------- embed (cached) and fit the head
        X, det_langs, ok = embed_texts(enc, ld.texts, cache / "embeddings", tag, bars, features=True)
        langs = [g or d for g, d in zip(ld.lang, det_langs)]
        if (~ok).any():
            ld.dropped["not_scorable"] = int((~ok).sum())
        trm, vam, tem = tr & ok, va & ok, te & ok
        width, input_scores = _choose_inputs(inputs, X, y, trm, spec, enc.dim, class_weight, seed, bars)
        emb, X = X[:, :enc.dim], np.ascontiguousarray(X[:, :width])
        Wr, pos_w = class_weights(y[trm], spec.kind, class_weight)
        cfg = fit_config_for(int(trm.sum()), seed)
        task = bars.task(f"fitting head {name!r}", cfg.max_epochs)

        def on_epoch(msg):
            bars.update(task, advance=1, description=msg)

        with _one_thread():
            head = fit_head(name, spec.labels, spec.kind, X[trm], y[trm], X[vam], y[vam], weights=Wr,
                            config=cfg, progress=on_epoch, pos_weight=pos_w)
        bars.update(task, completed=cfg.max_epochs)
        # ---------------------------------------------------------------- evaluate
        th = head.config.thresholds
        lang_arr = np.asarray(langs, dtype=object)
        metrics = {"valid": grouped_report(head.predict_proba(X[vam]), y[vam], spec.kind, spec.labels, th,
                                           lang_arr[vam])}
        if tem.any():
            metrics["test"] = grouped_report(head.predict_proba(X[tem]), y[tem], spec.kind, spec.labels, th,
                                             lang_arr[tem])
        if spec.kind == "single":
            # the baseline is logistic regression on the embedding alone
            base = _baseline(emb[trm], y[trm], emb[vam], y[vam], lang_arr[vam], spec.labels, seed)
            if base:
                metrics["valid"]["baseline_logreg_macro_f1"] = base
        seconds = time.perf_counter() - t0
        # ---------------------------------------------------------------- write the folder
        heads, tp, copied = [], None, {}
        if keep_default_heads:
            heads, tp, copied = _copy_defaults(base_dir, base_manifest, out, skip=name)
        head.save(out)
        if name == "sentiment" and "sentiment" in heads:
            heads.remove("sentiment")
        heads = ([h for h in ("sentiment", "emotions") if h in heads or h == name]
                 + [h for h in heads if h not in ("sentiment", "emotions")])
        if name not in heads:
            heads.append(name)
        rows = {"train": int(trm.sum()), "valid": int(vam.sum()), "test": int(tem.sum())}
        label_counts = _label_counts(y[trm], spec)
        (out / "label_map.json").write_text(json.dumps({name: {
            "kind": spec.kind, "labels": spec.labels, "label2id": {lab: i for i, lab in enumerate(spec.labels)},
            "source": spec.source, "mapping": _mapping_text(spec.source), "sep": spec.sep,
            "train_counts": label_counts, "dropped_rare_labels": spec.dropped_labels}}, indent=2, ensure_ascii=False))
        training = {
            "cx_nlp_version": __version__, "head": name, "data": str(data) if not isinstance(data, pd.DataFrame)
            else "<DataFrame>", "valid_data": str(valid) if isinstance(valid, (str, Path)) else None,
            "text_col": ld.text_col, "label_col": ld.label_col, "label_spec": spec.to_dict(),
            "split": ld.split_source, "rows": rows, "dropped_rows": ld.dropped, "unknown_labels": ld.unknown_labels,
            "mode": mode_used, "mode_reason": why, "inputs": "features" if width > enc.dim else "embedding",
            "inputs_requested": inputs, "inputs_inner_macro_f1": input_scores, "device": device, "seed": seed, "class_weight": class_weight,
            "fit": asdict(cfg), "adapt": asdict(adapt_settings) if adapt_settings else None, "adapt_log": adapt_log,
            "base_model": str(base_dir), "default_heads_kept": keep_default_heads,
            "languages": dict(sorted(pd.Series(lang_arr[trm]).fillna("unknown").value_counts().to_dict().items())),
            "seconds": round(seconds, 1), "notes": notes,
        }
        manifest = {"name": f"cx_nlp-custom-{name}", "cx_nlp_version": __version__, "encoder": enc_info,
                    "heads": heads, "custom_heads": [name], "base_model": base_manifest.get("name"),
                    "training": {"rows": rows, "mode": mode_used, "seconds": round(seconds)}}
        if tp:
            manifest["touchpoints"] = tp
        manifest.update(copied)
        manifest.update(extra_manifest)
        write_model_folder(out, training, metrics, _model_card(name, spec, training, metrics, head), manifest)
        if not keep_cache:
            shutil.rmtree(cache, ignore_errors=True)
        o = metrics["valid"]["overall"]
        bars.say(f"wrote {out} in {seconds:.0f} s: validation macro-F1 {o['macro_f1']}, accuracy {o['accuracy']}, "
                 f"ECE {o['ece']}")
    return TrainResult(path=out, head=name, kind=spec.kind, labels=list(spec.labels), mode=mode_used,
                       metrics=metrics, seconds=seconds, rows=rows, notes=notes)


def _label_counts(y: np.ndarray, spec: LabelSpec) -> dict[str, int]:
    if spec.kind == "single":
        c = np.bincount(y, minlength=len(spec.labels))
    else:
        c = y.sum(0)
    return {lab: int(v) for lab, v in zip(spec.labels, c)}


def _mapping_text(source: str) -> str | None:
    return {"rating": "1-2 negative, 3 neutral, 4-5 positive",
            "nps": "0-6 negative (detractor), 7-8 neutral (passive), 9-10 positive (promoter)",
            "sentiment": "sentiment words (pos/neg/neutral...) -> negative/neutral/positive"}.get(source)


def _fmt_table(rep: dict, base: dict | None) -> str:
    cols = ["n", "macro_f1", "accuracy", "ece"] + (["micro_f1"] if "micro_f1" in rep["overall"] else [])
    head = "| language | " + " | ".join(cols) + (" | logreg baseline macro_f1 |" if base else " |")
    lines = [head, "|---" * (len(cols) + 1 + (1 if base else 0)) + "|"]
    rows = [("all", rep["overall"], base["overall"] if base else None)]
    rows += [(g, r, base["by_lang"].get(g) if base else None) for g, r in rep["by_lang"].items()]
    for g, r, b in rows:
        lines.append(f"| {g} | " + " | ".join(str(r.get(c, "")) for c in cols) + (f" | {b} |" if base else " |"))
    return "\n".join(lines)


def _model_card(name: str, spec: LabelSpec, training: dict, metrics: dict, head: Head) -> str:
    v = metrics["valid"]
    per = v["overall"].get("per_label", {})
    lines = [
        f"# cx_nlp model with custom head `{name}`",
        "",
        f"- Head `{name}`: {spec.kind}-label over {len(spec.labels)} labels: {', '.join(spec.labels)}",
        f"- Labels from column `{training['label_col']}` ({spec.source}"
        + (f": {_mapping_text(spec.source)}" if _mapping_text(spec.source) else "") + f"); text column `{training['text_col']}`",
        f"- Training mode: **{training['mode']}** ({training['mode_reason']}); device {training['device']}; seed {training['seed']}",
        f"- Inputs: **{training['inputs']}** (asked: {training['inputs_requested']}"
        + (f"; inner-split macro-F1 {json.dumps(training['inputs_inner_macro_f1'])}" if training['inputs_inner_macro_f1'] else "")
        + ")",
        f"- Rows: {training['rows']} (split: {training['split']}); dropped: {training['dropped_rows'] or 'none'}",
        f"- Class weighting: {training['class_weight']}; temperature {head.config.temperature:.3f}"
        + (f"; thresholds {json.dumps(head.config.thresholds)}" if spec.kind == "multi" else ""),
        f"- Default heads (sentiment, emotions, touchpoints) kept: {training['default_heads_kept']}",
        f"- Trained with cx_nlp {__version__} in {training['seconds']:.0f} s.",
        "",
        "## Validation scores (rows never trained on)",
        "ECE: expected calibration error of the probabilities (lower is better)."
        + (" Multi-label: macro-F1 over labels present; accuracy is exact match." if spec.kind == "multi" else ""),
        "",
        _fmt_table(v, v.get("baseline_logreg_macro_f1")),
        "",
        "### Per label",
        "| label | f1 | precision | recall | support |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {lab} | {r['f1']} | {r['precision']} | {r['recall']} | {r['support']} |" for lab, r in per.items()]
    if "test" in metrics:
        lines += ["", "## Test scores", "", _fmt_table(metrics["test"], None)]
    small = [g for g, r in v["by_lang"].items() if r["n"] < 30]
    lines += [
        "", "## Use", "```python", "from cx_nlp import Analyzer",
        "an = Analyzer.load('<this folder>')",
        f"an.predict('...').to_dict()['custom']['{name}']" if name not in ("sentiment", "emotions")
        else f"an.predict('...').{name}", "```",
        "", "## Limits",
        "- Scores are for the validation rows of this data set; other domains and languages will differ.",
        "- The head reads a text's embedding (sentences pooled); per-sentence readings use the same head on one sentence.",
    ]
    if small:
        lines.append(f"- Languages with under 30 validation rows (numbers are noisy): {', '.join(small)}.")
    lines += [f"- {n}." for n in training.get("notes", [])]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- evaluate
def text_probs(an, head_name: str, texts: Sequence[str], bars: _Bars | None = None, chunk: int = 256,
               lang: str | None = None) -> tuple[np.ndarray, list[str | None], np.ndarray]:
    """Text-level probabilities of one head exactly as ``Analyzer.predict`` reports them (sentiment and
    emotions: the sentence roll-up; custom heads: the text vector), plus detected languages and ok flags."""
    from ..heads import emotions as emo_head
    from ..heads import sentiment as sent_head
    from ..heads.custom import text_vectors

    head = an.heads[head_name]
    k = len(head.config.labels)
    P = np.zeros((len(texts), k), dtype=np.float32)
    langs: list[str | None] = [None] * len(texts)
    ok = np.zeros(len(texts), dtype=bool)
    task = bars.task(f"scoring with {head_name!r}", len(texts)) if bars else None
    saved_tp = an.touchpoints
    an.touchpoints = None  # touchpoint clause passes do not change head readings: skip their encoding
    try:
        for start in range(0, len(texts), chunk):
            part = list(texts[start:start + chunk])
            docs = an._prepare(part, lang=lang)
            feats, piece_of, _ = an._encode_features(docs)
            good = [d for d in range(len(part)) if d in piece_of]
            if good:
                if head_name in ("sentiment", "emotions"):
                    ps = head.read(feats)
                    for d in good:
                        rows = piece_of[d]
                        P[start + d] = (sent_head.rollup(ps[rows], docs["weights"][d] ** 2) if head_name == "sentiment"
                                        else emo_head.rollup(ps[rows]))
                else:
                    T = text_vectors(feats, [piece_of[d] for d in good], [docs["weights"][d] for d in good],
                                     an.encoder.dim)
                    P[[start + d for d in good]] = head.read(T)
            for d in good:
                ok[start + d] = True
                langs[start + d] = docs["langs"][d][0]
            if bars:
                bars.update(task, advance=len(part))
    finally:
        an.touchpoints = saved_tp
    return P, langs, ok


INNER_MIN_ROWS = 200  # below this an inner split is too small to tell the inputs apart: the embedding


def _choose_inputs(inputs: str, X: np.ndarray, y: np.ndarray, trm: np.ndarray, spec, dim: int, class_weight: str,
                   seed: int, bars=None) -> tuple[int, dict[str, float]]:
    """(columns of X the head reads, inner-split macro-F1 per candidate). "auto" fits a quick head on 80% of
    the training rows for each candidate and keeps the better on the other 20% (ties: the embedding)."""
    if inputs not in ("auto", "embedding", "features"):
        raise CxError("E301", f"inputs must be auto, embedding or features, not {inputs!r}")
    if inputs == "embedding" or X.shape[1] == dim:
        return dim, {}
    if inputs == "features":
        return X.shape[1], {}
    rows = np.flatnonzero(trm)
    if len(rows) < INNER_MIN_ROWS:
        return dim, {}
    inner = np.random.default_rng(seed).random(len(rows)) < 0.2
    fit_rows, val_rows = rows[~inner], rows[inner]
    w, pos_w = class_weights(y[fit_rows], spec.kind, class_weight)
    cfg = fit_config_for(len(fit_rows), seed)
    scores: dict[str, float] = {}
    for name, width in (("embedding", dim), ("features", X.shape[1])):
        with _one_thread():
            h = fit_head("inputs_probe", spec.labels, spec.kind, X[fit_rows, :width], y[fit_rows],
                         X[val_rows, :width], y[val_rows], weights=w, config=cfg, pos_weight=pos_w)
        rep = grouped_report(h.predict_proba(X[val_rows, :width]), y[val_rows], spec.kind, spec.labels,
                             h.config.thresholds, np.zeros(len(val_rows), dtype=object))
        scores[name] = float(rep["overall"]["macro_f1"])
    if bars:
        bars.say(f"inputs: embedding {scores['embedding']:.3f} / with middle layers {scores['features']:.3f} "
                 "macro-F1 on an inner split of the training rows")
    return (X.shape[1] if scores["features"] > scores["embedding"] else dim), scores


def _pick_head(an, folder: Path, data_df: pd.DataFrame, text_col, label_col, head, label_kind, label_sep):
    """(head name, LabelSpec in that head's label order, label column)."""
    trained = {}
    if (folder / TRAINING_FILE).is_file():
        trained = json.loads((folder / TRAINING_FILE).read_text())
    if head is None and trained and (label_col is None or label_col == trained.get("label_col")) \
            and trained.get("head") in an.heads:
        head, label_col = trained["head"], label_col or trained.get("label_col")
        if label_col in data_df.columns:
            return head, LabelSpec.from_dict(trained["label_spec"]), label_col
    from .data import detect_label_column, detect_text_column

    if label_col is None:
        tc = text_col or detect_text_column(data_df)
        label_col = detect_label_column(data_df, tc)
    if label_col not in data_df.columns:
        raise CxError("E403", f"no label column {label_col!r}; the columns are {list(data_df.columns)}")
    spec = infer_spec(data_df[label_col], name=label_col, kind=label_kind, sep=label_sep, min_count=1)
    if head is None:
        if spec.source in ("rating", "nps", "sentiment") and "sentiment" in an.heads:
            head = "sentiment"
        else:
            for name, h in an.heads.items():
                if h.config.kind == spec.kind and set(spec.labels) <= set(h.config.labels):
                    head = name
                    break
        if head is None:
            raise CxError("E501", f"no head of this model has the labels of column {label_col!r} ({spec.labels[:10]})",
                          hint=f"pass --head (one of {list(an.heads)})")
    if head not in an.heads:
        raise CxError("E501", f"the model has no head {head!r}; it has {list(an.heads)}")
    h = an.heads[head]
    spec.labels = list(h.config.labels)
    spec.kind = h.config.kind
    return head, spec, label_col


def evaluate(model: str | Path | None, data: str | Path | pd.DataFrame, *, text_col: str | None = None,
             label_col: str | None = None, lang_col: str | None = None, head: str | None = None,
             label_kind: str = "auto", label_sep: str | None = None, json_out: str | Path | None = None,
             progress: bool = True, analyzer=None) -> dict:
    """Score a labeled file with a model: per language (given or detected) macro-F1, accuracy, ECE,
    confusion matrix, per-label table. The head is the one the model was trained for, else the one whose
    labels match the column (a rating/NPS/sentiment column -> the sentiment head)."""
    from ..analyzer import Analyzer
    from ..paths import default_model_dir
    from .data import read_any

    t0 = time.perf_counter()
    folder = Path(model) if model is not None else default_model_dir()
    an = analyzer or Analyzer.load(folder)
    df = data.copy() if isinstance(data, pd.DataFrame) else read_any(data, text_col)
    name, spec, label_col = _pick_head(an, folder, df, text_col, label_col, head, label_kind, label_sep)
    ld = load_labeled(df, text_col=text_col, label_col=label_col, lang_col=lang_col, spec=spec, split=False)
    with _Bars(progress) as bars:
        P, det, ok = text_probs(an, name, ld.texts, bars)
    langs = np.asarray([g or d for g, d in zip(ld.lang, det)], dtype=object)
    h = an.heads[name]
    rep = grouped_report(P[ok], ld.y[ok], spec.kind, spec.labels, h.config.thresholds, langs[ok])
    dropped = dict(ld.dropped)
    if (~ok).any():
        dropped["not_scorable"] = int((~ok).sum())
    out = {"model": str(folder), "data": str(data) if not isinstance(data, pd.DataFrame) else "<DataFrame>",
           "head": name, "kind": spec.kind, "labels": spec.labels, "label_col": label_col, "text_col": ld.text_col,
           "label_source": spec.source, "language_source": "column" if any(ld.lang) else "detected",
           "n": int(ok.sum()), "dropped_rows": dropped, "unknown_labels": ld.unknown_labels,
           "seconds": round(time.perf_counter() - t0, 1), **rep}
    if json_out is not None:
        Path(json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(json_out).write_text(json.dumps(out, indent=2, ensure_ascii=False))
    return out


__all__ = ["train", "evaluate", "TrainResult", "choose_mode", "embed_texts", "text_probs"]
