"""Train the theme space (``cx_nlp.themes.space``) from the labelled topic data in ``../shared/data/train``.

Topic corpora (one category per sentence; ``label`` is prefixed with the corpus so categories of different
corpora stay apart):
- ``semeval2016_absa_en_restaurants``: restaurant sentences (en), FOOD#QUALITY, SERVICE#GENERAL, ...
- ``m_absa_mt``: restaurant, hotel, laptop, phone and food-shop sentences in en and their ru translations
  (a translation carries its original's category, which teaches the space that language is not a topic)
- ``parsinlu_sentiment``: fa food and movie reviews (taste, price, packaging, acting, story, ...)
- ``sentirueval_2015``: ru restaurant and car reviews cut into sentences, labelled by the aspect mentions
  they hold (exactly one category)
- ``banking77`` / ``bitext_customer_service``: support requests (en), one intent each

``benchmarks/themes.py`` builds its evaluation sets with the same readers and, for each set, trains a space
without that corpus (``exclude``), so its theme numbers are those of a domain the space never saw.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from .corpora import _read, translation_group  # _read: train and dev rows only, corpus test splits never

TOPIC_CORPORA = ["semeval2016_absa_en_restaurants", "m_absa_mt", "parsinlu_sentiment", "sentirueval_2015",
                 "banking77", "bitext_customer_service"]
# m_absa's en restaurant sentences are SemEval's: neither may train a space that is evaluated on the other
RELATED = {"semeval2016_absa_en_restaurants": {"m_absa_mt"}, "m_absa_mt": {"semeval2016_absa_en_restaurants"}}
PER_CORPUS_CAP = 6000  # the two large intent corpora would otherwise outweigh the aspect corpora 5:1
MIN_PER_CATEGORY = 3   # rarer categories have no within-category spread to learn from
N_COMPONENTS = 120     # tune half of benchmarks/themes.py, leave-one-corpus-out: 40 / 60 / 90 / 120 / 160 / 250


def _single(aspects) -> str | None:
    cats = {a["category"] for a in (aspects or []) if a.get("category")}
    return cats.pop() if len(cats) == 1 else None


def _domain(ids: pd.Series) -> pd.Series:
    """``m_absa_mt:restaurant_en:train:12`` -> ``restaurant``."""
    return ids.str.split(":").str[1].str.split("_").str[0]


def read_topic_corpus(folder: str | Path, name: str) -> pd.DataFrame:
    """Columns id, text, lang, label, corpus: the sentences of ``name`` that carry exactly one category."""
    folder = Path(folder)
    if name == "sentirueval_2015":
        from ..text import segment

        rows = []
        for src in ("sentirueval_2015_rest", "sentirueval_2015_car"):
            for _, r in _read(folder, src).iterrows():
                ments = [a for a in r["aspects"] if a.get("level") == "mention" and a.get("mark") == "Rel"
                         and a.get("from") is not None]
                for k, sp in enumerate(segment(r["text"], "ru")):
                    cats = {a["category"] for a in ments if sp.start <= a["from"] < sp.end}
                    if len(cats) == 1:
                        rows.append({"id": f"{r['id']}:{k}", "text": r["text"][sp.start:sp.end], "lang": "ru",
                                     "label": f"{src[-4:].strip('_')}:{cats.pop()}"})
        d = pd.DataFrame(rows, columns=["id", "text", "lang", "label"])
    elif name in ("banking77", "bitext_customer_service"):
        d = _read(folder, name)
        d["label"] = d["intent"]
    elif name == "m_absa_mt":
        d = _read(folder, name)
        d["label"] = _domain(d["id"]) + ":" + d["aspects"].map(_single).astype("string")
    elif name in ("semeval2016_absa_en_restaurants", "parsinlu_sentiment"):
        d = _read(folder, name)
        d["label"] = d["aspects"].map(_single)
    else:
        raise ValueError(f"[E301] {name!r} is not a topic corpus: {TOPIC_CORPORA}")
    d = d[d["label"].notna() & d["text"].astype(str).str.strip().astype(bool)].drop_duplicates("text")
    return d[["id", "text", "lang", "label"]].assign(corpus=name).reset_index(drop=True)


def topic_pool(folder: str | Path, corpora: Sequence[str] = TOPIC_CORPORA, cap: int = PER_CORPUS_CAP,
               seed: int = 0) -> pd.DataFrame:
    """All topic corpora, each capped at ``cap`` sentences (a seeded sample), one table."""
    parts = []
    for name in corpora:
        d = read_topic_corpus(folder, name)
        parts.append(d.sample(min(len(d), cap), random_state=seed) if len(d) > cap else d)
    return pd.concat(parts, ignore_index=True)


def review_group(row_id: str) -> str:
    """Rows that must stay on one side of a train/evaluate split share this key: a review's sentences
    (``corpus:sub:split:review:k``) and a machine-translated text and its source (m_absa's ``_en``/``_ru``)."""
    parts = str(row_id).split(":")
    return translation_group(":".join(parts[:4]))


def excluding(pool: pd.DataFrame, corpus: str | None, texts: Iterable[str] = (), ids: Iterable[str] = ()) -> np.ndarray:
    """Rows of ``pool`` a space evaluated on ``corpus`` (and on ``texts`` / row ``ids``) may train on: not that
    corpus, not a corpus sharing its sentences, no sentence equal to an evaluated one (case and spaces aside),
    and nothing from the review or translation pair (``review_group``) of an evaluated or equal row."""
    drop = {corpus} | RELATED.get(corpus, set()) if corpus else set()
    norm = {" ".join(str(t).lower().split()) for t in texts}
    keep = ~pool["corpus"].isin(drop).to_numpy()
    groups = pool["id"].map(review_group)
    gone = {review_group(i) for i in ids}
    if norm:
        equal = pool["text"].map(lambda t: " ".join(str(t).lower().split()) in norm).to_numpy()
        gone |= set(groups[equal])
    if gone:
        keep &= ~groups.isin(gone).to_numpy()
    return keep


def fit_theme_space(pool: pd.DataFrame, embeddings: np.ndarray, keep: np.ndarray | None = None,
                    n_components: int = N_COMPONENTS):
    """A ``ThemeSpace`` fitted on the (kept) pool rows; classes are ``corpus:label``."""
    from ..themes.space import ThemeSpace

    keep = np.ones(len(pool), bool) if keep is None else np.asarray(keep, bool).copy()
    y_all = (pool["corpus"] + ":" + pool["label"].astype(str)).to_numpy()
    counts = pd.Series(y_all[keep]).value_counts()
    keep &= pd.Series(y_all).map(counts).fillna(0).to_numpy() >= MIN_PER_CATEGORY
    sub, y = pool[keep], y_all[keep]
    info = {"corpora": {k: int(v) for k, v in sub["corpus"].value_counts().sort_index().items()},
            "languages": {k: int(v) for k, v in sub["lang"].value_counts().sort_index().items()}}
    return ThemeSpace(n_components=n_components).fit(np.asarray(embeddings)[keep], y, info=info)
