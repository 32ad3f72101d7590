"""ThemeModel with the real encoder: one theme per topic across en, ro, pl, ru and fa."""
from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.integration

# 5 themes x 5 languages (+ a few more in en and ru), written for this test
DATA = {
    "delivery": [
        ("en", "My order arrived two weeks late."),
        ("en", "The courier delivered the package days after the promised date."),
        ("en", "Shipping took forever and the parcel came late."),
        ("ro", "Comanda mea a ajuns cu două săptămâni întârziere."),
        ("ro", "Curierul a livrat coletul la câteva zile după data promisă."),
        ("pl", "Moje zamówienie dotarło z dwutygodniowym opóźnieniem."),
        ("pl", "Kurier dostarczył paczkę kilka dni po obiecanym terminie."),
        ("ru", "Мой заказ пришёл с опозданием на две недели."),
        ("ru", "Курьер доставил посылку через несколько дней после обещанной даты."),
        ("ru", "Доставка заняла вечность, посылка пришла поздно."),
        ("fa", "سفارش من با دو هفته تاخیر رسید."),
        ("fa", "پیک بسته را چند روز بعد از تاریخ وعده داده شده تحویل داد."),
    ],
    "staff": [
        ("en", "The staff at the counter were rude to me."),
        ("en", "The cashier was unfriendly and shouted at us."),
        ("en", "The waiter was rude and ignored our table."),
        ("ro", "Personalul de la casă a fost nepoliticos cu mine."),
        ("ro", "Casiera a fost nepoliticoasă și a țipat la noi."),
        ("pl", "Obsługa przy kasie była dla mnie niegrzeczna."),
        ("pl", "Kasjerka była nieuprzejma i na nas krzyczała."),
        ("ru", "Персонал на кассе был груб со мной."),
        ("ru", "Кассирша была неприветливой и накричала на нас."),
        ("ru", "Официант был груб и игнорировал наш столик."),
        ("fa", "کارکنان صندوق با من بی‌ادب بودند."),
        ("fa", "صندوقدار بداخلاق بود و سر ما داد زد."),
    ],
    "price": [
        ("en", "The prices are far too high for what you get."),
        ("en", "Everything is overpriced, it is way too expensive."),
        ("en", "Too expensive, I paid double the normal price."),
        ("ro", "Prețurile sunt mult prea mari pentru ce primești."),
        ("ro", "Totul este supraevaluat, este mult prea scump."),
        ("pl", "Ceny są zdecydowanie za wysokie jak na to, co się dostaje."),
        ("pl", "Wszystko jest przepłacone, jest o wiele za drogo."),
        ("ru", "Цены слишком высокие для того, что получаешь."),
        ("ru", "Всё сильно переоценено, это слишком дорого."),
        ("ru", "Слишком дорого, я заплатил вдвое больше обычной цены."),
        ("fa", "قیمت‌ها برای چیزی که می‌گیرید خیلی بالاست."),
        ("fa", "همه چیز خیلی گران است، واقعا گران است."),
    ],
    "app": [
        ("en", "The mobile app keeps crashing when I open it."),
        ("en", "The app freezes and closes every time I try to pay."),
        ("en", "After the last update the app crashes on login."),
        ("ro", "Aplicația mobilă se blochează de fiecare dată când o deschid."),
        ("ro", "Aplicația îngheață și se închide când încerc să plătesc."),
        ("pl", "Aplikacja mobilna ciągle się zawiesza, gdy ją otwieram."),
        ("pl", "Aplikacja zamarza i zamyka się za każdym razem, gdy próbuję zapłacić."),
        ("ru", "Мобильное приложение постоянно вылетает при открытии."),
        ("ru", "Приложение зависает и закрывается каждый раз, когда я пытаюсь оплатить."),
        ("ru", "После последнего обновления приложение вылетает при входе."),
        ("fa", "اپلیکیشن موبایل هنگام باز کردن مدام کرش می‌کند."),
        ("fa", "برنامه هر بار که می‌خواهم پرداخت کنم هنگ می‌کند و بسته می‌شود."),
    ],
    "quality": [
        ("en", "The quality of the jacket is excellent."),
        ("en", "Great build quality, the material feels very durable."),
        ("en", "Excellent quality, the shoes are well made."),
        ("ro", "Calitatea gecii este excelentă."),
        ("ro", "Calitate foarte bună, materialul pare foarte rezistent."),
        ("pl", "Jakość kurtki jest znakomita."),
        ("pl", "Świetna jakość wykonania, materiał wydaje się bardzo trwały."),
        ("ru", "Качество куртки отличное."),
        ("ru", "Отличное качество сборки, материал очень прочный."),
        ("ru", "Отличное качество, обувь хорошо сделана."),
        ("fa", "کیفیت این کاپشن عالی است."),
        ("fa", "کیفیت ساخت فوق‌العاده است و جنس آن بسیار بادوام است."),
    ],
}


@pytest.fixture(scope="module")
def corpus():
    rows = [(theme, lang, text) for theme, items in DATA.items() for lang, text in items]
    return [r[2] for r in rows], [r[0] for r in rows], [r[1] for r in rows]


@pytest.fixture(scope="module")
def fitted(analyzer, corpus):
    from cx_nlp import ThemeModel

    texts, _, _ = corpus
    return ThemeModel(encoder=analyzer).fit(texts)


def test_cross_lingual_themes(fitted, corpus):
    from sklearn.metrics import normalized_mutual_info_score

    texts, gold, langs = corpus
    labels = list(fitted.labels_)
    assert normalized_mutual_info_score(gold, labels) >= 0.7, [(t.name, t.langs) for t in fitted.themes_]
    assert np.mean(np.asarray(labels) == -1) <= 0.10
    # at least 4 themes each gather 4+ of the 5 languages
    assert sum(len(t.langs) >= 4 for t in fitted.themes_) >= 4, [(t.name, t.langs) for t in fitted.themes_]
    # keywords are kept per language; names are unique
    assert any(len(t.keywords_by_lang) >= 3 for t in fitted.themes_)
    names = [t.name for t in fitted.themes_]
    assert len(set(names)) == len(names)


def test_transform_agrees_with_fit(fitted, corpus):
    texts, _, _ = corpus
    assert np.mean(np.asarray(fitted.transform(texts)) == np.asarray(fitted.labels_)) >= 0.98


def test_review_with_two_themes(fitted, corpus):
    from collections import Counter

    texts, gold, _ = corpus
    # each theme stands for the gold topic most of its sentences have (a topic may span two themes)
    topic = {t: Counter(g for lab, g in zip(fitted.labels_, gold) if lab == t).most_common(1)[0][0]
             for t in set(fitted.labels_) if t >= 0}
    review = "The staff were very rude to us. My parcel arrived two weeks late."
    got = fitted.themes_of([review])[0]
    assert len(got) == 2 and {topic[t] for t in got} == {"staff", "delivery"}, (got, fitted.transform_sentences([review]))
    assert fitted.transform([review])[0] in got
    per = fitted.transform_sentences([review])[0]
    assert len(per) == 2 and review[per[1]["start"]:per[1]["end"]] == "My parcel arrived two weeks late."


def test_save_load_with_real_texts(fitted, corpus, tmp_path, analyzer):
    from cx_nlp import ThemeModel

    texts, _, _ = corpus
    fitted.save(tmp_path / "tm")
    tm = ThemeModel.load(tmp_path / "tm", encoder=analyzer)
    assert tm.transform(texts[:10]) == fitted.transform(texts[:10])
