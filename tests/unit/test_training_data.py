"""Reading users' labeled files: label kinds, rating/NPS mapping, splits, class weights (no encoder)."""
import json

import numpy as np
import pandas as pd
import pytest

from cx_nlp.errors import CxError
from cx_nlp.heads import SENTIMENT_LABELS
from cx_nlp.training.data import (LabelSpec, class_weights, head_name_for, infer_spec, load_labeled,
                                  nps_to_sentiment, rating_to_sentiment, read_any, stratified_split,
                                  stratify_keys)


def _texts(n):
    return [f"review number {i} says something about the order" for i in range(n)]


# ------------------------------------------------------------------------------------------- label kinds
def test_single_label_strings_sorted_and_rare_dropped():
    s = pd.Series(["price", "delivery", "price", "support", "delivery", "support", "one-off"])
    spec = infer_spec(s, "topic")
    assert spec.kind == "single" and spec.source == "labels"
    assert spec.labels == ["delivery", "price", "support"]
    assert spec.dropped_labels == {"one-off": 1}


@pytest.mark.parametrize("values", [
    [["a", "b"], ["a"], ["b", "c"], ["c"]],                       # JSONL / Parquet lists
    ['["a", "b"]', '["a"]', '["b", "c"]', '["c"]'],               # lists as JSON strings (CSV, readers)
    ["a|b", "a", "b|c", "c"],                                     # delimited strings
    ["a; b", "a", "b; c", "c"],
])
def test_multi_label_forms(values):
    spec = infer_spec(pd.Series(values * 3), "tags")
    assert spec.kind == "multi" and spec.labels == ["a", "b", "c"]
    y, keep, unknown = spec.encode(values)
    assert keep.all() and not unknown
    np.testing.assert_array_equal(y, [[1, 1, 0], [1, 0, 0], [0, 1, 1], [0, 0, 1]])


def test_comma_inside_single_labels_is_not_a_delimiter():
    vals = ["Price, value", "Delivery, packaging", "Staff, behaviour"] * 4
    spec = infer_spec(pd.Series(vals), "category")
    assert spec.kind == "single" and "Price, value" in spec.labels


def test_fixed_pairs_still_read_as_multi_label():
    vals = ["delivery", "delivery|packaging", "price", "price|billing"] * 3
    spec = infer_spec(pd.Series(vals), "tags")
    assert spec.kind == "multi" and spec.sep == "|"
    assert spec.labels == ["billing", "delivery", "packaging", "price"]


def test_explicit_multi_with_separator():
    spec = infer_spec(pd.Series(["x/y", "x", "y"] * 3), "t", kind="multi", sep="/")
    assert spec.kind == "multi" and spec.labels == ["x", "y"]


@pytest.mark.parametrize("r,want", [(1, "negative"), (2, "negative"), (2.5, "negative"), (3, "neutral"),
                                    (3.4, "neutral"), (3.5, "positive"), (4, "positive"), (5, "positive"),
                                    (0, None), (6, None)])
def test_rating_mapping(r, want):
    assert rating_to_sentiment(r) == want


@pytest.mark.parametrize("r,want", [(0, "negative"), (6, "negative"), (7, "neutral"), (8, "neutral"),
                                    (9, "positive"), (10, "positive"), (11, None), (-1, None)])
def test_nps_mapping(r, want):
    assert nps_to_sentiment(r) == want


def test_rating_column_detected_from_numbers_and_strings():
    spec = infer_spec(pd.Series(["1", "2", "3", "4", "5", "4"]), "stars")
    assert spec.source == "rating" and spec.labels == SENTIMENT_LABELS
    y, keep, _ = spec.encode(["1", 3, "4.0", "", None, "9"])
    assert keep.tolist() == [True, True, True, False, False, False]
    assert y.tolist() == [0, 1, 2]


def test_nps_detected_by_name_and_by_range():
    assert infer_spec(pd.Series([0, 3, 9, 10]), "nps_score").source == "nps"
    assert infer_spec(pd.Series([0, 3, 7, 9, 10]), "how_likely").source == "nps"


def test_numeric_class_ids_are_not_ratings():
    spec = infer_spec(pd.Series([1, 2, 3, 1, 2, 3]), "label")
    assert spec.source == "labels" and spec.labels == ["1", "2", "3"]
    spec = infer_spec(pd.Series([0, 1, 0, 1]), "x")  # two values: not a 1..5 scale
    assert spec.source == "labels" and spec.labels == ["0", "1"]


def test_sentiment_words_normalised():
    spec = infer_spec(pd.Series(["POS", "neg", "Neutral", "pos"] * 2), "polarity")
    assert spec.source == "sentiment" and spec.labels == SENTIMENT_LABELS
    y, keep, _ = spec.encode(["pos", "NEGATIVE", "neu"])
    assert y.tolist() == [2, 0, 1]


def test_override_kinds_and_bad_kind():
    assert infer_spec(pd.Series([1, 2, 3]), "label", kind="rating").source == "rating"
    assert infer_spec(pd.Series([1, 5, 3] * 2), "rating", kind="single").source == "labels"
    with pytest.raises(ValueError):
        infer_spec(pd.Series(["a"]), "x", kind="ordinal")


def test_too_few_classes_is_a_coded_error():
    with pytest.raises(CxError) as e:
        infer_spec(pd.Series(["a", "a", "a"]), "x")
    assert e.value.code == "E501"


def test_unknown_labels_counted_and_spec_roundtrip():
    spec = LabelSpec("single", ["a", "b"])
    y, keep, unknown = spec.encode(["a", "c", "b", "c"])
    assert y.tolist() == [0, 1] and keep.tolist() == [True, False, True, False] and unknown == {"c": 2}
    assert LabelSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


def test_head_names_are_file_safe():
    spec = LabelSpec("single", ["a", "b"])
    assert head_name_for("Topic (main)", spec) == "topic_main"
    assert head_name_for("1st label", spec) == "h_1st_label"
    assert head_name_for("rating", LabelSpec("single", SENTIMENT_LABELS, source="rating")) == "rating"


# ------------------------------------------------------------------------------------------- splits, weights
def test_stratified_split_keeps_every_class_and_is_seeded():
    y = np.array([0] * 50 + [1] * 20 + [2] * 4 + [3] * 2 + [4])
    v1 = stratified_split(y, 0.2, seed=1)
    assert stratified_split(y, 0.2, seed=1).tolist() == v1.tolist()
    assert stratified_split(y, 0.2, seed=2).tolist() != v1.tolist()
    for k in (0, 1, 2, 3):
        assert v1[y == k].any() and (~v1[y == k]).any()  # in both folds
    assert not v1[y == 4].any()  # a single row can only train
    assert v1[y == 0].sum() == 10 and v1[y == 1].sum() == 4


def test_multi_label_strata_use_the_rarest_label():
    y = np.array([[1, 0, 0], [1, 1, 0], [1, 0, 1], [0, 0, 0]], dtype=np.float32)
    assert stratify_keys(y, "multi").tolist() == [0, 1, 2, -1]


def test_balanced_weights_give_each_class_equal_mass():
    y = np.array([0] * 90 + [1] * 10)
    w, pw = class_weights(y, "single", "balanced")
    assert pw is None and abs(w.mean() - 1) < 1e-6
    assert abs(w[y == 0].sum() - w[y == 1].sum()) < 1e-3
    w2, _ = class_weights(y, "single", "sqrt")
    assert w2[y == 1][0] / w2[y == 0][0] == pytest.approx(3.0, rel=1e-4)
    assert (class_weights(y, "single", "none")[0] == 1).all()
    ym = np.array([[1, 0]] * 10 + [[1, 1]] * 2 + [[0, 0]] * 4, dtype=np.float32)
    w, pw = class_weights(ym, "multi", "balanced")
    assert (w == 1).all() and pw[0] == 1.0 and pw[1] == pytest.approx(np.sqrt(14 / 2))


# ------------------------------------------------------------------------------------------- load_labeled
def _frame(n=40):
    return pd.DataFrame({"id": range(n), "comment": _texts(n), "Language": ["en", "de"] * (n // 2),
                         "topic": ["price", "delivery", "support", "quality"] * (n // 4)})


def test_load_labeled_detects_columns_and_splits():
    ld = load_labeled(_frame(), seed=3)
    assert ld.text_col == "comment" and ld.label_col == "topic"
    assert set(ld.lang) == {"en", "de"}
    assert (ld.fold == "valid").sum() == 8 and set(ld.fold) == {"train", "valid"}
    assert ld.split_source.startswith("stratified")
    again = load_labeled(_frame(), seed=3)
    assert again.fold.tolist() == ld.fold.tolist() and again.y.tolist() == ld.y.tolist()


def test_load_labeled_split_column_and_valid_file():
    df = _frame()
    df["split"] = ["train"] * 28 + ["dev"] * 8 + ["test"] * 4
    ld = load_labeled(df)
    assert ld.split_source == "split column 'split'"
    assert (ld.fold == "valid").sum() == 8 and (ld.fold == "test").sum() == 4
    ld2 = load_labeled(_frame(), valid=_frame(12), text_col="comment", label_col="topic")
    assert (ld2.fold == "valid").sum() == 12 and ld2.split_source == "valid file"


def test_load_labeled_drops_and_counts_bad_rows():
    df = _frame()
    df.loc[0, "comment"] = "  "
    df.loc[1, "topic"] = None
    df.loc[2, "topic"] = "unheard-of"  # a label seen once: too rare to learn
    ld = load_labeled(df, text_col="comment", label_col="topic")
    assert len(ld.texts) == 37
    assert ld.dropped == {"empty_text": 1, "no_label": 1, "unknown_label": 1}


def test_load_labeled_errors():
    with pytest.raises(CxError) as e:
        load_labeled(_frame(), label_col="nope")
    assert e.value.code == "E403"
    with pytest.raises(CxError) as e:
        load_labeled(_frame(8))
    assert e.value.code == "E501"


def test_load_labeled_for_evaluation_keeps_every_row():
    spec = LabelSpec("single", ["delivery", "price", "quality", "support"])
    ld = load_labeled(_frame(), spec=spec, split=False)
    assert len(ld.texts) == 40 and set(ld.fold) == {"eval"}


# ------------------------------------------------------------------------------------------- file formats
def test_read_formats(tmp_path):
    df = pd.DataFrame({"text": _texts(12), "tags": [["a", "b"], ["a"], ["b"]] * 4, "rating": [1, 3, 5] * 4})
    (tmp_path / "d.jsonl").write_text("\n".join(json.dumps(r) for r in df.to_dict("records")), encoding="utf-8")
    df.assign(tags=df["tags"].map("|".join)).to_csv(tmp_path / "d.csv", sep=";", index=False)
    df.to_parquet(tmp_path / "d.parquet")
    df.assign(tags=df["tags"].map("|".join)).to_excel(tmp_path / "d.xlsx", index=False)
    for name in ("d.jsonl", "d.csv", "d.parquet", "d.xlsx"):
        ld = load_labeled(tmp_path / name, label_col="tags")
        assert ld.spec.kind == "multi" and ld.spec.labels == ["a", "b"], name
        assert ld.text_col == "text" and len(ld.texts) == 12
        ld = load_labeled(tmp_path / name, label_col="rating")
        assert ld.spec.source == "rating" and sorted(set(ld.y.tolist())) == [0, 1, 2], name


def test_read_datasets_folder(tmp_path):
    datasets = pytest.importorskip("datasets")
    dd = datasets.DatasetDict({
        "train": datasets.Dataset.from_dict({"text": _texts(20), "label": ["x", "y"] * 10}),
        "validation": datasets.Dataset.from_dict({"text": _texts(6), "label": ["x", "y"] * 3}),
    })
    dd.save_to_disk(str(tmp_path / "ds"))
    df = read_any(tmp_path / "ds")
    assert len(df) == 26 and set(df["split"]) == {"train", "validation"}
    ld = load_labeled(tmp_path / "ds")
    assert (ld.fold == "valid").sum() == 6 and ld.split_source == "split column 'split'"
