"""``cx-nlp train --task touchpoint``: teach the touchpoint detector a company's own labels.

Labels are touchpoint ids per text (``delivery_logistics;customer_support``, a list, or ``[]`` for "about
none"), optionally with a polarity each (``delivery_logistics:negative;customer_support:positive``), which
also trains the aspect polarity head. The ids must be those of the taxonomy: the base model's (default:
the bundled twelve) or the user's own YAML (``taxonomy=``), whose descriptions and examples are embedded as
the zero-shot anchors and join the training rows. The encoder stays frozen (embeddings are cached), so
the default sentiment and emotion heads are copied unchanged into the new folder.
"""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..errors import CxError
from ..model_folder import read_manifest, write_model_folder

POLARITIES = ("negative", "neutral", "positive")
_NONE = {"", "none", "[]", "-", "no_touchpoint"}


def parse_touchpoint_labels(cell: Any) -> tuple[list[str], dict[str, str]]:
    """(ids, {id: polarity}) from "a;b", "a:negative|b:positive", ["a", "b"] or "[]" (about none)."""
    if cell is None or (isinstance(cell, float) and cell != cell):
        return [], {}
    if isinstance(cell, (list, tuple, np.ndarray)):
        items = [str(x) for x in cell]
    else:
        text = str(cell).strip()
        if text.startswith("[") and text.endswith("]"):
            try:
                items = [str(x) for x in json.loads(text)]
            except json.JSONDecodeError:
                items = [x.strip(" '\"") for x in text[1:-1].split(",")]
        else:
            for sep in (";", "|", ","):
                if sep in text:
                    items = text.split(sep)
                    break
            else:
                items = [text]
    ids: list[str] = []
    pol: dict[str, str] = {}
    for item in items:
        name, _, p = item.strip().partition(":")
        name, p = name.strip(), p.strip().lower()
        if name.lower() in _NONE:
            continue
        if p and p not in POLARITIES:
            raise CxError("E501", f"touchpoint label {item!r}: the polarity must be one of {POLARITIES}")
        if name not in ids:
            ids.append(name)
        if p:
            pol[name] = p
    return ids, pol


def _prepare(df: pd.DataFrame, label_col: str, known: list[str]) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    parsed = [parse_touchpoint_labels(v) for v in df[label_col].tolist()]
    unknown = sorted({i for ids, _ in parsed for i in ids if i not in known})
    if unknown:
        raise CxError("E501", f"touchpoint labels not in the taxonomy: {unknown[:10]}",
                      hint=f"use the taxonomy's ids ({', '.join(known)}) or pass your own YAML with --taxonomy")
    out = df.copy()
    # load_labeled treats a "none" row as unlabeled and drops it; "about no touchpoint" is a real label here
    out[label_col] = [";".join(ids) if ids else "__none__" for ids, _ in parsed]
    return out, [p for _, p in parsed]


def train_touchpoints(data, output, *, text_col=None, label_col=None, valid=None, split_col=None, lang_col=None,
                      taxonomy=None, base_model=None, valid_fraction: float = 0.15, seed: int = 13,
                      overwrite: bool = False, resume: bool = False, keep_cache: bool = False,
                      progress: bool = True):
    from ..cx.taxonomy import Taxonomy
    from ..cx.touchpoints import TouchpointDetector, fit_touchpoints
    from ..encoder import ensure_encoder
    from ..encoder.backends import TorchEncoder
    from ..paths import default_model_dir
    from .api import CACHE_DIR, TrainResult, _Bars, _copy_defaults, _encoder_tag, _prepare_output
    from .api import embed_texts, fit_config_for
    from .data import detect_label_column, load_labeled, read_any
    from .evaluate import touchpoint_report

    t0 = time.perf_counter()
    out = Path(output)
    base_dir = Path(base_model) if base_model is not None else default_model_dir()
    base_manifest = read_manifest(base_dir)
    with _Bars(progress) as bars:
        enc_info = dict(base_manifest.get("encoder", {}))
        enc_folder = ensure_encoder(progress=bars.say if progress else None)
        enc = TorchEncoder(enc_folder, prefix=enc_info.get("prefix", "query: "),
                           feature_layers=enc_info.get("feature_layers") or ())
        tp_entry = base_manifest.get("touchpoints")
        if taxonomy is not None:
            tax = taxonomy if isinstance(taxonomy, Taxonomy) else Taxonomy.load(taxonomy)
            base_det = TouchpointDetector.build(tax, enc)
        elif tp_entry:
            base_det = TouchpointDetector.load(base_dir, tp_entry)
        else:
            base_det = TouchpointDetector.build(Taxonomy.load(), enc)
        ids = base_det.ids
        df = data.copy() if isinstance(data, pd.DataFrame) else read_any(data, text_col)
        if label_col is None:
            label_col = detect_label_column(df, text_col or "")
        if label_col not in df.columns:
            raise CxError("E403", f"no label column {label_col!r}; the columns are {list(df.columns)}")
        df, pols = _prepare(df, label_col, ids)
        dv = None
        if valid is not None:
            dv = valid.copy() if isinstance(valid, pd.DataFrame) else read_any(valid, text_col)
            dv, vpols = _prepare(dv, label_col, ids)
            pols = pols + vpols
        ld = load_labeled(df, text_col=text_col, label_col=label_col, valid=dv, split_col=split_col,
                          lang_col=lang_col, kind="multi", sep=";", valid_fraction=valid_fraction, seed=seed,
                          min_count=1)
        labels = [[lab for j, lab in enumerate(ld.spec.labels) if row[j] > 0 and lab != "__none__"] for row in ld.y]
        polarity = [pols[i] for i in ld.rows]
        has_pol = any(polarity)
        tr, va = ld.fold == "train", ld.fold == "valid"
        bars.say(f"{len(ld.texts)} labeled rows ({int(tr.sum())} train / {int(va.sum())} valid; split: "
                 f"{ld.split_source}); {len(ids)} touchpoints ({base_det.taxonomy.name}); polarity labels: "
                 f"{sum(len(p) for p in polarity)}")
        _prepare_output(out, resume, overwrite)
        cache = out / CACHE_DIR
        X, det_langs, ok = embed_texts(enc, ld.texts, cache / "embeddings", _encoder_tag(enc_folder, enc_info), bars)
        langs = [g or d for g, d in zip(ld.lang, det_langs)]
        keep = ok & (tr | va)
        va_k = va[keep]
        Xk = X[keep]
        lab_k, langs_k, texts_k, pol_k = (_pick(seq, keep) for seq in (labels, langs, ld.texts, polarity))
        # The sentence head's reading lets fit_polarity weigh the new aspect head against it: with a few
        # hundred polarity labels the broad sentence head often knows better, and the weight says so.
        sentiment = None
        if has_pol and "sentiment" in base_manifest.get("heads", []):
            from ..analyzer import Analyzer
            from ..heads.base import Head
            from .api import text_probs

            # the text-level reading Analyzer.predict reports (the encoder's cache makes this pass cheap)
            reader = Analyzer(enc, {"sentiment": Head.load(base_dir, "sentiment")})
            sentiment, _, _ = text_probs(reader, "sentiment", texts_k)
        det = fit_touchpoints(base_det, lab_k, texts=texts_k, embeddings=Xk, valid=va_k, langs=langs_k,
                              polarity=pol_k if has_pol else None, sentiment=sentiment,
                              config=fit_config_for(int((~va_k).sum()), seed), seed=seed, progress=bars.say)
        # evaluate on the validation rows the way Analyzer scores a sentence
        metrics = {"valid": touchpoint_report(det, Xk[va_k], _pick(lab_k, va_k), _pick(texts_k, va_k),
                                              _pick(langs_k, va_k)),
                   "calibration": det.info.get("validation"), "polarity": det.info.get("polarity")}
        heads, _, copied = _copy_defaults(base_dir, base_manifest, out, skip="")
        entry = det.save(out)
        seconds = round(time.perf_counter() - t0, 1)
        rows = {"train": int((keep & tr).sum()), "valid": int((keep & va).sum())}
        training = {"cx_nlp_version": __version__, "task": "touchpoint", "data": str(data) if not isinstance(
                        data, pd.DataFrame) else "<DataFrame>", "text_col": ld.text_col, "label_col": ld.label_col,
                    "taxonomy": base_det.taxonomy.name, "touchpoints": ids, "rows": rows, "split": ld.split_source,
                    "dropped_rows": ld.dropped, "polarity_labels": int(sum(len(p) for p in polarity)),
                    "mode": "frozen", "seed": seed, "base_model": str(base_dir), "seconds": seconds}
        manifest = {"name": "cx_nlp-custom-touchpoints", "cx_nlp_version": __version__, "encoder": enc_info,
                    "heads": heads, "custom_heads": [], "base_model": base_manifest.get("name"),
                    "touchpoints": entry, "training": {"rows": rows, "mode": "frozen", "task": "touchpoint",
                                                       "seconds": round(seconds)}}
        manifest.update(copied)
        write_model_folder(out, training, metrics, _card(training, metrics), manifest)
        if not keep_cache:
            shutil.rmtree(cache, ignore_errors=True)
        o = metrics["valid"]
        bars.say(f"wrote {out} in {seconds:.0f} s: validation top-1 {o['top1_accuracy']}, micro-F1 {o['micro_f1']}")
    return TrainResult(path=out, head="touchpoints", kind="multi", labels=list(ids), mode="frozen", metrics=metrics,
                       seconds=seconds, rows=rows, notes=[])


def _pick(seq, mask: np.ndarray) -> list:
    return [seq[i] for i in np.flatnonzero(mask)]


def _card(training: dict, metrics: dict) -> str:
    v = metrics["valid"]
    lines = [f"# cx_nlp touchpoint model ({training['taxonomy']})", "",
             f"Touchpoint detector trained on `{training['data']}` (column `{training['label_col']}`), "
             f"{training['rows']['train']} training / {training['rows']['valid']} validation rows, frozen encoder, "
             f"seed {training['seed']}, {training['seconds']} s. Sentiment and emotion heads are the base model's.", "",
             "## Validation", "", "| metric | value |", "|---|---|"]
    for k in ("n", "top1_accuracy", "micro_f1", "macro_f1", "none_accuracy"):
        if v.get(k) is not None:
            lines.append(f"| {k} | {v[k]} |")
    if metrics.get("polarity"):
        lines += ["", f"Aspect polarity head: {json.dumps(metrics['polarity'])}"]
    lines += ["", "## Per touchpoint (validation)", "", "| touchpoint | support | precision | recall | F1 |",
              "|---|---|---|---|---|"]
    for name, r in (v.get("per_touchpoint") or {}).items():
        lines.append(f"| {name} | {r['support']} | {r['precision']} | {r['recall']} | {r['f1']} |")
    return "\n".join(lines) + "\n"
