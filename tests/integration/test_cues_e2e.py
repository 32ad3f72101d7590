"""The sentence cue lexicon on the real bundled model: the Romanian and Polish words the encoder reads the
wrong way, and what the lexicon must leave alone."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

# (language, text, sentiment): the model card's known limit, written for this test
BLIND = [
    ("pl", "Jedzenie jest okropne.", "negative"),
    ("ro", "Calitatea este proastă.", "negative"),
    ("pl", "Obsługa była bardzo uprzejma.", "positive"),
    ("ro", "Firma are o reputație proastă.", "negative"),
    ("pl", "Obsługa klienta jest okropna.", "negative"),
]


def _labels(analyzer, texts):
    return [r.sentiment["label"] for r in analyzer.predict(texts)]


def test_blind_spot_words_read_right_with_the_lexicon_and_not_without(analyzer):
    texts, gold = [t for _, t, _ in BLIND], [s for *_, s in BLIND]
    assert _labels(analyzer, texts) == gold
    shipped = analyzer.sentiment_cues
    try:
        analyzer.sentiment_cues = None
        without = _labels(analyzer, texts)
    finally:
        analyzer.sentiment_cues = shipped
    assert sum(a == b for a, b in zip(without, gold)) <= 2, without  # the heads alone miss most of them


def test_touchpoints_follow_the_clause_cues(analyzer):
    r = analyzer.predict("Kelnerka była bardzo miła, ale zupa była zimna.")
    got = {t["name"]: t["sentiment"] for t in r.touchpoints}
    assert got.get("staff_behaviour") == "positive" and got.get("product_quality") == "negative", got


def test_a_negated_cue_and_other_languages_are_left_to_the_heads(analyzer):
    # "not bad at all": the negation turns the cue; English has no lexicon
    assert _labels(analyzer, ["Calitatea nu este deloc proastă, sunt mulțumit."]) == ["positive"]
    shipped = analyzer.sentiment_cues
    en = ["The food is terrible.", "Great staff, very polite."]
    try:
        analyzer.sentiment_cues = None
        heads = analyzer.predict(en)
    finally:
        analyzer.sentiment_cues = shipped
    cued = analyzer.predict(en)
    assert [r.sentiment["scores"] for r in cued] == [r.sentiment["scores"] for r in heads]


def test_load_can_turn_the_lexicon_off():
    from cx_nlp import Analyzer

    an = Analyzer.load(sentiment_cues=False)
    assert an.sentiment_cues is None
