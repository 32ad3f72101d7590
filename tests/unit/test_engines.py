"""Batch engines with a fake analyzer: the planner, worker processes (spawn), bounded read-ahead, the
new score options and the CLI's exit codes. The real model runs in tests/integration/test_workers.py."""
from concurrent.futures import Future

import pandas as pd
import pytest
from typer.testing import CliRunner

from cx_nlp.batch import engines, score_file
from cx_nlp.batch.engines import AnalyzerSpec, InlineEngine, ProcessEngine, threads_per_worker
from cx_nlp.batch.score import BatchScorer, ChunkScorer, TextPlanner
from cx_nlp.errors import CxError


class _R:
    def __init__(self, d):
        self._d = d

    def to_dict(self):
        return self._d


class EngineFake:
    """Deterministic stand-in for the model; module level so spawned workers can import it."""
    emotion_thresholds = {"joy": 0.5}

    def __init__(self, explode_on_call=None):
        self.calls = []
        self.explode_on_call = explode_on_call

    def predict(self, texts):
        self.calls.append(list(texts))
        if self.explode_on_call is not None and len(self.calls) == self.explode_on_call:
            raise KeyboardInterrupt("simulated kill")
        out = []
        for t in texts:
            if not isinstance(t, str) or not t.strip():
                out.append(_R({"text": "", "lang": None, "status": "empty_text" if isinstance(t, str) else "not_text",
                               "status_message": "", "sentiment": None, "emotions": None, "touchpoints": [],
                               "sentences": [], "signals": []}))
                continue
            neg = (len(t) % 7) / 10
            pos = round(0.9 - neg, 4)
            sent = {"label": "negative" if neg > pos else "positive", "score": max(neg, pos),
                    "scores": {"negative": neg, "neutral": 0.1, "positive": pos}}
            out.append(_R({"text": t, "lang": "en", "status": "ok", "status_message": "", "sentiment": sent,
                           "emotions": {"joy": pos}, "touchpoints": [],
                           "sentences": [{"start": 0, "end": len(t), "text": t, "sentiment": sent,
                                          "emotions": {"joy": pos}, "touchpoints": []}], "signals": []}))
        return out


class BrokenFactory:
    def __call__(self):
        raise OSError("model folder unreadable")


def _input(tmp_path, n=90, name="in.csv"):
    rows = [{"id": f"r{i:04d}", "text": f"comment {i % 23} " + "x" * (i % 5), "date": f"2025-01-{1 + i % 28:02d}",
             "nps": str(i % 11), "channel": ["web", "app"][i % 2]} for i in range(n)]
    if n > 5:
        rows[5]["text"] = ""
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


# ----------------------------------------------------------------------------------------- planner
def test_planner_scores_each_distinct_text_once_in_first_seen_order():
    p = TextPlanner(cache_size=100)
    a = p.plan(["a", "b", "a", None, "c"])
    assert a.todo == ["a", "b", "c", None]               # new distinct texts, then non-strings
    b = p.plan(["c", "d", "a", float("nan")])
    assert b.todo[:1] == ["d"] and len(b.todo) == 2
    with pytest.raises(RuntimeError):                    # chunk 2 cannot finish before chunk 1
        b.fill([("D",), ("N",)])
    p2 = TextPlanner(cache_size=100)
    a, b = p2.plan(["a", "b", "a"]), p2.plan(["b", "z"])
    rows_a = a.fill([("A", []), ("B", [])])
    rows_b = b.fill([("Z", [])])
    assert rows_a == [("A", []), ("B", []), ("A", [])] and rows_b == [("B", []), ("Z", [])]
    assert p2.unique_scored == 3 and p2.cache_hits == 2


def test_planner_eviction_keeps_in_flight_slots():
    p = TextPlanner(cache_size=1)
    a = p.plan(["a", "b"])              # "a" is evicted from the cache at once...
    b = p.plan(["b", "a"])              # ...so "a" is scored again, "b" comes from chunk a
    assert b.todo == ["a"]
    a.fill([(1, []), (2, [])])
    assert b.fill([(3, [])]) == [(2, []), (3, [])]


def test_chunk_scorer_equals_batch_scorer():
    texts = ["x", "yy", "x", "", None, "zzz"]
    one = ChunkScorer(EngineFake(), cache_size=2).score(texts)
    direct = BatchScorer(EngineFake()).score(texts)
    assert one == direct


def test_threads_per_worker():
    assert threads_per_worker(1, cpus=8) == 8
    assert threads_per_worker(2, cpus=8) == 4
    assert threads_per_worker(3, cpus=2) == 1


# ----------------------------------------------------------------------------------------- processes
def test_process_engine_loads_once_sets_threads_and_matches_inline():
    eng = ProcessEngine(EngineFake, workers=2, threads=1)
    try:
        assert eng.probe(engines._worker_threads) == 1
        items = ["one", "two", "", None, "three"]
        assert eng.submit(items).result() == InlineEngine(EngineFake()).submit(items).result()
        assert eng.submit([]).result() == []
    finally:
        eng.close()


def test_worker_that_cannot_load_the_model_fails_the_run_clearly(tmp_path):
    src = _input(tmp_path, n=10)
    with pytest.raises(RuntimeError, match="could not load the analyzer: OSError: model folder unreadable"):
        score_file(src, tmp_path / "o.csv", BrokenFactory(), workers=2, chunk_rows=5, progress=False)


def test_two_workers_same_bytes_as_one_and_resume_across_worker_counts(tmp_path):
    src = _input(tmp_path)
    one = score_file(src, tmp_path / "one.csv", EngineFake(), chunk_rows=10, sentences_out=tmp_path / "one_s.parquet",
                     progress=False)
    # Killed on its 3rd model call with one worker, resumed with two: the same bytes as an uninterrupted run.
    with pytest.raises(KeyboardInterrupt):
        score_file(src, tmp_path / "two.csv", EngineFake(explode_on_call=3), chunk_rows=10,
                   sentences_out=tmp_path / "two_s.parquet", progress=False)
    two = score_file(src, tmp_path / "two.csv", EngineFake, workers=2, chunk_rows=10, resume=True,
                     sentences_out=tmp_path / "two_s.parquet", progress=False)
    assert two["resumed_chunks"] == 2 and two["workers"] == 2 and two["threads_per_worker"] >= 1
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    assert (tmp_path / "one_s.parquet").read_bytes() == (tmp_path / "two_s.parquet").read_bytes()
    assert one["rows"] == two["rows"] == 90 and one["failed"] == two["failed"] == {"empty_text": 1}


def test_loaded_analyzer_with_workers_is_refused(tmp_path):
    src = _input(tmp_path, n=5)
    with pytest.raises(TypeError, match="AnalyzerSpec"):
        score_file(src, tmp_path / "o.csv", EngineFake(), workers=2, progress=False)


class _LazyFuture(Future):
    def __init__(self, fn, tracker):
        super().__init__()
        self.fn, self.tracker = fn, tracker
        tracker["open"] += 1
        tracker["max"] = max(tracker["max"], tracker["open"])

    def result(self, timeout=None):
        if not self.done():
            self.tracker["open"] -= 1
            self.set_result(self.fn())
        return super().result()


class _RecordingEngine:
    """Futures that finish only when asked: counts how many chunks are read ahead at most."""

    def __init__(self, tracker):
        self.scorer, self.tracker = BatchScorer(EngineFake()), tracker

    def submit(self, items):
        return _LazyFuture(lambda: self.scorer.score(items), self.tracker)

    def close(self, cancel=False):
        pass


def test_read_ahead_is_bounded(tmp_path, monkeypatch):
    tracker = {"open": 0, "max": 0}
    monkeypatch.setattr(engines, "local_engine", lambda analyzer, workers: _RecordingEngine(tracker))
    src = _input(tmp_path, n=200)
    s = score_file(src, tmp_path / "o.csv", EngineFake, workers=3, chunk_rows=5, progress=False)
    assert s["chunks"] == 40 and s["rows"] == 200
    assert tracker["max"] == 6           # 2 x workers chunks in flight; then the oldest is finished first
    ref = score_file(src, tmp_path / "ref.csv", EngineFake(), chunk_rows=5, progress=False)
    assert (tmp_path / "o.csv").read_bytes() == (tmp_path / "ref.csv").read_bytes() and ref["rows"] == 200


# ----------------------------------------------------------------------------------------- options
def test_report_columns_are_checked_and_carried(tmp_path):
    src = _input(tmp_path, n=12)
    for opt in ("date_col", "score_col", "segment_col"):
        with pytest.raises(CxError) as e:
            score_file(src, tmp_path / "o.csv", EngineFake(), progress=False, **{opt: "missing"})
        assert e.value.code == "E403"
        assert f"--{opt.replace('_', '-')} 'missing'" in str(e.value) and "'channel'" in str(e.value)
    s = score_file(src, tmp_path / "o.csv", EngineFake(), progress=False, date_col="date", score_col="nps",
                   segment_col="channel")
    assert s["columns"] == {"text": "text", "id": None, "date": "date", "score": "nps", "segment": "channel"}
    back = pd.read_csv(tmp_path / "o.csv", dtype=str)
    assert back[["date", "nps", "channel"]].notna().all().all()


def test_engine_arguments(tmp_path, monkeypatch):
    src = _input(tmp_path, n=5)
    with pytest.raises(ValueError, match="engine"):
        score_file(src, tmp_path / "o.csv", EngineFake(), engine="spark", progress=False)
    with pytest.raises(ValueError, match="workers"):
        score_file(src, tmp_path / "o.csv", EngineFake(), workers=0, progress=False)
    with pytest.raises(ValueError, match="resume"):
        score_file(src, tmp_path / "o.csv", EngineFake, engine="ray", resume=True, progress=False)
    monkeypatch.setattr(engines, "ray_available", lambda: False)
    with pytest.raises(CxError, match=r"cx-nlp\[ray\]"):
        score_file(src, tmp_path / "o.csv", EngineFake, engine="ray", progress=False)


def test_analyzer_spec_is_a_picklable_recipe():
    import pickle

    spec = AnalyzerSpec(model="models/x", backend="onnx")
    assert pickle.loads(pickle.dumps(spec)) == spec
    assert engines.is_analyzer(EngineFake()) and not engines.is_analyzer(EngineFake) and not engines.is_analyzer(spec)


def test_cli_bad_column_exits_2_before_loading_a_model(tmp_path):
    from cx_nlp.cli import app

    src = _input(tmp_path, n=5)
    res = CliRunner().invoke(app, ["score", str(src), "-o", str(tmp_path / "o.csv"), "--segment-col", "region",
                                   "--workers", "2"])
    assert res.exit_code == 2
    assert "--segment-col 'region'" in res.output.replace("\n", " ") or "region" in res.output
    res = CliRunner().invoke(app, ["score", str(src), "-o", str(tmp_path / "o.csv"), "--workers", "0"])
    assert res.exit_code == 2
