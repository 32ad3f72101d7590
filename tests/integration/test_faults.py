"""Fault injection (issue #10): kill -9 mid-run, kill -9 mid-build, full disk, read-only output, no network.

Each test drives the real CLI (or the encoder build) in a subprocess and checks the outcome a user
would see: a resumed run writes the same bytes, a killed build leaves no half cache, a full or
read-only disk gives a coded error and no half-written output.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample_reviews_small.csv"
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), *sys.path]), HF_HUB_OFFLINE="1",
           TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false", COLUMNS="200")


def _score_cmd(inp: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "cx_nlp.cli", "score", str(inp), "-o", str(out), "--text-col", "review_text",
            "--chunk-rows", "10", *extra]


def _wait_for(pred, proc: subprocess.Popen, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        if proc.poll() is not None:
            return pred()
        time.sleep(0.02)
    return False


def _no_temp_files(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp") or p.name.startswith(".building-")]


ROWS = 60   # rows of the sample used: 6 chunks of 10, so each test stays short on a loaded machine


def _input(folder: Path) -> Path:
    inp = folder / "in.csv"
    with open(SAMPLE, encoding="utf-8", newline="") as f:
        lines = f.readlines()
    inp.write_text("".join(lines[:ROWS + 1]), encoding="utf-8", newline="")
    return inp


@pytest.fixture(scope="module")
def reference(tmp_path_factory, analyzer):
    """An uninterrupted run over the input (the bytes a resumed run must reproduce), in this process."""
    from cx_nlp.batch.score import score_file

    d = tmp_path_factory.mktemp("ref")
    out = d / "out.csv"
    score_file(_input(d), out, analyzer, text_col="review_text", chunk_rows=10, progress=False)
    return out.read_bytes()


def test_kill_9_mid_run_then_resume_gives_the_same_bytes(tmp_path, reference):
    inp = _input(tmp_path)
    out = tmp_path / "out.csv"
    parts = Path(str(out) + ".parts")
    proc = subprocess.Popen(_score_cmd(inp, out), env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        seen = _wait_for(lambda: parts.is_dir() and any(parts.glob("part-*.parquet")), proc, timeout=120)
        assert seen, "no checkpoint part appeared"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    if proc.returncode != -signal.SIGKILL:
        pytest.skip(f"the run finished (rc {proc.returncode}) before it could be killed")
    assert not out.exists(), "a killed run must not leave an output that looks finished"
    n_parts = len(list(parts.glob("part-*.parquet")))
    assert n_parts >= 1

    r = subprocess.run(_score_cmd(inp, out, "--resume"), env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert out.read_bytes() == reference
    assert not parts.exists() and not _no_temp_files(tmp_path)

    import pandas as pd
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    src = pd.read_csv(inp, dtype=str, keep_default_na=False)
    assert len(got) == ROWS and got["review_id"].tolist() == src["review_id"].tolist()   # no lost or duplicated rows, same order


def test_kill_9_during_encoder_build_leaves_no_half_cache(tmp_path):
    from cx_nlp.encoder import provision

    home = tmp_path / "home"
    code = ("import sys; from pathlib import Path; from cx_nlp.encoder import provision;"
            "provision.ensure_encoder(home=Path(sys.argv[1]), progress=None)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(home)], env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    enc_parent = home / "encoders"
    target = provision.encoder_dir(home)
    try:
        seen = _wait_for(lambda: enc_parent.is_dir() and any(p.name.startswith(".building-")
                                                             for p in enc_parent.iterdir()), proc, timeout=120)
        assert seen, "no .building-* folder appeared"
        time.sleep(0.3)   # let it write some of the files
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    if proc.returncode != -signal.SIGKILL:
        pytest.skip(f"the build finished (rc {proc.returncode}) before it could be killed")
    assert not provision._stamp_ok(target)
    assert not target.exists(), "a killed build must not leave a folder at the cache path"

    path = provision.ensure_encoder(home=home, progress=None)
    assert path == target and provision._stamp_ok(target)
    assert not [p.name for p in enc_parent.iterdir() if p.name.startswith(".building-")], \
        "the killed build's temp folder is cleaned up by the next build"


def _mount(args: list[str], where: Path) -> str | None:
    if shutil.which("mount") is None:
        return "mount is not available"
    r = subprocess.run(["mount", *args, str(where)], capture_output=True, text=True)
    return None if r.returncode == 0 else f"cannot mount ({r.stderr.strip() or r.returncode}); needs root"


def _umount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_full_disk_gives_a_coded_error_and_no_corrupt_output(tmp_path):
    inp = _input(tmp_path)
    disk = tmp_path / "disk"
    disk.mkdir()
    why = _mount(["-t", "tmpfs", "-o", "size=200k", "tmpfs"], disk)
    if why:
        pytest.skip(why)
    try:
        # Nearly fill it, so the checkpoints or the final file run out of space.
        with open(disk / "filler", "wb") as f:
            try:
                f.write(b"\0" * (180 * 1024))
            except OSError:
                pass
        out = disk / "out.csv"
        r = subprocess.run(_score_cmd(inp, out), env=ENV, capture_output=True, text=True, timeout=300)
        assert r.returncode != 0
        assert "E407" in r.stderr and "No space left" in r.stderr, r.stderr[-2000:]
        assert not out.exists(), "no half-written output"
        assert not _no_temp_files(disk)
    finally:
        _umount(disk)


def test_read_only_output_folder_gives_a_coded_error(tmp_path):
    inp = _input(tmp_path)
    ro = tmp_path / "ro"
    ro.mkdir()
    why = _mount(["-t", "tmpfs", "-o", "size=1m,ro", "tmpfs"], ro)
    if why:
        pytest.skip(why)
    try:
        out = ro / "out.csv"
        r = subprocess.run(_score_cmd(inp, out), env=ENV, capture_output=True, text=True, timeout=300)
        assert r.returncode == 2, r.stderr[-2000:]
        assert "E407" in r.stderr and "Read-only" in r.stderr, r.stderr[-2000:]
        assert not out.exists()
    finally:
        _umount(ro)


def test_scoring_without_network(tmp_path, reference, unshare):
    """The sample scored inside ``unshare -n`` (no network namespace interfaces): same bytes as with one."""
    inp = _input(tmp_path)
    out = tmp_path / "out.csv"
    env = {k: v for k, v in ENV.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    r = subprocess.run([unshare, "-n", *_score_cmd(inp, out)], env=env, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert out.read_bytes() == reference


def test_demo_without_network(tmp_path, unshare):
    """The README's demo (score, themes, report) inside ``unshare -n``, on the 200-row sample."""
    env = {k: v for k, v in ENV.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    out = tmp_path / "out"
    r = subprocess.run([unshare, "-n", sys.executable, "-m", "cx_nlp.cli", "demo", "--out", str(out), "--sample",
                        str(SAMPLE)], env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    import json

    import pandas as pd

    scored = pd.read_csv(out / "sample_reviews_small.scored.csv", dtype=str, keep_default_na=False)
    assert len(scored) == len(pd.read_csv(SAMPLE, dtype=str)) and (scored["cx_status"] == "ok").mean() > 0.9
    themes = json.loads((out / "themes" / "themes.json").read_text(encoding="utf-8"))
    assert themes["themes"] and themes["summary"]["rows"] == len(scored)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="themes"' in html and 'id="chart-journey"' in html and 'id="drivers"' in html
    from markupsafe import escape

    biggest = max(themes["themes"], key=lambda t: t["texts"])
    assert str(escape(biggest["name"])) in html
