"""Training pieces without the real encoder: seeding, modes, reports, adapters, custom heads, caches."""
import hashlib
import json

import numpy as np
import pytest
import torch
from torch import nn

from cx_nlp.errors import CxError
from cx_nlp.heads import Head, HeadConfig
from cx_nlp.heads import custom as custom_head
from cx_nlp.result import Result, SentenceResult
from cx_nlp.training.api import _prepare_output, choose_mode, embed_texts, fit_config_for
from cx_nlp.training.evaluate import (ece_binary, grouped_report, multi_label_full_report,
                                      single_label_full_report)
from cx_nlp.training.fit import FitConfig, fit_head
from cx_nlp.training.lora import AdaptSettings, apply_adapter, save_adapter, verified_encoder_folder


def _blobs(n, k=4, d=24, seed=0):
    centres = np.random.default_rng(7).normal(size=(k, d)) * 2.5
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, size=n)
    return (centres[y] + rng.normal(size=(n, d))).astype(np.float32), y


@pytest.fixture(autouse=True)
def _one_thread():
    """Small MLPs, one thread: as cx_nlp.train fits heads (and quick on a busy shared CPU)."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


# ------------------------------------------------------------------------------------------ fit / seeding
def test_same_data_and_seed_give_byte_identical_safetensors(tmp_path):
    X, y = _blobs(300)
    Xv, yv = _blobs(80, seed=1)
    cfg = fit_config_for(len(X), seed=5)
    cfg.max_epochs = 40
    paths = []
    for run in ("a", "b"):
        h = fit_head("topic", list("abcd"), "single", X, y, Xv, yv, config=cfg)
        paths += h.save(tmp_path / run)[:1]
    assert _sha(tmp_path / "a" / paths[0]) == _sha(tmp_path / "b" / paths[1])
    cfg6 = fit_config_for(len(X), seed=6)
    cfg6.max_epochs = 40
    h3 = fit_head("topic", list("abcd"), "single", X, y, Xv, yv, config=cfg6)
    h3.save(tmp_path / "c")
    assert _sha(tmp_path / "c" / "topic.safetensors") != _sha(tmp_path / "a" / "topic.safetensors")


def test_multi_label_pos_weight_is_optional_and_learns():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 16)).astype(np.float32)
    Y = np.stack([(X[:, 0] > 1.0), (X[:, 1] > 0)], 1).astype(np.float32)  # label 0 is rare (~16%)
    cfg = FitConfig(hidden=16, batch_size=32, lr=3e-3, max_epochs=60, seed=1)
    plain = fit_head("tags", ["rare", "common"], "multi", X[:300], Y[:300], X[300:], Y[300:], config=cfg)
    weighted = fit_head("tags", ["rare", "common"], "multi", X[:300], Y[:300], X[300:], Y[300:], config=cfg,
                        pos_weight=np.array([2.0, 1.0], np.float32))
    for h in (plain, weighted):
        rep = multi_label_full_report(h.predict_proba(X[300:]), Y[300:], ["rare", "common"], h.config.thresholds)
        assert rep["macro_f1"] > 0.7
    assert not np.allclose(plain.predict_proba(X[:5]), weighted.predict_proba(X[:5]))


def test_fit_config_scales_with_data():
    small, big = fit_config_for(120, 1), fit_config_for(50_000, 1)
    assert small.batch_size == 16 and small.max_epochs > 100 and small.patience == 10
    assert big.batch_size == 256 and big.max_epochs == 40 and big.patience == 5


@pytest.mark.parametrize("mode,n,cuda,peft,want", [
    ("auto", 10_000, False, True, "frozen"),
    ("auto", 500, True, True, "frozen"),
    ("auto", 10_000, True, True, "lora"),
    ("auto", 10_000, True, False, "frozen"),
    ("auto", 500_000, True, True, "full"),
    ("full", 100, False, False, "full"),
    ("frozen", 10**6, True, True, "frozen"),
])
def test_mode_rule(mode, n, cuda, peft, want):
    assert choose_mode(mode, n, cuda, peft)[0] == want


def test_mode_errors():
    with pytest.raises(ValueError):
        choose_mode("qlora", 10, False, True)
    with pytest.raises(CxError) as e:
        choose_mode("lora", 10, False, False)
    assert e.value.code == "E503"


# ------------------------------------------------------------------------------------------ reports
def test_single_label_report_per_class_and_confusion():
    p = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    rep = single_label_full_report(p, np.array([0, 1, 1, 1]), ["a", "b"])
    assert rep["confusion"] == [[1, 0], [1, 2]] and rep["accuracy"] == 0.75
    assert rep["per_label"]["b"]["recall"] == pytest.approx(0.6667, abs=1e-4)
    assert 0 <= rep["ece"] <= 1


def test_multi_label_report_and_grouping():
    p = np.array([[0.9, 0.2], [0.8, 0.7], [0.1, 0.6], [0.4, 0.1]])
    y = np.array([[1, 0], [1, 1], [0, 1], [1, 0]], dtype=np.float32)
    rep = multi_label_full_report(p, y, ["a", "b"], {"a": 0.5, "b": 0.5})
    assert rep["per_label"]["a"]["confusion"] == [[1, 0], [1, 2]]
    assert rep["per_label"]["b"]["f1"] == 1.0 and rep["accuracy"] == 0.75
    g = grouped_report(p, y, "multi", ["a", "b"], {}, ["en", "en", "pl", None])
    assert set(g["by_lang"]) == {"en", "pl", "unknown"} and g["overall"]["n"] == 4
    assert ece_binary(np.array([1.0, 0.0]), np.array([1, 0])) == 0.0


# ------------------------------------------------------------------------------------------ adapters
class _Tiny(nn.Module):
    """Module paths like a BertModel's: encoder.layer.0.attention.self.query / value."""

    def __init__(self):
        super().__init__()
        att = nn.Module()
        att.self = nn.Module()
        att.self.query = nn.Linear(6, 6)
        att.self.value = nn.Linear(6, 6)
        layer = nn.Module()
        layer.attention = att
        self.encoder = nn.Module()
        self.encoder.layer = nn.ModuleList([layer])


def test_adapter_is_merged_as_b_times_a_times_scaling(tmp_path):
    torch.manual_seed(0)
    model = _Tiny()
    before = model.encoder.layer[0].attention.self.query.weight.detach().clone()
    A, B = torch.randn(2, 6), torch.randn(6, 2)
    state = {"encoder.layer.0.attention.self.query.lora_A.weight": A,
             "encoder.layer.0.attention.self.query.lora_B.weight": B}
    entry = save_adapter(tmp_path, state, AdaptSettings(r=2, alpha=4), {"name": "tiny"})
    assert apply_adapter(model, tmp_path, entry) == 1
    after = model.encoder.layer[0].attention.self.query.weight
    torch.testing.assert_close(after, before + B @ A * 2.0)


def test_adapter_that_does_not_fit_is_refused(tmp_path):
    state = {"encoder.layer.5.attention.self.query.lora_A.weight": torch.zeros(2, 6),
             "encoder.layer.5.attention.self.query.lora_B.weight": torch.zeros(6, 2)}
    entry = save_adapter(tmp_path, state, AdaptSettings(r=2, alpha=4), {})
    with pytest.raises(CxError) as e:
        apply_adapter(_Tiny(), tmp_path, entry)
    assert e.value.code == "E104"


def test_fine_tuned_encoder_folder_is_hash_checked(tmp_path):
    from cx_nlp.model_folder import sha256

    sub = tmp_path / "encoder"
    sub.mkdir()
    (sub / "config.json").write_text("{}")
    info = {"path": "encoder", "files": {"config.json": sha256(sub / "config.json")}}
    assert verified_encoder_folder(tmp_path, info) == sub
    (sub / "config.json").write_text('{"x": 1}')
    with pytest.raises(CxError) as e:
        verified_encoder_folder(tmp_path, info)
    assert e.value.code == "E202"
    (sub / "config.json").write_text("{}")
    (sub / "pytorch_model.bin").write_bytes(b"pickle")
    with pytest.raises(CxError) as e:
        verified_encoder_folder(tmp_path, info)
    assert e.value.code == "E201"


# ------------------------------------------------------------------------------------------ custom heads
def test_custom_head_dicts_and_result_keys():
    single = Head(HeadConfig(name="topic", labels=["a", "b", "c"], kind="single", input_dim=4, hidden=0))
    d = custom_head.as_dict(single, np.array([0.2, 0.7, 0.1]))
    assert d["label"] == "b" and d["score"] == 0.7 and list(d["scores"]) == ["a", "b", "c"]
    multi = Head(HeadConfig(name="tags", labels=["a", "b", "c"], kind="multi", input_dim=4, hidden=0,
                            thresholds={"a": 0.3, "b": 0.9}))
    d = custom_head.as_dict(multi, np.array([0.4, 0.8, 0.6]))
    assert d["labels"] == ["c", "a"]  # b is under its own threshold; best first
    assert custom_head.custom_heads({"sentiment": single, "emotions": multi, "topic": single}) == {"topic": single}
    r = Result(text="x", lang="en", status="ok", sentences=[SentenceResult(0, 1, "x", None, None)])
    assert r.to_dict()["custom"] == {} and r.to_dict()["sentences"][0]["custom"] == {}


def test_attach_fills_text_and_sentence_readings():
    head = Head(HeadConfig(name="topic", labels=["a", "b"], kind="single", input_dim=2, hidden=0))
    with torch.no_grad():
        head.net[-1].weight.copy_(torch.tensor([[5.0, 0.0], [0.0, 5.0]]))
        head.net[-1].bias.zero_()
    emb = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]], np.float32)
    res = [Result(text="t", lang="en", status="ok", sentences=[SentenceResult(0, 1, "a", None, None),
                                                               SentenceResult(2, 3, "b", None, None)]),
           Result(text="", lang=None, status="empty_text")]
    custom_head.attach({"topic": head}, emb, {0: np.array([0, 1])}, {0: np.array([1.0, 3.0])}, res)
    assert res[0].sentences[0].custom["topic"]["label"] == "a"
    assert res[0].sentences[1].custom["topic"]["label"] == "b"
    assert res[0].custom["topic"]["label"] == "b"  # the longer sentence weighs more in the text vector
    assert res[1].custom == {}


# ------------------------------------------------------------------------------------------ caches, output
class _StubEncoder:
    """Unit-test stand-in with the encoder surface the analyzer uses (never used in integration tests)."""
    dim = 8

    def __init__(self):
        self.calls = 0

    def content_budget(self):
        return 500

    def token_offsets(self, text):
        return [(i, i + 1) for i in range(len(text))]

    def encode(self, texts):
        self.calls += 1
        out = np.stack([np.frombuffer(hashlib.sha256(t.encode()).digest()[:8], np.uint8).astype(np.float32)
                        for t in texts])
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_embedding_cache_skips_reembedding(tmp_path):
    texts = ["The parcel came late. Support was kind.", "Great price!", "", "Zu teuer."] * 3
    enc = _StubEncoder()
    X1, langs, ok = embed_texts(enc, texts, tmp_path, tag="t", chunk=5)
    assert enc.calls == 3 and ok.tolist() == [True, True, False, True] * 3
    assert np.allclose(np.linalg.norm(X1[ok], axis=1), 1.0) and (X1[~ok] == 0).all()
    X2, langs2, ok2 = embed_texts(enc, texts, tmp_path, tag="t", chunk=5)
    assert enc.calls == 3  # every chunk came from the cache
    np.testing.assert_array_equal(X1, X2)
    assert langs2 == langs
    embed_texts(enc, texts, tmp_path, tag="other-encoder", chunk=5)
    assert enc.calls == 6  # another encoder never reuses these vectors


def test_output_folder_is_not_overwritten_by_accident(tmp_path):
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / ".cache").mkdir()
    with pytest.raises(CxError) as e:
        _prepare_output(tmp_path, resume=False, overwrite=False)
    assert e.value.code == "E502"
    _prepare_output(tmp_path, resume=True, overwrite=False)
    assert [p.name for p in tmp_path.iterdir()] == [".cache"]  # stale files go, caches stay
    _prepare_output(tmp_path / "new", resume=False, overwrite=False)
    assert (tmp_path / "new").is_dir()
    json.dumps(AdaptSettings().__dict__)


def test_inputs_auto_keeps_the_block_that_carries_the_labels():
    from cx_nlp.training.api import _choose_inputs
    from cx_nlp.training.data import LabelSpec

    spec = LabelSpec(kind="single", labels=["a", "b", "c", "d"])
    Xl, y = _blobs(400, d=16)
    noise = np.random.default_rng(3).normal(size=Xl.shape).astype(np.float32)
    trm = np.ones(len(y), bool)
    # labels in the middle-layer block only: the features win
    width, scores = _choose_inputs("auto", np.hstack([noise, Xl]), y, trm, spec, 16, "balanced", 13)
    assert width == 32 and scores["features"] > scores["embedding"] + 0.3
    # labels in the embedding, pure noise beside them: the embedding is enough (ties go to it too)
    width, scores = _choose_inputs("auto", np.hstack([Xl, 3 * noise]), y, trm, spec, 16, "balanced", 13)
    assert width == 16 and set(scores) == {"embedding", "features"}
    # asked explicitly, too few rows to choose, or an encoder without middle layers: no probe at all
    assert _choose_inputs("features", np.hstack([Xl, noise]), y, trm, spec, 16, "balanced", 13) == (32, {})
    assert _choose_inputs("auto", np.hstack([noise, Xl])[:150], y[:150], trm[:150], spec, 16, "balanced", 13) == (16, {})
    assert _choose_inputs("auto", Xl, y, trm, spec, 16, "balanced", 13) == (16, {})
    with pytest.raises(CxError):
        _choose_inputs("middle", Xl, y, trm, spec, 16, "balanced", 13)
