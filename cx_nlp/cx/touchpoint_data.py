"""Touchpoint training and validation data from the shared aspect and intent corpora.

``aspect_map.csv`` (next to this module) maps each corpus's aspect category (or intent, or, for the
Polish hotel triplets that carry no category, a term prefix) to a touchpoint of the default taxonomy,
one reason per row. An empty ``touchpoint`` means "known, and not a touchpoint" (an overall verdict,
a movie aspect): such a row still tells the head that the mapped touchpoints are absent.

Every row of :func:`touchpoint_examples` says which touchpoints it annotates (``annotated``): a corpus
of restaurant sentences says nothing about billing, so its rows must not teach "billing absent".
Rows that carry an aspect the map does not know only teach their positives.

Validation rows are the corpus ``dev`` rows, or a hashed 10% of ``train`` rows
(``cx_nlp.training.corpora._assign_split`` / ``_holdout``); sentences cut out of one review share the
review's fold, and a text that appears in any validation row is never trained on.
"""
from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from ..encoder.backends import encode_features, feature_dim
from ..heads import SENTIMENT_LABELS
from ..text import normalize, segment
from ..training.corpora import _assign_split, _holdout, _read, translation_group
from .taxonomy import Taxonomy

MAP_FILE = "aspect_map.csv"
# Sentences we wrote about service industries the corpora lack (airlines, rail, telecom, utilities, banks,
# insurers, clinics, ...), one touchpoint and its polarity each, labelled by docs/service_examples.md:
# without them "lost my luggage" or "the legroom is a joke" meet a head that knows restaurants, hotels,
# gadgets and bank intents only.
SERVICE_FILE = "service_examples.jsonl"
SERVICE_NAME = "service_examples"  # its ``file`` in touchpoint_examples
SERVICE_VALID = 0.25  # hashed share kept for validation: blend and thresholds also see these domains
DETECTOR_TUNING = 1 / 3  # hashed share (by group) of each corpus's validation rows that tunes the detector
ASPECT_FILES = ["semeval2016_absa_en_restaurants", "m_absa_mt", "parsinlu_sentiment", "sentirueval_2015_rest",
                "sentirueval_2015_car", "polish_aste"]
INTENT_FILES = ["banking77", "bitext_customer_service"]
INTENT_CAP = {"banking77": 45, "bitext_customer_service": 150}  # rows per intent (train + valid)
MIN_VALID = 100
SEED = 13


# ------------------------------------------------------------------------------------------ the map
@dataclass(frozen=True)
class AspectMap:
    rows: tuple[dict[str, str], ...]

    @classmethod
    def load(cls, path: str | Path | None = None) -> "AspectMap":
        if path is None:
            try:
                text = resources.files("cx_nlp.cx").joinpath(MAP_FILE).read_text(encoding="utf-8")
            except (FileNotFoundError, ModuleNotFoundError):  # pragma: no cover - odd installs
                text = (Path(__file__).resolve().parent / MAP_FILE).read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        rows = tuple({k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(text.splitlines()))
        for r in rows:
            if r["match"] not in ("exact", "prefix") or not r["source"] or not r["category"] or not r["reason"]:
                raise ValueError(f"{MAP_FILE}: bad row {r}")
        return cls(rows)

    def lookup(self, source: str, category: str | None) -> str | None:
        """The touchpoint of ``category`` in ``source``: an id, "" (not a touchpoint) or None (unknown).

        Exact rows win over prefix rows; among prefix rows the longest prefix wins; case-insensitive.
        """
        if not category:
            return None
        cat = category.strip().lower()
        best, best_len = None, -1
        for r in self.rows:
            if r["source"] != source:
                continue
            c = r["category"].lower()
            if r["match"] == "exact" and c == cat:
                return r["touchpoint"]
            if r["match"] == "prefix" and cat.startswith(c) and len(c) > best_len:
                best, best_len = r["touchpoint"], len(c)
        return best

    def touchpoints(self, source: str) -> list[str]:
        """Touchpoints a corpus can express (what its annotation is informative about)."""
        return sorted({r["touchpoint"] for r in self.rows if r["source"] == source and r["touchpoint"]})


# ------------------------------------------------------------------------------------------ helpers
def _polarity(values: Iterable[str | None]) -> str | None:
    """One polarity for a touchpoint from its aspects' polarities: None when they conflict."""
    vals = [v for v in values]
    if any(v is None for v in vals):
        return None
    strong = {v for v in vals if v in ("negative", "positive")}
    if len(strong) > 1:
        return None
    if strong:
        return strong.pop()
    return "neutral" if vals and all(v == "neutral" for v in vals) else None


def _collect(aspects: list[dict], source: str, amap: AspectMap, term_key: str = "category"):
    """(labels, polarity per label, partial) from a row's aspects."""
    pols: dict[str, list[str | None]] = {}
    partial = False
    for a in aspects:
        key = a.get(term_key)
        tp = amap.lookup(source, key)
        if tp is None:
            partial = True
            continue
        if tp == "":
            continue
        pol = a.get("polarity")
        pols.setdefault(tp, []).append(pol if pol in SENTIMENT_LABELS else None)
    labels = sorted(pols)
    return labels, {tp: _polarity(v) for tp, v in pols.items()}, partial


def _split(df: pd.DataFrame, key: str = "id") -> pd.DataFrame:
    """Corpus dev rows (or a hashed 10% of train); where that leaves < MIN_VALID rows, add the hash."""
    df = _assign_split(df)
    out = []
    for (_, _lang), g in df.groupby(["file", "lang"], sort=False):
        g = g.copy()
        n_valid = int((g["fold"] == "valid").sum())
        if n_valid < MIN_VALID and (g["fold"] == "train").sum() > 0:
            extra = _holdout(g[key].astype(str)) & (g["split"] == "train").to_numpy()
            g.loc[extra, "fold"] = "valid"
        out.append(g)
    return pd.concat(out, ignore_index=True)


def _row(**kw) -> dict[str, Any]:
    base = {"level": "sentence", "labels": [], "polarity": {}, "annotated": [], "review_id": None,
            "start": None, "end": None, "weight": 1.0}
    base.update(kw)
    return base


# ------------------------------------------------------------------------------------------ corpora
def _sentence_corpus(folder: Path, name: str, amap: AspectMap) -> list[dict]:
    df = _split(_read(folder, name))
    rows = []
    ann = amap.touchpoints(name)
    for r in df.itertuples(index=False):
        aspects = r.aspects if isinstance(r.aspects, list) else None
        if aspects is None:
            continue
        labels, pol, partial = _collect(aspects, name, amap)
        sub = str(r.id).split(":")[1] if ":" in str(r.id) else ""
        level = "review" if name == "parsinlu_sentiment" else "sentence"
        if name == "m_absa_mt" and sub.startswith("phone"):
            level = "review"  # short multi-sentence e-commerce reviews
        rows.append(_row(id=r.id, text=r.text, lang=r.lang, file=name, sub=sub, domain=r.domain, fold=r.fold,
                         level=level, labels=labels, polarity=pol, annotated=labels if partial else ann))
    return rows


def _polish(folder: Path, amap: AspectMap) -> list[dict]:
    df = _read(folder, "polish_aste")
    df = df[df["aspects"].map(lambda a: isinstance(a, list) and len(a) > 0)]
    df = _split(df)
    ann = amap.touchpoints("polish_aste")
    rows = []
    for r in df.itertuples(index=False):
        labels, pol, partial = _collect(r.aspects, "polish_aste", amap, term_key="term")
        rows.append(_row(id=r.id, text=r.text, lang="pl", file="polish_aste", sub="hotels", domain=r.domain,
                         fold=r.fold, labels=labels, polarity=pol, annotated=labels if partial else ann))
    return rows


def _sentirueval(folder: Path, name: str, amap: AspectMap) -> list[dict]:
    """Review rows (review-level categories) and sentence rows (from the offsets of the mentions)."""
    df = _split(_read(folder, name))
    ann = amap.touchpoints(name)
    rows = []
    for r in df.itertuples(index=False):
        aspects = r.aspects if isinstance(r.aspects, list) else []
        review = [a for a in aspects if a.get("level") == "review"]
        labels, pol, partial = _collect(review, name, amap)
        rows.append(_row(id=r.id, text=r.text, lang=r.lang, file=name, sub=name.rsplit("_", 1)[-1], domain=r.domain,
                         fold=r.fold, level="review", labels=labels, polarity=pol, annotated=ann))
        mentions = [a for a in aspects if a.get("level") == "mention" and a.get("from") is not None]
        for k, span in enumerate(segment(r.text, "ru")):
            inside = [a for a in mentions if span.start <= a["from"] < span.end]
            rel = [a for a in inside if a.get("mark") == "Rel"]
            labels, pol, partial = _collect(rel, name, amap)
            other = {amap.lookup(name, a.get("category")) for a in inside if a.get("mark") != "Rel"}
            annotated = [t for t in ann if t in labels or t not in other]
            rows.append(_row(id=f"{r.id}:s{k}", text=r.text[span.start:span.end], lang=r.lang, file=name,
                             sub=name.rsplit("_", 1)[-1], domain=r.domain, fold=r.fold, level="sentence",
                             labels=labels, polarity=pol, annotated=annotated if not partial else labels,
                             review_id=r.id, start=span.start, end=span.end))
    return rows


def _intents(folder: Path, name: str, amap: AspectMap) -> list[dict]:
    df = _read(folder, name)
    df = df[df["intent"].notna()]
    parts = [g.sample(n=min(INTENT_CAP[name], len(g)), random_state=SEED)
             for _, g in df.groupby("intent", sort=True)]
    df = _split(pd.concat(parts, ignore_index=True))
    ann = amap.touchpoints(name)
    rows = []
    for r in df.itertuples(index=False):
        tp = amap.lookup(name, r.intent)
        labels = [tp] if tp else []
        rows.append(_row(id=r.id, text=r.text, lang=r.lang, file=name, sub="intent", domain=r.domain, fold=r.fold,
                         level="query", labels=labels, annotated=ann if tp is not None else labels))
    return rows


def service_examples(taxonomy: Taxonomy, path: str | Path | None = None) -> list[dict]:
    """Our written service-industry sentences (``service_examples.jsonl``): every touchpoint annotated."""
    if path is None:
        text = resources.files("cx_nlp.cx").joinpath(SERVICE_FILE).read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    df = pd.read_json(io.StringIO(text), lines=True)
    df["id"] = [f"service:{r.lang}:{hashlib.blake2b(r.text.encode(), digest_size=6).hexdigest()}"
                for r in df.itertuples(index=False)]
    valid = _holdout(df["id"], SERVICE_VALID)
    return [_row(id=r.id, text=r.text, lang=r.lang, file=SERVICE_NAME, sub=r.domain, domain=r.domain,
                 fold="valid" if v else "train", level="example", labels=[r.touchpoint],
                 polarity={r.touchpoint: r.polarity}, annotated=list(taxonomy.ids))
            for r, v in zip(df.itertuples(index=False), valid)]


def taxonomy_examples(taxonomy: Taxonomy) -> list[dict]:
    """The taxonomy's own examples: one touchpoint each, every touchpoint annotated, always train."""
    rows = []
    for tp in taxonomy.touchpoints:
        for lang, exs in tp.examples.items():
            for j, ex in enumerate(exs):
                rows.append(_row(id=f"taxonomy:{tp.id}:{lang}:{j}", text=ex, lang=lang, file="taxonomy",
                                 sub=tp.id, domain="taxonomy", fold="train", level="example", labels=[tp.id],
                                 annotated=list(taxonomy.ids)))
    return rows


def touchpoint_examples(folder: Path, taxonomy: Taxonomy | None = None, amap: AspectMap | None = None,
                        files: Sequence[str] | None = None) -> pd.DataFrame:
    """All touchpoint rows. Columns: id, text, lang, file, sub, domain, fold, level, labels, polarity,
    annotated, review_id, start, end, weight."""
    taxonomy = taxonomy or Taxonomy.load()
    amap = amap or AspectMap.load()
    files = list(files) if files is not None else ASPECT_FILES + INTENT_FILES + [SERVICE_NAME]
    rows: list[dict] = []
    for name in files:
        if name == SERVICE_NAME:
            rows += service_examples(taxonomy)
        elif name == "polish_aste":
            rows += _polish(folder, amap)
        elif name.startswith("sentirueval"):
            rows += _sentirueval(folder, name, amap)
        elif name in INTENT_FILES:
            rows += _intents(folder, name, amap)
        else:
            rows += _sentence_corpus(folder, name, amap)
    rows += taxonomy_examples(taxonomy)
    df = pd.DataFrame(rows)
    ids = set(taxonomy.ids)
    df["labels"] = df["labels"].map(lambda v: [t for t in v if t in ids])
    df["annotated"] = df["annotated"].map(lambda v: [t for t in v if t in ids])
    # a text seen in validation is never trained on (m_absa's restaurants overlap SemEval's)
    valid_texts = set(df.loc[df["fold"] == "valid", "text"].str.strip().str.lower())
    leak = (df["fold"] == "train") & df["text"].str.strip().str.lower().isin(valid_texts)
    return df[~leak].reset_index(drop=True)


def label_matrix(df: pd.DataFrame, ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(targets, mask), both (n, k) float32, from the ``labels`` / ``annotated`` columns."""
    col = {t: j for j, t in enumerate(ids)}
    Y = np.zeros((len(df), len(ids)), dtype=np.float32)
    M = np.zeros((len(df), len(ids)), dtype=np.float32)
    for i, (labels, annotated) in enumerate(zip(df["labels"], df["annotated"])):
        for t in annotated:
            M[i, col[t]] = 1.0
        for t in labels:
            Y[i, col[t]] = 1.0
            M[i, col[t]] = 1.0
    return Y, M


# ------------------------------------------------------------------------------------------ caching
class CachedEncoder:
    """Wrap an encoder so that every text is embedded once, across runs (an ``.npy`` + a text index).

    Used by the training script and the benchmark; the cache lives under ``artifacts/`` (gitignored).
    """

    def __init__(self, encoder, folder: str | Path, name: str = "tp_cache"):
        self.encoder = encoder
        self.folder = Path(folder)
        # rows are the encoder's features: their width depends on its feature layers, and their values on
        # the backend (int8 vectors differ slightly from torch fp32 ones: a benchmark of the int8 default must
        # not read vectors cached by a torch run)
        self.name = name + "".join(f"_l{k}" for k in getattr(encoder, "feature_layers", ()) or ())
        backend = getattr(encoder, "backend", "torch")
        if isinstance(backend, str) and backend != "torch":
            self.name += "_" + backend.replace("-", "")
        self._index: dict[str, int] = {}
        self._vecs: list[np.ndarray] = []
        npy, idx = self.folder / f"{self.name}.npy", self.folder / f"{self.name}.keys.parquet"
        if npy.is_file() and idx.is_file():
            keys = pd.read_parquet(idx)["key"].tolist()
            arr = np.load(npy)
            if len(keys) == len(arr):
                self._index = {k: i for i, k in enumerate(keys)}
                self._vecs = [arr]
        self._n = sum(len(v) for v in self._vecs)
        self._dirty = False

    def __getattr__(self, item):  # dim, prefix, content_budget, token_offsets, ...
        return getattr(self.encoder, item)

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()

    def encode(self, texts: Sequence[str], progress=None) -> np.ndarray:
        return self.encode_features(texts, progress)[:, :self.encoder.dim]

    def encode_features(self, texts: Sequence[str], progress=None) -> np.ndarray:
        """The wrapped encoder's features (embedding + feature layers), each text embedded once."""
        width = feature_dim(self.encoder)
        keys = [self._key(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts) if k not in self._index}.items())
        step = 1024
        for i in range(0, len(missing), step):
            chunk = missing[i:i + step]
            vec = encode_features(self.encoder, [t for _, t in chunk])
            for j, (k, _) in enumerate(chunk):
                self._index[k] = self._n + j
            self._n += len(chunk)
            self._vecs.append(vec.astype(np.float32))
            self._dirty = True
            if progress:
                progress(f"  embedded {min(i + step, len(missing))}/{len(missing)} new texts")
        if len(self._vecs) > 1:
            self._vecs = [np.concatenate(self._vecs)]
        arr = self._vecs[0] if self._vecs else np.zeros((0, width), np.float32)
        if not keys:
            return np.zeros((0, width), np.float32)
        return arr[[self._index[k] for k in keys]]

    def save(self) -> None:
        if not self._dirty:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        arr = np.concatenate(self._vecs) if len(self._vecs) > 1 else self._vecs[0]
        keys = [None] * len(self._index)
        for k, i in self._index.items():
            keys[i] = k
        np.save(self.folder / f"{self.name}.npy", arr)
        pd.DataFrame({"key": keys}).to_parquet(self.folder / f"{self.name}.keys.parquet")
        self._dirty = False


# ------------------------------------------------------------------------------------------ default model
def row_weights(df: pd.DataFrame) -> np.ndarray:
    """Each corpus weighs about the square root of its size: big corpora lead, small ones still count."""
    n = df.groupby("file")["id"].transform("count").to_numpy(dtype=np.float64)
    w = 1.0 / np.sqrt(n)
    return (w / w.mean()).astype(np.float32)


def row_groups(df: pd.DataFrame) -> list[str]:
    """Per row, a key shared by rows that must stay on one side of a split: a review and the sentences
    cut out of it, and a machine-translated text and its source (m_absa_mt's en/ru twins)."""
    out = []
    for rid, review in zip(df["id"].astype(str), df["review_id"]):
        key = review if isinstance(review, str) and review else rid
        out.append(translation_group(key))
    return out


def detector_tuning_rows(df: pd.DataFrame) -> np.ndarray:
    """Validation rows that tune the default detector (its touchpoint head's early stopping, blend and
    thresholds): a hashed third of each corpus's, by row group, and every held-out service example.
    ``benchmarks/touchpoints.py`` scores the other validation rows, so what it reports tuned nothing."""
    valid = (df["fold"] == "valid").to_numpy()
    service = (df["file"] == SERVICE_NAME).to_numpy()
    third = _holdout(pd.Series(row_groups(df), dtype=str), DETECTOR_TUNING, salt="tuning:")
    return valid & (service | third)


def fit_default_detector(folder: Path, encoder, sentiment_head=None, cache_dir: str | Path | None = None,
                         taxonomy: Taxonomy | None = None, progress=None, base=None):
    """Train the bundled detector: zero-shot anchors + supervised head + aspect polarity head.

    ``encoder`` embeds the taxonomy anchors and the corpus rows (through a :class:`CachedEncoder` under
    ``cache_dir`` when given); ``sentiment_head`` (the sentence head) lets the polarity head's weight be
    calibrated against it. ``base`` (a trained detector) keeps its anchors, touchpoint head and
    calibration and refits only the polarity head. Returns ``(detector, metrics)``.
    """
    from .touchpoints import Calibration, TouchpointDetector, fit_polarity, fit_touchpoints

    say = progress or (lambda m: None)
    taxonomy = base.taxonomy if base is not None else (taxonomy or Taxonomy.load())
    enc = CachedEncoder(encoder, cache_dir) if cache_dir is not None else encoder
    df = touchpoint_examples(folder, taxonomy)
    df = df[df["file"] != "taxonomy"].reset_index(drop=True)  # the anchors join inside fit_touchpoints
    say(f"touchpoint rows: {len(df)} ({int((df['fold'] == 'valid').sum())} validation)")
    # the encoder reads what Analyzer.predict gives it: "@Ryanair" and links as "@user" and "http"
    texts = [normalize(t) for t in df["text"]]
    if isinstance(enc, CachedEncoder):
        F = enc.encode_features(texts, progress=say)
        enc.save()
    else:
        F = encode_features(enc, texts)
    X = np.ascontiguousarray(F[:, :encoder.dim])
    ids = taxonomy.ids
    Y, M = label_matrix(df, ids)
    ps = sentiment_head.read(F) if sentiment_head is not None else None
    valid = (df["fold"] == "valid").to_numpy()
    groups = row_groups(df)
    weights = row_weights(df)
    if base is not None:
        det = TouchpointDetector(base.taxonomy, base.anchors, base.anchor_tp,
                                 Calibration.from_dict(asdict(base.calibration)), base.head, None,
                                 {k: v for k, v in base.info.items() if k not in ("polarity", "polarity_touchpoints")})
    else:
        # the head never trains on validation rows; a third of them (and the held-out service examples)
        # tune it, and benchmarks/touchpoints.py scores only the rest
        tune = detector_tuning_rows(df)
        train = ~valid | tune  # what fit_touchpoints sees: it trains on these rows outside ``tune``
        rows = np.flatnonzero(train)
        det = fit_touchpoints(TouchpointDetector.build(taxonomy, enc), Y[train], embeddings=X[train], mask=M[train],
                              weights=weights[train], valid=tune[train], texts=[texts[i] for i in rows],
                              langs=df["lang"].iloc[rows].tolist(), progress=say)
        if isinstance(enc, CachedEncoder):
            enc.save()
        counts = df.groupby(["file", "fold"]).size().unstack(fill_value=0)
        det.info["training"] = {
            "corpora": {f: {"train": int(r.get("train", 0)), "valid": int(r.get("valid", 0))} for f, r in counts.iterrows()},
            "taxonomy_anchors": int(len(det.anchors)), "aspect_map": MAP_FILE,
        }
    det.polarity, pm = fit_polarity(det, X, Y, df["polarity"].tolist(), valid, weights=weights, sentiment=ps,
                                    langs=df["lang"].tolist(), groups=groups)
    det.info["polarity"] = pm
    say(f"polarity head: {pm}")
    return det, dict(det.info)
