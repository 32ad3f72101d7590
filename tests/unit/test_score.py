"""Batch plumbing with a fake analyzer: chunking, dedupe, resume, rows in = rows out.

The fake stands in for the model only to test the plumbing; the real model runs in
tests/integration/test_score_e2e.py.
"""
import pandas as pd
import pytest

from cx_nlp.batch import COLUMNS, flatten, score_file
from cx_nlp.errors import CxError
from cx_nlp.io import read_table

EMOTIONS = ["anger", "anticipation", "disgust", "fear", "joy", "sadness", "surprise", "trust"]


class _R:
    def __init__(self, d):
        self._d = d

    def to_dict(self):
        return self._d


def _fake_result(t):
    if not isinstance(t, str) or not t.strip():
        return {"text": "", "lang": None, "lang_score": 0.0, "status": "empty_text", "status_message": "empty",
                "sentiment": None, "emotions": None, "touchpoints": [], "sentences": [], "signals": []}
    neg = 0.8 if "bad" in t else 0.1
    pos = 0.9 - neg
    sent = {"label": "negative" if neg > pos else "positive", "score": max(neg, pos),
            "scores": {"negative": neg, "neutral": 0.1, "positive": pos}}
    emo = {e: round((len(t) * (i + 1)) % 97 / 97, 6) for i, e in enumerate(EMOTIONS)}
    half = len(t) // 2
    sentences = [{"start": 0, "end": half, "text": t[:half], "sentiment": sent, "emotions": emo, "touchpoints": []},
                 {"start": half, "end": len(t), "text": t[half:], "sentiment": sent, "emotions": emo,
                  "touchpoints": [{"name": "delivery_logistics", "score": 0.7, "sentiment": sent["label"]}]}]
    return {"text": t, "lang": "en", "lang_score": 0.99, "status": "ok", "status_message": "", "sentiment": sent,
            "emotions": emo, "touchpoints": [{"name": "delivery_logistics", "score": 0.7, "sentiment": sent["label"]}],
            "sentences": sentences, "signals": [{"name": "churn_risk"}] if "never" in t else []}


class FakeAnalyzer:
    emotion_thresholds = {e: 0.5 for e in EMOTIONS}

    def __init__(self, explode_on_call=None, poison="BOOM"):
        self.calls = []
        self.explode_on_call = explode_on_call
        self.poison = poison

    def predict(self, texts):
        self.calls.append(list(texts))
        if self.explode_on_call is not None and len(self.calls) == self.explode_on_call:
            raise KeyboardInterrupt("simulated kill")
        if any(isinstance(t, str) and self.poison in t for t in texts):
            raise RuntimeError("model exploded")
        return [_R(_fake_result(t)) for t in texts]

    @property
    def scored(self):
        return [t for call in self.calls for t in call]


def _input(tmp_path, n=53, name="in.csv"):
    rows = [{"id": f"{i:05d}", "review": f"review {i % 17} {'bad' if i % 3 == 0 else 'good'} service",
             "stars": str(i % 5 + 1)} for i in range(n)]
    rows[4]["review"] = ""
    df = pd.DataFrame(rows)
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path, df


def test_rows_in_equal_rows_out_and_columns(tmp_path):
    src, df = _input(tmp_path)
    out = tmp_path / "out.parquet"
    summary = score_file(src, out, FakeAnalyzer(), chunk_rows=10, progress=False)
    back = pd.read_parquet(out)
    assert len(back) == len(df) == summary["rows"] == 53
    assert back["id"].tolist() == df["id"].tolist()                      # same order, ids intact
    assert list(back.columns) == ["id", "review", "stars"] + COLUMNS     # originals kept, cx_* appended
    assert summary["chunks"] == 6
    assert summary["ok"] == 52 and summary["failed"] == {"empty_text": 1}
    assert not (tmp_path / "out.parquet.parts").exists()
    assert back.loc[0, "cx_touchpoints"] == "delivery_logistics:negative"


def test_identical_texts_scored_once(tmp_path):
    src, df = _input(tmp_path)
    fake = FakeAnalyzer()
    summary = score_file(src, tmp_path / "out.csv", fake, chunk_rows=10, progress=False)
    distinct = df["review"].nunique()
    assert len(fake.scored) == distinct == summary["unique_texts"]
    assert summary["cache_hits"] == len(df) - distinct


def test_tiny_cache_still_correct(tmp_path):
    src, df = _input(tmp_path)
    a = score_file(src, tmp_path / "a.csv", FakeAnalyzer(), chunk_rows=10, progress=False)
    b = score_file(src, tmp_path / "b.csv", FakeAnalyzer(), chunk_rows=10, progress=False, cache_size=1)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert a["rows"] == b["rows"]


@pytest.mark.parametrize("ext", ["csv", "jsonl", "xlsx", "parquet"])
def test_resume_is_byte_identical(tmp_path, ext):
    src, df = _input(tmp_path)
    full = tmp_path / f"full.{ext}"
    score_file(src, full, FakeAnalyzer(), chunk_rows=10, sentences_out=tmp_path / f"full_s.{ext}", progress=False)

    out = tmp_path / f"out.{ext}"
    sents = tmp_path / f"out_s.{ext}"
    with pytest.raises(KeyboardInterrupt):
        score_file(src, out, FakeAnalyzer(explode_on_call=3), chunk_rows=10, sentences_out=sents, progress=False)
    parts = sorted(p.name for p in (tmp_path / f"out.{ext}.parts").glob("part-*.parquet"))
    assert parts == ["part-000000.parquet", "part-000001.parquet"]
    assert not out.exists()

    fake = FakeAnalyzer()
    summary = score_file(src, out, fake, chunk_rows=10, sentences_out=sents, resume=True, progress=False)
    assert summary["resumed_chunks"] == 2 and summary["rows"] == 53
    assert len(fake.calls) <= 4                # chunks 0 and 1 were not scored again
    assert out.read_bytes() == full.read_bytes()
    assert sents.read_bytes() == (tmp_path / f"full_s.{ext}").read_bytes()


def test_resume_with_other_settings_is_refused(tmp_path):
    src, _ = _input(tmp_path)
    out = tmp_path / "out.csv"
    with pytest.raises(KeyboardInterrupt):
        score_file(src, out, FakeAnalyzer(explode_on_call=2), chunk_rows=10, progress=False)
    with pytest.raises(CxError) as e:
        score_file(src, out, FakeAnalyzer(), chunk_rows=20, resume=True, progress=False)
    assert e.value.code == "E405" and "chunk_rows" in str(e.value)
    # Without resume the stale checkpoints are discarded and the run completes.
    assert score_file(src, out, FakeAnalyzer(), chunk_rows=20, progress=False)["rows"] == 53


def test_failing_texts_become_error_rows(tmp_path):
    src, df = _input(tmp_path)
    df.loc[12, "review"] = "BOOM this text kills the model"
    df.to_csv(src, index=False)
    out = tmp_path / "out.csv"
    summary = score_file(src, out, FakeAnalyzer(), chunk_rows=10, progress=False)
    back = read_table(out).read()
    assert len(back) == 53
    assert back.loc[12, "cx_status"] == "error" and "model exploded" in back.loc[12, "cx_status_message"]
    assert (back.loc[back.index != 12, "cx_status"].isin(["ok", "empty_text"])).all()
    assert summary["failed"] == {"empty_text": 1, "error": 1}


def test_sentences_output(tmp_path):
    src, df = _input(tmp_path, n=12)
    sents = tmp_path / "s.csv"
    score_file(src, tmp_path / "o.jsonl", FakeAnalyzer(), chunk_rows=5, id_col="id", sentences_out=sents,
               progress=False)
    s = read_table(sents).read()
    assert len(s) == 2 * 11                                  # two sentences per non-empty text
    assert s["row_id"].tolist()[:2] == ["00000", "00000"] and s["sentence"].tolist()[:2] == ["0", "1"]
    assert "00004" not in set(s["row_id"])                   # the empty text has no sentences


def test_refuses_to_overwrite_input_and_checks_columns(tmp_path):
    src, _ = _input(tmp_path)
    with pytest.raises(CxError) as e:
        score_file(src, src, FakeAnalyzer(), progress=False)
    assert e.value.code == "E402"
    with pytest.raises(CxError) as e:
        score_file(src, tmp_path / "o.csv", FakeAnalyzer(), id_col="nope", progress=False)
    assert e.value.code == "E403"


def test_progress_false_is_silent(tmp_path, capsys):
    src, _ = _input(tmp_path, n=5)
    score_file(src, tmp_path / "o.csv", FakeAnalyzer(), progress=False)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_empty_input_gives_header_only_output(tmp_path):
    src = tmp_path / "empty.csv"
    src.write_text("id,text\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    with pytest.raises(CxError):      # no rows: nothing looks like text
        score_file(src, out, FakeAnalyzer(), progress=False)
    summary = score_file(src, out, FakeAnalyzer(), text_col="text", progress=False)
    assert summary["rows"] == 0
    assert read_table(out, detect_text=False).columns == ["id", "text"] + COLUMNS


def test_flatten_columns():
    row = flatten(_fake_result("bad delivery, never again"), {e: 0.3 for e in EMOTIONS})
    assert list(row) == COLUMNS
    emos = row["cx_emotions"].split(";")
    probs = [row[f"cx_{e}"] for e in emos]
    assert probs == sorted(probs, reverse=True) and all(p >= 0.3 for p in probs)
    assert row["cx_signals"] == "churn_risk" and row["cx_n_sentences"] == 2
    empty = flatten(_fake_result(""), {})
    assert empty["cx_status"] == "empty_text" and empty["cx_sentiment"] == "" and empty["cx_p_positive"] is None


def test_jsonl_keys_appearing_late_are_kept(tmp_path):
    import json
    src = tmp_path / "in.jsonl"
    rows = [{"id": i, "text": f"good text {i}"} for i in range(7)] + [{"id": 7, "text": "bad one", "late": "x"}]
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    score_file(src, out, FakeAnalyzer(), chunk_rows=3, progress=False)
    back = read_table(out).read()
    assert list(back.columns) == ["id", "text", "late"] + COLUMNS
    assert back["late"].tolist() == [""] * 7 + ["x"] and back["id"].tolist() == [str(i) for i in range(8)]
