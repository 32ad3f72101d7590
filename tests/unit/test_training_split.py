"""How the default heads' training sample is split: the validation rows the model card scores and the
calibration rows that early-stop and calibrate the heads are separate hashed draws."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

from cx_nlp.training.corpora import _holdout

ROOT = Path(__file__).resolve().parents[2]


def _train_default():
    spec = importlib.util.spec_from_file_location("train_default", ROOT / "scripts" / "train_default.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_salted_holdout_is_an_independent_draw():
    ids = pd.Series([f"corpus:en:train:{i}" for i in range(20_000)])
    valid, cal = _holdout(ids), _holdout(ids, 0.1, salt="calibration:")
    assert 0.09 < valid.mean() < 0.11 and 0.09 < cal.mean() < 0.11
    # independent draws overlap on about 1% of rows; the same draw would overlap on 10%
    assert 0.005 < (valid & cal).mean() < 0.015
    assert (_holdout(ids.iloc[::-1]) == valid[::-1]).all()  # order-independent


def test_default_calibration_keeps_translation_twins_together():
    train_default = _train_default()
    df = pd.DataFrame({"id": [f"m_absa_mt:restaurant_{lang}:train:{i}" for i in range(3000) for lang in ("en", "ru")]})
    cal = train_default._calibration(df)
    assert (cal[0::2] == cal[1::2]).all()
    assert 0.08 < cal.mean() < 0.12
