import json

import numpy as np
import pytest

from cx_nlp.errors import CxError
from cx_nlp.heads import Head, HeadConfig
from cx_nlp.model_folder import read_manifest, write_manifest


def _folder(tmp_path):
    head = Head(HeadConfig(name="sentiment", labels=["negative", "neutral", "positive"], kind="single", input_dim=8, hidden=4))
    head.save(tmp_path)
    write_manifest(tmp_path, {"heads": ["sentiment"]})
    return head


def test_roundtrip_gives_identical_probabilities(tmp_path):
    head = _folder(tmp_path)
    read_manifest(tmp_path)
    again = Head.load(tmp_path, "sentiment")
    x = np.random.default_rng(0).normal(size=(5, 8)).astype(np.float32)
    np.testing.assert_array_equal(head.predict_proba(x), again.predict_proba(x))


def test_tampered_weights_are_refused(tmp_path):
    _folder(tmp_path)
    p = tmp_path / "sentiment.safetensors"
    data = bytearray(p.read_bytes())
    data[-1] ^= 0xFF
    p.write_bytes(bytes(data))
    with pytest.raises(CxError) as e:
        read_manifest(tmp_path)
    assert e.value.code == "E202"


def test_missing_file_and_pickle_are_refused(tmp_path):
    _folder(tmp_path)
    (tmp_path / "sentiment.json").unlink()
    with pytest.raises(CxError) as e:
        read_manifest(tmp_path)
    assert e.value.code == "E201" and "sentiment.json" in str(e.value)
    m = json.loads((tmp_path / "manifest.json").read_text())
    m["files"] = {"evil.pkl": "00"}
    (tmp_path / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(CxError) as e:
        read_manifest(tmp_path)
    assert "unsupported" in str(e.value)


def test_no_manifest(tmp_path):
    with pytest.raises(CxError) as e:
        read_manifest(tmp_path)
    assert e.value.code == "E201"
