"""Accuracy of the shipped model (models/default) per corpus and language, beside published anchors.

    python benchmarks/accuracy.py                 # cap 600 validation rows per corpus and language
    python benchmarks/accuracy.py --cap 200 --json artifacts/accuracy.json

Rows: the validation fold of ``../shared/data/train`` (each corpus's dev split, or a hashed 10% of its
train split; never trained on), as ``cx_nlp.training.corpora`` defines it. Columns:

- ``pipeline``: ``Analyzer.predict`` as users get it (sentence segmentation, one encoder pass, sentence
  -> text roll-up), read through ``cx_nlp.training.api.text_probs`` (same numbers, no touchpoint pass);
- ``head``: the same heads on one whole-text embedding (what ``models/default/metrics.json`` reports);
- ``logreg``: logistic regression on the frozen whole-text embeddings (last layer only), trained on the same
  training sample the heads saw (``artifacts/`` cache of ``scripts/train_default.py`` when present,
  else a capped sample embedded here and cached under ``artifacts/``);
- ``anchor``: a published number for the corpus, and ``gap`` = pipeline - anchor. Anchors come from
  fine-tuned single-task models and often other label sets: context, not a like-for-like race.
Binary corpora (no neutral gold) are scored negative-vs-positive, as in the training report.
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

from cx_nlp.heads import EMOTION_LABELS, SENTIMENT_LABELS  # noqa: E402
from cx_nlp.training.corpora import emotion_examples, sentiment_examples, shared_data_dir  # noqa: E402
from cx_nlp.training.evaluate import multi_label_report, single_label_report  # noqa: E402

ART = ROOT / "artifacts"
SEED = 13

# (task, corpus, lang) -> [(anchor macro-F1, what it is)]
XLMT = {"en": 70.6, "ar": 66.9, "fr": 71.2, "de": 77.3, "hi": 56.4, "it": 69.1, "pt": 75.4, "es": 67.9}
ANCHORS: dict[tuple[str, str, str], list[tuple[float, str]]] = {
    **{("sentiment", "tweet_sentiment_multilingual_xlmt", lang): [(v / 100, "XLM-T (XLM-Tw Multi) macro-F1")]
       for lang, v in XLMT.items()},
    ("emotions", "goemotions", "en"): [(0.46, "GoEmotions BERT, 28 labels"), (0.62, "GoEmotions BERT, Ekman groups")],
    ("emotions", "xed_gold", "en"): [(0.53, "XED English BERT F1")],
    ("emotions", "cedr", "ru"): [(0.77, "CEDR (RuBERT)")],
    ("sentiment", "snappfood", "fa"): [(0.88, "SnappFood ParsBERT F1 (binary)")],
    ("sentiment", "deepsentipers", "fa"): [(0.92, "DeepSentiPers binary"), (0.69, "DeepSentiPers 5-class")],
}


def _cap(df: pd.DataFrame, cap: int) -> pd.DataFrame:
    parts = [g.sample(n=min(cap, len(g)), random_state=SEED) for _, g in df.groupby(["file", "lang"], sort=True)]
    return pd.concat(parts, ignore_index=True) if parts else df.iloc[:0]


def load_rows(cap: int, train_cap: int):
    """(sentiment rows, emotion rows, embeddings by id or None): the train_default sample when cached."""
    if (ART / "sentiment_sample.parquet").is_file() and (ART / "emotion_sample.parquet").is_file():
        sent = pd.read_parquet(ART / "sentiment_sample.parquet")
        emo = pd.read_parquet(ART / "emotion_sample.parquet")
        emo["target"] = emo["target"].map(np.asarray)
        emo["mask"] = emo["mask"].map(np.asarray)
        source = "artifacts/ (scripts/train_default.py sample)"
    else:
        folder = shared_data_dir()
        if folder is None:
            sys.exit("../shared/data/train not found (set CX_NLP_SHARED_DATA)")
        sent, emo = sentiment_examples(folder), emotion_examples(folder)
        sent = pd.concat([_cap(sent[sent.fold == "valid"], cap), _cap(sent[sent.fold == "train"], train_cap)])
        emo = pd.concat([_cap(emo[emo.fold == "valid"], cap), _cap(emo[emo.fold == "train"], train_cap)])
        source = f"../shared/data/train (train sample capped at {train_cap} per corpus and language)"
    sv = _cap(sent[sent.fold == "valid"], cap)
    ev = _cap(emo[emo.fold == "valid"], cap)
    return sv, ev, sent[sent.fold == "train"], emo[emo.fold == "train"], source


def whole_text_embeddings(ids: pd.Series, texts: pd.Series) -> np.ndarray:
    """Whole-text features (max 128 tokens, as train_default embeds: the embedding, then the feature
    layers' means): the artifacts cache, else computed."""
    from cx_nlp.training.model_card import ENCODER_INFO

    layers = tuple(ENCODER_INFO.get("feature_layers") or ())
    width = ENCODER_INFO["dim"] * (1 + len(layers))
    cache = {}
    if (ART / "embeddings.npy").is_file() and (ART / "embedding_ids.parquet").is_file():
        emb = np.load(ART / "embeddings.npy", mmap_mode="r")
        row = {k: i for i, k in enumerate(pd.read_parquet(ART / "embedding_ids.parquet")["id"])}
        cache = {k: row[k] for k in ids if k in row}
    out = np.zeros((len(ids), width), dtype=np.float32)
    have = ids.map(lambda k: k in cache).to_numpy()
    if have.any():
        out[have] = emb[[cache[k] for k in ids[have]]]
    if (~have).any():
        extra_path = ART / ("bench_extra_embeddings" + "".join(f"_l{k}" for k in layers) + ".parquet")
        extra = pd.read_parquet(extra_path) if extra_path.is_file() else pd.DataFrame(columns=["id", "v"])
        known = dict(zip(extra["id"], extra["v"]))
        need = [(i, k) for i, k in enumerate(ids) if not have[i] and k not in known]
        if need:
            from cx_nlp.encoder import ensure_encoder
            from cx_nlp.encoder.backends import TorchEncoder

            print(f"embedding {len(need)} texts not in the artifacts cache ...", flush=True)
            enc = TorchEncoder(ensure_encoder(), max_tokens=128, feature_layers=layers)
            vecs = enc.encode_features([texts.iloc[i] for i, _ in need])
            new = pd.DataFrame({"id": [k for _, k in need], "v": list(vecs)})
            extra = pd.concat([extra, new], ignore_index=True)
            ART.mkdir(exist_ok=True)
            extra.to_parquet(extra_path)
            known = dict(zip(extra["id"], extra["v"]))
        for i, k in enumerate(ids):
            if not have[i]:
                out[i] = np.asarray(known[k], dtype=np.float32)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cap", type=int, default=600, help="validation rows per corpus and language")
    ap.add_argument("--train-cap", type=int, default=300, help="logreg training rows per corpus and language "
                    "when the artifacts/ sample is absent")
    ap.add_argument("--model", type=Path, default=None, help="model folder (default: models/default)")
    ap.add_argument("--json", type=Path, default=ART / "accuracy.json")
    args = ap.parse_args()

    from sklearn.linear_model import LogisticRegression

    from cx_nlp import Analyzer
    from cx_nlp.training.api import text_probs

    t0 = time.perf_counter()
    sv, ev, st, et, source = load_rows(args.cap, args.train_cap)
    print(f"validation rows: sentiment {len(sv)}, emotions {len(ev)}; logreg training rows: sentiment {len(st)}, "
          f"emotions {len(et)} from {source}", flush=True)
    an = Analyzer.load(args.model)
    # ---- the pipeline, as users get it
    texts = pd.concat([sv[["id", "text"]], ev[["id", "text"]]]).drop_duplicates("id")
    t1 = time.perf_counter()
    P_s, _, ok_s = text_probs(an, "sentiment", sv["text"].tolist())
    P_e, _, ok_e = text_probs(an, "emotions", ev["text"].tolist())
    pipe_s = time.perf_counter() - t1
    # ---- whole-text embeddings: the heads as metrics.json scores them, and the logreg baseline
    Xsv, Xst = whole_text_embeddings(sv["id"], sv["text"]), whole_text_embeddings(st["id"], st["text"])
    Xev, Xet = whole_text_embeddings(ev["id"], ev["text"]), whole_text_embeddings(et["id"], et["text"])
    H_s = an.heads["sentiment"].predict_proba(Xsv)
    H_e = an.heads["emotions"].predict_proba(Xev)
    d = an.encoder.dim  # the baseline reads the frozen embedding (the last layer's mean) only
    lr = LogisticRegression(max_iter=2000, C=1.0).fit(Xst[:, :d], st["label"].to_numpy())
    L_s = lr.predict_proba(Xsv[:, :d])
    Yet, Met = np.stack(et["target"].to_numpy()), np.stack(et["mask"].to_numpy())
    L_e = np.zeros((len(ev), len(EMOTION_LABELS)), dtype=np.float32)
    for j in range(len(EMOTION_LABELS)):
        m = Met[:, j] > 0
        if m.any() and 0 < Yet[m, j].sum() < m.sum():
            clf = LogisticRegression(max_iter=2000, class_weight="balanced").fit(Xet[m, :d], Yet[m, j])
            L_e[:, j] = clf.predict_proba(Xev[:, :d])[:, 1]
    rows = []
    for (file, lang), g in sv.groupby(["file", "lang"], sort=True):
        idx = sv.index.get_indexer(g.index)
        idx = idx[ok_s[idx]]
        y, binary = sv["label"].to_numpy()[idx], bool(g["binary"].iloc[0])
        rep = single_label_report(P_s[idx], y, SENTIMENT_LABELS, binary=binary)
        rows.append({"task": "sentiment", "corpus": file, "lang": lang, "n": rep["n"], "pipeline": rep["macro_f1"],
                     "accuracy": rep["accuracy"], "ece": rep["ece"], "binary": binary,
                     "head": single_label_report(H_s[idx], y, SENTIMENT_LABELS, binary=binary)["macro_f1"],
                     "logreg": single_label_report(L_s[idx], y, SENTIMENT_LABELS, binary=binary)["macro_f1"]})
    th = an.emotion_thresholds
    Yev, Mev = np.stack(ev["target"].to_numpy()), np.stack(ev["mask"].to_numpy())
    for (file, lang), g in ev.groupby(["file", "lang"], sort=True):
        idx = ev.index.get_indexer(g.index)
        idx = idx[ok_e[idx]]
        rep = multi_label_report(P_e[idx], Yev[idx], Mev[idx], EMOTION_LABELS, th)
        rows.append({"task": "emotions", "corpus": file, "lang": lang, "n": rep["n"], "pipeline": rep["macro_f1"],
                     "accuracy": None, "ece": None, "binary": False,
                     "head": multi_label_report(H_e[idx], Yev[idx], Mev[idx], EMOTION_LABELS, th)["macro_f1"],
                     "logreg": multi_label_report(L_e[idx], Yev[idx], Mev[idx], EMOTION_LABELS, {})["macro_f1"]})
    for r in rows:
        r["anchors"] = [{"value": v, "what": w, "gap": round(r["pipeline"] - v, 4)}
                        for v, w in ANCHORS.get((r["task"], r["corpus"], r["lang"]), [])]
    # ---- print
    hdr = (f"{'task':9s} {'corpus':34s} {'lang':4s} {'n':>5s} {'pipeline':>8s} {'head':>6s} {'logreg':>6s} "
           f"{'acc':>6s} {'ece':>6s}  anchor (gap)")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        anc = "; ".join(f"{a['value']:.2f} {a['what']} ({a['gap']:+.2f})" for a in r["anchors"])
        acc = f"{r['accuracy']:.3f}" if r["accuracy"] is not None else "-"
        ece = f"{r['ece']:.3f}" if r["ece"] is not None else "-"
        print(f"{r['task']:9s} {r['corpus']:34s} {r['lang']:4s} {r['n']:5d} {r['pipeline']:8.3f} {r['head']:6.3f} "
              f"{r['logreg']:6.3f} {acc:>6s} {ece:>6s}  {anc}{' [binary]' if r['binary'] else ''}")
    for task in ("sentiment", "emotions"):
        rs = [r for r in rows if r["task"] == task]
        print(f"{task}: mean macro-F1 over {len(rs)} corpus x language sets: pipeline "
              f"{np.mean([r['pipeline'] for r in rs]):.3f}, head {np.mean([r['head'] for r in rs]):.3f}, "
              f"logreg {np.mean([r['logreg'] for r in rs]):.3f}")
    gaps = [a["gap"] for r in rows for a in r["anchors"] if "5-class" not in a["what"] and "28 labels" not in a["what"]]
    if gaps:
        print(f"mean gap to the closest-comparable anchors: {np.mean(gaps):+.3f} over {len(gaps)} sets")
    total = time.perf_counter() - t0
    print(f"pipeline scoring: {len(sv) + len(ev)} texts in {pipe_s:.0f} s; total {total:.0f} s")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"rows": rows, "cap": args.cap, "source": source, "seconds": round(total),
                                     "pipeline_seconds": round(pipe_s), "n_texts": int(len(texts))}, indent=2))
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
