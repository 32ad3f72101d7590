"""The public contract of DESIGN.md section 3 on the real bundled model and encoder."""
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cx_nlp.heads import EMOTION_LABELS

pytestmark = pytest.mark.integration
FIX = Path(__file__).resolve().parents[1] / "fixtures" / "clear_reviews.jsonl"


def _reviews():
    return [json.loads(line) for line in FIX.read_text(encoding="utf-8").splitlines()]


def test_clear_reviews_polarity_and_language(analyzer):
    rows = _reviews()
    results = analyzer.predict([r["text"] for r in rows])
    per_lang = {}
    for r, res in zip(rows, results):
        ok = per_lang.setdefault(r["lang"], [0, 0, 0])
        ok[0] += res.sentiment["label"] == r["sentiment"]
        ok[1] += res.lang == r["lang"]
        ok[2] += 1
    for lang, (pol, lid, n) in per_lang.items():
        assert pol / n >= 0.9, f"{lang}: polarity {pol}/{n}"
        assert lid / n >= 0.95, f"{lang}: language id {lid}/{n}"
    assert set(per_lang) == {"en", "ro", "pl", "ru", "fa"}


def test_schema_of_to_dict(analyzer):
    text = "Kurier spóźnił się dwa dni, ale obsługa była miła."
    d = analyzer.predict(text).to_dict()
    assert d["text"] == text and d["lang"] == "pl" and d["status"] == "ok"
    s = d["sentiment"]
    assert s["label"] in ("negative", "neutral", "positive")
    assert set(s["scores"]) == {"negative", "neutral", "positive"}
    assert math.isclose(sum(s["scores"].values()), 1.0, abs_tol=1e-3)
    assert s["score"] == max(s["scores"].values())
    assert list(d["emotions"]) == EMOTION_LABELS and all(0 <= v <= 1 for v in d["emotions"].values())
    assert isinstance(d["touchpoints"], list)
    for sent in d["sentences"]:
        assert text[sent["start"]:sent["end"]] == sent["text"]
        assert set(sent) >= {"start", "end", "text", "sentiment", "emotions", "touchpoints"}
    json.dumps(d)  # plain JSON all the way down


def test_bad_items_get_statuses_and_the_rest_is_scored(analyzer):
    items = ["Great shop, fast delivery!", "", None, float("nan"), 42, "   ", "!!!", "Terrible service, never again."]
    res = analyzer.predict(items)
    assert len(res) == len(items)
    assert [r.status for r in res] == ["ok", "empty_text", "not_text", "not_text", "not_text", "empty_text",
                                       "no_letters", "ok"]
    assert res[0].sentiment["label"] == "positive" and res[-1].sentiment["label"] == "negative"
    assert res[1].sentiment is None and res[1].to_dict()["status_message"]


def test_wrong_argument_type_raises_clearly(analyzer):
    with pytest.raises(TypeError, match="E301"):
        analyzer.predict(123)
    with pytest.raises(TypeError, match="decode"):
        analyzer.predict(b"bytes")


def test_long_text_is_split_not_truncated(analyzer):
    sentence = "The delivery was late again and nobody called me back " * 120  # one ~6k-char sentence
    text = "Intro line. " + sentence.strip() + ". Final verdict: awful."
    r = analyzer.predict(text)
    assert r.status == "ok"
    pieces = [s for s in r.sentences if s.split]
    assert len(pieces) >= 2
    covered = sum(s.end - s.start for s in r.sentences)
    assert covered >= 0.95 * len(text)  # every part of the text is scored, nothing dropped
    assert r.sentences[-1].text.endswith("awful.")


def test_embed_is_normalised_and_aligned(analyzer):
    texts = ["The courier was late.", "", "Kurier się spóźnił.", "Отличный магазин!"]
    E = analyzer.embed(texts)
    assert E.shape == (4, 384)
    norms = np.linalg.norm(E, axis=1)
    assert np.allclose(norms[[0, 2, 3]], 1, atol=1e-5) and norms[1] == 0
    assert E[0] @ E[2] > E[0] @ E[3]  # cross-lingual: the same complaint is closer than praise


def test_same_input_same_output(analyzer):
    texts = [r["text"] for r in _reviews()[:20]]
    a = [r.to_dict() for r in analyzer.predict(texts)]
    b = [r.to_dict() for r in analyzer.predict(list(reversed(texts)))][::-1]
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_predict_works_without_any_network(unshare):
    """Run predict in a network namespace with no interfaces up (needs root and unshare)."""
    code = ("from cx_nlp import Analyzer; r = Analyzer.load().predict('Fatalna obsługa, nigdy więcej.');"
            "print(r.status, r.lang, r.sentiment['label'])")
    out = subprocess.run([unshare, "-n", sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["ok", "pl", "negative"]


def test_heads_read_the_embedding_and_a_middle_layer_from_one_pass(analyzer):
    """The default sentiment/emotion heads read [last-layer mean | layer-8 mean]; everything else (themes,
    touchpoints, ``embed``) keeps the last-layer embedding, which is the first block of the features."""
    enc = analyzer.encoder
    assert tuple(enc.feature_layers) == (8,) and enc.feature_dim == 2 * enc.dim
    assert analyzer.heads["sentiment"].config.input_dim == enc.feature_dim
    texts = ["The courier was two hours late.", "Obsługa była bardzo miła."]
    feats = enc.encode_features(texts)
    np.testing.assert_allclose(feats[:, :enc.dim], enc.encode(texts), atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(feats[:, enc.dim:], axis=1), 1.0, atol=1e-5)
    # the middle layer is a different view of the text, not a copy of the embedding
    assert float((feats[:, :enc.dim] * feats[:, enc.dim:]).sum(1).max()) < 0.99
    base = getattr(enc, "base", enc)  # the torch encoder behind int8 computes the same features
    np.testing.assert_allclose((base.encode_features(texts) * feats).sum(1), 2.0, atol=0.01)


def test_themes_get_a_polarity_teacher_that_reads_the_embedding(analyzer):
    """Themes see only the embedding: the model ships the sentiment head on the embedding alone, and
    ThemeModel uses it to remove the polarity directions (none would be removed with a width mismatch)."""
    from cx_nlp import ThemeModel

    teacher = analyzer.embedding_heads["sentiment_embedding"]
    assert teacher.config.input_dim == analyzer.encoder.dim
    assert "sentiment_embedding" not in analyzer.heads  # never part of a Result
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, analyzer.encoder.dim)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    basis = ThemeModel(encoder=analyzer)._fit_polarity(x)
    assert basis.shape == (analyzer.encoder.dim, 2)
