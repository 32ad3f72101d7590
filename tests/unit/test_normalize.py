import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cx_nlp.errors import STATUSES
from cx_nlp.text.normalize import classify_item, normalize


# --- normalize ----------------------------------------------------------------------------------

def test_nfc_composes_combining_marks():
    assert normalize("cafe\u0301") == "caf\u00e9"


def test_control_characters_are_dropped_but_newline_and_tab_kept():
    assert normalize("a\x00b\x07c\x1b\x9fd\ne\tf") == "abcd\ne\tf"


def test_line_separators_and_odd_spaces_become_plain_spaces():
    assert normalize("a\u00a0b\u2028c\u3000d\u202fe\u2009f") == "a b c d e f"


def test_vertical_tab_and_form_feed_separate_words():
    assert normalize("good\x0bproduct\x0cfast") == "good product fast"


def test_windows_and_old_mac_line_endings_become_newlines():
    assert normalize("one\r\ntwo\rthree") == "one\ntwo\nthree"


def test_runs_of_spaces_collapse_and_edges_are_stripped():
    assert normalize("  too    many   spaces  ") == "too many spaces"


def test_handles_and_links_are_written_as_the_tweet_corpora_write_them():
    assert normalize("@AmericanAir lost my bag, thanks @Jet_Blue!") == "@user lost my bag, thanks @user!"
    assert normalize("see https://x.co/a?b=1 or WWW.shop.ro now") == "see http or http now"
    # not a handle: e-mail addresses, a price, a lone @
    assert normalize("mail john@example.com, 2 @ 5 lei") == "mail john@example.com, 2 @ 5 lei"


def test_bidi_controls_are_removed():
    text = "\u202bسلام\u202c \u200eok\u200f \u2066x\u2069 \u061cy"
    assert normalize(text) == "سلام ok x y"


def test_zwnj_and_zwj_are_kept():
    persian = "می\u200cخواهم"
    family = "\U0001F468\u200d\U0001F469\u200d\U0001F467"
    assert normalize(persian) == persian
    assert normalize(family) == family


def test_zero_width_space_bom_and_soft_hyphen_are_removed():
    assert normalize("\ufeffgood\u200bproduct\u00ad") == "goodproduct"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_normalize_is_idempotent_and_clean(text):
    once = normalize(text)
    assert normalize(once) == once
    assert "  " not in once
    assert not any(ch in once for ch in "\x00\r\u200e\u200f\u202e\u2028\u00a0")


# --- classify_item ------------------------------------------------------------------------------

@pytest.mark.parametrize("item, expected", [
    (None, "not_text"),
    (float("nan"), "not_text"),
    (42, "not_text"),
    (3.5, "not_text"),
    (b"great product", "not_text"),
    (["great"], "not_text"),
    ("", "empty_text"),
    ("   \n\t ", "empty_text"),
    ("\u00a0\u3000", "empty_text"),
    ("\u200b\u200e\ufeff", "empty_text"),
    ("\x00\x01\x02\x03abc", "binary_junk"),
    ("H\x00e\x00l\x00l\x00o\x00", "binary_junk"),
    ("\ufffd\ufffd\ufffd\ufffd ok", "binary_junk"),
    ("\ue000\ue001\ue002\ue003 a", "binary_junk"),
    ("Produsul e bun, Ã®mi place, È™i merge, cÄƒ e ieftin", "binary_junk"),
    ("!!!", "no_letters"),
    ("???", "no_letters"),
    ("... --- ...", "no_letters"),
    ("👍👍", "ok"),
    ("❤️", "ok"),
    (":(", "ok"),
    ("Great product!", "ok"),
    ("ok", "ok"),
    ("10/10", "ok"),
    ("غذا سرد بود", "ok"),
    ("Produsul e bun, îmi place", "ok"),
    ("a\ufffdb great product overall", "ok"),
    ("line one\x00", "ok"),
])
def test_classify_item(item, expected):
    assert classify_item(item) == expected


def test_too_long_uses_max_chars():
    assert classify_item("x" * 11, max_chars=10) == "too_long"
    assert classify_item("x" * 10, max_chars=10) == "ok"
    assert classify_item("x" * 100_001) == "too_long"
    assert classify_item("x" * 200_000, max_chars=None) == "ok"


def test_classify_item_never_raises_on_hostile_str_subclass():
    class Hostile(str):
        def isspace(self):
            raise RuntimeError("boom")

    assert classify_item(Hostile("text")) == "not_text"


def test_every_code_is_in_the_status_catalogue():
    codes = {"not_text", "empty_text", "too_long", "binary_junk", "no_letters", "ok"}
    assert codes <= set(STATUSES)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.binary(), st.integers(), st.floats(), st.none(),
                 st.lists(st.text(max_size=3), max_size=2)))
def test_classify_item_always_returns_a_known_code(item):
    assert classify_item(item) in STATUSES
