import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cx_nlp.text.segment import Span, segment, split_clauses


def sentences(text, lang=None):
    return [text[s.start:s.end] for s in segment(text, lang)]


def clauses(text, lang=None):
    return [text[c.start:c.end] for c in split_clauses(text, Span(0, len(text)), lang)]


# --- basics -------------------------------------------------------------------------------------

def test_empty_and_blank_text_have_no_sentences():
    assert segment("") == []
    assert segment("  \n\t ") == []


def test_text_without_terminator_is_one_span_without_the_whitespace():
    assert segment("  no terminator here \n") == [Span(2, 20)]


def test_offsets_point_into_the_original_text():
    text = "  Great product.Fast delivery!  Would buy again 😍 "
    assert segment(text, "en") == [Span(2, 16), Span(16, 30), Span(32, 49)]


# --- per language -------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, text, expected", [
    ("en", "Great product.Fast delivery!",
     ["Great product.", "Fast delivery!"]),
    ("en", "The price was 3.5 euro. Cheap! Really?! Yes...",
     ["The price was 3.5 euro.", "Cheap!", "Really?!", "Yes..."]),
    ("en", "I use it e.g. at work, i.e. daily. Mr. Smith and Dr. Brown agree, vs. approx. 5 others.",
     ["I use it e.g. at work, i.e. daily.", "Mr. Smith and Dr. Brown agree, vs. approx. 5 others."]),
    ("en", "See example.com for details. It works on v2.0 too.",
     ["See example.com for details.", "It works on v2.0 too."]),
    ("en", "Write to john.Smith@mail.com or open https://x.com/a?b=1. Then call!",
     ["Write to john.Smith@mail.com or open https://x.com/a?b=1.", "Then call!"]),
    ("en", "We bought apples, pears etc. The box was fine. Order No. 5 was late. No. It never came.",
     ["We bought apples, pears etc.", "The box was fine.", "Order No. 5 was late.", "No.", "It never came."]),
    ("en", "J. K. Rowling signed it. The U.S. store shipped fast.",
     ["J. K. Rowling signed it.", "The U.S. store shipped fast."]),
    ("en", "great product. fast delivery. would buy again",
     ["great product.", "fast delivery.", "would buy again"]),
    ("en", "Waited 2 weeks... Never again. hmm... not sure",
     ["Waited 2 weeks...", "Never again.", "hmm... not sure"]),
    ("ro", "Produsul a ajuns repede. Recomand! Dl. Popescu de pe str. Lalelelor nr. 5 a fost amabil.",
     ["Produsul a ajuns repede.", "Recomand!", "Dl. Popescu de pe str. Lalelelor nr. 5 a fost amabil."]),
    ("ro", "Am primit cabluri, încărcătoare ş.a. Toate merg bine.Livrare rapida",
     ["Am primit cabluri, încărcătoare ş.a.", "Toate merg bine.", "Livrare rapida"]),
    ("ro", "Pret 2,99 lei. Merita, e la fel ca. Super",
     ["Pret 2,99 lei.", "Merita, e la fel ca.", "Super"]),
    ("pl", "Kosztowało 20 zł. Polecam, np. do pracy, tzn. codziennie. Ul. Długa 5, godz. 15.",
     ["Kosztowało 20 zł.", "Polecam, np. do pracy, tzn. codziennie.", "Ul. Długa 5, godz. 15."]),
    ("pl", "Wszystko ok. Dziękuję m.in. za szybkość itd. Cena ok. 20 zł, tel. 123 456 789.",
     ["Wszystko ok.", "Dziękuję m.in. za szybkość itd.", "Cena ok. 20 zł, tel. 123 456 789."]),
    ("pl", "Prof. Nowak zajął 3. miejsce. Jak się masz?Dobrze.",
     ["Prof. Nowak zajął 3. miejsce.", "Jak się masz?", "Dobrze."]),
    ("ru", "Доставка быстрая, т.е. за день. Цена, качество и т.д. Всё хорошо!",
     ["Доставка быстрая, т.е. за день.", "Цена, качество и т.д.", "Всё хорошо!"]),
    ("ru", "Жил на ул. Ленина в 2020 г. Потом переехал в г. Москва. Стоит 500 руб. Дорого.",
     ["Жил на ул. Ленина в 2020 г.", "Потом переехал в г. Москва.", "Стоит 500 руб.", "Дорого."]),
    ("ru", "ненавижу таких людей.даже общаться противно. См. фото выше, разгоняется до 210 км. в час.",
     ["ненавижу таких людей.", "даже общаться противно.", "См. фото выше, разгоняется до 210 км. в час."]),
    ("uk", "Доставка була швидка. Дякую! Магазин на вул. Франка, див. фото.",
     ["Доставка була швидка.", "Дякую!", "Магазин на вул. Франка, див. фото."]),
    ("fa", "غذا سرد بود. کیفیت خوب بود؟ ممنون! پیک دیر رسید؛ ولی مودب بود.",
     ["غذا سرد بود.", "کیفیت خوب بود؟", "ممنون!", "پیک دیر رسید؛ ولی مودب بود."]),
    ("fa", "می\u200cخواهم پس بدهم۔ قیمت ۲.۵ میلیون بود",
     ["می\u200cخواهم پس بدهم۔", "قیمت ۲.۵ میلیون بود"]),
    ("ar", "وصل الطلب متأخرا. هل هذا طبيعي؟ لن أطلب مرة أخرى",
     ["وصل الطلب متأخرا.", "هل هذا طبيعي؟", "لن أطلب مرة أخرى"]),
    ("hi", "डिलीवरी तेज़ थी। गुणवत्ता खराब है।",
     ["डिलीवरी तेज़ थी।", "गुणवत्ता खराब है।"]),
    ("de", "Lieferung am 3. Mai, z.B. per DHL. Nr. 5 war kaputt bzw. defekt. Sonst gut usw. Danke",
     ["Lieferung am 3. Mai, z.B. per DHL.", "Nr. 5 war kaputt bzw. defekt.", "Sonst gut usw.", "Danke"]),
    ("fr", "M. Dupont et Mme. Martin sont venus. Très bien, merci !",
     ["M. Dupont et Mme. Martin sont venus.", "Très bien, merci !"]),
    ("es", "La Sra. García y el Sr. López ayudaron. ¿Volveré? ¡Sí!",
     ["La Sra. García y el Sr. López ayudaron.", "¿Volveré?", "¡Sí!"]),
    ("zh", "很好。质量不错！会再买？",
     ["很好。", "质量不错！", "会再买？"]),
])
def test_sentences(lang, text, expected):
    assert sentences(text, lang) == expected


def test_language_is_optional_and_tolerates_regional_codes():
    text = "Kosztowało 20 zł. Polecam, np. do pracy."
    assert sentences(text) == sentences(text, "pl") == sentences(text, "pl-PL")


# --- line breaks, quotes, emoji, junk fragments -------------------------------------------------

def test_line_breaks_end_sentences():
    assert sentences("first line\nsecond line\r\n\r\nthird\u2028fourth") == [
        "first line", "second line", "third", "fourth"]


def test_closing_quotes_and_brackets_stay_with_their_sentence():
    assert sentences('He said "Great product." Then he left. (See photo.) Fine.') == [
        'He said "Great product."', "Then he left.", "(See photo.)", "Fine."]


def test_quoted_question_inside_a_sentence_does_not_split():
    assert sentences('He asked "why?" and left. Great (really!) product.') == [
        'He asked "why?" and left.', "Great (really!) product."]


def test_emoji_after_a_sentence_end_stays_with_it():
    assert sentences("Great!! 😍😍 Will buy again :) Thanks. 👍🏽") == [
        "Great!! 😍😍", "Will buy again :) Thanks. 👍🏽"]


def test_emoji_run_before_a_capitalised_word_ends_a_sentence():
    assert sentences("Love it 😍😍 Will buy again") == ["Love it 😍😍", "Will buy again"]
    # Too little on one side to be two sentences.
    assert sentences("I ❤️ New York") == ["I ❤️ New York"]
    assert sentences("Love it 😍 Thanks") == ["Love it 😍 Thanks"]


def test_letterless_fragments_merge_into_the_previous_sentence():
    assert sentences("Good. :) !!! ") == ["Good. :) !!!"]
    assert sentences("Fine.\n:-)\nBad.") == ["Fine.\n:-)", "Bad."]
    assert sentences("!!! Great") == ["!!! Great"]


def test_text_of_only_emoji_is_one_sentence():
    assert segment("👍👍") == [Span(0, 2)]


def test_invisible_characters_are_trimmed_from_the_edges():
    text = "\u200bGood.\u200e Bad.\ufeff"
    assert sentences(text) == ["Good.", "Bad."]


# --- property -----------------------------------------------------------------------------------

_ALPHABET = st.one_of(
    st.characters(),
    st.sampled_from(list(
        " .!?…\n\r\t\u00a0\u2028"                 # terminators and whitespace
        "\u200c\u200d\u200e\u200f\u202b\u202e\u2066\u2069\ufeff\u200b"  # zero-width and bidi
        "\u0301\u0308\u064b"                     # combining marks
        "\x00\x07\x1b\x85"                        # control characters
        "😍👍🏽❤️\ufe0f"                            # emoji
        "،؛؟۔।。！"                                  # other scripts' punctuation
        "abcXYZ АБВыі پیکقم हिन्दी"
        "\"'()«»:;-@/0123456789"
    )),
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=60), st.sampled_from([None, "en", "ro", "pl", "ru", "fa", "uk"]))
def test_spans_are_trimmed_ordered_and_inside_the_text(text, lang):
    spans = segment(text, lang)
    previous_end = 0
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert span.start >= previous_end
        piece = text[span.start:span.end]
        assert piece == piece.strip()
        previous_end = span.end
        parts = split_clauses(text, span, lang)
        assert parts[0].start == span.start and parts[-1].end == span.end
        for part in parts:
            assert part.start < part.end and text[part.start:part.end] == text[part.start:part.end].strip()
    if any(ch.isalnum() for ch in text):
        assert spans


# --- clauses ------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, text, expected", [
    ("en", "Good screen, but the battery dies fast",
     ["Good screen", "but the battery dies fast"]),
    ("en", "The food was great but the service was slow, however the price is fair",
     ["The food was great", "but the service was slow", "however the price is fair"]),
    ("ro", "Produsul e bun dar livrarea a durat mult",
     ["Produsul e bun", "dar livrarea a durat mult"]),
    ("ro", "Calitatea e buna, însă pretul e mare",
     ["Calitatea e buna", "însă pretul e mare"]),
    ("pl", "Szybka wysyłka, ale towar był uszkodzony",
     ["Szybka wysyłka", "ale towar był uszkodzony"]),
    ("ru", "Доставка быстрая, а качество плохое",
     ["Доставка быстрая", "а качество плохое"]),
    ("ru", "Телефон хороший, но батарея слабая",
     ["Телефон хороший", "но батарея слабая"]),
    ("uk", "Доставка швидка, але якість погана",
     ["Доставка швидка", "але якість погана"]),
    ("fa", "غذا خوب بود ولی پیک خیلی دیر رسید",
     ["غذا خوب بود", "ولی پیک خیلی دیر رسید"]),
    ("ar", "الطعام جيد لكن التوصيل بطيء جدا",
     ["الطعام جيد", "لكن التوصيل بطيء جدا"]),
    ("de", "Die Lieferung war schnell, aber das Gerät ist kaputt",
     ["Die Lieferung war schnell", "aber das Gerät ist kaputt"]),
    ("es", "El envío fue rápido, sin embargo el producto llegó roto",
     ["El envío fue rápido", "sin embargo el producto llegó roto"]),
    ("it", "Il prodotto è bello ma costa troppo",
     ["Il prodotto è bello", "ma costa troppo"]),
    ("tr", "Kargo hızlı geldi ama ürün kırık",
     ["Kargo hızlı geldi", "ama ürün kırık"]),
    ("hi", "खाना अच्छा था लेकिन डिलीवरी देर से हुई",
     ["खाना अच्छा था", "लेकिन डिलीवरी देर से हुई"]),
])
def test_split_clauses(lang, text, expected):
    assert clauses(text, lang) == expected


@pytest.mark.parametrize("lang, text", [
    ("en", "Good, but pricey"),                 # one word on each side
    ("en", "Great phone but expensive"),        # one word after the conjunction
    ("en", "But the battery is weak"),          # nothing before it
    ("ru", "Доставка быстрая а качество"),      # "а" without a comma is "and"
    (None, "Ten telefon ma dobry aparat"),      # Polish "ma" (has) is not Italian "ma" (but)
    ("en", "Nobody buttered the bread"),        # only whole words count
])
def test_no_split(lang, text):
    assert clauses(text, lang) == [text]


def test_clauses_use_offsets_of_the_whole_text():
    text = "Intro. Good screen, but the battery dies fast."
    span = segment(text, "en")[1]
    parts = split_clauses(text, span, "en")
    assert [text[p.start:p.end] for p in parts] == ["Good screen", "but the battery dies fast."]
    assert parts[0].start == 7
