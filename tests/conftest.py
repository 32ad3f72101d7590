import os
from pathlib import Path

import pytest

# Tests never reach a model hub.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def analyzer():
    from cx_nlp import Analyzer

    if not (ROOT / "models" / "default" / "manifest.json").exists():
        pytest.skip("models/default is not built (run scripts/train_default.py)")
    return Analyzer.load()


@pytest.fixture(scope="session")
def shared_data():
    from cx_nlp.training.corpora import shared_data_dir

    d = shared_data_dir()
    if d is None:
        pytest.skip("../shared/data/train is absent (a user's machine): this test needs the shared training data")
    return d


@pytest.fixture
def unshare():
    """Path of ``unshare`` where ``unshare -n`` (a network namespace with no interfaces) works; else skip."""
    import shutil
    import subprocess

    path = shutil.which("unshare")
    if path is None:
        pytest.skip("unshare not available")
    probe = subprocess.run([path, "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"network namespaces not permitted here: {probe.stderr.decode(errors='replace').strip()}")
    return path
