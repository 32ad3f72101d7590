"""`cx-nlp themes INPUT -o DIR` end to end on a small multilingual review file (real encoder)."""
from __future__ import annotations

import json

import pandas as pd
import pytest

pytestmark = pytest.mark.integration


def test_themes_command_writes_its_outputs(analyzer, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from cx_nlp import Analyzer
    from cx_nlp.cli import app

    monkeypatch.setattr(Analyzer, "load", classmethod(lambda cls, *a, **k: analyzer))  # reuse the session model
    rows = pd.read_json("tests/fixtures/topic_reviews.jsonl", lines=True)
    rows["date"] = pd.date_range("2025-01-01", periods=len(rows), freq="D").strftime("%Y-%m-%d")
    src = tmp_path / "reviews.csv"
    rows.to_csv(src, index=False)
    out = tmp_path / "themes"
    res = CliRunner().invoke(app, ["themes", str(src), "-o", str(out), "--text-col", "text", "--date-col", "date",
                                   "--score-col", "rating"])
    assert res.exit_code == 0, res.output
    for name in ("themes.json", "sentences.csv", "documents.csv", "themes.yaml", "overview.html", "overview.png",
                 "model/themes.json", "model/themes.safetensors"):
        assert (out / name).is_file(), name
    assert not (out / ".cache").exists()      # the streamed embeddings are scratch space: nothing left behind
    doc = json.loads((out / "themes.json").read_text())
    assert doc["summary"]["rows"] == len(rows) and doc["summary"]["outlier_share"] <= 0.10
    assert 1 <= len(doc["parents"]) <= 12
    t = doc["themes"][0]
    assert {"id", "name", "keywords", "size", "examples", "net_sentiment", "emotions", "trend", "impact", "quotes"} <= set(t)
    assert -100 <= t["net_sentiment"] <= 100
    docs = pd.read_csv(out / "documents.csv")
    assert len(docs) == len(rows)
    # the edited theme file is honoured by the next run
    import yaml

    y = yaml.safe_load((out / "themes.yaml").read_text())
    y["themes"][0]["name"] = "My renamed theme"
    (tmp_path / "edit.yaml").write_text(yaml.safe_dump(y, allow_unicode=True))
    res = CliRunner().invoke(app, ["themes", str(src), "-o", str(tmp_path / "again"), "--text-col", "text",
                                   "--theme-file", str(tmp_path / "edit.yaml")])
    assert res.exit_code == 0, res.output
    names = [t["name"] for t in json.loads((tmp_path / "again" / "themes.json").read_text())["themes"]]
    assert "My renamed theme" in names


def test_themes_command_space_option(analyzer, tmp_path, monkeypatch):
    from safetensors.numpy import load_file
    from typer.testing import CliRunner

    from cx_nlp import Analyzer
    from cx_nlp.cli import app

    monkeypatch.setattr(Analyzer, "load", classmethod(lambda cls, *a, **k: analyzer))
    rows = pd.read_json("tests/fixtures/topic_reviews.jsonl", lines=True)
    src = tmp_path / "reviews.csv"
    rows.to_csv(src, index=False)
    keys = {}
    for opt in ("auto", "none"):
        res = CliRunner().invoke(app, ["themes", str(src), "-o", str(tmp_path / opt), "--text-col", "text", "--space", opt])
        assert res.exit_code == 0, res.output
        keys[opt] = set(load_file(str(tmp_path / opt / "model" / "themes.safetensors")))
    assert "space_components" in keys["auto"] and "space_components" not in keys["none"]
    res = CliRunner().invoke(app, ["themes", str(src), "-o", str(tmp_path / "bad"), "--text-col", "text",
                                   "--space", str(tmp_path / "no_such_space")])
    assert res.exit_code == 2 and "E803" in res.output
