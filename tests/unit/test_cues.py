"""Polarity cues: which side a piece of text takes for a touchpoint, and how a mention's sentiment moves."""
import numpy as np
import pytest

from cx_nlp.cx.taxonomy import Taxonomy
from cx_nlp.cx.touchpoints import TouchpointDetector, sentiment_vector, set_sentiment
from cx_nlp.text.cues import CueSet, fold, lean, sentiment_cues


@pytest.fixture(scope="module")
def price():
    tax = Taxonomy.load()
    return CueSet(tax.touchpoints[tax.ids.index("price_value")].polarity_cues)


@pytest.mark.parametrize("lang,text,side", [
    ("en", "Prices are low.", "positive"),
    ("en", "Way overpriced for what you get.", "negative"),
    ("en", "It isn't cheap at all.", "negative"),          # negation before the cue
    ("en", "No hidden fees at all, and cheap.", "positive"),  # a negation three words back is another word's
    ("ro", "Prețurile sunt mici.", "positive"),
    ("ro", "Preturile sunt mici.", "positive"),              # typed without diacritics
    ("ro", "Nu e scump.", "positive"),
    ("pl", "Ceny są niskie.", "positive"),
    ("pl", "Cena za wysoka w stosunku do jakości.", "negative"),
    ("ru", "Цены низкие.", "positive"),
    ("ru", "Не дёшево.", "negative"),
    ("ru", "Недорого и вкусно.", "positive"),                # one word: not the negated "дорого"
    ("fa", "قیمت‌ها پایین است.", "positive"),
    ("fa", "گران نیست", "positive"),                        # Persian negates after the word
    ("en", "Cheap, but the shipping was expensive.", None),  # both sides: no reading
    ("en", "The price was twenty euros.", None),
    ("ru", "Мы долго ехали по дороге.", None),               # "дорога" (road) is no price cue
])
def test_price_side(price, lang, text, side):
    assert price.side(text, lang) == side


def test_cues_are_per_language_and_touchpoint(price):
    assert price.side("Prices are low.", "pl") is None
    tax = Taxonomy.load()
    assert not CueSet(tax.touchpoints[tax.ids.index("staff_behaviour")].polarity_cues)


@pytest.mark.parametrize("lang,text,side", [
    ("ro", "Calitatea este proastă.", "negative"),
    ("ro", "Calitatea nu este deloc proastă.", "positive"),
    ("ro", "Nu atât de extraordinar pe cât spuneau.", "negative"),  # degree words keep the negation's reach
    ("pl", "Jedzenie jest okropne.", "negative"),
    ("pl", "Obsługa była bardzo uprzejma.", "positive"),
    ("pl", "Pani wcale nie jest tak bardzo miła.", "negative"),
    ("pl", "Obsługa była miła, ale jedzenie okropne.", None),
    ("en", "The food is terrible.", None),                       # no English lexicon: the encoder hears it
])
def test_sentence_side(lang, text, side):
    assert sentiment_cues().side(text, lang) == side


def test_fold_drops_case_accents_zwnj_and_apostrophes():
    assert fold("Prețurile ÎNCĂ") == "preturile inca"
    assert fold("isn't") == "isnt"
    assert fold("قیمت\u200cها") == "قیمتها"


def test_read_cues_moves_the_other_side_to_the_cued_one():
    tax = Taxonomy.from_dict({"touchpoints": [
        {"id": "price", "description": "prices", "polarity_cues": {"positive": {"en": ["cheap"]}}},
        {"id": "staff", "description": "staff"}]})
    det = TouchpointDetector(tax, np.zeros((0, 4), np.float32), np.zeros(0, np.int64))
    price, staff, bare = {"name": "price", "score": 0.9}, {"name": "staff", "score": 0.8}, {"name": "price", "score": 0.5}
    set_sentiment(price, np.array([0.7, 0.2, 0.1]))
    set_sentiment(staff, np.array([0.7, 0.2, 0.1]))
    det.read_cues([price, staff, bare], "Cheap and cheerful.", "en")
    assert np.allclose(sentiment_vector(price), [0.0, 0.2, 0.8]) and price["sentiment"] == "positive"
    assert np.allclose(sentiment_vector(staff), [0.7, 0.2, 0.1])  # no cues of its own
    assert "sentiment" not in bare  # a mention without a reading gets none
    det.read_cues([price], "Not cheap.", "en")
    assert np.allclose(sentiment_vector(price), [0.8, 0.2, 0.0]) and price["sentiment"] == "negative"
    # without cues of its own, a touchpoint takes the side of the piece's sentence cues
    set_sentiment(staff, np.array([0.1, 0.2, 0.7]))
    det.read_cues([staff, price], "Cheap, and the staff were okropni.", "en", fallback="negative")
    assert np.allclose(sentiment_vector(staff), [0.8, 0.2, 0.0]) and price["sentiment"] == "positive"


def test_lean_moves_the_other_side_only():
    p = np.array([0.6, 0.3, 0.1])
    assert np.allclose(lean(p, "positive"), [0.0, 0.3, 0.7])
    assert np.allclose(lean(p, "negative"), [0.7, 0.3, 0.0])
    assert lean(p, None) is p
