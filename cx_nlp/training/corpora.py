"""Read the shared training corpora (``../shared/data/train``) into per-task example tables.

Rows keep their corpus split: ``dev`` rows (and a seeded 10% of ``train`` rows of corpora without a
dev split) are validation only; corpus ``test`` rows are never read.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..heads import EMOTION_LABELS, SENTIMENT_LABELS

# GoEmotions' own sentiment grouping of its 28 labels (Demszky et al. 2020, table 2); "ambiguous"
# labels (surprise, curiosity, confusion, realization) give no polarity, so such rows are skipped.
GOEMO_POS = {"admiration", "amusement", "approval", "caring", "desire", "excitement", "gratitude", "joy",
             "love", "optimism", "pride", "relief"}
GOEMO_NEG = {"anger", "annoyance", "disappointment", "disapproval", "disgust", "embarrassment", "fear",
             "grief", "nervousness", "remorse", "sadness"}

SENTIMENT_FILES = [
    "tweet_sentiment_multilingual_xlmt", "laroseda", "ro_sent", "polemo2_medicine_sentences", "polish_aste",
    "rusentiment", "sentirueval_2015_bank", "sentirueval_2015_telecom", "sentirueval_2015_car",
    "sentirueval_2015_rest", "deepsentipers", "snappfood", "parsinlu_sentiment",
]
ASPECT_POLARITY_FILES = ["semeval2016_absa_en_restaurants", "m_absa_mt"]
EMOTION_FILES = [
    "goemotions", "xed_gold", "xed_projections", "brighter_semeval2025_task11_track_a", "cedr",
    "red_romanian_emotions", "armanemo", "ru_goemotions_mt",
]


def shared_data_dir() -> Path | None:
    """``CX_NLP_SHARED_DATA`` or ``../shared/data/train`` next to the checkout; None when absent."""
    env = os.environ.get("CX_NLP_SHARED_DATA")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve()
    candidates += [p / "shared" / "data" / "train" for p in here.parents[2:4]]
    candidates += [Path.cwd().parent / "shared" / "data" / "train"]
    for c in candidates:
        if c.is_dir() and any(c.glob("*.jsonl.gz")):
            return c
    return None


def _read(folder: Path, name: str) -> pd.DataFrame:
    df = pd.read_json(folder / f"{name}.jsonl.gz", lines=True)
    df = df[df["split"].isin(["train", "dev"])]  # corpus test splits are never used
    df["file"] = name
    return df


def translation_group(key: str) -> str:
    """``key`` with the language of a machine-translated twin taken out: m_absa_mt's
    ``restaurant_en:train:7`` and ``restaurant_ru:train:7`` are one text and must share a split."""
    return key.replace("_en:", ":").replace("_ru:", ":")


def _holdout(ids: pd.Series, fraction: float = 0.1, salt: str = "", buckets: int = 1000) -> np.ndarray:
    """A seeded, order-independent 10% of rows: hash of the row id, in ``buckets`` steps. Another ``salt``
    draws a share independent of the validation draw (which uses none)."""
    h = ids.map(lambda s: int(hashlib.blake2b((salt + s).encode(), digest_size=4).hexdigest(), 16) % buckets)
    return (h < fraction * buckets).to_numpy()


def _assign_split(df: pd.DataFrame) -> pd.DataFrame:
    """Validation = the corpus's dev rows, or a hashed 10% of train where a corpus has no dev rows."""
    out = []
    for (_, _lang), g in df.groupby(["file", "lang"], sort=False):
        g = g.copy()
        if (g["split"] == "dev").any() and (g["split"] == "train").any():
            g["fold"] = np.where(g["split"] == "dev", "valid", "train")
        elif (g["split"] == "dev").all():
            g["fold"] = "valid"  # dev-only corpora are kept for validation, never trained on
        else:
            g["fold"] = np.where(_holdout(g["id"]), "valid", "train")
        out.append(g)
    return pd.concat(out, ignore_index=True)


def sentiment_examples(folder: Path) -> pd.DataFrame:
    """Columns: id, text, lang, file, fold, label (0..2), binary (source has no neutral class)."""
    frames = []
    for name in SENTIMENT_FILES:
        df = _read(folder, name)
        df = df[df["sentiment"].isin(SENTIMENT_LABELS)]
        frames.append(df)
    for name in ASPECT_POLARITY_FILES:  # sentence polarity where every aspect agrees
        df = _read(folder, name)
        pol = df["aspects"].map(lambda a: {x.get("polarity") for x in a} if isinstance(a, list) and a else set())
        keep = pol.map(lambda s: len(s) == 1 and next(iter(s)) in SENTIMENT_LABELS)
        df = df[keep].copy()
        df["sentiment"] = pol[keep].map(lambda s: next(iter(s)))
        frames.append(df)
    go = _read(folder, "goemotions")
    raw = go["emotions_raw"].map(lambda r: set(r) if isinstance(r, list) else set())
    lab = raw.map(lambda r: "neutral" if r == {"neutral"} else "positive" if r and r <= GOEMO_POS
                  else "negative" if r and r <= GOEMO_NEG else None)
    go = go[lab.notna()].copy()
    go["sentiment"] = lab[lab.notna()]
    frames.append(go)
    df = pd.concat(frames, ignore_index=True)
    df = _assign_split(df)
    has_neutral = df.groupby("file")["sentiment"].transform(lambda s: (s == "neutral").mean() > 0.01)
    df["binary"] = ~has_neutral
    df["label"] = df["sentiment"].map(SENTIMENT_LABELS.index)
    return df[["id", "text", "lang", "file", "fold", "label", "binary", "domain"]].reset_index(drop=True)


def emotion_examples(folder: Path) -> pd.DataFrame:
    """Columns: id, text, lang, file, fold, target (8 floats), mask (8 floats: label annotated)."""
    frames = []
    for name in EMOTION_FILES:
        df = _read(folder, name)
        df = df[df["emotions"].map(lambda e: isinstance(e, list))]
        frames.append(df)
    df = _assign_split(pd.concat(frames, ignore_index=True))
    df["target"] = df["emotions"].map(lambda e: np.array([float(x in e) for x in EMOTION_LABELS], dtype=np.float32))
    df["mask"] = df["emotions_annotated"].map(
        lambda a: np.array([float(x in (a or [])) for x in EMOTION_LABELS], dtype=np.float32))
    return df[["id", "text", "lang", "file", "fold", "target", "mask", "domain"]].reset_index(drop=True)
