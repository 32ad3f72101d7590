"""`cx-nlp analyze TEXT`: the readable tables fit an 80-column terminal without cutting names."""
from __future__ import annotations

import io

import pytest

pytestmark = pytest.mark.integration


def test_analyze_table_keeps_touchpoint_names_whole_at_80_columns(analyzer, monkeypatch):
    from rich.console import Console
    from typer.testing import CliRunner

    from cx_nlp import Analyzer, cli

    monkeypatch.setattr(Analyzer, "load", classmethod(lambda cls, *a, **k: analyzer))  # reuse the session model
    out = io.StringIO()
    monkeypatch.setattr(cli, "console", Console(file=out, width=80, color_system=None))
    text = "Produsul este excelent, dar livrarea a durat două săptămâni. Mulțumesc!"
    res = CliRunner().invoke(cli.app, ["analyze", text])
    assert res.exit_code == 0, res.output
    shown = out.getvalue()
    sentences = shown[shown.index("sentences"):]
    assert "delivery_logistics" in sentences and "product_quality" in sentences
    assert max(len(line) for line in shown.splitlines()) <= 80
    assert "0-60" in sentences and "61-71" in sentences  # each sentence's offsets
