"""Where and why in the report: journey map, touchpoint drivers, signals and themes from a themes.json."""
import json

import numpy as np
import pandas as pd
import pytest

from cx_nlp.cx.taxonomy import Taxonomy
from cx_nlp.errors import CxError
from cx_nlp.report import build_report
from cx_nlp.report.aggregate import aggregate
from cx_nlp.report.journey import drivers, journey, read_themes, signals, theme_rows, touchpoint_results

XSS = "<script>alert('t')</script>"


def frame(n=120, seed=0):
    """Delivery complaints cost 2 rating points, praised support adds 1; price is noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        late, helpful, price = rng.random() < 0.4, rng.random() < 0.3, rng.random() < 0.5
        tps = []
        if late:
            tps.append("delivery_logistics:negative")
        if helpful:
            tps.append("customer_support:positive")
        if price:
            tps.append("price_value:" + ("negative" if rng.random() < 0.5 else "positive"))
        if i == 3:
            tps.append("my_own_touchpoint:negative")
        rating = 4 - 2 * late + 1 * helpful + rng.normal(0, 0.3)
        rows.append({"text": f"review {i}", "rating": round(float(rating), 2), "cx_lang": "en",
                     "cx_status": "empty_text" if i == 5 else "ok", "cx_sentiment": "negative" if late else "positive",
                     "cx_touchpoints": ";".join(tps), "cx_signals": "churn_risk" if late and i % 2 else ""})
    return pd.DataFrame(rows)


def test_touchpoint_results_take_stage_and_clue_from_the_taxonomy():
    tax = Taxonomy.load()
    res = touchpoint_results(frame())
    tp = {t["name"]: t for r in res for t in r["touchpoints"]}
    assert tp["delivery_logistics"]["stage"] == tax.get("delivery_logistics").stage
    assert tp["customer_support"]["clue"] == tax.get("customer_support").clue
    assert tp["my_own_touchpoint"]["stage"] == "other"     # unknown to the taxonomy: kept, not dropped
    assert res[5]["status"] == "empty_text"


def test_journey_keeps_stage_order_and_counts_every_mention():
    df = frame()
    rows = journey(touchpoint_results(df))
    stages = [r["stage"] for r in rows]
    tax_stages = Taxonomy.load().stage_ids
    assert stages[:len(tax_stages)] == tax_stages and stages[-1] == "other"
    ok = df[df.cx_status == "ok"]
    mentions = sum(len([p for p in c.split(";") if p]) for c in ok.cx_touchpoints)
    assert sum(r["mentions"] for r in rows) == mentions
    assert sum(r["negative"] + r["neutral"] + r["positive"] for r in rows) == mentions


def test_drivers_find_the_touchpoint_that_pulls_the_rating_down():
    df = frame(300)
    rows = drivers(touchpoint_results(df), df["rating"])
    assert rows[0]["touchpoint"] == "delivery_logistics" and rows[0]["coef_negative"] < -1.5
    support = next(r for r in rows if r["touchpoint"] == "customer_support")
    assert support["coef_positive"] > 0.6 and support["impact"] > 0
    assert drivers(touchpoint_results(df.head(5)), df["rating"].head(5)) == []   # too few scores: no analysis


def test_signals_count_texts():
    df = frame()
    rows = signals(touchpoint_results(df))
    ok = df[df.cx_status == "ok"]
    assert rows == [r for r in rows if r["texts"]]
    churn = next(r for r in rows if r["signal"] == "churn_risk")
    assert churn["texts"] == int((ok.cx_signals == "churn_risk").sum())


def themes_doc():
    return {"summary": {"outlier_share": 0.031}, "columns": {"score": "rating"},
            "parents": [{"id": 0, "name": "Fulfilment"}],
            "themes": [{"id": 1, "name": "late courier", "keywords": ["courier", "late"], "texts": 40,
                        "sentences": 44, "share_texts": 0.33, "net_sentiment": -80.0, "parent": 0,
                        "emotions": {"anger": 0.6, "joy": 0.1}, "impact": {"diff": -1.9, "diff_ci95": [-2.2, -1.6]},
                        "touchpoints": [{"name": "delivery_logistics", "share": 0.9}],
                        "quotes": [{"text": "Courier " + XSS, "row": 3}]},
                       {"id": 2, "name": XSS, "keywords": [XSS], "texts": 60, "sentences": 61, "share_texts": 0.5,
                        "net_sentiment": 50.0, "emotions": {}, "quotes": []}]}


def test_theme_rows_sort_by_volume_and_carry_impact():
    view = theme_rows(themes_doc())
    assert [r["id"] for r in view["rows"]] == [2, 1]
    late = view["rows"][1]
    assert late["parent"] == "Fulfilment" and late["top_emotion"] == "anger" and late["impact"] == -1.9
    assert late["touchpoints"] == "delivery_logistics" and view["outlier_share"] == 0.031


def test_read_themes_gives_E703_for_missing_or_foreign_files(tmp_path):
    with pytest.raises(CxError) as e:
        read_themes(tmp_path)
    assert e.value.code == "E703"
    (tmp_path / "themes.json").write_text(json.dumps({"not": "themes"}))
    with pytest.raises(CxError, match="E703"):
        read_themes(tmp_path)
    (tmp_path / "themes.json").write_text("{broken")
    with pytest.raises(CxError, match="E703"):
        read_themes(tmp_path / "themes.json")


def test_report_shows_journey_drivers_and_escaped_themes(tmp_path):
    (tmp_path / "th").mkdir()
    (tmp_path / "th" / "themes.json").write_text(json.dumps(themes_doc()), encoding="utf-8")
    res = build_report(frame(300), tmp_path / "r.html", score_col="rating", themes=tmp_path / "th")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert XSS not in html and "&lt;script&gt;alert(" in html
    for cid in ("chart-journey", "chart-drivers", "chart-themes"):
        assert f'id="{cid}"' in html
    assert 'id="drivers"' in html and 'id="themes"' in html and "late courier" in html and "3.1% of sentences" in html
    agg = res["aggregates"]
    assert agg["drivers"][0]["touchpoint"] == "delivery_logistics"


def test_report_without_score_or_themes_has_no_such_sections(tmp_path):
    agg = aggregate(frame().drop(columns=["rating"]))
    assert agg["drivers"] == [] and agg["themes"] is None and agg["journey"]


def test_pngs_include_journey_and_drivers(tmp_path):
    res = build_report(frame(300), tmp_path / "r.html", score_col="rating", png_dir=tmp_path / "png")
    names = {p.name for p in res["pngs"]}
    assert {"journey.png", "drivers.png"} <= names
    assert (tmp_path / "png" / "journey.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
