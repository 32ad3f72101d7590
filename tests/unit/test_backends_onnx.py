"""The int8 backend's logic without the encoder: agreement check, guard, node naming, exact smoothing."""
import types

import numpy as np
import pytest

from cx_nlp.encoder import onnx as ob


class LogitHead:
    """A stand-in sentiment head whose logits are the first three embedding columns."""

    def predict_proba(self, emb):
        z = np.asarray(emb, dtype=np.float64)[:, :3]
        z = z - z.max(1, keepdims=True)
        p = np.exp(z)
        return (p / p.sum(1, keepdims=True)).astype(np.float32)


def _unit(x):
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_identical_embeddings_agree_fully():
    rng = np.random.default_rng(0)
    e = _unit(rng.normal(size=(200, 8)))
    rep = ob.agreement_report(LogitHead(), e, e.copy())
    assert rep["raw_label_agreement"] == 1.0 and rep["guarded_agreement"] == 1.0
    assert rep["tau"] == 0.0 and rep["fp32_fraction"] == 0.0 and rep["mean_cosine"] > 0.9999


def test_guard_recovers_labels_that_small_noise_flips():
    rng = np.random.default_rng(1)
    e32 = rng.normal(size=(4000, 8)).astype(np.float32) * 2
    e8 = e32 + rng.normal(size=e32.shape).astype(np.float32) * 0.05
    rep = ob.agreement_report(LogitHead(), e32, e8)
    assert rep["raw_label_agreement"] < 0.995           # near-ties flip
    assert rep["guarded_agreement"] >= 0.99              # re-encoding the near-ties fixes them
    assert rep["guarded_agreement"] > rep["raw_label_agreement"]
    assert 0 < rep["fp32_fraction"] < 0.2 and rep["tau"] > 0


def test_held_out_agreement_rejects_a_threshold_that_does_not_transfer():
    # even rows (one fold) move a little, odd rows (the other fold) a lot: a threshold fitted on one half
    # misses the flips of the other, and the held-out estimate says so
    rng = np.random.default_rng(2)
    n = 2000
    e32 = np.zeros((n, 3), dtype=np.float32)
    e32[:, 0] = 1.0 + rng.uniform(0, 2, n)               # class 0 ahead of class 1 by 1..3 logits
    e32[:, 2] = -5.0
    e8 = e32.copy()
    e8[0::2, 0] -= 0.01                                   # tiny shift
    e8[1::2, 0] -= 4.0                                    # flips every odd row to class 1, by a clear margin
    rep = ob.agreement_report(LogitHead(), e32, e8)
    assert rep["guarded_agreement_min_fold"] < 0.99
    assert rep["guarded_agreement"] < ob.MIN_AGREEMENT


def test_logit_margin_and_guard_selection():
    p = np.array([[0.5, 0.49, 0.01], [0.9, 0.05, 0.05], [0.2, 0.2, 0.6]], dtype=np.float32)
    m = ob.logit_margin(p)
    assert m[0] == pytest.approx(np.log(0.5 / 0.49), rel=1e-4)
    assert m[2] == pytest.approx(np.log(3.0), rel=1e-4)
    head = types.SimpleNamespace(predict_proba=lambda e: p)
    assert ob.SentimentGuard(head, 0.1).select(np.zeros((3, 4))).tolist() == [True, False, False]
    assert ob.SentimentGuard(head, 0.0).select(np.zeros((3, 4))).tolist() == [False, False, False]


def test_fingerprints_change_with_the_head_and_the_texts():
    import torch

    from cx_nlp.heads import Head, HeadConfig

    torch.manual_seed(0)
    a = Head(HeadConfig(name="sentiment", labels=["negative", "neutral", "positive"], kind="single", input_dim=8))
    b = Head(HeadConfig(name="sentiment", labels=["negative", "neutral", "positive"], kind="single", input_dim=8))
    b.load_state_dict(a.state_dict())
    assert ob.head_fingerprint(a) == ob.head_fingerprint(b)
    with torch.no_grad():
        b.net[-1].bias[0] += 1e-3
    assert ob.head_fingerprint(a) != ob.head_fingerprint(b)
    assert ob.texts_fingerprint(["a", "b"]) != ob.texts_fingerprint(["ab"])


# ----------------------------------------------------------------------------- graph surgery
onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")


def _node(op, name, inputs=("x", "w"), outputs=("y",)):
    return onnx.helper.make_node(op, list(inputs), list(outputs), name=name)


def test_node_kind_and_layer_from_exporter_names():
    cases = {
        "/m/encoder/layer.3/attention/self/query/MatMul": ("qkv", 3),
        "/m/encoder/layer.0/attention/output/dense/MatMul": ("attn_out", 0),
        "/m/encoder/layer.11/intermediate/dense/MatMul": ("ffn_in", 11),
        "/m/encoder/layer.4/output/dense/MatMul": ("ffn_out", 4),
        "/m/pooler/dense/MatMul": ("other", -1),
    }
    for name, (kind, layer) in cases.items():
        n = _node("MatMul", name)
        assert (ob.node_kind(n), ob.node_layer(n)) == (kind, layer)
    fused = _node("Attention", "Attention_0", inputs=("/m/encoder/layer.7/attention/output/LayerNorm_out", "w"))
    assert ob.node_kind(fused) == "qkv"


def test_keep_fp32_recipe():
    e5 = types.SimpleNamespace(model_type="bert", hidden_size=384, num_hidden_layers=12, vocab_size=250037)
    other = types.SimpleNamespace(model_type="bert", hidden_size=768, num_hidden_layers=6, vocab_size=30522)
    assert ob.keep_fp32(e5) == ob.E5_SMALL_KEEP_FP32
    assert ob.keep_fp32(other) == tuple(f"ffn_out.{i}" for i in range(6))


def test_smoothing_is_exact_in_fp32(tmp_path):
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(3)
    K, N = 16, 8
    w1 = rng.normal(size=(K, N)).astype(np.float32)
    w2 = rng.normal(size=(K, N)).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "w1"], ["y1"], name="/m/encoder/layer.0/attention/self/query/MatMul"),
             helper.make_node("MatMul", ["x", "w2"], ["y2"], name="/m/encoder/layer.0/attention/self/key/MatMul")]
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, K])],
                          [helper.make_tensor_value_info("y1", TensorProto.FLOAT, [None, N]),
                           helper.make_tensor_value_info("y2", TensorProto.FLOAT, [None, N])],
                          [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(w2, "w2")])
    src, dst = tmp_path / "a.onnx", tmp_path / "b.onnx"
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), str(src))
    x = rng.normal(size=(5, K)).astype(np.float32)
    x[:, 3] *= 40  # an outlier channel
    amax = {"x": np.abs(x).max(0)}
    assert ob._smooth(src, dst, amax, 0.6, ("qkv",)) == 1   # q and k share one Mul
    smoothed = onnx.load(str(dst))
    assert [n.op_type for n in smoothed.graph.node] == ["Mul", "MatMul", "MatMul"]
    run = lambda p: ort.InferenceSession(str(p), providers=["CPUExecutionProvider"]).run(None, {"x": x})
    for a, b in zip(run(src), run(dst)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
    # the outlier channel is scaled down before the node that quantises it
    inv = numpy_helper.to_array(next(i for i in smoothed.graph.initializer if i.name.endswith("smooth_inv")))
    assert inv[3] < np.median(inv)
