"""The category -> touchpoint map (aspect_map.csv) and the touchpoint rows built from the shared corpora."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from cx_nlp.cx.taxonomy import Taxonomy
from cx_nlp.cx.touchpoint_data import ASPECT_FILES, INTENT_FILES, AspectMap, CachedEncoder, label_matrix

MAP = Path(__file__).resolve().parents[2] / "cx_nlp" / "cx" / "aspect_map.csv"


def test_every_row_has_a_reason_and_a_known_touchpoint():
    ids = set(Taxonomy.load().ids)
    rows = list(csv.DictReader(MAP.read_text(encoding="utf-8").splitlines()))
    assert rows and set(rows[0]) == {"source", "match", "category", "touchpoint", "reason"}
    seen = set()
    for r in rows:
        assert r["reason"].strip(), r
        assert r["match"] in ("exact", "prefix"), r
        assert r["touchpoint"] == "" or r["touchpoint"] in ids, r
        key = (r["source"], r["match"], r["category"].lower())
        assert key not in seen, f"duplicate row {key}"
        seen.add(key)
    assert {r["source"] for r in rows} == set(ASPECT_FILES + INTENT_FILES)


def test_lookup_rules():
    m = AspectMap.load()
    assert m.lookup("semeval2016_absa_en_restaurants", "FOOD#QUALITY") == "product_quality"
    assert m.lookup("semeval2016_absa_en_restaurants", "food#quality") == "product_quality"
    assert m.lookup("semeval2016_absa_en_restaurants", "RESTAURANT#GENERAL") == ""  # known, not a touchpoint
    assert m.lookup("semeval2016_absa_en_restaurants", "NOPE#NOPE") is None  # unknown
    assert m.lookup("m_absa_mt", "SUPPORT#PRICE") == "price_value"  # exact beats prefix
    assert m.lookup("m_absa_mt", "SUPPORT#QUALITY") == "customer_support"
    assert m.lookup("m_absa_mt", "Logistics#Shipping Fee") == "price_value"
    assert m.lookup("m_absa_mt", "Logistics#Speed") == "delivery_logistics"
    assert m.lookup("polish_aste", "Śniadania") == "product_quality"
    assert m.lookup("polish_aste", "obsługa recepcji") == "staff_behaviour"
    assert m.lookup("banking77", "request_refund") == "returns_refunds"
    assert "customer_support" in m.touchpoints("bitext_customer_service")


def test_label_matrix_marks_positives_as_annotated():
    import pandas as pd

    df = pd.DataFrame({"labels": [["b"], [], ["a", "c"]], "annotated": [["a"], ["a", "b"], []]})
    Y, M = label_matrix(df, ["a", "b", "c"])
    np.testing.assert_array_equal(Y, [[0, 1, 0], [0, 0, 0], [1, 0, 1]])
    np.testing.assert_array_equal(M, [[1, 1, 0], [1, 1, 0], [1, 0, 1]])


def test_cached_encoder_embeds_each_text_once(tmp_path):
    class Enc:
        dim = 4
        calls = 0

        def encode(self, texts):
            Enc.calls += len(texts)
            return np.stack([np.full(4, len(t), np.float32) for t in texts])

    c = CachedEncoder(Enc(), tmp_path, name="t")
    a = c.encode(["ab", "abc", "ab"])
    assert Enc.calls == 2 and a[0, 0] == 2 and a[1, 0] == 3 and c.dim == 4
    c.save()
    c2 = CachedEncoder(Enc(), tmp_path, name="t")
    b = c2.encode(["abc", "ab"])
    assert Enc.calls == 2
    np.testing.assert_array_equal(b, a[[1, 0]])
    # another backend (the int8 default) never reads the torch run's vectors
    Enc.backend = "onnx-int8"
    c3 = CachedEncoder(Enc(), tmp_path, name="t")
    c3.encode(["abc"])
    assert Enc.calls == 3 and c3.name == "t_onnxint8"


@pytest.mark.shared_data
def test_rows_from_the_shared_corpora(shared_data):
    from cx_nlp.cx.touchpoint_data import touchpoint_examples

    df = touchpoint_examples(shared_data)
    assert set(df["fold"]) == {"train", "valid"}
    assert {"en", "ru", "fa", "pl"} <= set(df.loc[df["fold"] == "valid", "lang"])
    # no text is both trained on and validated on
    tr = set(df.loc[df["fold"] == "train", "text"].str.strip().str.lower())
    va = set(df.loc[df["fold"] == "valid", "text"].str.strip().str.lower())
    assert not (tr & va)
    # sentences cut from one review share its fold
    sent = df[df["review_id"].notna()]
    assert sent.groupby("review_id")["fold"].nunique().max() == 1
    ids = set(Taxonomy.load().ids)
    assert all(set(l) <= ids and set(l) <= set(a) | set(l) for l, a in zip(df["labels"], df["annotated"]))
    assert not df["id"].str.contains(":test:").any()  # corpus test splits are never read


def test_service_examples_are_labelled_rows_kept_apart_from_their_test_set():
    from cx_nlp.cx.touchpoint_data import SERVICE_NAME, service_examples

    tax = Taxonomy.load()
    rows = service_examples(tax)
    assert len(rows) > 1000
    assert all(r["file"] == SERVICE_NAME and len(r["labels"]) == 1 and r["annotated"] == tax.ids for r in rows)
    assert all(r["polarity"][r["labels"][0]] in ("negative", "neutral", "positive") for r in rows)
    # every touchpoint is taught in every language the taxonomy writes examples in
    seen = {(r["labels"][0], r["lang"]) for r in rows}
    assert seen == {(t, lang) for t in tax.ids for lang in ("en", "ru", "ro", "pl", "fa")}
    # the validation share is a hash of the text: stable across runs and file order
    valid = {r["text"] for r in rows if r["fold"] == "valid"}
    assert 0.15 < len(valid) / len(rows) < 0.35
    assert valid == {r["text"] for r in service_examples(tax) if r["fold"] == "valid"}
    # the benchmark's held-out service sentences are never trained on
    test = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "touchpoints_service_test.jsonl"
    import json

    held = {json.loads(line)["text"].strip().lower() for line in test.read_text(encoding="utf-8").splitlines()}
    assert len(held) > 200 and not held & {r["text"].strip().lower() for r in rows}


def test_service_examples_read_a_users_file(tmp_path):
    from cx_nlp.cx.touchpoint_data import service_examples

    f = tmp_path / "mine.jsonl"
    f.write_text('{"text": "@united lost my bag again", "lang": "en", "domain": "airline", '
                 '"touchpoint": "delivery_logistics", "polarity": "negative"}\n', encoding="utf-8")
    (row,) = service_examples(Taxonomy.load(), f)
    assert row["labels"] == ["delivery_logistics"] and row["polarity"] == {"delivery_logistics": "negative"}
    assert row["id"].startswith("service:en:") and row["sub"] == "airline"


def test_detector_tuning_rows_are_a_third_of_validation_and_keep_groups_together():
    import pandas as pd

    from cx_nlp.cx.touchpoint_data import SERVICE_NAME, detector_tuning_rows

    n = 3000
    df = pd.DataFrame({
        "id": [f"m_absa_mt:restaurant_{lang}:train:{i}" for i in range(n // 2) for lang in ("en", "ru")],
        "file": "m_absa_mt", "review_id": None,
        "fold": ["valid" if i % 4 == 0 else "train" for i in range(n // 2) for _ in (0, 1)],
    })
    service = pd.DataFrame({"id": [f"service:en:{i}" for i in range(200)], "file": SERVICE_NAME, "review_id": None,
                            "fold": ["valid", "train"] * 100})
    df = pd.concat([df, service], ignore_index=True)
    tune = detector_tuning_rows(df)
    valid = (df["fold"] == "valid").to_numpy()
    corpus_valid = valid & (df["file"] != SERVICE_NAME).to_numpy()
    assert not (tune & ~valid).any()  # training rows never tune
    assert 0.25 < tune[corpus_valid].mean() < 0.42  # a third of the corpus validation rows: the rest is scored
    assert tune[valid & (df["file"] == SERVICE_NAME).to_numpy()].all()  # no benchmark scores these
    assert (tune[0:n:2] == tune[1:n:2]).all()  # a text and its machine translation stay on one side
