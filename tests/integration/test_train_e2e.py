"""Train on users' own labels with the REAL encoder: CLI and API, load, predict, evaluate (no ../shared)."""
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import cx_nlp
from cx_nlp.cli import app

pytestmark = pytest.mark.integration
FIX = Path(__file__).resolve().parents[1] / "fixtures" / "topic_reviews.jsonl"
HELD_OUT = {  # new texts, not in the fixture
    "delivery": ["The courier dumped the box at the wrong address and left.",
                 "Die Lieferung kam zwei Wochen zu spät."],
    "price": ["Far too expensive, they doubled the monthly fee.", "Za drogo, ceny poszły w górę."],
    "support": ["The call centre kept me waiting forty minutes and then hung up.",
                "Operatorul de la suport a fost foarte amabil."],
    "quality": ["The kettle started leaking after a week.", "Material de foarte proastă calitate, s-a rupt."],
}


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One model via the CLI, one via cx_nlp.train: same data and seed."""
    root = tmp_path_factory.mktemp("train")
    res = CliRunner().invoke(app, ["train", str(FIX), "-o", str(root / "cli"), "--label-col", "topic",
                                   "--seed", "7"])
    assert res.exit_code == 0, res.output
    api = cx_nlp.train(FIX, root / "api", label_col="topic", seed=7, progress=False)
    return root, api


def test_cli_and_api_write_the_same_complete_model_folder(trained):
    root, api = trained
    cli = root / "cli"
    m = json.loads((cli / "manifest.json").read_text())
    assert m["heads"] == ["sentiment", "emotions", "topic"] and m["custom_heads"] == ["topic"]
    assert m["touchpoints"] and m["encoder"]["prefix"] == "query: "
    for name in ("topic.safetensors", "topic.json", "label_map.json", "training.json", "evaluation.json",
                 "model_card.md", "sentiment.safetensors", "emotions.safetensors", "touchpoints.safetensors",
                 "sentiment_embedding.safetensors"):
        assert name in m["files"], name
    # the default heads read the encoder's features; themes' teacher (embedding only) travels with them
    assert m["encoder"]["feature_layers"] == [8] and m["embedding_heads"] == ["sentiment_embedding"]
    assert not (cli / ".cache").exists()  # caches are removed after a finished run
    # seeded and reproducible: same data + seed -> byte-identical head weights, CLI or API
    assert _sha(cli / "topic.safetensors") == _sha(api.path / "topic.safetensors")
    ev = json.loads((cli / "evaluation.json").read_text())["valid"]
    assert ev["overall"]["n"] == api.rows["valid"] > 0
    assert set(ev["by_lang"]) <= {"en", "ro", "pl", "ru", "es"}
    assert ev["overall"]["macro_f1"] >= 0.7, ev["overall"]
    card = (cli / "model_card.md").read_text()
    assert f"| all | {ev['overall']['n']} | {ev['overall']['macro_f1']} |" in card
    lm = json.loads((cli / "label_map.json").read_text())["topic"]
    assert lm["labels"] == ["delivery", "price", "quality", "support"] and lm["kind"] == "single"


def test_analyzer_surfaces_the_custom_head_and_keeps_the_defaults(trained):
    root, _ = trained
    an = cx_nlp.Analyzer.load(root / "cli")
    # the head reads the columns its training chose (auto: under 200 training rows, the embedding)
    layers = json.loads((root / "cli" / "manifest.json").read_text())["encoder"]["feature_layers"]
    tr = json.loads((root / "cli" / "training.json").read_text())
    assert layers and tr["inputs_requested"] == "auto" and tr["inputs"] in ("embedding", "features")
    assert an.heads["topic"].config.input_dim == 384 * (1 + (len(layers) if tr["inputs"] == "features" else 0))
    texts = [t for ts in HELD_OUT.values() for t in ts]
    gold = [k for k, ts in HELD_OUT.items() for _ in ts]
    results = an.predict(texts)
    hits = 0
    for r, g in zip(results, gold):
        d = r.to_dict()
        c = d["custom"]["topic"]
        assert set(c["scores"]) == set(HELD_OUT) and abs(sum(c["scores"].values()) - 1) < 1e-3
        assert all("topic" in s["custom"] for s in d["sentences"])
        assert d["sentiment"]["label"] in ("negative", "neutral", "positive") and len(d["emotions"]) == 8
        hits += c["label"] == g
    assert hits >= 6, hits
    mixed = an.predict("The parcel arrived a week late. The support agent, however, was wonderful.").to_dict()
    assert [s["custom"]["topic"]["label"] for s in mixed["sentences"]] == ["delivery", "support"]
    assert an.predict("").to_dict()["custom"] == {}


def test_eval_command_writes_json_per_language(trained, tmp_path):
    root, _ = trained
    out = tmp_path / "eval.json"
    res = CliRunner().invoke(app, ["eval", str(root / "cli"), str(FIX), "--json", str(out)])
    assert res.exit_code == 0, res.output
    rep = json.loads(out.read_text())
    assert rep["head"] == "topic" and rep["n"] == 152 and rep["language_source"] == "column"
    assert set(rep["by_lang"]) == {"en", "ro", "pl", "ru", "es"}
    for r in [rep["overall"], *rep["by_lang"].values()]:
        assert {"macro_f1", "accuracy", "ece", "confusion"} <= set(r)
    assert np.asarray(rep["overall"]["confusion"]).sum() == 152
    # the default model on the same file's 1-5 ratings: the sentiment head, languages detected
    df = pd.read_json(FIX, lines=True).drop(columns=["lang"])
    from cx_nlp.training.api import evaluate

    rep2 = evaluate(None, df, label_col="rating", progress=False)
    assert rep2["head"] == "sentiment" and rep2["label_source"] == "rating"
    assert rep2["language_source"] == "detected" and "en" in rep2["by_lang"]
    assert rep2["overall"]["macro_f1"] > 0.4


def test_eval_reads_what_predict_reports(trained):
    from cx_nlp.training.api import text_probs

    root, _ = trained
    an = cx_nlp.Analyzer.load(root / "cli")
    texts = ["Shipping was slow but the price was fair.", "Terrible support. I will never call again."]
    P, _, ok = text_probs(an, "topic", texts)
    S, _, _ = text_probs(an, "sentiment", texts)
    for i, r in enumerate(an.predict(texts)):
        np.testing.assert_allclose(P[i], list(r.custom["topic"]["scores"].values()), atol=1e-4)
        np.testing.assert_allclose(S[i], list(r.sentiment["scores"].values()), atol=1e-4)


def test_lora_adapter_is_saved_and_applied_at_load(tmp_path):
    pytest.importorskip("peft")
    df = pd.read_json(FIX, lines=True)
    df = pd.concat([g.head(10) for _, g in df.groupby("topic")])  # 40 texts
    res = cx_nlp.train(df, tmp_path / "lora", label_col="topic", mode="lora", epochs=1, max_length=16,
                       progress=False)
    assert res.mode == "lora" and res.notes  # the default heads are not carried into an adapted model
    m = json.loads((tmp_path / "lora" / "manifest.json").read_text())
    assert m["adapter"]["weights"] == "adapter.safetensors" and m["heads"] == ["topic"]
    an = cx_nlp.Analyzer.load(tmp_path / "lora")
    base = cx_nlp.Analyzer(an.encoder.__class__(an.encoder.folder, prefix="query: "), {})
    texts = ["The parcel came late."]
    assert not np.allclose(an.embed(texts), base.embed(texts), atol=1e-6)  # the adapter changed the encoder
    d = an.predict(texts[0]).to_dict()
    assert d["custom"]["topic"]["label"] in {"delivery", "price", "quality", "support"}
    assert d["sentiment"] is None


def test_head_on_the_middle_layers_is_read_the_same_by_predict_and_eval(tmp_path):
    from cx_nlp.training.api import text_probs

    cx_nlp.train(FIX, tmp_path / "feat", label_col="topic", seed=7, progress=False, inputs="features")
    an = cx_nlp.Analyzer.load(tmp_path / "feat")
    assert an.heads["topic"].config.input_dim == 768  # embedding + layer-8 mean
    assert json.loads((tmp_path / "feat" / "training.json").read_text())["inputs"] == "features"
    texts = [t for ts in HELD_OUT.values() for t in ts]
    gold = [k for k, ts in HELD_OUT.items() for _ in ts]
    P, _, ok = text_probs(an, "topic", texts)
    results = an.predict(texts)
    for i, r in enumerate(results):
        np.testing.assert_allclose(P[i], list(r.custom["topic"]["scores"].values()), atol=1e-4)
        assert all("topic" in s.custom for s in r.sentences)
    assert sum(r.custom["topic"]["label"] == g for r, g in zip(results, gold)) >= 6
