"""Collection aggregates: per touchpoint, journey map, clue breakdown, drivers, signals."""
from __future__ import annotations

import numpy as np

from cx_nlp.cx.aggregate import clue_breakdown, driver_analysis, journey_map, signal_summary, touchpoint_summary

EMO = {"anger": 0.0, "anticipation": 0.0, "disgust": 0.0, "fear": 0.0, "joy": 0.0, "sadness": 0.0, "surprise": 0.0,
       "trust": 0.0}


def _res(text, tps, signals=(), status="ok"):
    sentences = [{"start": 0, "end": len(text), "text": text, "emotions": dict(EMO, anger=0.8 if any(
        t[1] == "negative" for t in tps) else 0.0, joy=0.7 if any(t[1] == "positive" for t in tps) else 0.0)}]
    meta = {"delivery_logistics": ("delivery_onboarding", "functional"), "staff_behaviour": ("purchase", "humanic"),
            "price_value": ("purchase", "functional")}
    return {"text": text, "status": status, "sentences": sentences, "signals": list(signals),
            "touchpoints": [{"name": n, "score": 0.8, "sentiment": s, "stage": meta[n][0], "clue": meta[n][1],
                             "evidence": [[0, len(text)]]} for n, s in tps]}


RESULTS = [
    _res("Late parcel.", [("delivery_logistics", "negative")],
         [{"type": "churn_risk", "score": 0.9, "text": "Late parcel.", "touchpoint": "delivery_logistics"}]),
    _res("Late again, rude courier.", [("delivery_logistics", "negative"), ("staff_behaviour", "negative")]),
    _res("Fast delivery!", [("delivery_logistics", "positive")]),
    _res("Lovely staff.", [("staff_behaviour", "positive")],
         [{"type": "advocacy", "score": 0.8, "text": "Lovely staff.", "touchpoint": "staff_behaviour"}]),
    _res("Cheap.", [("price_value", "positive")]),
    _res("", [], status="empty_text"),
]


def test_touchpoint_summary_volume_net_emotions_themes():
    df = touchpoint_summary(RESULTS, themes=[3, 3, 5, -1, 5, -1], theme_names={3: "late parcels", 5: "speed"})
    assert list(df["touchpoint"]) == ["delivery_logistics", "staff_behaviour", "price_value"]
    d = df.iloc[0]
    assert d["texts"] == 3 and d["negative"] == 2 and d["positive"] == 1
    assert d["net_sentiment"] == round(100 * (1 - 2) / 3, 1)
    assert d["share"] == 60.0  # 3 of 5 scored texts
    assert d["top_themes"][0] == "late parcels"
    assert d["top_emotion"] == "anger" and d["stage"] == "delivery_onboarding"
    assert d["quote_negative"] in ("Late parcel.", "Late again, rude courier.") and d["quote_positive"] == "Fast delivery!"


def test_journey_map_keeps_every_stage_in_order():
    jm = journey_map(RESULTS)
    assert jm["stage"].tolist()[:3] == ["awareness", "consideration", "purchase"]
    row = jm.set_index("stage").loc["purchase"]
    assert row["mentions"] == 3 and row["positive"] == 2 and row["negative"] == 1
    assert jm.set_index("stage").loc["awareness", "mentions"] == 0


def test_clue_breakdown():
    cb = clue_breakdown(RESULTS).set_index("clue")
    assert cb.loc["humanic", "mentions"] == 2 and cb.loc["functional", "mentions"] == 4
    assert cb.loc["mechanical", "mentions"] == 0


def test_driver_analysis_finds_the_drag():
    rng = np.random.default_rng(0)
    results, scores = [], []
    for i in range(300):
        late = rng.random() < 0.4
        rude = rng.random() < 0.2
        cheap = rng.random() < 0.5
        tps = ([("delivery_logistics", "negative")] if late else []) + ([("staff_behaviour", "negative")] if rude else []) \
            + ([("price_value", "positive")] if cheap else [])
        results.append(_res(f"r{i}", tps))
        scores.append(4.5 - 2.0 * late - 0.5 * rude + 0.3 * cheap + rng.normal(0, 0.2))
    scores[0] = float("nan")  # missing scores are skipped
    df = driver_analysis(results, scores)
    assert df.iloc[0]["touchpoint"] == "delivery_logistics"
    assert abs(df.set_index("touchpoint").loc["delivery_logistics", "coef_negative"] + 2.0) < 0.3
    assert df.set_index("touchpoint").loc["price_value", "impact"] > 0
    assert df.iloc[0]["mean_when_negative"] < df.iloc[0]["mean_without"]


def test_signal_summary_counts():
    s = signal_summary(RESULTS).set_index("signal")
    assert s.loc["churn_risk", "texts"] == 1 and s.loc["advocacy", "texts"] == 1
    assert s.loc["customer_effort", "texts"] == 0
    assert s.loc["churn_risk", "touchpoint"] == "delivery_logistics"
