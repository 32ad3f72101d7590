"""ThemeModel contract on synthetic embeddings (no encoder): fast and deterministic."""
from __future__ import annotations

import numpy as np
import pytest
import yaml

from cx_nlp import ThemeModel
from cx_nlp.errors import CxError

# five themes, each with its own words, so keywords and names can be checked
WORDS = {
    0: ["courier", "parcel", "delivery", "late", "tracking"],
    1: ["waiter", "rude", "staff", "manager", "attitude"],
    2: ["price", "expensive", "overpriced", "cost", "money"],
    3: ["app", "crash", "login", "update", "screen"],
    4: ["fabric", "quality", "sturdy", "material", "stitching"],
}
DIM = 64
LANG = "xx"  # a code without lemma tables: keeps these tests free of dictionary loading


def make_data(n_per=40, seed=0, noise=0.35, themes=(0, 1, 2, 3, 4), centres=None):
    rng = np.random.default_rng(seed)
    if centres is None:
        centres = np.random.default_rng(123).normal(size=(5, DIM))
    texts, labels, rows = [], [], []
    for t in themes:
        for i in range(n_per):
            w = WORDS[t]
            a, b = rng.choice(len(w), 2, replace=False)
            texts.append(f"the {w[a]} and {w[b]} again {['today', 'yesterday', 'twice', 'here'][i % 4]}")
            labels.append(t)
            rows.append(centres[t] + noise * rng.normal(size=DIM))
    X = np.asarray(rows, dtype=np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return texts, np.asarray(labels), X


@pytest.fixture(scope="module")
def data():
    return make_data()


@pytest.fixture(scope="module")
def fitted(data):
    texts, _, X = data
    return ThemeModel(random_state=0).fit(texts, embeddings=X, langs=[LANG] * len(texts))


def nmi(a, b):
    from sklearn.metrics import normalized_mutual_info_score

    return normalized_mutual_info_score(a, b)


def test_fit_returns_self_and_learned_attrs(data):
    texts, _, X = data
    tm = ThemeModel()
    assert tm.fit(texts, embeddings=X, langs=LANG) is tm
    for attr in ("themes_", "labels_", "prototypes_", "mean_", "threshold_", "outlier_share_", "parents_"):
        assert hasattr(tm, attr)
    # parameters are stored as given, nothing learned in __init__
    fresh = ThemeModel(min_cluster_size=7)
    assert fresh.get_params()["min_cluster_size"] == 7
    assert not any(k.endswith("_") and not k.startswith("_") for k in vars(fresh))


def test_finds_the_themes_with_keywords_and_unique_names(fitted, data):
    _, y, _ = data
    assert nmi(y, fitted.labels_) > 0.9
    names = [t.name for t in fitted.themes_]
    assert len(set(n.casefold() for n in names)) == len(names)
    for t in fitted.themes_:
        assert t.keywords and t.examples and t.size > 0
        assert t["name"] == t.name and t.to_dict()["id"] == t.id
    # each gold theme's words lead its cluster's keywords
    for gold, words in WORDS.items():
        tid = int(np.bincount(np.asarray(fitted.labels_)[y == gold] + 1).argmax()) - 1
        th = fitted.get_theme(tid)
        assert set(th.keywords[:5]) & set(words), (th.keywords, words)


def test_transform_agrees_with_fit(fitted, data):
    texts, _, X = data
    assert fitted.transform(texts, embeddings=X, langs=[LANG] * len(texts)) == [int(v) for v in fitted.labels_]


def test_not_fitted_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        ThemeModel().transform(["x"], embeddings=np.ones((1, DIM), np.float32))


def test_bad_embeddings_shape_is_a_clear_error(data):
    texts, _, X = data
    with pytest.raises(ValueError, match="E805"):
        ThemeModel().fit(texts, embeddings=X[:-3], langs=LANG)
    with pytest.raises(TypeError):
        ThemeModel().fit("one string", embeddings=X[:1])


def test_save_load_round_trip(fitted, data, tmp_path):
    texts, _, X = data
    fitted.save(tmp_path / "tm")
    assert {p.name for p in (tmp_path / "tm").iterdir()} >= {"themes.json", "themes.safetensors", "themes.yaml"}
    assert not list((tmp_path / "tm").glob("*.pkl"))
    tm2 = ThemeModel.load(tmp_path / "tm")
    langs = [LANG] * len(texts)
    assert tm2.transform(texts, embeddings=X, langs=langs) == fitted.transform(texts, embeddings=X, langs=langs)
    assert [t.to_dict() for t in tm2.themes_] == [t.to_dict() for t in fitted.themes_]
    assert tm2.parents_ == fitted.parents_
    with pytest.raises(CxError, match="E803"):
        ThemeModel.load(tmp_path / "missing")


def test_stable_ids_across_refits(fitted, data):
    texts, y, X = data
    # new sample of the same themes, in another order, plus a new theme
    texts2, y2, X2 = make_data(seed=7, themes=(4, 3, 2, 1, 0))
    tm = ThemeModel(reference=fitted).fit(texts2, embeddings=X2, langs=LANG)
    for gold in WORDS:
        old = np.bincount(np.asarray(fitted.labels_)[y == gold] + 1).argmax() - 1
        new = np.bincount(np.asarray(tm.labels_)[y2 == gold] + 1).argmax() - 1
        assert old == new
    # refitting the same instance keeps ids too
    before = {t.id for t in fitted.themes_}
    again = ThemeModel().fit(texts, embeddings=X, langs=LANG)
    ids1 = list(again.labels_)
    again.fit(texts2, embeddings=X2, langs=LANG)
    assert {t.id for t in again.themes_} == set(ids1) - {-1} == before


def _gold_theme(tm, y, gold):
    return int(np.bincount(np.asarray(tm.labels_)[y == gold] + 1).argmax()) - 1


def test_theme_file_rename_merge_pin(fitted, data, tmp_path):
    texts, y, X = data
    path = fitted.write_theme_file(tmp_path / "themes.yaml")
    doc = yaml.safe_load(path.read_text())
    by_id = {e["id"]: e for e in doc["themes"]}
    t_delivery, t_staff, t_price = (_gold_theme(fitted, y, g) for g in (0, 1, 2))
    by_id[t_delivery]["name"] = "Late delivery"
    by_id[t_price]["merge_into"] = t_staff
    doc["themes"].append({"name": "Refunds", "seeds": ["refund"]})
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))

    texts2 = list(texts) + ["i want a refund now", "refund still missing", "no refund after a month"]
    rng = np.random.default_rng(5)
    extra = rng.normal(size=(3, DIM)).astype(np.float32)
    X2 = np.vstack([X, extra / np.linalg.norm(extra, axis=1, keepdims=True)])
    tm = ThemeModel(reference=fitted, theme_file=path).fit(texts2, embeddings=X2, langs=LANG)
    names = tm.theme_names_
    assert names[t_delivery] == "Late delivery"
    assert t_price not in names  # merged away
    lab = np.asarray(tm.labels_)
    assert set(lab[:len(texts)][y == 2]) == {t_staff}  # price sentences now in the staff theme
    refunds = [t for t in tm.themes_ if t.name == "Refunds"]
    assert refunds and refunds[0].seeds == ["refund"]
    assert set(lab[-3:]) == {refunds[0].id}
    # the guided theme and rename survive a save/load and a transform
    assert tm.transform(["where is my refund"], embeddings=X2[-1:], langs=LANG) == [refunds[0].id]
    # a rename persists into the next refit without the file
    tm.fit(texts2, embeddings=X2, langs=LANG)
    assert tm.theme_names_.get(t_delivery) == "Late delivery"


def test_theme_file_split_and_drop(data, tmp_path):
    texts, y, X = data
    tm = ThemeModel().fit(texts, embeddings=X, langs=LANG)
    t_app, t_quality = _gold_theme(tm, y, 3), _gold_theme(tm, y, 4)
    edits = {"themes": [{"id": t_app, "split": 2}, {"id": t_quality, "drop": True}]}
    tm2 = ThemeModel(reference=tm, theme_file=edits).fit(texts, embeddings=X, langs=LANG)
    lab = np.asarray(tm2.labels_)
    assert len(set(lab[y == 3]) - {-1}) == 2
    assert t_quality not in tm2.theme_names_
    with pytest.raises(CxError, match="E802"):
        ThemeModel(theme_file={"themes": [{"name": "no id and no seeds"}]}).fit(texts, embeddings=X, langs=LANG)


def test_outlier_share_is_bounded():
    texts, _, X = make_data(n_per=30)
    rng = np.random.default_rng(3)
    noise = rng.normal(size=(200, DIM)).astype(np.float32)  # 57% pure noise
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    Xn = np.vstack([X, noise])
    tn = texts + [f"random words {i}" for i in range(200)]
    tm = ThemeModel(min_similarity=0.9, max_outlier_share=0.1).fit(tn, embeddings=Xn, langs=LANG)
    assert tm.outlier_share_ <= 0.1 + 1e-9
    assert (np.asarray(tm.labels_) == -1).mean() <= 0.1 + 1e-9
    with pytest.raises(ValueError):
        ThemeModel(max_outlier_share=0.5).fit(tn, embeddings=Xn)


def test_sentence_level_multi_theme_rollup(fitted, data):
    texts, y, X = data
    centres = np.random.default_rng(123).normal(size=(5, DIM))
    doc = "The waiter was rude. The courier was late."
    sents = [["The waiter was rude.", "The courier was late."]]
    E = np.stack([centres[1], centres[0]]).astype(np.float32)
    E /= np.linalg.norm(E, axis=1, keepdims=True)
    per = fitted.transform_sentences([doc], embeddings=E, sentences=sents, langs=LANG)[0]
    assert [p["start"] for p in per] == [0, 21] and per[1]["text"] == "The courier was late."
    both = fitted.themes_of([doc], embeddings=E, sentences=sents, langs=LANG)[0]
    assert set(both) == {_gold_theme(fitted, y, 1), _gold_theme(fitted, y, 0)}
    assert fitted.transform([doc], embeddings=E, sentences=sents, langs=LANG)[0] in both


def test_hierarchy_has_at_most_twelve_parents():
    rng = np.random.default_rng(1)
    C = rng.normal(size=(30, DIM))
    lab = np.repeat(np.arange(30), 12)
    X = (C[lab] + 0.2 * rng.normal(size=(len(lab), DIM))).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    texts = [f"word{chr(97 + l % 26)}{chr(97 + l // 26)} thing" for l in lab]
    tm = ThemeModel().fit(texts, embeddings=X, langs=LANG)
    assert 1 <= len(tm.parents_) <= 12
    kids = sorted(t for p in tm.parents_ for t in p["themes"])
    assert kids == sorted(t.id for t in tm.themes_)
    assert all(t.parent is not None for t in tm.themes_)


def test_kmeans_and_custom_steps(data):
    texts, y, X = data
    tm = ThemeModel(clusterer="kmeans", n_clusters=5, reducer="none").fit(texts, embeddings=X, langs=LANG)
    assert nmi(y, tm.labels_) > 0.9
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.decomposition import TruncatedSVD

    tm = ThemeModel(clusterer=AgglomerativeClustering(n_clusters=5), reducer=TruncatedSVD(8, random_state=0))
    assert nmi(y, tm.fit(texts, embeddings=X, langs=LANG).labels_) > 0.9


def test_touchpoints_link_from_sentences(data):
    texts, y, X = data
    tps = [["delivery_logistics"] if g == 0 else ["staff_behaviour"] if g == 1 else [] for g in y]
    tm = ThemeModel().fit(texts, embeddings=X, langs=LANG, touchpoints=tps)
    th = tm.get_theme(_gold_theme(tm, y, 0))
    assert th.touchpoints[0]["name"] == "delivery_logistics"
    assert any(tp["name"] == "delivery_logistics" for p in tm.parents_ for tp in p["touchpoints"])


def test_cross_lingual_language_centering():
    """Two languages whose vectors differ by a constant offset: themes must mix both languages."""
    rng = np.random.default_rng(0)
    C = np.random.default_rng(123).normal(size=(4, DIM))
    shift = 1.5 * rng.normal(size=DIM)
    rows, langs, y, texts = [], [], [], []
    for lang in ("x1", "x2"):
        for t in range(4):
            for i in range(30):
                rows.append(C[t] + (shift if lang == "x2" else 0) + 0.3 * rng.normal(size=DIM))
                langs.append(lang)
                y.append(t)
                texts.append(f"{WORDS[t][i % 5]} {lang}")
    X = np.asarray(rows, np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    tm = ThemeModel().fit(texts, embeddings=X, langs=langs)
    assert nmi(y, tm.labels_) > 0.9
    assert nmi(langs, tm.labels_) < 0.1
    assert all(len(t.langs) == 2 for t in tm.themes_)


@pytest.mark.parametrize("n", [0, 1, 3])
def test_tiny_inputs_do_not_break(n, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, DIM)).astype(np.float32)
    tm = ThemeModel().fit([f"text number {i}" for i in range(n)], embeddings=X, langs=LANG)
    assert len(tm.labels_) == n and tm.outlier_share_ <= 1 / 3
    tm.save(tmp_path / "tm")
    back = ThemeModel.load(tmp_path / "tm")
    assert back.transform(["x"], embeddings=X[:1] if n else np.ones((1, DIM), np.float32), langs=LANG) == \
        tm.transform(["x"], embeddings=X[:1] if n else np.ones((1, DIM), np.float32), langs=LANG)


def test_invalid_texts_get_no_theme(data):
    texts, _, X = data
    items = list(texts[:20]) + [None, "", 3.5]
    tm = ThemeModel().fit(items, embeddings=X[:20], sentences=[[t] for t in texts[:20]] + [[], [], []], langs=LANG)
    assert list(tm.labels_[-3:]) == [-1, -1, -1]


def test_default_spectral_reducer_clusters_a_capped_subsample(monkeypatch):
    """Default reducer is the k-NN spectral embedding; above its row cap it sees a seeded sub-sample only,
    the other sentences join their nearest theme, and transform still agrees with fit."""
    from cx_nlp.themes import reduce as R

    assert ThemeModel().reducer == "auto"
    seen = []
    orig = R._Spectral.fit_transform

    def spy(self, x):
        seen.append(len(x))
        return orig(self, x)

    monkeypatch.setattr(R._Spectral, "fit_transform", spy)
    monkeypatch.setattr(R._Spectral, "max_fit_rows", 120)
    texts, y, X = make_data(n_per=60, seed=3)  # 300 sentences, cap 120
    tm = ThemeModel(random_state=0).fit(texts, embeddings=X, langs=[LANG] * len(texts))
    assert seen == [120]
    labels = np.asarray(tm.labels_)
    assert (labels >= 0).mean() >= 0.9
    assert nmi(y, labels) > 0.9
    assert list(tm.transform(texts, embeddings=X, langs=[LANG] * len(texts))) == [int(v) for v in labels]


def test_spectral_coordinates_are_not_renormalised_but_pca_are():
    from cx_nlp.themes.reduce import fit_reduce, make_reducer

    _, _, X = make_data(n_per=20, seed=1)
    z = fit_reduce(make_reducer("spectral", len(X), X.shape[1], 5, 0), X)
    assert z.shape == (len(X), 5)
    assert not np.allclose(np.linalg.norm(z, axis=1), 1.0, atol=1e-3)
    p = fit_reduce(make_reducer("pca", len(X), X.shape[1], 5, 0), X)
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)


def test_smooth_knn_averages_each_row_with_its_nearest_other_rows():
    from cx_nlp.themes.cluster import smooth_knn
    from cx_nlp.themes.reduce import l2n

    rng = np.random.default_rng(3)
    w = l2n(rng.normal(size=(200, 16)))
    for max_ref in (1000, 50):  # all rows as neighbours, and a sampled reference set
        out = smooth_knn(w, 3, np.random.default_rng(0), chunk=64, max_ref=max_ref)
        ref = np.arange(200) if max_ref >= 200 else np.sort(np.random.default_rng(0).choice(200, max_ref, replace=False))
        s = w @ w[ref].T
        s[np.isin(np.arange(200), ref).nonzero()[0], np.searchsorted(ref, np.arange(200)[np.isin(np.arange(200), ref)])] = -np.inf
        nn = ref[np.argsort(-s, axis=1)[:, :3]]
        np.testing.assert_allclose(out, l2n(w + w[nn].mean(1)), atol=1e-5)
    assert smooth_knn(w, 0) is w or np.array_equal(smooth_knn(w, 0), w)


def test_fit_clusters_smoothed_vectors_but_assigns_own_vectors(monkeypatch):
    import cx_nlp.themes.model as model_mod

    texts, labels, X = make_data(n_per=70)  # 350 sentences: smoothing starts at 300
    calls = []
    real = model_mod.smooth_knn
    monkeypatch.setattr(model_mod, "smooth_knn", lambda w, k, *a, **kw: calls.append(k) or real(w, k, *a, **kw))
    ThemeModel(smooth_neighbors=0).fit(texts, embeddings=X, langs=LANG)
    assert calls == []
    tm = ThemeModel(smooth_neighbors=4).fit(texts, embeddings=X, langs=LANG)
    assert calls == [4] and ThemeModel().smooth_neighbors == 10
    assert tm.transform(texts, embeddings=X, langs=LANG) == [int(v) for v in tm.labels_]
    from sklearn.metrics import normalized_mutual_info_score

    assert normalized_mutual_info_score(labels, tm.labels_) > 0.9
    calls.clear()
    ThemeModel().fit(texts[:200], embeddings=X[:200], langs=LANG)  # a small collection keeps its own vectors
    assert calls == []


def test_a_repeated_sentence_does_not_name_its_theme():
    from cx_nlp.themes.represent import ctfidf_keywords, make_names

    # one theme about prices, where a long sentence was pasted 30 times; another about delivery
    price = ["Prices are fair.", "Great prices and deals.", "The price went up again.", "Too expensive, bad prices.",
             "Prices here are higher than elsewhere.", "Fair prices every week."]
    pasted = ["I have been shopping at Nordwind for six years and this was by far the worst experience."] * 30
    delivery = ["The courier was late.", "Delivery took a week.", "Late delivery again.", "The courier lost it."]
    texts = price + pasted + delivery
    theme = [0] * (len(price) + len(pasted)) + [1] * len(delivery)
    rep = ctfidf_keywords(theme, texts, ["en"] * len(texts), [0, 1])
    words = [w for w, _, _ in rep.keywords[0]["en"]]
    assert words[0] == "prices", words  # counted once, the pasted sentence's words cannot pass 5% of 7 sentences
    assert rep.langs[0]["en"] == len(price) + len(pasted)  # the theme's size still counts every sentence
    assert make_names({0: words})[0].lower().startswith("prices")


def test_counts_and_praise_words_do_not_lead_a_name():
    from cx_nlp.themes.represent import make_names
    from cx_nlp.themes.terms import poor_name

    assert poor_name("three") and poor_name("three times") and poor_name("2 day") and poor_name("great")
    assert poor_name("пять") and not poor_name("refund") and not poor_name("delivery time")
    assert poor_name("good bad") and not poor_name("good food")
    kws = ["three", "refund", "paying"]
    assert make_names({0: kws}, avoid={0: {k for k in kws if poor_name(k)}})[0] == "Refund / paying"
