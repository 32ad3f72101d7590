"""Touchpoints, per-touchpoint sentiment and signals on the real bundled model.

The reviews below were written for this test (not taken from any corpus, and not the taxonomy's own
examples): short, clear, one touchpoint each, in en/ro/pl/ru/fa; and mixed reviews that praise one
touchpoint and criticise another in one sentence.
"""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

# (language, touchpoint, polarity, text)
SINGLE = [
    ('en', 'advertising_marketing', 'negative', 'Their radio commercials are so loud and repetitive that I switch stations every time.'),
    ('en', 'brand_reputation', 'positive', 'I chose them because of their excellent reputation among my colleagues.'),
    ('en', 'website_app', 'negative', 'The mobile app is slow and the menu is confusing to navigate.'),
    ('en', 'sales_ordering', 'negative', 'They cancelled my order without any explanation because the item was suddenly out of stock.'),
    ('en', 'price_value', 'positive', 'Very reasonable prices and frequent discounts make it great value.'),
    ('en', 'product_quality', 'negative', 'The zipper on the backpack broke after two days of use.'),
    ('en', 'delivery_logistics', 'positive', 'The courier delivered my package the very next morning, well ahead of schedule.'),
    ('en', 'store_environment', 'positive', 'The hotel lobby is spacious, bright and very clean.'),
    ('en', 'staff_behaviour', 'positive', 'The receptionist greeted us with a smile and was extremely helpful.'),
    ('en', 'customer_support', 'negative', 'I sent four emails to their support team and never got a reply.'),
    ('en', 'billing_payment', 'negative', 'My invoice included charges for services I never ordered.'),
    ('en', 'returns_refunds', 'positive', 'They accepted the return without a receipt and refunded me on the spot.'),
    ('ro', 'advertising_marketing', 'negative', 'Spoturile lor de la radio sunt atât de repetitive încât schimb postul imediat.'),
    ('ro', 'brand_reputation', 'negative', 'După toate scandalurile din presă, firma asta are o reputație proastă.'),
    ('ro', 'website_app', 'positive', 'Site-ul lor e foarte ușor de folosit și găsești rapid orice produs.'),
    ('ro', 'sales_ordering', 'negative', 'Mi-au anulat comanda fără nicio explicație, spunând că produsul nu mai e pe stoc.'),
    ('ro', 'price_value', 'negative', 'Totul e mult prea scump, nu merită banii.'),
    ('ro', 'product_quality', 'positive', 'Aspiratorul funcționează perfect și e foarte silențios.'),
    ('ro', 'delivery_logistics', 'negative', 'Curierul a venit cu o săptămână întârziere și coletul era deteriorat.'),
    ('ro', 'store_environment', 'negative', 'Restaurantul era murdar, mesele lipicioase și muzica mult prea tare.'),
    ('ro', 'staff_behaviour', 'positive', 'Ospătarul a fost foarte amabil și ne-a adus repede tot ce am cerut.'),
    ('ro', 'customer_support', 'negative', 'Am sunat la serviciul clienți de cinci ori și nimeni nu m-a ajutat.'),
    ('ro', 'billing_payment', 'negative', 'Factura primită conținea servicii pe care nu le-am comandat niciodată.'),
    ('ro', 'returns_refunds', 'positive', 'Mi-au înlocuit imediat televizorul defect, fără nicio discuție, în baza garanției.'),
    ('pl', 'advertising_marketing', 'negative', 'Reklamy tej sieci w radiu są głośne i denerwujące.'),
    ('pl', 'brand_reputation', 'positive', 'Wybrałem ich ze względu na bardzo dobrą opinię wśród znajomych.'),
    ('pl', 'website_app', 'negative', 'Strona internetowa ciągle się zawiesza i nie da się dokończyć logowania.'),
    ('pl', 'sales_ordering', 'positive', 'Rezerwacja stolika przez internet zajęła minutę i wszystko się zgadzało.'),
    ('pl', 'price_value', 'positive', 'Bardzo przystępne ceny i częste promocje, naprawdę się opłaca.'),
    ('pl', 'product_quality', 'negative', 'Zamek w plecaku zepsuł się po dwóch dniach.'),
    ('pl', 'delivery_logistics', 'negative', 'Kurier spóźnił się dwa dni, a paczka była zgnieciona.'),
    ('pl', 'store_environment', 'positive', 'Wnętrze restauracji jest przytulne, czyste i pięknie urządzone.'),
    ('pl', 'staff_behaviour', 'negative', 'Pani w recepcji była bardzo nieuprzejma i nawet się nie przywitała.'),
    ('pl', 'customer_support', 'positive', 'Infolinia odebrała od razu, a konsultantka cierpliwie wszystko mi wyjaśniła.'),
    ('pl', 'billing_payment', 'negative', 'Płatność kartą nie przeszła, a pieniądze i tak zniknęły z konta.'),
    ('pl', 'returns_refunds', 'negative', 'Reklamację telefonu rozpatrywali dwa miesiące i w końcu ją odrzucili.'),
    ('ru', 'advertising_marketing', 'negative', 'Их реклама по радио такая навязчивая, что я сразу переключаю станцию.'),
    ('ru', 'brand_reputation', 'negative', 'У этой компании ужасная репутация, все знакомые меня отговаривали.'),
    ('ru', 'website_app', 'positive', 'Мобильное приложение работает быстро и очень понятно устроено.'),
    ('ru', 'sales_ordering', 'negative', 'Мой заказ отменили без объяснений, потому что товара вдруг не оказалось в наличии.'),
    ('ru', 'price_value', 'negative', 'Цены просто грабительские, в соседнем магазине всё в два раза дешевле.'),
    ('ru', 'product_quality', 'positive', 'Пылесос отлично работает и почти не шумит.'),
    ('ru', 'delivery_logistics', 'positive', 'Курьер привёз посылку на следующий день, всё в целости.'),
    ('ru', 'store_environment', 'negative', 'В зале грязно, душно и играет слишком громкая музыка.'),
    ('ru', 'staff_behaviour', 'positive', 'Официант был очень вежлив и внимателен к нам весь вечер.'),
    ('ru', 'customer_support', 'negative', 'Дозвониться в службу поддержки невозможно, час висел на линии.'),
    ('ru', 'billing_payment', 'negative', 'В счёте оказались услуги, которые я никогда не заказывал.'),
    ('ru', 'returns_refunds', 'positive', 'Бракованный чайник обменяли по гарантии за десять минут.'),
    ('fa', 'advertising_marketing', 'negative', 'تبلیغات رادیویی\u200cشان آن\u200cقدر تکراری است که هر بار ایستگاه را عوض می\u200cکنم.'),
    ('fa', 'brand_reputation', 'positive', 'این برند سابقه\u200cی خیلی خوبی دارد و همه از آن تعریف می\u200cکنند.'),
    ('fa', 'website_app', 'negative', 'اپلیکیشن خیلی کند است و منوهایش گیج\u200cکننده است.'),
    ('fa', 'sales_ordering', 'negative', 'سفارشم را بدون هیچ توضیحی لغو کردند چون کالا ناموجود شد.'),
    ('fa', 'price_value', 'negative', 'قیمت\u200cها خیلی گران است و اصلاً ارزش خرید ندارد.'),
    ('fa', 'product_quality', 'positive', 'طعم این شکلات عالی است و خیلی تازه بود.'),
    ('fa', 'delivery_logistics', 'negative', 'پیک دو ساعت دیر رسید و بسته\u200cام له شده بود.'),
    ('fa', 'store_environment', 'positive', 'فضای رستوران تمیز و دنج است و موسیقی آرامی پخش می\u200cشود.'),
    ('fa', 'staff_behaviour', 'negative', 'فروشنده خیلی بی\u200cادب بود و جواب سلامم را هم نداد.'),
    ('fa', 'customer_support', 'negative', 'یک ساعت پشت خط پشتیبانی ماندم و کسی جواب نداد.'),
    ('fa', 'billing_payment', 'negative', 'پرداخت اینترنتی انجام نشد و با این حال پول از حسابم کم شد.'),
    ('fa', 'returns_refunds', 'positive', 'کالای معیوب را بدون هیچ مشکلی پس گرفتند و پولم را برگرداندند.'),
]

# (language, text, {touchpoint or alternatives joined by "|": polarity})
MIXED = [
    ('en', 'The delivery was late, but the support team was great and sorted everything out.',
     {'delivery_logistics': 'negative', 'customer_support': 'positive'}),
    ('en', 'The food was delicious but the waiter was incredibly rude.',
     {'product_quality': 'positive', 'staff_behaviour': 'negative'}),
    ('pl', 'Kurier spóźnił się dwa dni, ale obsługa była miła.',
     {'delivery_logistics': 'negative', 'staff_behaviour|customer_support': 'positive'}),
    ('pl', 'Ceny są bardzo przystępne, ale jakość produktów jest bardzo słaba.',
     {'price_value': 'positive', 'product_quality': 'negative'}),
    ('ro', 'Produsul este excelent, dar livrarea a durat două săptămâni.',
     {'product_quality': 'positive', 'delivery_logistics': 'negative'}),
    ('ro', 'Camera de hotel era curată, dar recepționera a fost nepoliticoasă.',
     {'store_environment': 'positive', 'staff_behaviour': 'negative'}),
    ('ru', 'Еда вкусная, но цены слишком высокие.',
     {'product_quality': 'positive', 'price_value': 'negative'}),
    ('ru', 'Доставка быстрая, но телефон оказался бракованным.',
     {'delivery_logistics': 'positive', 'product_quality': 'negative'}),
    ('fa', 'غذا خوشمزه بود اما پیک خیلی دیر رسید.',
     {'product_quality': 'positive', 'delivery_logistics': 'negative'}),
    ('fa', 'قیمت مناسبی دارد ولی پشتیبانی هیچ وقت جواب نمی\u200cدهد.',
     {'price_value': 'positive', 'customer_support': 'negative'}),
]

# Written after the rule that turns a neutral clause against a sure one across "but" was designed on MIXED,
# before it was measured on these: 16/25 reviews (41/50 touchpoints) without it, 18/25 (43/50) with it.
# Known misses: "low prices" reads negative (ro, pl, ru, fa); Polish "miła" (kind) reads negative; a
# Polish or Russian delivery clause that only states a duration or a delay is not detected.
MIXED_MORE = [
    ('en', 'The app is easy to use, but my refund took six weeks to arrive.',
     {'website_app': 'positive', 'returns_refunds': 'negative'}),
    ('en', 'Great prices, but the parcel arrived with the box crushed.',
     {'price_value': 'positive', 'delivery_logistics': 'negative'}),
    ('en', 'The checkout page kept crashing, but the customer service agent fixed my order in five minutes.',
     {'website_app': 'negative', 'customer_support|staff_behaviour': 'positive'}),
    ('en', 'The laptop works perfectly, but I was charged twice for it.',
     {'product_quality': 'positive', 'billing_payment': 'negative'}),
    ('en', 'Delivery took a month, but the quality of the sofa is outstanding.',
     {'delivery_logistics': 'negative', 'product_quality': 'positive'}),
    ('ro', 'Aplicația este foarte ușor de folosit, dar rambursarea a durat două luni.',
     {'website_app': 'positive', 'returns_refunds': 'negative'}),
    ('ro', 'Prețurile sunt mici, dar coletul a ajuns deteriorat.',
     {'price_value': 'positive', 'delivery_logistics': 'negative'}),
    ('ro', 'Personalul a fost foarte amabil, dar mâncarea era rece.',
     {'staff_behaviour': 'positive', 'product_quality': 'negative'}),
    ('ro', 'Curierul a întârziat trei zile, dar produsul este de calitate foarte bună.',
     {'delivery_logistics': 'negative', 'product_quality': 'positive'}),
    ('ro', 'Magazinul este curat și primitor, dar prețurile sunt prea mari.',
     {'store_environment': 'positive', 'price_value': 'negative'}),
    ('pl', 'Aplikacja działa świetnie, ale na zwrot pieniędzy czekałem miesiąc.',
     {'website_app': 'positive', 'returns_refunds': 'negative'}),
    ('pl', 'Ceny są niskie, ale paczka przyszła uszkodzona.',
     {'price_value': 'positive', 'delivery_logistics': 'negative'}),
    ('pl', 'Kelnerka była bardzo miła, ale zupa była zimna.',
     {'staff_behaviour': 'positive', 'product_quality': 'negative'}),
    ('pl', 'Dostawa trwała trzy tygodnie, ale buty są bardzo wygodne.',
     {'delivery_logistics': 'negative', 'product_quality': 'positive'}),
    ('pl', 'Konsultant na infolinii szybko pomógł, ale faktura była błędna.',
     {'customer_support|staff_behaviour': 'positive', 'billing_payment': 'negative'}),
    ('ru', 'Приложение удобное, но возврат денег занял два месяца.',
     {'website_app': 'positive', 'returns_refunds': 'negative'}),
    ('ru', 'Цены низкие, но посылка пришла повреждённой.',
     {'price_value': 'positive', 'delivery_logistics': 'negative'}),
    ('ru', 'Официант был очень вежлив, но суп был холодным.',
     {'staff_behaviour': 'positive', 'product_quality': 'negative'}),
    ('ru', 'Курьер опоздал на три дня, но качество товара отличное.',
     {'delivery_logistics': 'negative', 'product_quality': 'positive'}),
    ('ru', 'Сайт постоянно зависает, но служба поддержки быстро решила проблему.',
     {'website_app': 'negative', 'customer_support': 'positive'}),
    ('fa', 'اپلیکیشن خیلی راحت است اما بازگشت پول دو ماه طول کشید.',
     {'website_app': 'positive', 'returns_refunds': 'negative'}),
    ('fa', 'قیمت\u200cها پایین است ولی بسته آسیب\u200cدیده رسید.',
     {'price_value': 'positive', 'delivery_logistics': 'negative'}),
    ('fa', 'کارکنان خیلی مودب بودند اما غذا سرد بود.',
     {'staff_behaviour': 'positive', 'product_quality': 'negative'}),
    ('fa', 'ارسال سه هفته طول کشید اما کیفیت محصول عالی است.',
     {'delivery_logistics': 'negative', 'product_quality': 'positive'}),
    ('fa', 'سایت مدام خطا می\u200cدهد ولی پشتیبانی سریع مشکل را حل کرد.',
     {'website_app': 'negative', 'customer_support': 'positive'}),
]

@pytest.fixture(scope="module")
def single_results(analyzer):
    return analyzer.predict([t for *_, t in SINGLE])


def test_short_clear_reviews_top_touchpoint(single_results):
    per_lang: dict[str, list[int]] = {}
    misses = []
    for (lang, tp, _pol, text), r in zip(SINGLE, single_results):
        top = r.touchpoints[0]["name"] if r.touchpoints else None
        c = per_lang.setdefault(lang, [0, 0])
        c[0] += top == tp
        c[1] += 1
        if top != tp:
            misses.append((lang, tp, top, text))
    assert set(per_lang) == {"en", "ro", "pl", "ru", "fa"}
    total = sum(c[0] for c in per_lang.values()) / len(SINGLE)
    assert total >= 0.85, (total, misses)
    for lang, (ok, n) in per_lang.items():
        assert ok / n >= 0.75, (lang, ok, n, misses)


def test_short_clear_reviews_touchpoint_polarity(single_results):
    right = [(pol, r.touchpoints[0].get("sentiment")) for (_l, tp, pol, _t), r in zip(SINGLE, single_results)
             if r.touchpoints and r.touchpoints[0]["name"] == tp]
    acc = sum(a == b for a, b in right) / len(right)
    assert acc >= 0.85, (acc, right)


def test_touchpoint_fields(single_results):
    for (_l, _tp, _p, text), r in zip(SINGLE, single_results):
        for t in r.touchpoints:
            assert {"name", "score", "sentiment", "label", "stage", "channel", "contact", "clue", "evidence"} <= set(t)
            assert 0 <= t["score"] <= 1 and t["sentiment"] in ("negative", "neutral", "positive")
            for a, b in t["evidence"]:
                assert 0 <= a < b <= len(text)
        scores = [t["score"] for t in r.touchpoints]
        assert scores == sorted(scores, reverse=True)


def _right(result, expected):
    """Per expected touchpoint ("a|b": either), whether the result names it with that polarity."""
    got = {t["name"]: t.get("sentiment") for t in result.touchpoints}
    return [any(got.get(name) == pol for name in key.split("|")) for key, pol in expected.items()], got


def _has_all(result, expected):
    right, got = _right(result, expected)
    return all(right), got


def test_mixed_reviews_get_both_touchpoints_with_their_polarity(analyzer):
    results = analyzer.predict([t for _, t, _ in MIXED])
    failures = []
    for (lang, text, expected), r in zip(MIXED, results):
        ok, got = _has_all(r, expected)
        if not ok:
            failures.append((lang, text, expected, got))
    assert len(failures) <= 1, failures  # at least 9 of 10, in every language
    assert {lang for lang, *_ in MIXED} - {f[0] for f in failures}, failures



def test_more_mixed_reviews(analyzer):
    results = analyzer.predict([t for _, t, _ in MIXED_MORE])
    reviews = touchpoints = 0
    for (_, _, expected), r in zip(MIXED_MORE, results):
        right, _ = _right(r, expected)
        reviews += all(right)
        touchpoints += sum(right)
    # 18/25 and 43/50 when written; 22/25 and 47/50 with the cue words (int8 without VNNI: 17 and 42 without
    # them, 21 and 46 with the price cues alone)
    assert reviews >= 20 and touchpoints >= 45, (reviews, touchpoints)


PRICES = [("en", "Prices are low.", "Prices are high."), ("ro", "Prețurile sunt mici.", "Prețurile sunt mari."),
          ("pl", "Ceny są niskie.", "Ceny są wysokie."), ("ru", "Цены низкие.", "Цены высокие."),
          ("fa", "قیمت‌ها پایین است.", "قیمت‌ها بالا است.")]


def test_price_direction_reads_from_the_taxonomy_cues(analyzer):
    """The encoder puts "Prices are low." at cosine 0.93 to "Prices are high.": without the taxonomy's
    polarity cues every low-price sentence reads negative."""
    def price(texts):
        return [{t["name"]: t["sentiment"] for t in r.touchpoints}.get("price_value") for r in analyzer.predict(texts)]

    low, high = [p[1] for p in PRICES], [p[2] for p in PRICES]
    assert price(low) == ["positive"] * 5 and price(high) == ["negative"] * 5
    assert price(["The room was nice, but it was not cheap."]) == ["negative"]
    det = analyzer.touchpoints
    shipped = det.taxonomy
    try:
        det.taxonomy = shipped.without_polarity_cues()
        assert price(low) == ["negative"] * 5
    finally:
        det.taxonomy = shipped


def test_a_neutral_clause_reads_against_the_other_side_of_but(analyzer):
    """"Livrarea a durat două săptămâni" (delivery took two weeks) states a fact; after praise and "dar"
    it is a complaint. With the rule off the clause reads neutral."""
    text = "Produsul este excelent, dar livrarea a durat două săptămâni."
    calibration = analyzer.touchpoints.calibration
    shipped = calibration.contrast_confidence
    try:
        readings = {}
        for c in (shipped, 1.0):
            calibration.contrast_confidence = c
            readings[c] = {t["name"]: t["sentiment"] for t in analyzer.predict(text).touchpoints}
    finally:
        calibration.contrast_confidence = shipped
    assert readings[shipped]["delivery_logistics"] == "negative"
    assert readings[shipped]["product_quality"] == "positive"
    assert readings[1.0]["delivery_logistics"] == "neutral"

@pytest.mark.parametrize("text,expected", [
    ("Kurier spóźnił się dwa dni, ale obsługa była miła.",
     {"delivery_logistics": "negative", "staff_behaviour|customer_support": "positive"}),
    ("The delivery was late, but the support team was great and sorted everything out.",
     {"delivery_logistics": "negative", "customer_support": "positive"}),
])
def test_issue_examples(analyzer, text, expected):
    r = analyzer.predict(text)
    ok, got = _has_all(r, expected)
    assert ok, got
    # evidence points at the clause, not the whole sentence
    delivery = next(t for t in r.touchpoints if t["name"] == "delivery_logistics")
    a, b = delivery["evidence"][0]
    assert b < len(text) and text[a:b].strip()


@pytest.mark.parametrize("text", [
    "Zamówiłem pizzę, ale przyszła zimna.",  # read from the clause alone: ordering positive
    "I called the hotline three times, but nobody picked up.",
])
def test_one_touchpoint_across_but_reads_the_whole_sentence(analyzer, text):
    """The clause that names the touchpoint states a fact; the turn after "but" says how it went."""
    r = analyzer.predict(text)
    assert len(r.sentences) == 1 and r.touchpoints
    assert [t["sentiment"] for t in r.touchpoints] == ["negative"] * len(r.touchpoints), r.touchpoints
    # the evidence is still the clause that names it
    assert r.sentences[0].touchpoints[0]["end"] < len(text.rstrip("."))


def test_signals_in_results(analyzer):
    texts = ["Zadzwoniłem trzy razy na infolinię i nikt nie odebrał. Rezygnuję z ich usług.",
             "Excellent food and a lovely waiter, I highly recommend this place!",
             "Am sunat de trei ori la call center și tot nu mi-au rezolvat problema.",
             "Больше никогда не закажу у них.",
             "پیشنهاد می‌کنم حتما از این فروشگاه خرید کنید."]
    want = [{"customer_effort", "churn_risk"}, {"advocacy"}, {"customer_effort"}, {"churn_risk"}, {"advocacy"}]
    for text, kinds, r in zip(texts, want, analyzer.predict(texts)):
        got = {s["type"] for s in r.signals}
        assert kinds <= got, (text, r.signals)
        for s in r.signals:
            assert text[s["start"]:s["end"]] == s["text"] and 0 <= s["score"] <= 1
    d = analyzer.predict(texts[0]).to_dict()
    assert d["signals"] and {"type", "score", "start", "end", "text"} <= set(d["signals"][0])


def test_users_own_taxonomy_zero_training(tmp_path):
    from cx_nlp import Analyzer

    path = tmp_path / "mine.yaml"
    path.write_text(
        "name: airline\n"
        "touchpoints:\n"
        "  - id: baggage\n"
        "    description: Checked baggage and luggage, lost, delayed or damaged suitcases, baggage claim.\n"
        "  - id: cabin_crew\n"
        "    description: Flight attendants and cabin crew on board, their friendliness and service.\n"
        "    examples: {en: ['The flight attendants were lovely.']}\n"
        "  - id: delays\n"
        "    description: Flight delays and cancellations, late departures and missed connections.\n",
        encoding="utf-8")
    an = Analyzer.load(taxonomy=path)
    assert an.touchpoints.ids == ["baggage", "cabin_crew", "delays"]
    texts = ["They lost my suitcase and nobody at baggage claim could help.",
             "The cabin crew were friendly and attentive the whole flight.",
             "Our flight was delayed five hours and we missed the connection."]
    tops = [r.touchpoints[0]["name"] if r.touchpoints else None for r in an.predict(texts)]
    assert tops == ["baggage", "cabin_crew", "delays"]


def test_service_industries_held_out(analyzer):
    """The written airline/telecom/bank/... sentences of benchmarks/data (never trained on): without
    cx_nlp/cx/service_examples.jsonl the detector got 70.7% top-1 here, 63.6% on the airline tweets."""
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "touchpoints_service_test.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    res = analyzer.predict([r["text"] for r in rows])
    top = [r.touchpoints[0] if r.touchpoints else {} for r in res]
    ok = [t.get("name") == r["touchpoint"] for t, r in zip(top, rows)]
    airline = [o for o, r in zip(ok, rows) if r["domain"] == "airline"]
    pol = [t.get("sentiment") == r["polarity"] for t, r, o in zip(top, rows, ok) if o]
    assert sum(ok) / len(ok) >= 0.78, sum(ok) / len(ok)
    assert sum(airline) / len(airline) >= 0.75, sum(airline) / len(airline)
    assert sum(pol) / len(pol) >= 0.82, sum(pol) / len(pol)
