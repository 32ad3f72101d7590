"""Where ``Analyzer.predict`` spends its time: pyinstrument over a full analysis, grouped by pipeline step.

    python benchmarks/profile_predict.py                      # 500 texts, int8 backend
    python benchmarks/profile_predict.py --n 2000 --backend torch --html artifacts/profile.html

The model is loaded and warmed up (on other texts) before profiling starts, and the sentence caches are
emptied, so what is measured is steady-state scoring of distinct texts. The summary attributes every
sample to the first pipeline step found on its stack, innermost first:

- ``encoder model``: the ONNX session / torch forward pass (``runner``), the target being >= 80%;
- ``tokenise+pad``: the Rust tokenizer batch call and building the padded id arrays;
- ``fp32 guard``: the torch re-encoding of int8 near-ties (its own model time is counted here);
- ``heads``, ``touchpoints``, ``language id``, ``segmentation``, ``results`` (building Result objects)
  and ``other``.
Needs ``pip install pyinstrument``.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

# (step, predicate on (function name, file path)); the first match from the innermost frame outwards wins,
# except that anything under the guard's torch re-encode counts as "fp32 guard".
STEPS = [
    ("encoder model", lambda f, p: (f in ("_run",) and "encoder" in p) or (f == "run" and "onnxruntime" in p)),
    ("tokenise+pad", lambda f, p: f in ("encode_batch", "pad_batch") and ("encoder" in p or "tokenizers" in p)),
    ("heads", lambda f, p: f == "predict_proba"),
    ("touchpoints", lambda f, p: "touchpoints" in p),
    ("language id", lambda f, p: "langid" in p),
    ("segmentation", lambda f, p: "segment" in p or "normalize" in p),
    ("results", lambda f, p: "result" in p or f == "_score"),
]


def _attribute(frame, acc: dict, inherited: str | None = None, under_guard: bool = False) -> None:
    name, path = frame.function or "", frame.file_path or ""
    if name == "_encode_guarded":
        under_guard = True
    step = inherited
    if under_guard and name == "encode" and "backends" in path:
        step = "fp32 guard"
    elif step is None or step == "other":
        for label, pred in STEPS:
            if pred(name, path):
                step = label
                break
    children = frame.children
    own = frame.time - sum(c.time for c in children)
    acc[step or "other"] = acc.get(step or "other", 0.0) + max(own, 0.0)
    for c in children:
        _attribute(c, acc, step, under_guard)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--backend", default="onnx", choices=["onnx", "torch"])
    ap.add_argument("--html", help="also write pyinstrument's HTML report here")
    ap.add_argument("--interval", type=float, default=0.001)
    args = ap.parse_args(argv)
    from pyinstrument import Profiler

    from cx_nlp import Analyzer
    from speed import WARMUP, load_texts

    texts, where = load_texts(args.n)
    an = Analyzer.load(backend=args.backend)
    an.predict(WARMUP)
    getattr(an.encoder, "base", an.encoder).encode(WARMUP[::-1])  # the fp32 guard's torch model too
    an.encoder.cache.clear()
    getattr(an.encoder, "base", an.encoder).cache.clear()
    prof = Profiler(interval=args.interval)
    prof.start()
    results = an.predict(texts)
    prof.stop()
    session = prof.last_session
    root = session.root_frame()
    acc: dict[str, float] = {}
    _attribute(root, acc)
    total = sum(acc.values())
    n_sent = sum(len(r.sentences) for r in results if r.status == "ok")
    print(f"{where}; backend {an.encoder.backend}; {n_sent} sentences; {total:.1f} s profiled "
          f"({args.n / total:.1f} texts/s, {n_sent / total:.1f} sentences/s)")
    for step, t in sorted(acc.items(), key=lambda kv: -kv[1]):
        print(f"  {step:14s} {t:7.2f} s {t / total:6.1%}")
    if hasattr(an.encoder, "stats"):
        s = an.encoder.stats
        print(f"  (int8 guard re-encoded {s['fp32_guard']} of {s['int8']} distinct sentences in fp32)")
    if args.html:
        Path(args.html).write_text(prof.output_html(), encoding="utf-8")
        print(f"HTML: {args.html}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
