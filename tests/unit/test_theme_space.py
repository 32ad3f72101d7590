"""Theme space: the learned linear map ThemeModel clusters in (synthetic data, plus the bundled space)."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cx_nlp import ThemeModel
from cx_nlp.errors import CxError
from cx_nlp.themes.space import ThemeSpace, load_space

DIM = 32


def topic_and_style(n_topics=6, n_styles=3, per=30, seed=0):
    """Sentences = topic direction + a strong "phrasing" direction shared across topics + noise.

    Raw cosine groups them by style (the phrasing vectors are longer than the topic ones); a space learned
    from *other* topics labelled the same way must learn to ignore the style directions.
    """
    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(np.random.default_rng(99).normal(size=(DIM, DIM)))[0]  # one world for every seed
    topic_dirs, style_dirs = basis[:, :12], basis[:, 12:15]
    X, topic, style = [], [], []
    for t in range(n_topics):
        tv = topic_dirs @ rng.normal(size=12)
        tv /= np.linalg.norm(tv)
        for s in range(n_styles):
            for _ in range(per):
                X.append(1.0 * tv + 2.0 * style_dirs[:, s] + 0.15 * rng.normal(size=DIM))
                topic.append(t)
                style.append(s)
    X = np.asarray(X, np.float32)
    return X / np.linalg.norm(X, axis=1, keepdims=True), np.asarray(topic), np.asarray(style)


def nmi(a, b):
    from sklearn.metrics import normalized_mutual_info_score

    return normalized_mutual_info_score(a, b)


def test_space_learned_on_other_topics_groups_new_topics_by_topic_not_style():
    # many labelled topics span the topic subspace; the new ones are other directions in it
    X_train, y_train, _ = topic_and_style(n_topics=40, per=10, seed=1)
    X_new, topic, style = topic_and_style(seed=2)
    sp = ThemeSpace(n_components=12).fit(X_train, y_train)
    assert ThemeSpace(n_components=12).fit(X_train[y_train < 6], y_train[y_train < 6]).output_dim == 5  # <= classes - 1
    Z = sp.transform(X_new)
    assert Z.shape == (len(X_new), 12)
    assert np.allclose(np.linalg.norm(Z, axis=1), 1.0, atol=1e-5)
    from sklearn.cluster import KMeans

    raw = KMeans(6, n_init=5, random_state=0).fit(X_new).labels_
    mapped = KMeans(6, n_init=5, random_state=0).fit(Z).labels_
    assert nmi(topic, raw) < 0.6 < nmi(topic, mapped)
    assert nmi(style, mapped) < 0.2


def test_space_save_load_round_trip_and_clear_errors(tmp_path):
    X, y, _ = topic_and_style()
    sp = ThemeSpace(n_components=4).fit(X, y, info={"corpora": {"toy": len(X)}})
    path = sp.save(tmp_path)
    meta = json.loads((tmp_path / "theme_space.json").read_text())
    assert path.name == "theme_space.safetensors" and meta["n_components"] == 4 and meta["input_dim"] == DIM
    again = ThemeSpace.load(tmp_path)
    assert np.array_equal(again.transform(X), sp.transform(X))
    assert again.info_["corpora"] == {"toy": len(X)} and again.n_classes_ == 6
    with pytest.raises(CxError) as e:
        sp.transform(np.ones((2, DIM + 1), np.float32))
    assert e.value.code == "E805"
    with pytest.raises(CxError) as e:
        ThemeSpace.load(tmp_path / "nowhere")
    assert e.value.code == "E803"
    with pytest.raises(CxError):
        ThemeSpace().fit(X[:10], np.array([0, 1] * 5))  # two categories: nothing to learn


def test_theme_model_clusters_in_the_space_and_saves_it(tmp_path):
    X_train, y_train, _ = topic_and_style(n_topics=40, per=10, seed=1)
    X, topic, _ = topic_and_style(seed=2, per=20)
    texts = [f"sentence {i} about topic {t}" for i, t in enumerate(topic)]
    sp = ThemeSpace(n_components=12).fit(X_train, y_train)
    plain = ThemeModel(space=None, random_state=0).fit(texts, embeddings=X, langs="xx")
    tm = ThemeModel(space=sp, random_state=0).fit(texts, embeddings=X, langs="xx")
    assert plain.space_ is None and plain.prototypes_.shape[1] == DIM
    assert tm.space_ is sp and tm.prototypes_.shape[1] == sp.output_dim
    assert nmi(topic, tm.labels_) > nmi(topic, plain.labels_) + 0.2
    tm.save(tmp_path / "m")
    back = ThemeModel.load(tmp_path / "m")
    assert back.space_ is not None and back.transform(texts, embeddings=X) == list(tm.labels_)
    assert json.loads((tmp_path / "m" / "themes.json").read_text())["params"]["space"] == "saved"


def test_model_saved_without_a_space_loads_without_one(tmp_path):
    X, topic, _ = topic_and_style(per=12)
    texts = [f"t{i}" for i in range(len(X))]
    tm = ThemeModel(space=None).fit(texts, embeddings=X, langs="xx")
    tm.save(tmp_path)
    back = ThemeModel.load(tmp_path)
    assert back.space_ is None and back.transform(texts, embeddings=X) == list(tm.labels_)
    # a folder written before theme spaces existed (no "space" parameter): refits stay without one
    meta = json.loads((tmp_path / "themes.json").read_text())
    del meta["params"]["space"]
    (tmp_path / "themes.json").write_text(json.dumps(meta))
    old = ThemeModel.load(tmp_path)
    assert old.space is None and old.fit(texts, embeddings=X, langs="xx").space_ is None


def test_bundled_space_is_in_the_verified_manifest_and_used_by_default():
    from cx_nlp.model_folder import read_manifest
    from cx_nlp.paths import default_model_dir

    folder = default_model_dir()
    man = read_manifest(folder)  # verifies every listed file's SHA-256
    assert "theme_space.safetensors" in man["files"] and man["theme_space"]["n_components"] == 120
    sp = load_space("auto", 384)
    assert sp is not None and sp.input_dim == 384 and sp.output_dim == 120
    assert load_space("auto", 768) is None  # another encoder's width: the embedding as it is
    assert load_space(None, 384) is None and load_space("None", 384) is None
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 384)).astype(np.float32)
    tm = ThemeModel().fit([f"t{i}" for i in range(400)], embeddings=X, langs="xx")
    assert tm.space_ is not None and tm.sentiment_basis_.shape[1] == 0  # the space replaces polarity removal


def test_training_pool_exclusion_keeps_evaluated_corpora_out():
    from cx_nlp.training.theme_space import excluding, fit_theme_space

    pool = pd.DataFrame({
        "corpus": ["semeval2016_absa_en_restaurants"] * 2 + ["m_absa_mt"] * 2 + ["banking77"] * 3,
        "text": ["Great food", "Slow service", "great  FOOD", "Nice room", "card lost", "Great food", "top up"],
        "lang": ["en"] * 7, "label": list("abcdefg"),
        "id": ["semeval:sb1:train:7:0", "semeval:sb1:train:7:1", "m_absa_mt:restaurant_en:train:3",
               "m_absa_mt:hotel_en:train:4", "banking77:b:train:1", "banking77:b:train:2", "banking77:b:train:3"]})
    keep = excluding(pool, "semeval2016_absa_en_restaurants", texts=["Great food"])
    assert keep.tolist() == [False, False, False, False, True, False, True]  # corpus, related corpus, same text
    assert excluding(pool, None).all()
    # held-out rows of a corpus the space trains on: the equal text goes, with its translation twin and the
    # other sentences of its review; unrelated rows stay
    pool.loc[len(pool)] = ["m_absa_mt", "Отличная еда", "ru", "c", "m_absa_mt:restaurant_ru:train:3"]
    keep = excluding(pool, None, texts=["great food"])
    assert keep.tolist() == [False, False, False, True, True, False, True, False]
    keep = excluding(pool, None, ids=["banking77:b:train:3", "m_absa_mt:hotel_ru:train:4"])
    assert keep.tolist() == [True, True, True, False, True, True, False, True]
    X, y, _ = topic_and_style()
    big = pd.DataFrame({"corpus": "toy", "text": [f"s{i}" for i in range(len(X))], "lang": "en",
                        "label": y.astype(str)})
    big.loc[0, "label"] = "singleton"  # a category with one sentence has no spread to learn from: dropped
    sp = fit_theme_space(big, X, n_components=4)
    assert sp.n_classes_ == 6 and sp.n_train_ == len(X) - 1 and sp.info_["corpora"] == {"toy": len(X) - 1}


def test_retraining_the_default_heads_keeps_the_theme_space(tmp_path):
    from cx_nlp.model_folder import read_manifest, write_manifest
    from cx_nlp.training.model_card import THEME_SPACE_SECTION, write_default_model

    X, y, _ = topic_and_style()
    ThemeSpace(n_components=4).fit(X, y, info={"corpora": {"toy": len(X)}, "languages": {"en": len(X)}}).save(tmp_path)
    (tmp_path / "old_head.json").write_text("{}")
    write_manifest(tmp_path, {"name": "old", "theme_space": {"weights": "theme_space.safetensors", "n_components": 4}})
    write_default_model(tmp_path, heads={}, metrics={}, train_rows={}, corpora=[], seconds=1.0)
    man = read_manifest(tmp_path)  # hashes verified, the space's files included
    assert {"theme_space.safetensors", "theme_space.json"} <= set(man["files"]) and "old_head.json" not in man["files"]
    assert man["theme_space"]["n_components"] == 4
    card = (tmp_path / "model_card.md").read_text()
    assert THEME_SPACE_SECTION in card and f"toy {len(X)}" in card


def test_refit_keeps_the_space_of_its_reference(monkeypatch):
    from cx_nlp.themes import space as space_mod

    rng = np.random.default_rng(5)
    centres = rng.normal(size=(4, 384))
    X = np.vstack([c + 0.3 * rng.normal(size=(60, 384)) for c in centres]).astype(np.float32)
    texts = [f"t{i}" for i in range(len(X))]
    tm = ThemeModel(random_state=0).fit(texts, embeddings=X, langs="xx")
    first = tm.space_
    assert first is not None
    # an upgrade ships another bundled space: the refit stays in the old one, so its ids still match
    other = ThemeSpace.from_state({"space_mean": np.zeros(384, np.float32),
                                   "space_components": rng.normal(size=(384, 120)).astype(np.float32)})
    monkeypatch.setitem(space_mod._DEFAULT, "auto", other)
    again = ThemeModel(random_state=0, reference=tm).fit(texts, embeddings=X, langs="xx")
    assert again.space_ is first and list(again.labels_) == list(tm.labels_)
    assert ThemeModel(random_state=0).fit(texts, embeddings=X, langs="xx").space_ is other  # a new model: the new space
