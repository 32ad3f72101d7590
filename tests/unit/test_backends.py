"""Encoder plumbing without a model: length bucketing, padding, the sentence cache, threads, the int8 check."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cx_nlp.encoder.backends import EmbeddingCache, cached_encode, length_batches, pad_batch, thread_count


# ----------------------------------------------------------------------------- bucketing
@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 600), min_size=0, max_size=300), st.integers(64, 9000), st.integers(1, 80))
def test_batches_cover_every_text_once_within_budget(lengths, batch_tokens, max_batch):
    L = np.asarray(lengths, dtype=np.int64)
    batches = list(length_batches(L, batch_tokens=batch_tokens, max_batch=max_batch))
    seen = np.concatenate(batches) if batches else np.zeros(0, dtype=np.int64)
    assert sorted(seen.tolist()) == list(range(len(L)))
    for b in batches:
        assert 1 <= len(b) <= max_batch
        # padded size within the token budget, unless one text alone is longer than the budget
        assert len(b) * L[b].max() <= batch_tokens or len(b) == 1
    # longest first: every batch's texts are no longer than the previous batch's shortest
    for a, b in zip(batches, batches[1:]):
        assert L[a].min() >= L[b].max()


def test_equal_lengths_keep_input_order():
    L = np.array([5, 7, 5, 7, 5])
    order = np.concatenate(list(length_batches(L)))
    assert order.tolist() == [1, 3, 0, 2, 4]


def test_spread_lengths_split_once_the_batch_is_big_enough():
    # one 100-token text and 40 texts of 10 tokens: not one batch padded to 100 (90% padding)
    L = np.array([100] + [10] * 40)
    batches = list(length_batches(L, min_tokens=64))
    assert [len(b) for b in batches] == [1, 40]
    padded = sum(len(b) * L[b].max() for b in batches)
    assert padded == L.sum()


def test_small_batches_are_not_split_below_min_tokens():
    L = np.array([20, 10, 5, 3])  # 38 real tokens < min_tokens: stay together despite the spread
    assert [len(b) for b in length_batches(L, min_tokens=512)] == [4]


def test_padding_waste_is_small_on_a_realistic_mix():
    rng = np.random.default_rng(0)
    L = np.clip(rng.lognormal(3.0, 0.7, size=300).astype(int), 3, 512)
    batches = list(length_batches(L))
    padded = sum(len(b) * L[b].max() for b in batches)
    assert padded / L.sum() < 1.2


def test_pad_batch_right_pads_with_mask():
    ids, mask = pad_batch([[0, 5, 6, 2], [0, 7, 2]], pad_id=1)
    assert ids.dtype == np.int64 and mask.dtype == np.int64
    assert ids.tolist() == [[0, 5, 6, 2], [0, 7, 2, 1]]
    assert mask.tolist() == [[1, 1, 1, 1], [1, 1, 1, 0]]
    ids, mask = pad_batch([], pad_id=1)
    assert ids.shape == (0, 0)


# ----------------------------------------------------------------------------- cache
def _fake_encoder(calls):
    def encode(texts):
        calls.append(list(texts))
        return np.asarray([[len(t), sum(map(ord, t)) % 97, 1.0] for t in texts], dtype=np.float32)
    return encode


def test_cached_encode_encodes_each_distinct_text_once_and_keeps_order():
    calls = []
    texts = ["a", "bb", "a", "ccc", "bb", "a"]
    out = cached_encode(texts, _fake_encoder(calls), 3, None)
    assert calls == [["a", "bb", "ccc"]]
    assert out[:, 0].tolist() == [1, 2, 1, 3, 2, 1]


def test_cache_answers_repeats_across_calls():
    calls, cache = [], EmbeddingCache(max_items=10)
    enc = _fake_encoder(calls)
    first = cached_encode(["x", "y"], enc, 3, cache)
    second = cached_encode(["y", "z", "x"], enc, 3, cache)
    assert calls == [["x", "y"], ["z"]]
    assert np.array_equal(second[0], first[1]) and np.array_equal(second[2], first[0])
    assert cache.hits == 2


def test_cache_is_bounded_lru_and_skips_long_texts():
    cache = EmbeddingCache(max_items=2, max_chars=5)
    v = np.ones(3, dtype=np.float32)
    cache.put("a", v)
    cache.put("b", v)
    cache.get("a")           # a is now the most recent
    cache.put("c", v)        # evicts b
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c") is not None
    cache.put("a very long sentence", v)
    assert cache.get("a very long sentence") is None and len(cache) == 2
    stored = cache.get("a")
    v[:] = 5                 # the cache keeps its own copy
    assert stored[0] == 1


def test_empty_input():
    assert cached_encode([], _fake_encoder([]), 3, EmbeddingCache()).shape == (0, 3)


# ----------------------------------------------------------------------------- threads
def test_thread_count(monkeypatch):
    monkeypatch.delenv("CX_NLP_THREADS", raising=False)
    assert thread_count() >= 1
    assert thread_count(3) == 3
    monkeypatch.setenv("CX_NLP_THREADS", "1")
    assert thread_count() == 1 and thread_count(4) == 4
    monkeypatch.setenv("CX_NLP_THREADS", "junk")
    assert thread_count() >= 1
