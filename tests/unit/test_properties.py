"""Property tests (Hypothesis) for the text layer on hostile Unicode (issue #10).

Arbitrary code points (control characters and lone surrogates included), right-to-left text with ZWNJ
and bidi controls, emoji sequences, combining marks and mixed scripts: ``segment`` keeps its spans in
bounds, ordered and non-empty; ``classify_item`` and ``detect_batch`` never raise.
(test_segment.py checks trimming on a smaller alphabet; this file widens the input space.)
"""
import math

from hypothesis import example, given, settings
from hypothesis import strategies as st

from cx_nlp.errors import STATUSES
from cx_nlp.text import classify_item, detect_batch, segment

RTL = list("سلامخوبنیستمیکنمهمهچیزعالیبودشكراًجداًממשטוב") + ["\u200c", "\u200d", "\u200e", "\u200f",
                                                             "\u061c", "\u202b", "\u202e", "\u2067", "\u2069"]
EMOJI = ["😀", "👍🏽", "❤️", "👨\u200d👩\u200d👧", "🇷🇴", "🙄", "\ufe0f", "⭐", ":)", "<3"]
COMBINING = ["\u0301", "\u0308", "\u0327", "\u0651", "\u064e", "\u093c", "\u20dd", "\u0336"]
CONTROL = [chr(c) for c in range(0x20)] + ["\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\ufffd", "\u00ad"]
MIXED = list("Hello żółć Привіт ăîșț नमस्ते 你好 こんにちは. ! ? … 。 ؟ ۔ ।\"'«»()[]0123456789 \t\n")

_PIECE = st.one_of(
    st.characters(), st.characters(categories=["Cs"]),  # any code point, lone surrogates too
    st.sampled_from(RTL), st.sampled_from(EMOJI), st.sampled_from(COMBINING),
    st.sampled_from(CONTROL), st.sampled_from(MIXED),
)
# Pieces, not single characters: emoji sequences are several code points.
TEXT = st.lists(_PIECE, max_size=80).map("".join)
LANGS = st.sampled_from([None, "", "en", "fa", "ar", "he", "ru", "uk", "pl", "ro", "hi", "zh", "xx", "fa-IR", "EN_us"])

HOSTILE = [
    "خیلی خوب بود\u200cام. ولی\u200c تحویل دیر شد!",          # Persian with ZWNJ
    "\u202bשלום עולם.\u202c Great!",                           # RTL embedding around Hebrew
    "\u200f\u200e\u061c.\u200f",                               # only bidi marks and a dot
    "e\u0301\u0301\u0301\u0301. a\u0308",                      # stacked combining marks
    "👍🏽👍🏽. 👨\u200d👩\u200d👧!!! 🇷🇴",
    "\x00\x01\x02. \x1b[31mred\x1b[0m.",
    "\ud800 lone surrogate. \udfff",
    "Ok.\u2028Next\u2029line\x85end",
    ".\u0301",                                                 # combining mark after a terminator
    "\u200c" * 50,
]


@settings(max_examples=300, deadline=None)
@given(TEXT, LANGS)
@example("", None)
@example("\u200c\u200f", "fa")
def test_segment_spans_in_bounds_ordered_non_empty(text, lang):
    spans = segment(text, lang)
    prev_end = 0
    for sp in spans:
        assert 0 <= sp.start < sp.end <= len(text)
        assert sp.start >= prev_end
        assert text[sp.start:sp.end]  # non-empty slice of the original text
        prev_end = sp.end


def test_segment_on_hostile_examples():
    for lang in (None, "fa", "he", "en"):
        for text in HOSTILE:
            spans = segment(text, lang)
            assert all(0 <= a.start < a.end <= len(text) for a in spans)
            assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))


ANY_ITEM = st.one_of(
    TEXT, st.none(), st.integers(), st.floats(allow_nan=True), st.binary(max_size=40), st.booleans(),
    st.lists(st.text(max_size=5), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(ANY_ITEM, st.sampled_from([None, 0, 1, 10, 100_000]))
@example(float("nan"), 100_000)
@example("x" * 200, 100)
def test_classify_item_never_raises_and_returns_a_known_status(item, max_chars):
    status = classify_item(item, max_chars=max_chars)
    assert status in STATUSES and status != "error"
    if not isinstance(item, str):
        assert status == "not_text"


def test_classify_item_on_a_str_subclass_with_broken_methods():
    class Evil(str):
        def isspace(self):
            raise RuntimeError("boom")

    assert classify_item(Evil("abc")) in STATUSES


@settings(max_examples=150, deadline=None)
@given(st.lists(TEXT, max_size=12), st.sampled_from([None, ("en",), ("fa", "ar"), ("ru", "uk", "pl"), ("zz",)]))
def test_detect_batch_never_raises_and_keeps_length(texts, languages):
    try:
        out = detect_batch(texts, languages)
    except ValueError:
        # An unknown language code in ``languages`` is a usage error, not an item failure.
        assert languages == ("zz",)
        return
    assert len(out) == len(texts)
    for code, conf in out:
        assert isinstance(code, str) and code
        assert 0.0 <= conf <= 1.0 and not math.isnan(conf)


def test_detect_batch_on_hostile_examples():
    out = detect_batch(HOSTILE)
    assert len(out) == len(HOSTILE)


@settings(max_examples=200, deadline=None)
@given(TEXT)
@example("a\ud800b\udfff")
def test_normalize_output_is_always_utf8_encodable(text):
    from cx_nlp.text.normalize import normalize, replace_surrogates
    normalize(text).encode("utf-8")                 # the tokenizer needs this (lone surrogates broke predict)
    assert len(replace_surrogates(text)) == len(text)
