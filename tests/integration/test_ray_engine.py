"""--engine ray: the same chunk functions on Ray Data (local Ray, 2 CPUs) give the local engine's bytes."""
import os
from pathlib import Path

import pandas as pd
import pytest

from cx_nlp.batch import score_file
from cx_nlp.batch.engines import AnalyzerSpec, ray_available

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not ray_available(), reason="Ray Data is not installed (pip install 'cx-nlp[ray]')")]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


class _R:
    def __init__(self, d):
        self._d = d

    def to_dict(self):
        return self._d


class RayFake:
    """Deterministic stand-in for the model (importable by Ray workers through PYTHONPATH)."""
    emotion_thresholds = {}

    def predict(self, texts):
        out = []
        for t in texts:
            if not isinstance(t, str) or not t.strip():
                out.append(_R({"text": "", "lang": None, "status": "empty_text", "status_message": "",
                               "sentiment": None, "emotions": None, "touchpoints": [], "sentences": [],
                               "signals": []}))
                continue
            neg = (len(t) % 9) / 10
            sent = {"label": "negative" if neg > 0.45 else "positive", "score": 0.5,
                    "scores": {"negative": neg, "neutral": 0.05, "positive": round(0.95 - neg, 4)}}
            half = len(t) // 2
            out.append(_R({"text": t, "lang": "pl", "status": "ok", "status_message": "", "sentiment": sent,
                           "emotions": {"joy": 0.1}, "touchpoints": [{"name": "price_value", "score": 0.6}],
                           "sentences": [{"start": 0, "end": half, "text": t[:half], "sentiment": sent,
                                          "emotions": {}, "touchpoints": []},
                                         {"start": half, "end": len(t), "text": t[half:], "sentiment": sent,
                                          "emotions": {}, "touchpoints": []}], "signals": []}))
        return out


@pytest.fixture(scope="module")
def local_ray():
    import ray

    path = os.pathsep.join([str(HERE), str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": path, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}})
    yield ray
    ray.shutdown()


def _export(tmp_path, n=230):
    rows = [{"id": f"k{i:04d}", "opinion": f"opinia {i % 31} " + "ok" * (i % 4), "stars": i % 5 + 1,
             "note": None if i % 7 else "vip"} for i in range(n)]
    rows[3]["opinion"] = ""
    path = tmp_path / "in.jsonl"
    pd.DataFrame(rows).to_json(path, orient="records", lines=True, force_ascii=False)
    return path


def test_ray_rows_order_and_bytes_equal_local(local_ray, tmp_path):
    src = _export(tmp_path)
    common = dict(chunk_rows=25, id_col="id", progress=False)
    local = score_file(src, tmp_path / "local.parquet", RayFake(), sentences_out=tmp_path / "ls.csv", **common)
    remote = score_file(src, tmp_path / "ray.parquet", RayFake, engine="ray", sentences_out=tmp_path / "rs.csv",
                        **common)
    assert remote["engine"] == "ray" and remote["rows"] == local["rows"] == 230
    assert remote["failed"] == local["failed"] == {"empty_text": 1}
    # Same bytes: same rows, same order, same column types (Parquet keeps them), same sentence rows.
    assert (tmp_path / "ray.parquet").read_bytes() == (tmp_path / "local.parquet").read_bytes()
    assert (tmp_path / "rs.csv").read_bytes() == (tmp_path / "ls.csv").read_bytes()
    back = pd.read_parquet(tmp_path / "ray.parquet")
    assert back["id"].tolist() == [f"k{i:04d}" for i in range(230)]


def test_ray_with_the_real_model(local_ray, tmp_path, capsys):
    if not (ROOT / "models" / "default" / "manifest.json").exists():
        pytest.skip("models/default is not built (run scripts/train_default.py)")
    texts = ["Kurier spóźnił się dwa dni, ale obsługa była miła.", "Отличный магазин, всё пришло вовремя.",
             "کیفیت محصول عالی بود و قیمت مناسب.", "Produs de calitate slabă, nu recomand.",
             "The delivery was late and the box was damaged.", ""]
    src = tmp_path / "in.csv"
    pd.DataFrame({"text": [texts[i % len(texts)] + f" {i // len(texts)}" * (i >= len(texts))
                           for i in range(24)]}).to_csv(src, index=False)
    local = score_file(src, tmp_path / "local.csv", AnalyzerSpec(), chunk_rows=6, progress=False)
    remote = score_file(src, tmp_path / "ray.csv", AnalyzerSpec(), engine="ray", chunk_rows=6, progress=False)
    with capsys.disabled():
        print(f"\n  real model on local Ray: {remote['rows']} rows in {remote['seconds']}s "
              f"(local engine {local['seconds']}s; both include loading the model)")
    assert (tmp_path / "ray.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()
