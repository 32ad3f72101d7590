"""CPU speed: cx_nlp's full analysis vs the stack a user would otherwise assemble, on the same texts, in one run.

    python benchmarks/speed.py                          # sizes 500,2000; peer on at most 500 texts
    python benchmarks/speed.py --sizes 1000,10000,100000 --peer-max 1000
    python benchmarks/speed.py --sizes 1000 --repeats 3 --agreement --json artifacts/speed.json

The peer stack runs at ~1-2 texts/s on 2 CPUs, so it is timed on a subsample (``--peer-max``, default
500 texts, ``--peer-repeats`` runs) and its throughput is applied to larger sizes (labelled "sub").

Systems (each timed run is a fresh subprocess: the model is loaded and warmed up on other texts first,
so no cache carries over; the runs of all systems are interleaved, repeat by repeat, and medians are
reported because this machine is shared):

- ``ours-torch``: ``Analyzer`` with the torch fp32 encoder. Full analysis = segmentation, one encoder pass
  per sentence (plus clause pieces), sentiment, emotions, touchpoints, and the sentence embeddings that
  themes use (``cx_nlp.themes.run.encode_results``: the same pass);
- ``ours-int8``: the same with the guarded int8 ONNX encoder (``backend="onnx"``);
- ``bare-int8``: the int8 encoder alone on the whole texts (no segmentation, heads, guard or cache);
- ``peer``: what a user would assemble: an xlm-roberta-base sentiment classifier, a second xlm-roberta-base
  emotion classifier and a paraphrase-multilingual-MiniLM-L12 embedder for topics: three torch fp32
  passes over each text, batch 32 in input order, padded to the longest text of the batch, truncated at
  512 tokens. Random weights of the real shapes (speed does not depend on the values; no hub access),
  all three tokenised with the XLM-R tokenizer.json of our encoder folder (the same SentencePiece
  family and vocabulary size as theirs).

Printed per size: texts/s, sentences/s, peak RSS of the process, CPU seconds per 1000 texts, and the
ratios (targets: full analysis >= 10x the peer stack, >= 0.5x the bare int8 encoder). Peer runs on more
than ``--peer-max`` texts are done on the first ``--peer-max`` texts and their throughput is applied to
the full size (labelled "sub"). Then an estimate of this machine's limit: encoder FLOPs per token
against the measured int8 GEMM throughput (ORT MatMulInteger), and what share of it we reach.

Texts: distinct reviews and posts from ``../shared/data/train`` (ro, pl, ru, fa, en, and eight tweet
languages; deterministic shuffle) when that folder exists, else ``data/sample_reviews.csv`` (3000 rows;
larger sizes repeat it, which the sentence cache turns into a speed-up: stated in the output).
Also: ``--agreement`` prints the int8 encoder's sentiment-label agreement with torch fp32 on validation
sentences of the shared data.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

CORPORA = ["laroseda", "polemo2_medicine_sentences", "rusentiment", "snappfood", "semeval2016_absa_en_restaurants",
           "m_absa_mt", "tweet_sentiment_multilingual_xlmt", "ro_sent", "sentirueval_2015_bank", "deepsentipers"]
SYSTEMS = ("ours-torch", "ours-int8", "bare-int8", "peer")
WARMUP = ["Warm-up text number %d, the delivery was fine." % i for i in range(16)]


# ----------------------------------------------------------------------------------------- texts
def load_texts(n: int) -> tuple[list[str], str]:
    """``n`` distinct texts (deterministic) and a description of where they came from."""
    import numpy as np
    import pandas as pd

    from cx_nlp.training.corpora import shared_data_dir

    folder = shared_data_dir()
    if folder is not None:
        cache = ROOT / "artifacts" / "speed_texts.json"
        texts: list[str] | None = None
        if cache.is_file():
            texts = json.loads(cache.read_text(encoding="utf-8"))
            if len(texts) < n:
                texts = None
        if texts is None:
            frames = [pd.read_json(folder / f"{c}.jsonl.gz", lines=True)[["text"]] for c in CORPORA
                      if (folder / f"{c}.jsonl.gz").is_file()]
            all_t = pd.concat(frames)["text"].astype(str).str.strip()
            all_t = all_t[(all_t.str.len() > 0) & (all_t.str.len() <= 2000)].drop_duplicates()
            texts = all_t.sample(frac=1.0, random_state=20250101).tolist()
            cache.parent.mkdir(exist_ok=True)
            cache.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        if len(texts) >= n:
            return texts[:n], f"{n} distinct texts from ../shared/data/train ({', '.join(CORPORA)})"
    df = pd.read_csv(ROOT / "data" / "sample_reviews.csv")
    base = df["review_text"].dropna().astype(str).tolist()
    reps = int(np.ceil(n / len(base)))
    note = "" if reps == 1 else f" REPEATED x{reps} (the sentence cache makes ours faster on repeats)"
    return (base * reps)[:n], f"{n} texts from data/sample_reviews.csv{note}"


# ----------------------------------------------------------------------------------------- systems
def _peer_models():
    import torch
    from transformers import BertConfig, BertModel, XLMRobertaConfig, XLMRobertaForSequenceClassification

    torch.manual_seed(0)
    # xlm-roberta-base's shapes, spelled out (this transformers' XLMRobertaConfig() defaults to a 30522 vocab)
    base = dict(vocab_size=250002, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                intermediate_size=3072, max_position_embeddings=514, type_vocab_size=1, pad_token_id=1)
    sent = XLMRobertaForSequenceClassification(XLMRobertaConfig(num_labels=3, **base)).eval()
    emo = XLMRobertaForSequenceClassification(XLMRobertaConfig(num_labels=28, **base)).eval()
    mini = BertModel(BertConfig(vocab_size=250037, hidden_size=384, num_hidden_layers=12, num_attention_heads=12,
                                intermediate_size=1536, max_position_embeddings=512), add_pooling_layer=False).eval()
    return sent, emo, mini


def _peer_run(models, tokenizer, texts: list[str], batch: int = 32):
    import torch

    sent, emo, mini = models
    with torch.inference_mode():
        for i in range(0, len(texts), batch):
            chunk = texts[i:i + batch]
            enc = tokenizer(chunk, padding="longest", truncation=True, max_length=512, return_tensors="pt")
            sent(**enc).logits.softmax(-1)
            emo(**enc).logits.sigmoid()
            h = mini(**enc).last_hidden_state
            m = enc["attention_mask"].unsqueeze(-1).float()
            torch.nn.functional.normalize((h * m).sum(1) / m.sum(1), dim=-1)


def _full_analysis(an, texts: list[str]):
    """Results plus the sentence vectors themes use, from one encoder pass."""
    try:
        from cx_nlp.themes.run import encode_results
    except ImportError:  # themes not there: predict alone is the same encoder pass
        return an.predict(texts), None
    return encode_results(an, texts)


def worker(system: str, texts_file: str) -> dict:
    """Load ``system``, warm it up, time one run over the texts; report wall/CPU seconds and peak RSS."""
    if system == "prepare":  # build and check the int8 cache (once) outside the timed runs
        from cx_nlp import Analyzer

        t0 = time.perf_counter()
        an = Analyzer.load(backend="onnx")
        return {"system": system, "seconds": time.perf_counter() - t0, "backend": an.encoder.backend,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    texts = json.loads(Path(texts_file).read_text(encoding="utf-8"))
    out: dict = {"system": system, "n": len(texts)}
    t_load = time.perf_counter()
    if system == "peer":
        from transformers import AutoTokenizer

        from cx_nlp.encoder import ensure_encoder

        tok = AutoTokenizer.from_pretrained(str(ensure_encoder()), local_files_only=True)
        models = _peer_models()
        run = lambda t: _peer_run(models, tok, t)
    else:
        from cx_nlp import Analyzer

        an = Analyzer.load(backend="torch" if system == "ours-torch" else "onnx")
        if system == "bare-int8":
            run = an.encoder.encode_int8
        else:
            def run(t):
                res, _ = _full_analysis(an, t)
                out["sentences"] = sum(len(r.sentences) for r in res if r.status == "ok")
    out["load_s"] = round(time.perf_counter() - t_load, 2)
    run(WARMUP)
    if system.startswith("ours"):
        getattr(an.encoder, "base", an.encoder).encode(WARMUP[::-1])  # the int8 guard's torch model too
        an.encoder.cache.clear()
        getattr(an.encoder, "base", an.encoder).cache.clear()
        if hasattr(an.encoder, "stats"):
            an.encoder.stats.update(int8=0, fp32_guard=0)
    c0, t0 = time.process_time(), time.perf_counter()
    run(texts)
    out["wall_s"] = time.perf_counter() - t0
    out["cpu_s"] = time.process_time() - c0
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if system == "ours-int8":
        out["guard"] = dict(an.encoder.stats)
    if system.startswith("ours"):
        out["cache_hits"] = an.encoder.cache.hits
    return out


# ----------------------------------------------------------------------------------------- limit
def machine_limit(threads: int) -> dict:
    """int8 GEMM throughput (ORT MatMulInteger, encoder-like shapes) and the fp32 one (torch), in GOPS."""
    import numpy as np
    import onnxruntime as ort
    import torch
    from onnx import TensorProto, helper

    M, K, N = 2048, 384, 1536
    g = helper.make_graph([helper.make_node("MatMulInteger", ["a", "b"], ["y"])], "g",
                          [helper.make_tensor_value_info("a", TensorProto.UINT8, [M, K]),
                           helper.make_tensor_value_info("b", TensorProto.INT8, [K, N])],
                          [helper.make_tensor_value_info("y", TensorProto.INT32, [M, N])])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    s = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    a = rng.integers(0, 255, (M, K), dtype=np.uint8)
    b = rng.integers(-127, 127, (K, N), dtype=np.int8)

    def best(fn, reps=15):
        fn()
        ts = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        return min(ts)  # the least disturbed run: a ceiling, not a typical value

    t8 = best(lambda: s.run(None, {"a": a, "b": b}))
    x, w = torch.randn(M, K), torch.randn(K, N)
    t32 = best(lambda: x @ w)
    ops = 2 * M * K * N
    return {"int8_gops": ops / t8 / 1e9, "fp32_gops": ops / t32 / 1e9, "threads": threads}


def encoder_flops_per_token(seq: float) -> float:
    """e5-small: 12 layers x (QKV + attention output + FFN in/out GEMMs + attention over ``seq`` tokens)."""
    H, F, L = 384, 1536, 12
    return L * (2 * (4 * H * H + 2 * H * F) + 4 * seq * H)


def token_stats(texts: list[str]) -> dict:
    """Tokens per encoder input for ours (sentences+clauses, with "query: " and specials) and per text."""
    from cx_nlp import Analyzer

    an = Analyzer.load(backend="torch")
    docs = an._prepare(texts, lang=None)
    pieces = [p.text for p in docs["pieces"]]
    rust = an.encoder._rust
    ours = [len(e.ids) for e in rust.encode_batch([an.encoder.prefix + p for p in pieces])]
    whole = [len(e.ids) for e in rust.encode_batch(texts)]
    return {"pieces": len(pieces), "tokens_ours": sum(ours), "mean_piece_tokens": sum(ours) / max(len(ours), 1),
            "tokens_whole": sum(whole), "mean_text_tokens": sum(whole) / max(len(whole), 1)}


# ----------------------------------------------------------------------------------------- agreement
def agreement(max_texts: int = 3000) -> dict | None:
    """Guarded int8 vs torch fp32 sentiment labels on validation sentences of the shared corpora."""
    import numpy as np

    from cx_nlp import Analyzer
    from cx_nlp.encoder.onnx import agreement_report
    from cx_nlp.training.corpora import sentiment_examples, shared_data_dir

    folder = shared_data_dir()
    if folder is None:
        return None
    df = sentiment_examples(folder)
    v = df[df["fold"] == "valid"]
    v = v.groupby(["file", "lang"], group_keys=False).apply(lambda g: g.sample(min(len(g), 200), random_state=0))
    texts = v["text"].tolist()[:max_texts]
    an = Analyzer.load(backend="onnx")
    pieces = list(dict.fromkeys(p.text for p in an._prepare(texts, lang=None)["pieces"]))
    enc, head, emo = an.encoder, an.heads["sentiment"], an.heads["emotions"]
    e32 = enc.base._encode(pieces)
    e8 = enc.encode_int8(pieces)
    eg = enc.encode(pieces)
    rep = agreement_report(head, e32, e8)
    a, b = head.predict_proba(e32).argmax(1), head.predict_proba(eg).argmax(1)
    thr = np.array([emo.config.thresholds.get(x, 0.5) for x in emo.config.labels])
    ea, eb = emo.predict_proba(e32) >= thr, emo.predict_proba(eg) >= thr
    return {"texts": len(texts), "sentences": len(pieces), "raw_int8": rep["raw_label_agreement"],
            "guarded": float((a == b).mean()), "fp32_fraction": enc.stats["fp32_guard"] / max(enc.stats["int8"], 1),
            "tau": enc.guard.tau, "mean_cosine_raw": rep["mean_cosine"],
            "emotion_label_agreement": float((ea == eb).mean()), "emotion_set_agreement": float((ea == eb).all(1).mean())}


# ----------------------------------------------------------------------------------------- main
def _spawn(system: str, texts_file: str, timeout: float) -> dict:
    cmd = [sys.executable, __file__, "--_worker", system, "--_texts", texts_file]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=str(ROOT), check=False,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)))
    if p.returncode != 0:
        raise RuntimeError(f"{system} failed:\n{p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="500,2000", help="comma-separated numbers of texts")
    ap.add_argument("--repeats", type=int, default=1, help="interleaved runs per system and size (median)")
    ap.add_argument("--peer-max", type=int, default=500, help="run the peer stack on at most this many texts")
    ap.add_argument("--peer-repeats", type=int, default=1, help="runs of the peer stack per size (it is slow)")
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--agreement", action="store_true", help="also measure int8 label agreement on validation data")
    ap.add_argument("--json", help="write all measurements here")
    ap.add_argument("--timeout", type=float, default=6 * 3600)
    ap.add_argument("--_worker", help=argparse.SUPPRESS)
    ap.add_argument("--_texts", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._worker:
        print(json.dumps(worker(args._worker, args._texts)))
        return 0

    from cx_nlp.encoder.backends import thread_count

    sizes = [int(s) for s in args.sizes.split(",")]
    systems = [s for s in args.systems.split(",") if s]
    threads = thread_count()
    print(f"threads: {threads} (torch intra-op and ORT intra_op_num_threads); machine: {os.cpu_count()} logical CPUs")
    report: dict = {"sizes": {}, "threads": threads}
    tmp = Path(tempfile.mkdtemp(prefix="cx-speed-"))
    if {"ours-int8", "bare-int8"} & set(systems):
        prep = _spawn("prepare", "", args.timeout)
        report["prepare"] = prep
        print(f"int8 encoder ready ({prep['backend']}; load {prep['seconds']:.0f} s, including a first build and "
              f"check if there was none; peak RSS of that process {prep['peak_rss_mb']:.0f} MB)")
    for n in sizes:
        texts, where = load_texts(n)
        print(f"\n== {where}")
        full = tmp / f"texts_{n}.json"
        full.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        n_peer = min(n, args.peer_max)
        sub = tmp / f"texts_{n}_peer.json"
        sub.write_text(json.dumps(texts[:n_peer], ensure_ascii=False), encoding="utf-8")
        runs: dict[str, list[dict]] = {s: [] for s in systems}
        for r in range(max(args.repeats, args.peer_repeats)):
            for s in systems:
                if r >= (args.peer_repeats if s == "peer" else args.repeats):
                    continue
                res = _spawn(s, str(sub if s == "peer" else full), args.timeout)
                runs[s].append(res)
                print(f"  run {r + 1} {s:10s} {res['n'] / res['wall_s']:8.1f} texts/s  (cpu {res['cpu_s']:.1f} s, "
                      f"wall {res['wall_s']:.1f} s, peak RSS {res['peak_rss_mb']:.0f} MB)", flush=True)
        sentences = next((x.get("sentences") for s in ("ours-int8", "ours-torch") for x in runs.get(s, [])
                          if x.get("sentences")), None)
        rows = {}
        for s, rs in runs.items():
            if not rs:
                continue
            tps = statistics.median(x["n"] / x["wall_s"] for x in rs)
            rows[s] = {"texts_per_s": tps, "sentences_per_s": tps * sentences / n if sentences else None,
                       "peak_rss_mb": max(x["peak_rss_mb"] for x in rs),
                       "cpu_s_per_1000": statistics.median(1000 * x["cpu_s"] / x["n"] for x in rs),
                       "on": rs[0]["n"], "runs": rs}
        report["sizes"][n] = {"texts": where, "sentences": sentences, "systems": rows}
        print(f"\n  {'system':11s} {'texts/s':>9s} {'sent./s':>9s} {'peak RSS':>9s} {'CPU s/1k':>9s}")
        for s, row in rows.items():
            sub_note = f"  (sub: first {row['on']} texts)" if row["on"] < n else ""
            sps = f"{row['sentences_per_s']:9.1f}" if row["sentences_per_s"] else f"{'-':>9s}"
            print(f"  {s:11s} {row['texts_per_s']:9.1f} {sps} {row['peak_rss_mb']:7.0f}MB {row['cpu_s_per_1000']:9.1f}{sub_note}")
        if "peer" in rows:
            for s in ("ours-int8", "ours-torch", "bare-int8"):
                if s in rows:
                    print(f"  {s} / peer: {rows[s]['texts_per_s'] / rows['peer']['texts_per_s']:.1f}x")
        if "ours-int8" in rows and "bare-int8" in rows:
            print(f"  ours-int8 / bare-int8: {rows['ours-int8']['texts_per_s'] / rows['bare-int8']['texts_per_s']:.2f} "
                  f"(target >= 0.5)")
        g = rows.get("ours-int8", {}).get("runs", [{}])[0].get("guard")
        if g:
            print(f"  int8 guard: {g['fp32_guard']} of {g['int8']} distinct sentences re-encoded in fp32 "
                  f"({g['fp32_guard'] / max(g['int8'], 1):.1%})")

    # machine limit
    n0 = sizes[0]
    texts, _ = load_texts(n0)
    ts = token_stats(texts)
    lim = machine_limit(threads)
    fpt = encoder_flops_per_token(ts["mean_piece_tokens"])
    tok_s = lim["int8_gops"] * 1e9 / fpt
    print(f"\n== machine limit ({threads} threads)")
    print(f"  encoder: {fpt / 1e6:.1f} MFLOP per token (12 layers, 384/1536, attention over "
          f"{ts['mean_piece_tokens']:.1f}-token pieces)")
    print(f"  GEMM peak (best of 15, 2048x384x1536): int8 {lim['int8_gops']:.0f} GOPS (ORT MatMulInteger), "
          f"fp32 {lim['fp32_gops']:.0f} GFLOPS (torch)")
    print(f"  -> int8 ceiling {tok_s:.0f} tokens/s = {tok_s / ts['mean_piece_tokens']:.0f} encoder pieces/s = "
          f"{tok_s / (ts['tokens_ours'] / n0):.0f} texts/s for these texts ({ts['pieces'] / n0:.2f} pieces and "
          f"{ts['tokens_ours'] / n0:.1f} tokens per text)")
    r0 = report["sizes"][n0]["systems"]
    for s in ("ours-int8", "bare-int8"):
        if s in r0:
            tokens = ts["tokens_ours"] if s == "ours-int8" else ts["tokens_whole"]
            reach = r0[s]["texts_per_s"] * tokens / n0 / tok_s
            print(f"  {s}: {reach:.0%} of the int8 GEMM ceiling")
    report["limit"] = {**lim, **ts, "flops_per_token": fpt, "int8_tokens_per_s": tok_s}

    if args.agreement:
        ag = agreement()
        report["agreement"] = ag
        if ag:
            print(f"\n== int8 vs torch fp32 on {ag['sentences']} validation sentences ({ag['texts']} texts)")
            print(f"  sentiment labels: raw int8 {ag['raw_int8']:.2%}, guarded {ag['guarded']:.2%} "
                  f"({ag['fp32_fraction']:.1%} re-encoded in fp32, tau {ag['tau']:.3f}); "
                  f"emotion labels {ag['emotion_label_agreement']:.2%} (all 8 equal: {ag['emotion_set_agreement']:.2%})")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str))
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
