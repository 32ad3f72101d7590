"""Touchpoint detection and per-touchpoint polarity on the validation parts of the aspect data.

    python benchmarks/touchpoints.py                       # the bundled model (models/default)
    python benchmarks/touchpoints.py --model PATH          # a trained model folder
    python benchmarks/touchpoints.py --detector PATH       # swap in another touchpoint detector folder
    python benchmarks/touchpoints.py --json out.json --max-per-group 300

Rows come from ``cx_nlp.cx.touchpoint_data.touchpoint_examples`` (aspect categories mapped to touchpoints
by ``cx_nlp/cx/aspect_map.csv``), validation folds only: corpus ``dev`` rows or a hashed 10% of ``train``
rows, never trained on, less the hashed third of them that tuned the default detector's early stopping,
blend and thresholds (``detector_tuning_rows``): what is scored tuned nothing. Every text goes through the
full ``Analyzer.predict`` pipeline (segmentation, clauses, encoder, heads, roll-up), so the numbers are what
a user gets from ``Result.touchpoints``.

Per (corpus, language, level):
- **single**: texts about exactly one touchpoint (of those the corpus annotates): ``top1`` = the first
  touchpoint of ``Result.touchpoints`` is it; ``polarity`` = its sentiment equals the gold polarity
  (over texts whose top-1 is right and whose gold polarity is known and not conflicting).
- **all**: texts about one or more touchpoints: ``recall`` = share of gold touchpoints that are named;
  ``polarity`` = share of named gold touchpoints with the right sentiment; ``precision`` = share of named
  touchpoints (among those the corpus annotates) that are gold.
Embeddings are cached under ``artifacts/`` (gitignored), so a rerun after a detector change is quick.

**Service industries** (``benchmarks/data/touchpoints_service_test.jsonl``): 232 sentences we wrote about
airlines (half of the English ones: complaint tweets), rail, telecom, utilities, banks, insurers, hotels,
restaurants, e-commerce and food delivery in en, ru, ro, pl and fa, one touchpoint and its polarity each,
labelled by the rules in ``docs/service_examples.md``. A separate writer made them without seeing the training
examples (``cx_nlp/cx/service_examples.jsonl``); 8 that came within cosine 0.95 of one were dropped. Reported:
top-1 touchpoint, its polarity when top-1 is right, and the share that gets no touchpoint at all.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def evaluate(results, df: pd.DataFrame) -> pd.DataFrame:
    """Per-row outcomes: columns top1, top1_pol, n_gold, n_named, n_named_pol_ok, n_named_pol, n_pred_ann, n_pred_ok."""
    out = []
    for (_, r), res in zip(df.iterrows(), results):
        named = {t["name"]: t.get("sentiment") for t in res.touchpoints}
        order = [t["name"] for t in res.touchpoints]
        gold = list(r["labels"])
        pol = r["polarity"] or {}
        ann = set(r["annotated"])
        row = {"n_gold": len(gold), "single": len(gold) == 1 and len(ann) >= 2}
        if row["single"]:
            g = gold[0]
            row["top1"] = bool(order and order[0] == g)
            p = pol.get(g)
            row["top1_pol"] = (named.get(g) == p) if (row["top1"] and p) else None
        hits = [g for g in gold if g in named]
        row["n_named"] = len(hits)
        with_pol = [g for g in hits if pol.get(g)]
        row["n_named_pol"] = len(with_pol)
        row["n_named_pol_ok"] = sum(named[g] == pol[g] for g in with_pol)
        pred_ann = [t for t in order if t in ann]
        row["n_pred_ann"] = len(pred_ann)
        row["n_pred_ok"] = sum(t in gold for t in pred_ann)
        out.append(row)
    return pd.DataFrame(out, index=df.index)


def summarise(df: pd.DataFrame, ev: pd.DataFrame) -> pd.DataFrame:
    rows = []
    both = df.join(ev)
    for (file, lang, level), g in both.groupby(["file", "lang", "level"], sort=True):
        s = g[g["single"]]
        a = g[g["n_gold"] > 0]
        pol = s["top1_pol"].dropna() if len(s) else pd.Series(dtype=float)
        rows.append({
            "corpus": file, "lang": lang, "level": level,
            "n_single": len(s), "top1": s["top1"].mean() if len(s) else np.nan,
            "top1_polarity": pol.astype(float).mean() if len(pol) else np.nan,
            "n_all": len(a),
            "recall": a["n_named"].sum() / max(a["n_gold"].sum(), 1) if len(a) else np.nan,
            "polarity": a["n_named_pol_ok"].sum() / a["n_named_pol"].sum() if a["n_named_pol"].sum() else np.nan,
            "precision": g["n_pred_ok"].sum() / max(g["n_pred_ann"].sum(), 1),
        })
    return pd.DataFrame(rows)


def pooled(ev: pd.DataFrame) -> dict:
    """Pooled metrics over the rows of ``ev`` (the benchmark rows joined with :func:`evaluate`)."""
    s = ev[ev["single"]]
    a = ev[ev["n_gold"] > 0]
    pol = s["top1_pol"].dropna().astype(float) if len(s) else pd.Series(dtype=float)
    return {"top1": float(s["top1"].mean()) if len(s) else None,
            "top1_polarity": float(pol.mean()) if len(pol) else None,
            "recall": float(a["n_named"].sum() / max(a["n_gold"].sum(), 1)),
            "polarity": float(a["n_named_pol_ok"].sum() / a["n_named_pol"].sum()) if a["n_named_pol"].sum() else None,
            "precision": float(ev["n_pred_ok"].sum() / max(ev["n_pred_ann"].sum(), 1)),
            "n_single": int(len(s)), "n_all": int(len(a))}


SERVICE_TEST = ROOT / "benchmarks" / "data" / "touchpoints_service_test.jsonl"


def service_table(an, path: Path = SERVICE_TEST) -> pd.DataFrame:
    """Top-1 touchpoint and its polarity on the written service-industry sentences, by language and for
    the airline tweets."""
    df = pd.read_json(path, lines=True)
    res = an.predict(df["text"].tolist())
    top = [r.touchpoints[0] if r.touchpoints else {} for r in res]
    df["top1"] = [t.get("name") == g for t, g in zip(top, df["touchpoint"])]
    df["top1_pol"] = [(t.get("sentiment") == p) if ok else np.nan for t, p, ok in zip(top, df["polarity"], df["top1"])]
    df["none"] = [not t for t in top]
    groups = [("all", df)] + list(df.groupby("lang", sort=True)) + [("airline (en tweets)", df[df["domain"] == "airline"])]
    return pd.DataFrame([{"group": k, "n": len(g), "top1": g["top1"].mean(), "top1_polarity": g["top1_pol"].mean(),
                          "no_touchpoint": g["none"].mean()} for k, g in groups])


def markdown(table: pd.DataFrame, cols: list[str] | None = None) -> str:
    cols = cols or ["corpus", "lang", "level", "n_single", "top1", "top1_polarity", "n_all", "recall", "polarity",
                    "precision"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, r in table.iterrows():
        cells = []
        for c in cols:
            v = r[c]
            cells.append(f"{v:.3f}" if isinstance(v, float) and not np.isnan(v) else ("" if isinstance(v, float) else str(v)))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def backend_note(encoder) -> str:
    """Which encoder the numbers come from: int8 results move by a point between CPUs with and without
    VNNI, whose int8 builds differ (``reduce_range``)."""
    from cx_nlp.encoder.onnx import STAMP

    backend = getattr(encoder, "backend", "torch")
    if backend != "onnx-int8":
        return "torch fp32"
    stamp = Path(encoder.path).parent / STAMP
    recipe = json.loads(stamp.read_text()).get("recipe", {}) if stamp.is_file() else {}
    vnni = {True: ", built on a CPU without VNNI (reduce_range)", False: ", built on a CPU with VNNI"}
    return "int8 ONNX Runtime" + vnni.get(recipe.get("reduce_range"), "")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=None, help="model folder (default: models/default)")
    ap.add_argument("--detector", default=None, help="a touchpoint detector folder to use instead of the model's")
    ap.add_argument("--max-per-group", type=int, default=0, help="cap rows per (corpus, language, level); 0 = all")
    ap.add_argument("--files", nargs="*", default=None, help="corpora (default: all aspect and intent corpora)")
    ap.add_argument("--json", default=None, help="write the table as JSON here")
    ap.add_argument("--no-cache", action="store_true", help="do not cache embeddings under artifacts/")
    args = ap.parse_args(argv)

    import warnings

    warnings.filterwarnings("ignore")
    from cx_nlp import Analyzer
    from cx_nlp.cx.touchpoint_data import (ASPECT_FILES, INTENT_FILES, CachedEncoder, detector_tuning_rows,
                                           touchpoint_examples)
    from cx_nlp.cx.touchpoints import TouchpointDetector
    from cx_nlp.training.corpora import shared_data_dir

    folder = shared_data_dir()
    if folder is None:
        print("../shared/data/train not found (set CX_NLP_SHARED_DATA)", file=sys.stderr)
        return 2
    an = Analyzer.load(args.model)
    if args.detector:
        an.touchpoints = TouchpointDetector.load(Path(args.detector))
    if an.touchpoints is None:
        print("this model has no touchpoint detector", file=sys.stderr)
        return 2
    backend = backend_note(an.encoder)
    if not args.no_cache:
        an.encoder = CachedEncoder(an.encoder, ROOT / "artifacts", name="tp_bench_cache")
    # the corpora only: our written service examples are measured on their own held-out set below
    df = touchpoint_examples(folder, taxonomy=an.touchpoints.taxonomy if args.detector is None else None,
                             files=args.files or ASPECT_FILES + INTENT_FILES)
    # the validation rows that tuned the default detector's head (a hashed third) are not scored
    df = df[(df["fold"] == "valid") & (df["file"] != "taxonomy") & ~detector_tuning_rows(df)]
    if args.max_per_group:
        df = df.groupby(["file", "lang", "level"], group_keys=False, sort=True).head(args.max_per_group)
    df = df.reset_index(drop=True)
    t0 = time.perf_counter()
    results = []
    step = 512
    for i in range(0, len(df), step):
        results += an.predict(df["text"].iloc[i:i + step].tolist())
        if not args.no_cache:
            an.encoder.save()
        print(f"  {min(i + step, len(df))}/{len(df)} texts", file=sys.stderr, flush=True)
    table = summarise(df, evaluate(results, df))
    print(f"\n{len(df)} validation texts in {time.perf_counter() - t0:.0f} s ({backend})\n")
    print(markdown(table))
    ev = df.join(evaluate(results, df))
    total = pooled(ev)
    print("\nall rows pooled:", json.dumps({k: (round(v, 3) if isinstance(v, float) else v) for k, v in total.items()}))
    languages = {lang: pooled(g) for lang, g in ev.groupby("lang", sort=True) if g["n_gold"].sum() > 0}
    for lang, rep in languages.items():
        print(f"  {lang}:", json.dumps({k: (round(v, 3) if isinstance(v, float) else v) for k, v in rep.items()}))
    service = service_table(an)
    print("\nservice industries (written, held out):")
    print(markdown(service, list(service.columns)))
    if args.json:
        Path(args.json).write_text(json.dumps({"backend": backend, "groups": table.to_dict("records"), "pooled": total,
                                               "languages": languages, "service": service.to_dict("records")},
                                              indent=2, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
