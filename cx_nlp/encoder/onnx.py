"""ONNX Runtime int8 backend: export the encoder once, quantise it, verify it, cache it next to the encoder.

Why: dynamic int8 runs the e5-small encoder ~1.7x faster than torch fp32 on a CPU (per core). It is only used where it
gives the same answers as torch fp32, and that is checked, not assumed.

The build (one time, ~1 min, under a file lock; a killed build leaves nothing behind):

1. export the torch encoder with eager attention, mean pooling and L2 normalisation inside the graph
   (opset 17, the TorchScript exporter). ONNX Runtime fuses it when the session starts (SkipLayerNorm,
   Gelu, MatMulIntegerToFloat...). Fusing it beforehand with ``onnxruntime.transformers`` (Attention,
   BiasGelu) measured 6% slower, the same accuracy and 2 GB more peak memory during the build, so we don't;
2. smooth the activation outliers (SmoothQuant, Xiao et al. 2023): a few LayerNorm channels reach 20-45
   where the rest stay near 2, and a per-tensor int8 scale sized for them crushes everything else. Each
   such input channel j is divided by s_j (one Mul node) and row j of the weights multiplied by it, with
   s_j = max|x_j|^a / max|w_j|^(1-a), a = 0.6, max|x_j| measured on the check sentences. Exact in fp32;
   in int8 it halves the error;
3. quantise dynamically (int8 weights per output channel, uint8 activations per tensor), keeping the
   feed-forward output projections of the layers where one of them costs more than all others together
   in fp32 (measured by a per-node sweep: for e5-small layers 0, 4 and 5; for another encoder all of them).

At run time every text is its own session call (no padding; its activation scales are its own, so its
embedding does not depend on the other texts of a call: deterministic across chunks, workers and caches).

Per-tensor int8 still moves embeddings (mean cosine to fp32 0.9995) and the bundled 3-class sentiment
head has many real sentences near its decision boundary: alone, int8 keeps ~97.8% of the labels. So the
encoder carries a *guard*: after the int8 pass it scores the sentiment head, and the sentences whose two
best classes are closer (in logits) than the int8 error can move them are re-encoded with torch fp32.
The threshold is the 75% quantile of that logit shift, measured at check time; about 5-7% of real
sentences are re-encoded, and the labels agree with torch fp32 on >= 99.5% of validation sentences.

The check (per sentiment head, cached in ``checks.json`` by the head's hash) runs both encoders on the
check sentences, fits the threshold on one half and measures the guarded agreement on the other half
(and vice versa), and accepts the int8 encoder only if that held-out agreement is >= 99%.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from filelock import FileLock

from ..errors import CxError
from .backends import EmbeddingCache, cached_encode, pooled_features, thread_count

ONNX_DIR = "onnx-int8"
ONNX_FILE = "model.int8.onnx"
STAMP = "cx_nlp_onnx.json"
CHECKS = "checks.json"
ONNX_BUILD_VERSION = 4
CHECK_VERSION = 1         # bump when the runtime (guard, batching) changes what the check measures

MIN_AGREEMENT = 0.99      # guarded sentiment-label agreement with torch fp32 (held-out half of the check set)
MIN_COSINE = 0.99         # sanity: mean cosine of raw int8 embeddings to fp32
GUARD_QUANTILE = 0.75     # threshold = this quantile of the int8 logit shift on the check sentences
SMOOTH_ALPHA = 0.6
SMOOTH_KINDS = ("qkv", "ffn_in")
# Feed-forward output projections kept in fp32, from a per-node sensitivity sweep on e5-small (1 - cosine
# to fp32 when only that node is int8: layer 4 1.6e-3, layer 5 2.6e-4, layer 0 2.2e-4, all others <= 6e-5).
E5_SMALL_KEEP_FP32 = ("ffn_out.0", "ffn_out.4", "ffn_out.5")


def available() -> bool:
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


# ----------------------------------------------------------------------------- build steps
def _export(folder: Path, out: Path, feature_layers: Sequence[int] = ()) -> None:
    """The encoder with mean pooling and L2 normalisation in the graph: one (batch, feature_dim) output
    (the embedding, then the pooled ``feature_layers``; see ``backends.pooled_features``)."""
    import torch
    from transformers import AutoModel

    # Eager attention exports plain MatMul/Softmax (sdpa adds IsNaN/Where guards): 7% faster in ONNX Runtime.
    model = AutoModel.from_pretrained(str(folder), local_files_only=True, use_safetensors=True,
                                      attn_implementation="eager").eval()

    class Pooled(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask):
            out = self.m(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=bool(feature_layers))
            return pooled_features(out.last_hidden_state, out.hidden_states if feature_layers else None,
                                   attention_mask, feature_layers)

    ids = torch.ones((2, 8), dtype=torch.long)
    mask = torch.ones((2, 8), dtype=torch.long)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TracerWarnings about data-dependent branches that do not apply
        torch.onnx.export(Pooled(model), (ids, mask), str(out), input_names=["input_ids", "attention_mask"],
                          output_names=["embedding"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                                        "embedding": {0: "batch"}})


def _weight_nodes(model) -> list:
    """MatMul (and fused Attention) nodes whose weight (input 1) is a constant: what int8 quantises."""
    inits = {i.name for i in model.graph.initializer}
    return [n for n in model.graph.node
            if n.op_type in ("MatMul", "Attention") and len(n.input) > 1 and n.input[1] in inits]


def node_kind(node) -> str:
    """qkv | attn_out | ffn_in | ffn_out | other, from the exporter's module-path names."""
    text = " ".join([node.name, *node.output])
    if node.op_type == "Attention" or "/attention/self/" in text:
        return "qkv"
    if "/attention/output/" in text:
        return "attn_out"
    if "/intermediate/" in text:
        return "ffn_in"
    if "/output/dense/" in text:
        return "ffn_out"
    return "other"


def node_layer(node) -> int:
    m = re.search(r"layer\.(\d+)/", " ".join([node.name, *node.output, *node.input]))
    return int(m.group(1)) if m else -1


def keep_fp32(config) -> tuple[str, ...]:
    """The "kind.layer" nodes that stay fp32 for this encoder."""
    e5_small = (getattr(config, "model_type", "") == "bert" and config.hidden_size == 384
                and config.num_hidden_layers == 12 and config.vocab_size == 250037)
    if e5_small:
        return E5_SMALL_KEEP_FP32
    return tuple(f"ffn_out.{i}" for i in range(int(getattr(config, "num_hidden_layers", 0))))


def _activation_absmax(src: Path, base, texts: Sequence[str]) -> dict[str, np.ndarray]:
    """Per-channel max |x| of every quantised node's input over ``texts``."""
    import onnx
    import onnxruntime as ort
    from onnx import helper

    model = onnx.load(str(src))
    xs = list(dict.fromkeys(n.input[0] for n in _weight_nodes(model)))
    for x in xs:
        model.graph.output.append(helper.make_tensor_value_info(x, onnx.TensorProto.FLOAT, None))
    sess = ort.InferenceSession(model.SerializeToString(), _session_options(1), providers=["CPUExecutionProvider"])
    del model
    amax: dict[str, np.ndarray] = {}

    def run(ids, mask):  # one text at a time, unpadded, as OnnxEncoder runs them
        emb = []
        for r in range(len(ids)):
            n = int(mask[r].sum())
            outs = sess.run(None, {"input_ids": ids[r:r + 1, :n], "attention_mask": mask[r:r + 1, :n]})
            for x, o in zip(xs, outs[1:]):
                a = np.abs(o.reshape(-1, o.shape[-1])).max(0)
                amax[x] = np.maximum(amax[x], a) if x in amax else a
            emb.append(outs[0][0])
        return np.stack(emb)

    base.encode(list(texts), runner=run)
    return amax


def _smooth(src: Path, dst: Path, amax: dict[str, np.ndarray], alpha: float, kinds: Sequence[str]) -> int:
    """SmoothQuant: x -> x / s before the node, weight rows * s. Exact in fp32. Returns the groups smoothed."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(src))
    inits = {i.name: i for i in model.graph.initializer}
    groups: dict[str, list] = {}
    for n in _weight_nodes(model):
        if node_kind(n) in kinds and n.input[0] in amax:
            groups.setdefault(n.input[0], []).append(n)
    inserts = []
    for x, nodes in groups.items():
        ws = [numpy_helper.to_array(inits[n.input[1]]) for n in nodes]
        wmax = np.max([np.abs(w).max(1) for w in ws], axis=0)      # per input channel (rows of [K, N])
        s = np.maximum(amax[x], 1e-5) ** alpha / np.maximum(wmax, 1e-5) ** (1 - alpha)
        s = np.clip(s / np.exp(np.mean(np.log(s))), 1e-2, 1e2).astype(np.float32)  # geometric mean 1
        inv = numpy_helper.from_array((1.0 / s).astype(np.float32), x + "/smooth_inv")
        model.graph.initializer.append(inv)
        y = x + "/smoothed"
        inserts.append((nodes[0], helper.make_node("Mul", [x, inv.name], [y], name=x + "/smooth")))
        for n, w in zip(nodes, ws):
            inits[n.input[1]].CopyFrom(numpy_helper.from_array((w * s[:, None]).astype(np.float32), n.input[1]))
            n.input[0] = y
    nodes = list(model.graph.node)
    for first, mul in inserts:  # right before the first consumer keeps the graph topologically sorted
        nodes.insert(nodes.index(first), mul)
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    onnx.save(model, str(dst))
    return len(groups)


def has_vnni() -> bool:
    """x86 VNNI (u8 x s8 dot products without 16-bit saturation); without it ORT advises reduce_range."""
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="ignore")
    except OSError:
        return False
    return "avx512_vnni" in flags or "avx_vnni" in flags


def _quantise(src: Path, dst: Path, keep: Sequence[str]) -> dict:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = onnx.load(str(src), load_external_data=False)
    exclude = [n.name for n in _weight_nodes(model) if f"{node_kind(n)}.{node_layer(n)}" in set(keep)]
    reduce_range = not has_vnni()
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantizer logs a generic "consider pre-processing" warning via root
    try:
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True, reduce_range=reduce_range,
                         nodes_to_exclude=exclude, extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    finally:
        root.setLevel(level)
    return {"fp32_nodes": len(exclude), "reduce_range": reduce_range}


def build_int8(base, out: Path, calib_texts: Sequence[str], say: Callable[[str], None] = lambda m: None) -> dict:
    """Export, smooth and quantise ``base`` (a TorchEncoder) into ``out``; returns the recipe used."""
    import gc

    config = base.model.config
    work = Path(tempfile.mkdtemp(prefix=".onnx-work-", dir=out.parent))
    try:
        t0 = time.perf_counter()
        _export(Path(base.folder), work / "fp32.onnx", base.feature_layers)
        gc.collect()
        calib = list(calib_texts)[::3]  # absmax per channel settles well before 400 sentences
        say(f"exported ({time.perf_counter() - t0:.0f} s); calibrating on {len(calib)} sentences")
        amax = _activation_absmax(work / "fp32.onnx", base, calib)
        gc.collect()
        groups = _smooth(work / "fp32.onnx", work / "smooth.onnx", amax, SMOOTH_ALPHA, SMOOTH_KINDS)
        (work / "fp32.onnx").unlink()
        gc.collect()
        keep = keep_fp32(config)
        q = _quantise(work / "smooth.onnx", out, keep)
        gc.collect()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"export": "eager attention, opset 17", "smoothed_groups": groups, "smooth_alpha": SMOOTH_ALPHA,
            "smooth_kinds": list(SMOOTH_KINDS), "keep_fp32": list(keep), **q}


# ----------------------------------------------------------------------------- runtime
def _session_options(threads: int | None = None):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = thread_count(threads)
    opts.inter_op_num_threads = 1
    # Idle pool threads sleep instead of spinning: on a small or shared machine (batch workers, the
    # tokenizer, other processes) spinning threads steal the cores the working ones need (measured on
    # 2 busy cores: 87 vs 74 sentences/s with 2 threads).
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    return opts


class SentimentGuard:
    """Re-encode, in fp32, the sentences whose two best sentiment classes are within ``tau`` logits."""

    def __init__(self, head, tau: float):
        self.head = head
        self.tau = float(tau)

    def select(self, emb: np.ndarray) -> np.ndarray:
        if len(emb) == 0 or self.tau <= 0:
            return np.zeros(len(emb), dtype=bool)
        return logit_margin(self.head.predict_proba(emb[:, :head_width(self.head, emb)])) < self.tau


def head_width(head, feats: np.ndarray) -> int:
    """How many leading feature columns ``head`` reads (all of them for a head without a config)."""
    return int(getattr(getattr(head, "config", None), "input_dim", feats.shape[1]))


def logit_margin(p: np.ndarray) -> np.ndarray:
    """Log-odds between the two most probable classes (softmax heads: the logit difference)."""
    lp = np.log(np.clip(p, 1e-12, 1.0))
    top2 = np.sort(lp, axis=1)[:, -2:]
    return top2[:, 1] - top2[:, 0]


class OnnxEncoder:
    """Same interface as ``TorchEncoder`` (tokenisation, bucketing and the torch model are the base's).

    ``guard``: a ``SentimentGuard``; rows it selects are re-encoded by the torch fp32 base encoder.
    ``stats`` counts texts encoded by each path.
    """

    def __init__(self, torch_encoder, onnx_path: Path, guard: SentimentGuard | None = None,
                 num_threads: int | None = None, cache_size: int = 20_000):
        import onnxruntime as ort

        self.base = torch_encoder
        # One text per session call (see _run) is too little work to split across cores: each call runs
        # single-threaded and the cores take different texts (ORT's Run is thread-safe and releases the GIL).
        self.threads = thread_count(num_threads)
        self.session = ort.InferenceSession(str(onnx_path), _session_options(1), providers=["CPUExecutionProvider"])
        self._pool = None
        self.path = Path(onnx_path)
        self.guard = guard
        self.folder = torch_encoder.folder
        self.prefix = torch_encoder.prefix
        self.dim = torch_encoder.dim
        self.feature_layers = torch_encoder.feature_layers
        self.feature_dim = torch_encoder.feature_dim
        self.backend = "onnx-int8"
        self.cache = EmbeddingCache(cache_size)
        self.stats = {"int8": 0, "fp32_guard": 0}

    def __getattr__(self, name):  # tokenizer, model, max_tokens...: the base torch encoder's
        if name == "base":
            raise AttributeError(name)
        return getattr(self.base, name)

    def token_offsets(self, text: str):
        return self.base.token_offsets(text)

    def content_budget(self) -> int:
        return self.base.content_budget()

    def encode(self, texts: Sequence[str], runner=None) -> np.ndarray:
        """Guarded int8 embeddings (``runner`` as in ``TorchEncoder.encode``: then plain base + runner)."""
        if runner is not None:
            return self.base.encode(texts, runner=runner)
        return self.encode_features(texts)[:, :self.dim]

    def encode_features(self, texts: Sequence[str], runner=None) -> np.ndarray:
        """Guarded int8 features (n, feature_dim): the embedding, then the pooled feature layers."""
        if runner is not None:
            return self.base.encode_features(texts, runner=runner)
        return cached_encode(list(texts), self._encode_guarded, self.feature_dim, self.cache)

    def encode_int8(self, texts: Sequence[str]) -> np.ndarray:
        """The bare int8 encoder's features: no guard, no cache (benchmarks and the check use it)."""
        return self.base._encode(list(texts), runner=self._run)

    def _encode_guarded(self, texts: list[str]) -> np.ndarray:
        emb = self.base._encode(texts, runner=self._run)
        self.stats["int8"] += len(texts)
        if self.guard is not None:
            redo = np.flatnonzero(self.guard.select(emb))
            if len(redo):
                emb[redo] = self.base.encode_features([texts[i] for i in redo])
                self.stats["fp32_guard"] += len(redo)
        return emb

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """One session call per text, unpadded.

        Dynamic int8 sizes each activation scale to the whole tensor it quantises: in a batch, one text's
        outlier coarsens every other text's scale, so a text's embedding would depend on its batch-mates
        (sentiment probabilities moved by up to 0.09, labels by 2%, between batch 64 and batch 1). Alone,
        each text gets its own scales: the result depends on the text only (deterministic across chunking,
        workers and caches) and is closer to fp32. It costs nothing measurable: for sentence-length inputs
        the per-call overhead is what padding used to waste (151.7 vs 151.6 sentences/s).
        """
        lengths = mask.sum(1)

        def one(r: int) -> np.ndarray:
            n = int(lengths[r])
            return self.session.run(None, {"input_ids": ids[r:r + 1, :n], "attention_mask": mask[r:r + 1, :n]})[0][0]

        if self.threads > 1 and len(ids) > 1:
            if self._pool is None:
                from concurrent.futures import ThreadPoolExecutor

                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="cx-onnx")
            rows = list(self._pool.map(one, range(len(ids))))
        else:
            rows = [one(r) for r in range(len(ids))]
        return np.stack(rows).astype(np.float32, copy=False) if rows else np.zeros((0, self.feature_dim), np.float32)


# ----------------------------------------------------------------------------- check
def head_fingerprint(head) -> str:
    h = hashlib.sha256()
    for k, v in sorted(head.state_dict().items()):
        h.update(k.encode())
        h.update(v.detach().cpu().numpy().tobytes())
    h.update(json.dumps([head.config.labels, head.config.temperature]).encode())
    return h.hexdigest()[:16]


def texts_fingerprint(texts: Sequence[str]) -> str:
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()[:16]


def agreement_report(head, e_fp32: np.ndarray, e_int8: np.ndarray, quantile: float = GUARD_QUANTILE,
                     dim: int | None = None) -> dict:
    """Compare int8 with fp32 embeddings through a softmax head.

    The guard threshold is the ``quantile`` of the logit shift that int8 causes between the two classes
    it ranks first; a sentence whose int8 margin is below it is re-encoded in fp32 (so it agrees). The
    threshold is fitted on one half of the sentences and the agreement measured on the other (both ways),
    so ``guarded_agreement`` is a held-out estimate.
    """
    k = head_width(head, e_fp32)
    p32, p8 = head.predict_proba(e_fp32[:, :k]), head.predict_proba(e_int8[:, :k])
    a, b = p32.argmax(1), p8.argmax(1)
    l32, l8 = np.log(np.clip(p32, 1e-12, 1)), np.log(np.clip(p8, 1e-12, 1))
    order = np.argsort(-p8, axis=1)
    r = np.arange(len(p8))
    i, j = order[:, 0], order[:, 1]
    margin = l8[r, i] - l8[r, j]
    shift = np.abs((l32[r, i] - l32[r, j]) - margin)
    # cosine over the embedding block (``dim`` columns): what themes and touchpoints read
    dim = dim or e_fp32.shape[1]
    cos = (e_fp32[:, :dim] * e_int8[:, :dim]).sum(1)
    folds = [np.arange(len(a)) % 2 == 0, np.arange(len(a)) % 2 == 1]
    agree, redo = [], []
    for fit, test in (folds, folds[::-1]):
        tau = float(np.quantile(shift[fit], quantile)) if fit.any() else 0.0
        fb = margin[test] < tau
        agree.append(float(np.mean(np.where(fb, True, a[test] == b[test]))) if test.any() else 1.0)
        redo.append(float(fb.mean()) if test.any() else 0.0)
    return {
        "n_texts": int(len(a)),
        "raw_label_agreement": round(float((a == b).mean()), 5),
        "guarded_agreement": round(float(np.mean(agree)), 5),
        "guarded_agreement_min_fold": round(float(np.min(agree)), 5),
        "fp32_fraction": round(float(np.mean(redo)), 4),
        "tau": round(float(np.quantile(shift, quantile)), 5),
        "mean_cosine": round(float(cos.mean()), 6),
        "min_cosine": round(float(cos.min()), 6),
    }


# ----------------------------------------------------------------------------- cache
def onnx_dir(torch_encoder) -> Path:
    """One int8 build per set of feature layers (the layers are outputs of the graph)."""
    layers = tuple(getattr(torch_encoder, "feature_layers", ()) or ())
    return Path(torch_encoder.folder) / (ONNX_DIR + "".join(f"-l{k}" for k in layers))


def _stamp_ok(target: Path) -> dict | None:
    try:
        stamp = json.loads((target / STAMP).read_text())
        if stamp.get("build_version") == ONNX_BUILD_VERSION and (target / ONNX_FILE).stat().st_size == stamp["size"]:
            return stamp
    except (OSError, ValueError, KeyError):
        pass
    return None


BUILD_MEMORY = 3.5 * 2**30  # measured peak of a build (export 2.6 GB, quantiser 3.7 GB RSS incl. the torch model)


def _available_memory() -> int | None:
    try:
        import psutil
    except ImportError:
        return None
    return int(psutil.virtual_memory().available)


def ensure_onnx(torch_encoder, calib_texts: Sequence[str], progress: Callable[[str], None] | None = None) -> tuple[Path, dict]:
    """Return (path of the int8 model, its stamp), building it once next to the encoder folder."""
    say = progress or (lambda m: None)
    target = onnx_dir(torch_encoder)
    stamp = _stamp_ok(target)
    if stamp:
        return target / ONNX_FILE, stamp
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock", timeout=1800):
        stamp = _stamp_ok(target)
        if stamp:
            return target / ONNX_FILE, stamp
        for stale in target.parent.glob(".onnx-*"):  # left by a killed build; we hold the lock
            shutil.rmtree(stale, ignore_errors=True)
        free = _available_memory()
        if free is not None and free < BUILD_MEMORY:
            raise CxError("E105", f"building the int8 encoder needs about {BUILD_MEMORY / 2**30:.0f} GB of free memory "
                          f"once; {free / 2**30:.1f} GB are free")
        t0 = time.perf_counter()
        say("building the int8 ONNX encoder (one time, about a minute)")
        tmp = Path(tempfile.mkdtemp(prefix=".onnx-", dir=target.parent))
        try:
            recipe = build_int8(torch_encoder, tmp / ONNX_FILE, calib_texts, say)
            import onnxruntime

            stamp = {"build_version": ONNX_BUILD_VERSION, "size": (tmp / ONNX_FILE).stat().st_size,
                     "onnxruntime": onnxruntime.__version__, "calibration_texts": len(calib_texts),
                     "seconds": round(time.perf_counter() - t0, 1), "recipe": recipe}
            (tmp / STAMP).write_text(json.dumps(stamp, indent=2))
            if target.exists():
                shutil.rmtree(target, ignore_errors=True)
            os.replace(tmp, target)
        except BaseException as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            raise CxError("E105", f"could not build the ONNX encoder: {exc}") from exc
        say(f"int8 ONNX encoder built in {stamp['seconds']} s ({stamp['size'] / 2**20:.0f} MB)")
    return target / ONNX_FILE, stamp


def verify(torch_encoder, onnx_path: Path, head, texts: Sequence[str],
           progress: Callable[[str], None] | None = None) -> dict:
    """The agreement verdict of this int8 model with ``head`` on ``texts``; computed once, then cached."""
    say = progress or (lambda m: None)
    key = f"v{CHECK_VERSION}-{head_fingerprint(head)}-{texts_fingerprint(texts)}"
    checks_path = Path(onnx_path).parent / CHECKS

    def cached() -> dict | None:
        try:
            return json.loads(checks_path.read_text()).get(key)
        except (OSError, ValueError):
            return None

    verdict = cached()
    if verdict is not None:
        return verdict
    with FileLock(str(checks_path) + ".lock", timeout=1800):
        verdict = cached()
        if verdict is not None:
            return verdict
        t0 = time.perf_counter()
        say(f"checking the int8 encoder against torch fp32 on {len(texts)} sentences")
        raw = OnnxEncoder(torch_encoder, onnx_path, cache_size=0)
        e8 = raw.encode_int8(texts)
        e32 = torch_encoder._encode(list(texts))
        rep = agreement_report(head, e32, e8, dim=torch_encoder.dim)
        rep["accepted"] = bool(rep["guarded_agreement"] >= MIN_AGREEMENT and rep["mean_cosine"] >= MIN_COSINE)
        rep["min_agreement"] = MIN_AGREEMENT
        rep["seconds"] = round(time.perf_counter() - t0, 1)
        try:
            allv = json.loads(checks_path.read_text())
        except (OSError, ValueError):
            allv = {}
        allv[key] = rep
        tmp = checks_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(allv, indent=2))
        os.replace(tmp, checks_path)
    state = "accepted" if rep["accepted"] else f"rejected (needs {MIN_AGREEMENT:.0%}; staying on torch)"
    say(f"int8 encoder {state}: sentiment labels agree {rep['guarded_agreement']:.2%} with torch fp32 "
        f"({rep['raw_label_agreement']:.2%} before the fp32 guard re-encodes {rep['fp32_fraction']:.1%}), "
        f"mean cosine {rep['mean_cosine']:.4f}")
    return rep
