"""Property test of ``Analyzer.predict`` on mixed, hostile batches (issue #10).

Lists mixing str/None/NaN/numbers/bytes/long strings, with a bad item in the middle: predict never
raises, returns one result per item, gives each item the status ``classify_item`` predicts, and every
sentence offset lies inside its text. benchmarks/fuzz_predict.py runs the same check on >= 10,000 inputs.
"""
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cx_nlp.text import classify_item

pytestmark = pytest.mark.integration

_PIECE = st.one_of(
    st.characters(), st.characters(categories=["Cs"]),          # lone surrogates too
    st.sampled_from(["Great shop, fast delivery!", "Livrare rapidă. ", "Доставка затримується. ", "خیلی\u200cخوب. ",
                     "👍🏽", "\u200f", "\u0301", "\x00", "\n", ". ", "?!", "żółć", "\ufffd"]),
)
TEXT = st.lists(_PIECE, max_size=40).map("".join)
ITEM = st.one_of(
    TEXT, TEXT, st.none(), st.just(float("nan")), st.integers(), st.floats(), st.binary(max_size=30),
    st.text(alphabet="ab .", min_size=300, max_size=800),            # long-ish (1 MB case: explicit example)
)
BAD = st.sampled_from([None, float("nan"), b"\xff\xfe\x00", 12, "", "   ", "!!!", "\x00\x01\x02\x03\x04"])


def check(analyzer, items):
    res = analyzer.predict(items)
    assert len(res) == len(items)
    for item, r in zip(items, res):
        want = classify_item(item, max_chars=analyzer.max_chars)
        assert r.status == want, (item[:80] if isinstance(item, str) else item, r.status, r.status_message)
        if r.status == "ok":
            assert r.sentences
            for s in r.sentences:
                assert 0 <= s.start < s.end <= len(item)
                assert item[s.start:s.end] == s.text
            assert r.sentiment is not None
        else:
            assert r.sentences == [] and r.status_message
    return res


@settings(max_examples=25, deadline=None)
@given(st.lists(ITEM, max_size=6), BAD, st.lists(ITEM, max_size=6))
@example([], "x" * 1_000_000, [])                                   # one 1 MB string (too_long)
@example(["Fast delivery, great price."], "x" * 1_000_000, ["Rude staff. 😡"])
@example(["Good shop \ud800 really."], None, ["Bad \udcff. " * 200])     # lone surrogates (were a TypeError)
def test_predict_mixed_batches(analyzer, head, bad, tail):
    items = [*head, bad, *tail]
    res = check(analyzer, items)
    assert res[len(head)].status != "ok"


def test_predict_one_megabyte_string_alone(analyzer):
    big = "Good service. " * (1_000_000 // 14 + 1)
    (r,) = analyzer.predict([big])
    assert r.status == "too_long" and r.sentences == []
