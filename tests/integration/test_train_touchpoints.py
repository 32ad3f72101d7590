"""``cx-nlp train --task touchpoint``: a shop's own touchpoints learned from 60 labeled comments (real encoder)."""
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cx_nlp.cli import app

pytestmark = pytest.mark.integration
FIX = Path(__file__).resolve().parents[1] / "fixtures"
HELD_OUT = [("The parking lot had no free spaces so I left.", "parking", "negative"),
            ("Nie było gdzie zaparkować samochodu.", "parking", "negative"),
            ("Changing rooms were spotless and roomy.", "fitting_rooms", "positive"),
            ("My club card points were never added.", "loyalty_card", "negative"),
            ("Waited ages in line to pay.", "checkout_queue", "negative"),
            ("Am plătit rapid, casele erau libere.", "checkout_queue", "positive")]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("tp") / "store_model"
    res = CliRunner().invoke(app, ["train", str(FIX / "store_touchpoints.csv"), "-o", str(out), "--task", "touchpoint",
                                   "--label-col", "touchpoints", "--taxonomy", str(FIX / "store_taxonomy.yaml"),
                                   "--seed", "3"])
    assert res.exit_code == 0, res.output
    return out, res.output


def test_folder_is_a_complete_verified_model(trained):
    from cx_nlp.model_folder import read_manifest

    out, log = trained
    m = read_manifest(out, verify=True)
    assert m["touchpoints"] and {"sentiment", "emotions"} <= set(m["heads"])
    cfg = json.loads((out / "touchpoints.json").read_text(encoding="utf-8"))
    assert [t["id"] for t in cfg["taxonomy"]["touchpoints"]] == ["parking", "fitting_rooms", "loyalty_card",
                                                                "checkout_queue"]
    assert cfg.get("polarity"), "polarity labels were given: the aspect polarity head must be trained"
    ev = json.loads((out / "evaluation.json").read_text(encoding="utf-8"))
    assert ev["valid"]["n"] > 0 and "top-1" in log
    assert "## Validation" in (out / "model_card.md").read_text(encoding="utf-8")


def test_trained_model_finds_the_shops_touchpoints_with_polarity(trained):
    from cx_nlp import Analyzer

    an = Analyzer.load(trained[0])
    assert an.touchpoints.ids == ["parking", "fitting_rooms", "loyalty_card", "checkout_queue"]
    results = an.predict([t for t, _, _ in HELD_OUT])
    tops = [(r.touchpoints[0]["name"], r.touchpoints[0]["sentiment"]) if r.touchpoints else None for r in results]
    found = sum(bool(top) and top[0] == tp for top, (_, tp, _) in zip(tops, HELD_OUT))
    right = sum(top == (tp, pol) for top, (_, tp, pol) in zip(tops, HELD_OUT))
    # zero-shot from the shop's descriptions alone finds 3 of these 6; polarity mostly comes from the
    # sentence head (60 labels are too few for the aspect head to outweigh it)
    assert found >= 5 and right >= 4, list(zip(tops, HELD_OUT))


def test_unknown_touchpoint_label_is_a_coded_error(tmp_path):
    df = pd.read_csv(FIX / "store_touchpoints.csv")
    df.loc[3, "touchpoints"] = "parkin:negative"
    df.to_csv(tmp_path / "bad.csv", index=False)
    res = CliRunner().invoke(app, ["train", str(tmp_path / "bad.csv"), "-o", str(tmp_path / "m"), "--task",
                                   "touchpoint", "--label-col", "touchpoints", "--taxonomy",
                                   str(FIX / "store_taxonomy.yaml")])
    assert res.exit_code == 2 and "E501" in res.output and "parkin" in res.output
    assert not (tmp_path / "m" / "manifest.json").exists()
