"""CX signals from multilingual cue lexicons + sentence sentiment/emotions (no model needed)."""
from __future__ import annotations

import pytest

from cx_nlp.cx.signals import SIGNAL_TYPES, detect_signals, find_cues, sentence_signals

NEG = {"label": "negative", "score": 0.9, "scores": {"negative": 0.9, "neutral": 0.07, "positive": 0.03}}
POS = {"label": "positive", "score": 0.9, "scores": {"negative": 0.03, "neutral": 0.07, "positive": 0.9}}
NEU = {"label": "neutral", "score": 0.8, "scores": {"negative": 0.1, "neutral": 0.8, "positive": 0.1}}

CUES = [
    ("en", "I'm cancelling my subscription, never again.", "churn_risk"),
    ("en", "I would not recommend this shop to anyone.", "churn_risk"),
    ("en", "I highly recommend them!", "advocacy"),
    ("en", "Will definitely buy from them again.", "advocacy"),
    ("en", "I called three times and nobody answered.", "customer_effort"),
    ("en", "Still waiting for my refund after a month.", "customer_effort"),
    ("pl", "Nigdy więcej nie zamówię w tym sklepie.", "churn_risk"),
    ("pl", "Rezygnuję z ich usług.", "churn_risk"),
    ("pl", "Nie polecam.", "churn_risk"),
    ("pl", "Polecam wszystkim!", "advocacy"),
    ("pl", "Trzy razy dzwoniłem na infolinię.", "customer_effort"),
    ("pl", "Nadal czekam na zwrot pieniędzy.", "customer_effort"),
    ("ro", "Nu mai cumpăr niciodată de aici.", "churn_risk"),
    ("ro", "Nu recomand acest magazin.", "churn_risk"),
    ("ro", "Vă recomand cu căldură!", "advocacy"),
    ("ro", "Am sunat de trei ori la call center.", "customer_effort"),
    ("ru", "Больше никогда не закажу здесь.", "churn_risk"),
    ("ru", "Отказываюсь от их услуг.", "churn_risk"),
    ("ru", "Не рекомендую.", "churn_risk"),
    ("ru", "Рекомендую всем!", "advocacy"),
    ("ru", "Звонил несколько раз, никто не отвечает.", "customer_effort"),
    ("fa", "دیگر از این فروشگاه خرید نمی‌کنم.", "churn_risk"),
    ("fa", "دیگه ازشون نمیخرم", "churn_risk"),
    ("fa", "اصلا پیشنهاد نمی‌کنم", "churn_risk"),
    ("fa", "پیشنهاد می‌کنم حتما بخرید.", "advocacy"),
    ("fa", "چند بار زنگ زدم ولی کسی جواب نداد.", "customer_effort"),
]


@pytest.mark.parametrize("lang,text,kind", CUES)
def test_cues_in_five_languages(lang, text, kind):
    cues = find_cues(text, lang)
    assert kind in cues, cues
    assert find_cues(text, None).get(kind), "cues must also be found when the language is unknown"


@pytest.mark.parametrize("lang,text", [
    ("en", "I would not recommend them."), ("pl", "Nie polecam tego sklepu."), ("ro", "Nu vă recomand."),
    ("ru", "Не рекомендую этот магазин."), ("fa", "اصلا توصیه نمی‌کنم"),
])
def test_negated_recommendation_is_churn_not_advocacy(lang, text):
    cues = find_cues(text, lang)
    assert "advocacy" not in cues and "churn_risk" in cues


@pytest.mark.parametrize("lang,text", [
    ("en", "The food was great and the staff friendly."), ("pl", "Jedzenie było pyszne."), ("ro", "Mâncarea a fost bună."),
    ("ru", "Еда вкусная, персонал вежливый."), ("fa", "غذا خوشمزه بود."),
])
def test_plain_sentences_raise_no_cue(lang, text):
    assert find_cues(text, lang) == {}


def test_persian_letter_variants_and_zwnj_are_normalised():
    assert "advocacy" in find_cues("پيشنهاد مي كنم", "fa")  # Arabic yeh/kaf, no ZWNJ
    assert "advocacy" in find_cues("پیشنهاد می\u200cکنم", "fa")


def test_scores_follow_sentiment():
    churn_neg = sentence_signals("Never again.", NEG, lang="en")[0]
    churn_neu = sentence_signals("Never again.", NEU, lang="en")[0]
    assert churn_neg["type"] == "churn_risk" and churn_neg["score"] > churn_neu["score"] >= 0.6
    adv_pos = sentence_signals("I recommend them.", POS, lang="en")[0]
    adv_neg = sentence_signals("I recommend them.", NEG, lang="en")[0]
    assert adv_pos["score"] > adv_neg["score"]
    assert all(0 <= s["score"] <= 1 for s in (churn_neg, churn_neu, adv_pos, adv_neg))


def _sent(start, end, text, sentiment, emotions=None, touchpoints=()):
    return {"start": start, "end": end, "text": text, "sentiment": sentiment, "emotions": emotions or {},
            "touchpoints": list(touchpoints)}


def test_detect_signals_one_per_type_with_offsets():
    tp = {"name": "customer_support", "score": 0.8, "sentiment": "negative", "stage": "support_recovery",
          "sentiment_scores": {"negative": 0.95, "neutral": 0.03, "positive": 0.02}}
    sents = [
        _sent(0, 41, "I called three times and nobody answered.", NEG, {"anger": 0.9}, [tp]),
        _sent(42, 75, "This is the worst service ever!!", NEG, {"anger": 0.95, "disgust": 0.6}, [tp]),
        _sent(76, 88, "Never again.", NEG),
        _sent(89, 104, "Never again!!!", NEG),
    ]
    out = detect_signals(sents, "en")
    kinds = [s["type"] for s in out]
    assert sorted(kinds) == sorted(["customer_effort", "moment_of_truth", "churn_risk"])
    assert kinds == sorted(kinds, key=lambda k: -next(s["score"] for s in out if s["type"] == k))
    by = {s["type"]: s for s in out}
    assert by["churn_risk"]["count"] == 2
    assert by["customer_effort"]["start"] == 0 and by["customer_effort"]["end"] == 41
    assert by["customer_effort"]["text"] == "I called three times and nobody answered."
    assert by["moment_of_truth"]["touchpoint"] == "customer_support"
    assert by["moment_of_truth"]["text"] == "This is the worst service ever!!"
    for s in out:
        assert set(s) >= {"type", "score", "start", "end", "text"} and s["type"] in SIGNAL_TYPES


def test_no_moment_of_truth_without_touchpoint_or_intensity():
    calm_tp = {"name": "price_value", "score": 0.5, "stage": "purchase",
               "sentiment_scores": {"negative": 0.3, "neutral": 0.5, "positive": 0.2}}
    sents = [_sent(0, 10, "It was ok.", NEU, {"joy": 0.1}, [calm_tp]), _sent(11, 30, "Absolutely awful!!", NEG, {"anger": 0.9})]
    assert [s["type"] for s in detect_signals(sents, "en")] == []


def test_detect_signals_accepts_sentence_objects_and_skips_blank():
    from cx_nlp.result import SentenceResult

    s = SentenceResult(0, 8, "Polecam!", POS, {"joy": 0.8}, [])
    out = detect_signals([s, SentenceResult(9, 9, "", NEU, {}, [])], "pl")
    assert [x["type"] for x in out] == ["advocacy"] and out[0]["cue"] == "polecam"
