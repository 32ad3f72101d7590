import numpy as np

from cx_nlp.heads import SENTIMENT_LABELS
from cx_nlp.heads import emotions as emo
from cx_nlp.heads import sentiment as sent
from cx_nlp.training.fit import FitConfig, best_thresholds, fit_head


def _blobs(n=600, seed=0):
    centres = np.random.default_rng(42).normal(size=(3, 16)) * 3
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    return (centres[y] + rng.normal(size=(n, 16))).astype(np.float32), y


def test_single_label_head_learns_and_is_seeded():
    X, y = _blobs()
    Xv, yv = _blobs(200, seed=1)
    cfg = FitConfig(hidden=16, max_epochs=15, seed=3)
    h1 = fit_head("sentiment", SENTIMENT_LABELS, "single", X, y, Xv, yv, config=cfg)
    h2 = fit_head("sentiment", SENTIMENT_LABELS, "single", X, y, Xv, yv, config=cfg)
    acc = (h1.predict_proba(Xv).argmax(1) == yv).mean()
    assert acc > 0.9
    np.testing.assert_array_equal(h1.predict_proba(Xv), h2.predict_proba(Xv))
    assert 0.05 <= h1.config.temperature <= 20


def test_binary_rows_never_teach_neutral():
    # Every row is "binary" (neutral disallowed) and labelled negative/positive only: the head must not
    # learn that neutral is impossible, so masked rows give neutral no gradient at all.
    X, y = _blobs()
    keep = y != 1
    X, y = X[keep], y[keep]
    allowed = np.ones((len(X), 3), dtype=bool)
    allowed[:, 1] = False
    cfg = FitConfig(hidden=0, max_epochs=5, seed=0)
    h = fit_head("sentiment", SENTIMENT_LABELS, "single", X, y, X, y, mask=allowed, mask_v=allowed, config=cfg)
    w = h.net[-1].weight.detach().numpy()
    # the neutral row of the weight matrix only moves through weight decay, never through the loss
    assert np.abs(w[1]).max() < np.abs(w[[0, 2]]).max()


def test_thresholds_pick_f1_optimum():
    y = np.array([[1], [1], [0], [0], [0]] * 10, dtype=np.float32)
    p = np.array([[0.9], [0.35], [0.3], [0.1], [0.2]] * 10, dtype=np.float32)
    th = best_thresholds(p, y, np.ones_like(y), ["joy"])
    assert 0.3 < th["joy"] <= 0.35


def test_sentiment_rollup_ignores_neutral_filler():
    probs = np.array([[0.05, 0.9, 0.05], [0.9, 0.05, 0.05]])  # "Ordered on Monday." + "Awful."
    out = sent.rollup(probs, np.array([6, 3]))
    assert out.argmax() == 0
    assert abs(out.sum() - 1) < 1e-6
    all_neutral = sent.rollup(np.array([[0.1, 0.8, 0.1], [0.1, 0.8, 0.1]]), np.array([5, 5]))
    assert all_neutral.argmax() == 1


def test_emotion_rollup_is_max_and_present_respects_thresholds():
    probs = np.array([[0.1] * 8, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]])
    probs[1, 0] = 0.8
    out = emo.rollup(probs)
    assert out[0] == 0.8
    d = emo.as_dict(out)
    assert emo.present(d, {"anger": 0.5}) == ["anger"]
    assert emo.present(d, {"anger": 0.9}) == []


def test_text_vectors_normalise_each_feature_block_on_its_own():
    from cx_nlp.heads.custom import text_vectors

    rng = np.random.default_rng(0)
    emb, mid = rng.normal(size=(5, 4)), 10 * rng.normal(size=(5, 4))  # blocks of very different scales
    feats = np.hstack([emb, mid]).astype(np.float32)
    rows, w = [np.array([0, 2, 3])], [np.array([1.0, 2.0, 0.5], np.float32)]
    T = text_vectors(feats, rows, w, block=4)
    assert np.allclose(np.linalg.norm(T[:, :4], axis=1), 1) and np.allclose(np.linalg.norm(T[:, 4:], axis=1), 1)
    # the first block is the text embedding a 4-d head trained before feature layers reads
    assert np.allclose(T[:, :4], text_vectors(emb.astype(np.float32), rows, w), atol=1e-6)
    assert np.allclose(np.linalg.norm(text_vectors(feats, rows, w), axis=1), 1)  # one block: as before
