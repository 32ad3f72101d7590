"""Touchpoint detector: zero-shot scoring, the supervised head (masks), calibration, save/load, roll-up.

Synthetic embeddings only (no encoder): fast and deterministic.
"""
from __future__ import annotations

import numpy as np
import pytest

from cx_nlp.cx.taxonomy import Taxonomy
from cx_nlp.cx.touchpoints import (Calibration, TouchpointDetector, clause_text, fit_polarity, fit_touchpoints,
                                   polarity_pairs)
from cx_nlp.result import SentenceResult
from cx_nlp.training.fit import FitConfig

D = 24
IDS = ["delivery", "support", "price"]
FAST = FitConfig(hidden=32, lr=5e-3, max_epochs=60, patience=8, seed=3)


def _unit(x):
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def centres():
    return _unit(np.random.default_rng(7).normal(size=(len(IDS), D)))


@pytest.fixture(scope="module")
def tax():
    return Taxonomy.from_dict({"name": "t", "touchpoints": [
        {"id": "delivery", "description": "Delivery, couriers and parcels.", "stage": "delivery_onboarding",
         "clue": "functional", "channel": {"mode": "mixed", "contact": "direct"}},
        {"id": "support", "description": "Customer support, hotline, chat.", "stage": "support_recovery", "clue": "humanic"},
        {"id": "price", "description": "Prices and value for money.", "stage": "purchase"},
    ]})


def _sample(centres, k, n, rng, noise=0.35):
    return _unit(centres[k] + noise * rng.normal(size=(n, D)))


@pytest.fixture(scope="module")
def base(tax, centres):
    return TouchpointDetector(tax, centres.copy(), np.arange(len(IDS)),
                              Calibration(temperature=0.05, gate_center=0.3, gate_width=0.05, keyword_bonus=0.0))


def _data(centres, n=150, seed=0):
    rng = np.random.default_rng(seed)
    X = np.concatenate([_sample(centres, k, n, rng) for k in range(len(IDS))])
    labels = [[IDS[k]] for k in range(len(IDS)) for _ in range(n)]
    return X, labels


def test_zero_shot_prefers_the_nearest_anchor(base, centres):
    X, labels = _data(centres, n=20)
    sc = base.scores(X)
    assert sc.shape == (60, 3) and np.all((sc >= 0) & (sc <= 1))
    acc = (sc.argmax(1) == np.asarray([IDS.index(l[0]) for l in labels])).mean()
    assert acc > 0.9


def test_detect_reports_sentiment_per_touchpoint(base, centres):
    X = centres[[0, 1]]
    p = np.array([[0.8, 0.1, 0.1], [0.1, 0.1, 0.8]])
    rows = base.detect(X, ["a", "b"], p)
    assert rows[0][0]["name"] == "delivery" and rows[0][0]["sentiment"] == "negative"
    assert rows[1][0]["name"] == "support" and rows[1][0]["sentiment"] == "positive"
    assert abs(sum(rows[0][0]["sentiment_scores"].values()) - 1) < 1e-3


def test_fit_learns_and_calibrates(base, centres):
    X, labels = _data(centres)
    det = fit_touchpoints(base, labels, embeddings=X, config=FAST)
    assert det.head is not None and det.head.config.labels == IDS
    assert 0.0 <= det.calibration.blend <= 1.0
    assert set(det.calibration.thresholds) == set(IDS)
    Xt, lt = _data(centres, n=30, seed=5)
    got = [r[0]["name"] if r else None for r in det.detect(Xt, ["x"] * len(Xt), None)]
    assert np.mean([g == l[0] for g, l in zip(got, lt)]) > 0.9
    assert det.info["validation"]["n"] > 0


def test_fit_is_seeded(base, centres):
    X, labels = _data(centres, n=60)
    a = fit_touchpoints(base, labels, embeddings=X, config=FAST)
    b = fit_touchpoints(base, labels, embeddings=X, config=FAST)
    np.testing.assert_array_equal(a.scores(X), b.scores(X))


def test_masked_labels_do_not_teach_absence(base, centres):
    """A corpus that only annotates "delivery" must not teach "support: absent" for its support-like rows."""
    rng = np.random.default_rng(1)
    pos = {k: _sample(centres, k, 80, rng) for k in range(3)}
    partial = _sample(centres, 1, 400, rng)  # support-like rows, labelled by a delivery-only corpus
    X = np.concatenate([pos[0], pos[1], pos[2], partial])
    labels = [["delivery"]] * 80 + [["support"]] * 80 + [["price"]] * 80 + [[]] * 400
    masked = [IDS] * 240 + [["delivery"]] * 400
    unmasked = [IDS] * 640
    probe = _sample(centres, 1, 50, rng)
    h_masked = fit_touchpoints(base, labels, embeddings=X, mask=masked, config=FAST)
    h_naive = fit_touchpoints(base, labels, embeddings=X, mask=unmasked, config=FAST)
    p_masked = h_masked.head_scores(probe)[:, 1].mean()
    p_naive = h_naive.head_scores(probe)[:, 1].mean()
    assert p_masked > 0.7
    assert p_masked > p_naive + 0.2


def test_label_errors_are_clear(base, centres):
    X, _ = _data(centres, n=5)
    with pytest.raises(ValueError, match="unknown touchpoint 'parking'"):
        fit_touchpoints(base, [["parking"]] * len(X), embeddings=X, config=FAST)
    with pytest.raises(ValueError, match="label rows"):
        fit_touchpoints(base, [["price"]], embeddings=X, config=FAST)
    with pytest.raises(ValueError, match="encoder"):
        fit_touchpoints(base.taxonomy, [["price"]], texts=["x"])


def test_save_load_round_trip(tmp_path, base, centres):
    X, labels = _data(centres, n=60)
    pol = [{"delivery": "negative"} if l == ["delivery"] else "positive" for l in labels]
    det = fit_touchpoints(base, labels, embeddings=X, polarity=pol, config=FAST)
    entry = det.save(tmp_path)
    assert (tmp_path / entry["weights"]).is_file() and (tmp_path / entry["config"]).is_file()
    back = TouchpointDetector.load(tmp_path, entry)
    p = np.tile([[0.2, 0.3, 0.5]], (len(X), 1))
    assert back.detect(X, ["x"] * len(X), p) == det.detect(X, ["x"] * len(X), p)
    assert back.calibration == det.calibration
    assert back.taxonomy == det.taxonomy


def test_custom_taxonomy_keeps_the_head_for_known_ids(tmp_path, base, centres):
    X, labels = _data(centres, n=60)
    det = fit_touchpoints(base, labels, embeddings=X, config=FAST)
    det.save(tmp_path)

    class Enc:  # embeds the new taxonomy's anchors: "price" again, and a touchpoint the head never saw
        def encode(self, texts):
            return np.stack([centres[2] if "Prices" in t else _unit(np.ones(D)) for t in texts])

    other = Taxonomy.from_dict({"name": "mine", "touchpoints": [
        {"id": "parking", "description": "Parking at the shop."}, {"id": "price", "description": "Prices."}]})
    mine = TouchpointDetector.load(tmp_path, taxonomy=other, encoder=Enc())
    assert mine.ids == ["parking", "price"]
    assert list(mine.head_columns()) == [-1, 2]
    hp = mine.head_scores(centres[[2]])
    assert np.isnan(hp[0, 0]) and hp[0, 1] > 0.5
    assert mine.scores(centres[[2]]).argmax() == 1


def _two_aspect_rows(centres, seed):
    """600 sentences about delivery (negative) and support (positive) at once; every 5th is validation."""
    rng = np.random.default_rng(seed)
    X = _unit(centres[0] + centres[1] + 0.3 * rng.normal(size=(600, D)))
    Y = np.zeros((600, 3), np.float32)
    Y[:, 0] = Y[:, 1] = 1
    pol = [{"delivery": "negative", "support": "positive"}] * 600
    valid = np.zeros(600, bool)
    valid[::5] = True
    return X, Y, pol, valid


def test_polarity_head_reads_the_touchpoint(base, centres):
    """Same sentence region, opposite polarity per touchpoint: only an aspect-aware head can tell."""
    X, Y, pol, valid = _two_aspect_rows(centres, seed=2)
    det = TouchpointDetector(base.taxonomy, base.anchors, base.anchor_tp, Calibration())
    det.polarity, metrics = fit_polarity(det, X, Y, pol, valid, config=FAST)
    assert metrics["accuracy"] > 0.95
    p = det.polarity_proba(X[:2], np.array([0, 1]))
    assert p[0].argmax() == 0 and p[1].argmax() == 2
    r, k, y = polarity_pairs(Y[:1], pol[:1], IDS)
    assert list(k) == [0, 1] and list(y) == [0, 2]


def test_pair_sentiment_blends_the_aspect_head_with_the_piece(base, centres):
    X, Y, pol, valid = _two_aspect_rows(centres, seed=2)
    det = TouchpointDetector(base.taxonomy, base.anchors, base.anchor_tp, Calibration(polarity_weight=0.6))
    det.polarity, _ = fit_polarity(det, X, Y, pol, valid, config=FAST)
    det.calibration.polarity_weight = 0.6  # fit_polarity without sentence probabilities sets its cap
    sent = np.array([[0.2, 0.2, 0.6], [0.7, 0.2, 0.1]])
    k = np.array([0, 1])
    got = det.pair_sentiment(X[:2], k, sent)
    assert np.allclose(got, 0.6 * det.polarity_proba(X[:2], k) + 0.4 * sent)
    assert np.allclose(det.pair_sentiment(X[:2], k, None), det.polarity_proba(X[:2], k))
    bare = TouchpointDetector(base.taxonomy, base.anchors, base.anchor_tp, Calibration())
    assert np.allclose(bare.pair_sentiment(X[:2], k, sent), sent) and bare.pair_sentiment(X[:2], k, None) is None


def _mention(name, score, neg, neu, pos):
    return {"name": name, "score": score, "sentiment": ["negative", "neutral", "positive"][int(np.argmax([neg, neu, pos]))],
            "sentiment_scores": {"negative": neg, "neutral": neu, "positive": pos}}


def test_read_contrast_turns_a_neutral_clause_against_a_sure_one(base):
    det = TouchpointDetector(base.taxonomy, base.anchors, base.anchor_tp, Calibration(contrast_confidence=0.6))
    product = _mention("product_quality", 0.8, 0.05, 0.15, 0.8)
    delivery = _mention("delivery_logistics", 0.5, 0.3, 0.6, 0.1)
    det.read_contrast([[product], [delivery]])
    assert delivery["sentiment"] == "negative"
    assert delivery["sentiment_scores"] == {"negative": 0.9, "neutral": 0.0, "positive": 0.1}
    assert product["sentiment"] == "positive" and product["sentiment_scores"]["positive"] == 0.8
    # the other side not sure enough, the same touchpoint on both sides, or a third clause: readings stay
    for clauses in ([[_mention("product_quality", 0.8, 0.1, 0.35, 0.55)], [_mention("delivery_logistics", 0.5, 0.3, 0.6, 0.1)]],
                    [[_mention("delivery_logistics", 0.8, 0.05, 0.15, 0.8)], [_mention("delivery_logistics", 0.5, 0.3, 0.6, 0.1)]],
                    [[_mention("product_quality", 0.8, 0.05, 0.15, 0.8)], [_mention("delivery_logistics", 0.5, 0.3, 0.6, 0.1)],
                     [_mention("price_value", 0.5, 0.1, 0.8, 0.1)]]):
        det.read_contrast(clauses)
        assert clauses[1][0]["sentiment"] == "neutral"
    off = TouchpointDetector(base.taxonomy, base.anchors, base.anchor_tp, Calibration(contrast_confidence=1.0))
    delivery = _mention("delivery_logistics", 0.5, 0.3, 0.6, 0.1)
    off.read_contrast([[_mention("product_quality", 0.8, 0.02, 0.03, 0.95)], [delivery]])
    assert delivery["sentiment"] == "neutral"


def test_rollup_best_first_with_evidence(base):
    s1 = SentenceResult(0, 10, "a", {}, {}, touchpoints=[
        {"name": "delivery", "score": 0.9, "sentiment": "negative",
         "sentiment_scores": {"negative": 0.9, "neutral": 0.05, "positive": 0.05}, "start": 0, "end": 10}])
    s2 = SentenceResult(11, 30, "b", {}, {}, touchpoints=[
        {"name": "support", "score": 0.6, "sentiment": "positive",
         "sentiment_scores": {"negative": 0.1, "neutral": 0.1, "positive": 0.8}, "start": 11, "end": 20},
        {"name": "delivery", "score": 0.4, "sentiment": "neutral",
         "sentiment_scores": {"negative": 0.3, "neutral": 0.6, "positive": 0.1}, "start": 21, "end": 30}])
    out = base.rollup([s1, s2])
    assert [t["name"] for t in out] == ["delivery", "support"]
    d = out[0]
    assert d["score"] == 0.9 and d["sentiment"] == "negative" and d["evidence"] == [[0, 10], [21, 30]]
    assert d["stage"] == "delivery_onboarding" and d["clue"] == "functional" and d["channel"] == "mixed"
    assert out[1]["sentiment"] == "positive" and out[1]["stage"] == "support_recovery"


@pytest.mark.parametrize("text,expected", [
    ("ale obsługa była miła.", "obsługa była miła."),
    ("but the support team was great", "the support team was great"),
    ("dar livrarea a întârziat", "livrarea a întârziat"),
    ("но цены высокие", "цены высокие"),
    ("اما پیک دیر رسید", "پیک دیر رسید"),
    ("Butter is good", "Butter is good"),
    ("however", "however"),
])
def test_clause_text_drops_the_opening_conjunction(text, expected):
    assert clause_text(text) == expected


def test_polarity_weight_is_tuned_off_the_validation_rows(base, centres):
    """The mixing weight and early stopping use a training-side split: the validation rows only report."""
    X, Y, pol, valid = _two_aspect_rows(centres, seed=3)
    sent = np.tile(np.array([[0.1, 0.1, 0.8]], np.float32), (600, 1))
    det = TouchpointDetector(base.taxonomy, base.anchors, base.anchor_tp, Calibration())
    det.polarity, m = fit_polarity(det, X, Y, pol, valid, config=FAST, sentiment=sent,
                                   langs=["en"] * 600, groups=[f"r{i // 2}" for i in range(600)])
    assert m["n_valid"] == 2 * int(valid.sum()) and m["n_calibration"] > 0
    assert m["n_train"] + m["n_calibration"] + m["n_valid"] == 1200
    assert 0 < det.calibration.polarity_weight <= 0.75


def test_model_card_touchpoint_section():
    from cx_nlp.training.model_card import set_card_section, touchpoint_section

    bench = {"groups": [{"corpus": "c", "lang": "ru", "level": "sentence", "n_single": 10, "top1": 0.8,
                         "top1_polarity": 0.9, "n_all": 12, "recall": 0.85, "polarity": 0.88, "precision": 0.7}],
             "pooled": {"n_single": 10, "top1": 0.8, "top1_polarity": 0.9, "n_all": 12, "recall": 0.85,
                        "polarity": 0.88, "precision": 0.7},
             "languages": {"ru": {"n_single": 10, "top1": 0.8, "top1_polarity": 0.9, "n_all": 12, "recall": 0.85,
                                  "polarity": 0.88, "precision": 0.7}}}
    card = "# m\n\n## Validation scores\nx\n\n## Training data and licences\n- a\n"
    once = set_card_section(card, touchpoint_section(bench))
    assert "| c | ru | sentence | 10 | 0.800 | 0.900 |" in once and "| ru | 10 | 0.800 |" in once
    assert once.index("## Touchpoints") < once.index("## Training data")
    assert set_card_section(once, touchpoint_section(bench)) == once  # replaced, not duplicated


def test_parse_touchpoint_labels_forms():
    from cx_nlp.errors import CxError
    from cx_nlp.training.touchpoints import parse_touchpoint_labels as parse

    assert parse("delivery_logistics:negative;customer_support:positive") == (
        ["delivery_logistics", "customer_support"], {"delivery_logistics": "negative", "customer_support": "positive"})
    assert parse('["price_value", "website_app"]') == (["price_value", "website_app"], {})
    assert parse(["a", "a", "b"]) == (["a", "b"], {})
    assert parse("none") == ([], {}) and parse(float("nan")) == ([], {}) and parse("[]") == ([], {})
    assert parse("a|b:Neutral") == (["a", "b"], {"b": "neutral"})
    with pytest.raises(CxError, match="E501"):
        parse("a:awful")
