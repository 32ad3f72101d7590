"""ThemeModel: recurring themes across a collection of multilingual feedback, at sentence level.

    tm = ThemeModel().fit(texts)           # or fit(texts, embeddings=E, sentences=S) to reuse one encoder pass
    tm.themes_                             # [Theme(id, name, keywords, size, examples, ...)]
    tm.transform(texts)                    # dominant theme per text (-1 = none)
    tm.themes_of(texts)                    # every theme of each text (a review about staff AND delivery)
    tm.transform_sentences(texts)          # per sentence: offsets, theme, similarity
    tm.save(path); ThemeModel.load(path)   # JSON + safetensors + an editable themes.yaml

Pipeline (each step swappable through ``__init__``): sentences -> embeddings (the project's encoder, one
vector per sentence) -> theme space (a learned linear map, ``space.py``) -> centring -> k-NN neighbourhood averaging (clustering input only) -> reducer (spectral k-NN embedding; PCA, UMAP or any estimator) fitted on a sample -> clusterer
(HDBSCAN; k-means or any estimator) -> prototypes refined in the full centred space -> near-duplicate
merge -> stable ids (matched to the previous fit by centroid) -> the user's theme file (rename, merge,
split, drop, seeds) -> nearest-prototype assignment in chunks with an outlier threshold -> c-TF-IDF
keywords per language, names, examples -> parent themes (<= 12) linked to touchpoints.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import CxError
from .cluster import (assign, auto_min_cluster_size, centre, merge_close, prototypes_from_labels, refine,
                      run_clusterer, smooth_knn)
from .edits import ThemeEdit, read_theme_file, theme_file_text
from .reduce import SPECTRAL_MIN_ROWS, fit_reduce, l2n, make_reducer
from .represent import ctfidf_keywords, make_names
from .space import ThemeSpace, load_space
from .terms import terms as extract_terms

__all__ = ["Theme", "ThemeModel"]

FORMAT_VERSION = 1


@dataclass
class Theme:
    """One theme. Attribute access (``t.name``) and mapping access (``t["name"]``) both work."""
    id: int
    name: str
    keywords: list[str]
    size: int
    examples: list[str]
    share: float = 0.0
    docs: int = 0
    keywords_by_lang: dict[str, list[str]] = field(default_factory=dict)
    langs: dict[str, int] = field(default_factory=dict)
    parent: int | None = None
    touchpoints: list[dict[str, Any]] = field(default_factory=list)
    seeds: list[str] = field(default_factory=list)
    generated_name: str = ""
    user_named: bool = False

    def __getitem__(self, key: str) -> Any:
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default)

    def keys(self):
        return self.to_dict().keys()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _progress(enabled: bool, total: int, desc: str):
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm

        return tqdm(total=total, desc=desc, unit="sent", file=sys.stderr, leave=False)
    except ImportError:  # pragma: no cover
        return None


class ThemeModel:
    """Cross-lingual, sentence-level theme discovery with a scikit-learn contract.

    Parameters (all stored as given; learned attributes end in ``_``):
        reducer: "auto" (default: "spectral" from 300 sentences on, "pca" below) | "spectral" (Laplacian
            eigenmaps of the 10-NN graph, clustered on a sub-sample of at most 5000 sentences) | "pca" (whitened) | "umap" (needs umap-learn) | "none" |
            an estimator.
        clusterer: "hdbscan" (default, finds the number of themes) | "kmeans" | an estimator (fit -> labels_).
        n_components: reduced dimensions for the clusterer (PCA/UMAP).
        min_cluster_size: smallest theme for HDBSCAN (default: 0.5% of the fitted sentences, >= 5).
        min_samples: HDBSCAN's density smoothing.
        n_clusters: number of clusters for clusterer="kmeans" (default sqrt(n/2)).
        refine_iter: spherical k-means passes that settle prototypes in the full embedding space.
        merge_threshold: prototypes closer than this cosine (centred space) become one theme.
        min_similarity: a sentence farther than this from every theme is an outlier (-1) ...
        max_outlier_share: ... but the outlier share never exceeds this (<= 1/3): the nearest theme takes
            the closest outliers first.
        granularity: "sentence" (default; texts are segmented and a text can have several themes) or "text".
        display_lang: language of names and ``keywords`` (default: the dominant language of the data).
        max_parents: parent themes of the hierarchy (at most 12).
        max_fit_samples: sentences the reducer and clusterer see (a seeded sample); all are assigned.
        center_by_language: subtract each language's mean vector (languages with >= 10 sentences) before
            clustering, which removes the "which language is this" direction from the embeddings, so one
            theme gathers its ro, pl, ru, fa and en sentences instead of splitting by language.
        remove_sentiment: "auto" (default: with >= 300 sentences and a sentiment head: the Analyzer given as
            encoder, else the bundled model), True, False, or a model folder. Projects the polarity directions out of
            the embeddings (``polarity.py``) so that a theme is a topic ("food") rather than a topic-and-mood
            ("bad food"); sentiment is reported per theme instead.
        smooth_neighbors: before clustering, each (sampled) sentence vector is averaged with the mean of its
            k nearest sentences (``cluster.smooth_knn``; 0 = off, default 10; from 300 sentences on, like the spectral reducer). Paraphrases worded differently
            share neighbours, so one intent is found as one theme instead of a few lexical variants. Only the
            prototypes are learned from the smoothed vectors; every sentence is assigned (in fit and in
            transform alike) with its own vector. On the tune half of ``benchmarks/themes.py`` it raised
            mean NMI 0.487 -> 0.495 (k=5: 0.492).
        space: "auto" (default: the bundled model's theme space, ``space.py``, when the embeddings are the
            project encoder's), None (the embedding as it is), a ``ThemeSpace`` or a path to one. A linear map
            learned from labelled aspect and intent data in which sentences group by topic rather than by
            phrasing or mood; with it, polarity removal ("auto") is not needed and is skipped. "auto" goes by the
            embeddings' width (384): pass ``space=None`` with vectors from another 384-d model.
        theme_file: a YAML theme file (or its dict) whose edits the fit honours (see ``edits.py``).
        reference: a fitted ThemeModel or a saved folder whose theme ids the fit keeps (refitting the same
            instance does this by itself).
        encoder: an Analyzer or an encoder with ``encode(list[str])``; default: ``Analyzer.load()``, created
            only when texts must be embedded.
    """

    def __init__(self, reducer: Any = "auto", clusterer: Any = "hdbscan", n_components: int = 20,
                 min_cluster_size: int | None = None, min_samples: int | None = 2, n_clusters: int | None = None,
                 refine_iter: int = 3, merge_threshold: float = 0.7, min_similarity: float = 0.1,
                 max_outlier_share: float = 0.05, granularity: str = "sentence", display_lang: str | None = None,
                 top_n_words: int = 10, n_examples: int = 3, max_parents: int = 12, max_fit_samples: int = 50_000,
                 max_docs_per_theme: int = 1000, chunk_size: int = 65536, ngram_max: int = 3,
                 match_threshold: float = 0.6, center_by_language: bool = True, remove_sentiment: Any = "auto",
                 smooth_neighbors: int = 10, space: Any = "auto", theme_file: Any = None, reference: Any = None,
                 encoder: Any = None, random_state: int = 0, progress: bool = False):
        self.reducer = reducer
        self.clusterer = clusterer
        self.n_components = n_components
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.n_clusters = n_clusters
        self.refine_iter = refine_iter
        self.merge_threshold = merge_threshold
        self.min_similarity = min_similarity
        self.max_outlier_share = max_outlier_share
        self.granularity = granularity
        self.display_lang = display_lang
        self.top_n_words = top_n_words
        self.n_examples = n_examples
        self.max_parents = max_parents
        self.max_fit_samples = max_fit_samples
        self.max_docs_per_theme = max_docs_per_theme
        self.chunk_size = chunk_size
        self.ngram_max = ngram_max
        self.match_threshold = match_threshold
        self.center_by_language = center_by_language
        self.remove_sentiment = remove_sentiment
        self.smooth_neighbors = smooth_neighbors
        self.space = space
        self.theme_file = theme_file
        self.reference = reference
        self.encoder = encoder
        self.random_state = random_state
        self.progress = progress

    # ------------------------------------------------------------------ sklearn plumbing
    _PARAMS = ("reducer", "clusterer", "n_components", "min_cluster_size", "min_samples", "n_clusters",
               "refine_iter", "merge_threshold", "min_similarity", "max_outlier_share", "granularity",
               "display_lang", "top_n_words", "n_examples", "max_parents", "max_fit_samples",
               "max_docs_per_theme", "chunk_size", "ngram_max", "match_threshold", "center_by_language", "remove_sentiment", "smooth_neighbors", "space", "theme_file", "reference",
               "encoder", "random_state", "progress")

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self._PARAMS}

    def set_params(self, **params) -> "ThemeModel":
        for k, v in params.items():
            if k not in self._PARAMS:
                raise ValueError(f"[E301] ThemeModel has no parameter {k!r}")
            setattr(self, k, v)
        return self

    def __repr__(self) -> str:
        n = len(getattr(self, "themes_", []) or [])
        return f"ThemeModel(reducer={self.reducer!r}, clusterer={self.clusterer!r}, themes={n if self._fitted() else 'unfitted'})"

    def _fitted(self) -> bool:
        return hasattr(self, "prototypes_")

    def _check_fitted(self) -> None:
        if not self._fitted():
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("[E804] this ThemeModel is not fitted yet: call fit(texts) or ThemeModel.load(path)")

    def _validate(self) -> None:
        if self.granularity not in ("sentence", "text"):
            raise ValueError(f"[E301] granularity must be 'sentence' or 'text', not {self.granularity!r}")
        if not 0.0 <= float(self.max_outlier_share) <= 1 / 3:
            raise ValueError("[E301] max_outlier_share must be between 0 and 1/3")
        if not 1 <= int(self.max_parents) <= 12:
            raise ValueError("[E301] max_parents must be between 1 and 12")

    # ------------------------------------------------------------------ inputs -> sentence units
    def _encoder_obj(self):
        enc = self.encoder
        if enc is None:
            enc = getattr(self, "_default_analyzer", None)
            if enc is None:
                from ..analyzer import Analyzer

                enc = self._default_analyzer = Analyzer.load()
        return enc

    def _encode(self, texts: list[str]) -> np.ndarray:
        from ..text import normalize

        enc = self._encoder_obj()
        enc = getattr(enc, "encoder", enc)  # an Analyzer carries its encoder
        n = len(texts)
        out = None
        bar = _progress(self.progress, n, "embedding")
        step = 2048
        for i in range(0, n, step):
            v = np.asarray(enc.encode([normalize(t) for t in texts[i:i + step]]), dtype=np.float32)
            if out is None:
                out = np.zeros((n, v.shape[1]), dtype=np.float32)
            out[i:i + len(v)] = v
            if bar:
                bar.update(len(v))
        if bar:
            bar.close()
        return out if out is not None else np.zeros((0, 384), np.float32)

    def _units(self, texts: Any, embeddings: Any, sentences: Any, langs: Any, touchpoints: Any = None) -> dict:
        """Flatten texts into units (sentences, or whole texts): text, doc index, language, offsets."""
        if isinstance(texts, str):
            raise TypeError("[E301] ThemeModel takes a list of texts, not one str (wrap it: [text])")
        items = list(texts)
        n_docs = len(items)
        u_text: list[str] = []
        u_doc: list[int] = []
        u_lang: list[str | None] = []
        u_span: list[tuple[int, int]] = []
        u_tp: list[list[str]] | None = None
        is_results = n_docs > 0 and all(hasattr(x, "sentences") and hasattr(x, "status") for x in items)
        if is_results:  # a list of cx_nlp Result: their sentences, languages and touchpoints
            u_tp = []
            for d, r in enumerate(items):
                if r.status != "ok":
                    continue
                for s in r.sentences:
                    u_text.append(s.text)
                    u_doc.append(d)
                    u_lang.append(r.lang)
                    u_span.append((s.start, s.end))
                    u_tp.append([t["name"] for t in (s.touchpoints or [])[:1]])
            items = [r.text if isinstance(r.text, str) else "" for r in items]
        else:
            doc_langs = None
            if langs is not None:
                doc_langs = [langs] * n_docs if isinstance(langs, str) else list(langs)
                if len(doc_langs) != n_docs:
                    raise ValueError(f"[E301] langs has {len(doc_langs)} entries for {n_docs} texts")
            per_text = embeddings is not None and sentences is None and len(embeddings) == n_docs
            if sentences is not None:
                if len(sentences) != n_docs:
                    raise ValueError(f"[E301] sentences has {len(sentences)} entries for {n_docs} texts")
                for d, (text, sents) in enumerate(zip(items, sentences)):
                    pos = 0
                    for s in sents or []:
                        if hasattr(s, "start") and hasattr(s, "end"):
                            a, b = int(s.start), int(s.end)
                            st = text[a:b]
                        elif isinstance(s, (tuple, list)) and len(s) == 2 and all(isinstance(v, int) for v in s):
                            a, b = s
                            st = text[a:b]
                        else:
                            st = str(s)
                            a = text.find(st, pos) if isinstance(text, str) else -1
                            a, b = (a, a + len(st)) if a >= 0 else (-1, -1)
                            if a >= 0:
                                pos = b
                        u_text.append(st)
                        u_doc.append(d)
                        u_lang.append(doc_langs[d] if doc_langs else None)
                        u_span.append((a, b))
            elif per_text or self.granularity == "text":
                for d, text in enumerate(items):
                    if not isinstance(text, str) or (not text.strip() and not per_text):
                        continue
                    u_text.append(text)
                    u_doc.append(d)
                    u_lang.append(doc_langs[d] if doc_langs else None)
                    u_span.append((0, len(text)))
            else:
                from ..text import classify_item, detect_batch, segment

                ok = [d for d, t in enumerate(items) if classify_item(t) == "ok"]
                if doc_langs is None:
                    det = detect_batch([items[d] for d in ok]) if ok else []
                    lang_of = {d: det[k][0] for k, d in enumerate(ok)}
                else:
                    lang_of = {d: doc_langs[d] for d in ok}
                for d in ok:
                    text = items[d]
                    for sp in segment(text, lang_of[d]):
                        u_text.append(text[sp.start:sp.end])
                        u_doc.append(d)
                        u_lang.append(lang_of[d])
                        u_span.append((sp.start, sp.end))
            if touchpoints is not None:
                u_tp = [list(t) if isinstance(t, (list, tuple)) else ([t] if t else []) for t in touchpoints]
                if len(u_tp) != len(u_text):
                    raise ValueError(f"[E301] touchpoints has {len(u_tp)} entries for {len(u_text)} sentences")
        # languages not given: detect per unit (cheap) so keywords are counted per language
        missing = [i for i, lg in enumerate(u_lang) if not lg]
        if missing:
            from ..text import detect_batch

            det = detect_batch([u_text[i] for i in missing])
            for i, (code, _) in zip(missing, det):
                u_lang[i] = code
        if embeddings is None:
            emb = self._encode(u_text)
        else:
            emb = embeddings
            if getattr(emb, "ndim", 2) != 2 or len(emb) != len(u_text):
                raise ValueError(f"[E805] embeddings has {len(emb)} rows but the input has {len(u_text)} "
                                 f"{'sentences' if len(u_text) != n_docs else 'texts'}: pass one row per text, or "
                                 "one row per sentence together with sentences=")
        return {"texts": items, "n_docs": n_docs, "text": u_text, "doc": np.asarray(u_doc, dtype=np.int64),
                "lang": u_lang, "span": u_span, "emb": emb, "tp": u_tp}

    # ------------------------------------------------------------------ fit
    def fit(self, texts: Any, y: Any = None, embeddings: Any = None, sentences: Any = None, langs: Any = None,
            touchpoints: Any = None) -> "ThemeModel":
        """Learn themes from ``texts`` (a list of str, or of cx_nlp ``Result``).

        ``embeddings``: precomputed, L2-normalised vectors, one row per text or (with ``sentences``) one row
        per sentence, in order; an array or a ``np.memmap``. ``sentences``: per text, its sentences (strings,
        ``Span``s or ``(start, end)``). ``langs``: per text ISO codes (detected when omitted).
        ``touchpoints``: per sentence, touchpoint names (links themes to touchpoints).
        """
        self._validate()
        u = self._units(texts, embeddings, sentences, langs, touchpoints)
        ref = self._reference_state()
        edits = read_theme_file(self.theme_file)
        n = len(u["text"])
        rng = np.random.default_rng(self.random_state)
        X = u["emb"]
        dim = int(X.shape[1]) if getattr(X, "ndim", 0) == 2 and X.shape[1] else 384
        sample = np.arange(n) if n <= self.max_fit_samples else np.sort(rng.choice(n, self.max_fit_samples, replace=False))
        Xs = l2n(np.asarray(X[sample], dtype=np.float32))
        if ref and ref.get("space") is not None and self.space == "auto" and ref["space"].input_dim == dim:
            # a refit keeps the space its reference was fitted in (a newer bundled space would move every
            # centroid and lose the theme ids)
            self.space_ = ref["space"]
        else:
            self.space_ = load_space(self.space, dim)
        self.sentiment_basis_ = self._fit_polarity(Xs)
        Xs_in, Xs = Xs, self._project(Xs)  # assignment projects its input itself: it gets Xs_in
        dim = int(Xs.shape[1])  # the theme space's width from here on
        s_text = [u["text"][i] for i in sample]
        s_lang = [u["lang"][i] for i in sample]
        # centring needs a collection: a handful of sentences keeps the plain cosine geometry
        self.mean_ = Xs.mean(0).astype(np.float32) if len(Xs) >= 10 else np.zeros(dim, np.float32)
        self.lang_means_ = {}
        if self.center_by_language:
            lang_arr = np.asarray([lg or "und" for lg in s_lang])
            for lg, cnt in Counter(lang_arr.tolist()).items():
                if cnt >= 10 and lg != "und":
                    self.lang_means_[lg] = Xs[lang_arr == lg].mean(0).astype(np.float32)
            if len(self.lang_means_) < 2:
                self.lang_means_ = {}
        Ws = centre(Xs, self._row_means(s_lang)(0, len(Xs)))
        # the clustering steps (reducer, prototypes, refinement, merges) see neighbourhood-averaged vectors;
        # assignment (fit's final labels and transform) uses each sentence's own vector against the prototypes
        if self.smooth_neighbors and len(Ws) >= SPECTRAL_MIN_ROWS:  # a few dozen sentences: no neighbourhoods
            Ws = smooth_knn(Ws, int(self.smooth_neighbors), np.random.default_rng(self.random_state))

        # guided themes: sentences holding a pinned seed keyword are set aside for their theme
        self.seeds_ = self._seed_table(edits, ref)
        seed_hit = self._seed_match(s_text, s_lang)
        free = seed_hit < 0
        rows = np.flatnonzero(free)
        labels = np.full(len(sample), -1, dtype=np.int64)
        red = make_reducer(self.reducer, len(rows), dim, self.n_components, self.random_state) if len(rows) >= 2 else None
        cap = getattr(red, "max_fit_rows", None)
        if cap and len(rows) > int(cap):  # a reducer that grows superlinearly clusters a seeded sub-sample
            rows = np.sort(rng.choice(rows, int(cap), replace=False))
        mcs = self.min_cluster_size or auto_min_cluster_size(len(rows) if red is not None else len(sample))
        if red is not None:
            Z = fit_reduce(red, Ws[rows], self.chunk_size)
            labels[rows] = run_clusterer(Z, self.clusterer, mcs, self.min_samples, self.n_clusters, self.random_state)
            self.reducer_ = red
        protos, _ = prototypes_from_labels(Ws, labels)
        if len(protos) == 0 and free.sum() >= 1:  # nothing dense: one theme for everything
            protos = l2n(Ws[free].mean(0, keepdims=True))
        n_auto = len(protos)
        # seeded prototypes after the automatic ones
        seed_ids = list(self.seeds_.keys())
        fixed: dict[int, np.ndarray] = {}
        for k, tid in enumerate(seed_ids):
            rows = np.flatnonzero(seed_hit == tid)
            if len(rows):
                protos = np.vstack([protos, l2n(Ws[rows].mean(0, keepdims=True))])
                fixed[len(protos) - 1] = rows
        proto_seed = {p: seed_ids[k] for k, p in enumerate(sorted(fixed))} if fixed else {}
        min_keep = min(max(2, mcs // 2), max(len(Ws) // 2, 1)) if self.clusterer == "hdbscan" else 1
        protos, keep = refine(Ws, protos, self.refine_iter, fixed=fixed, min_size=min_keep)
        proto_seed = {int(np.flatnonzero(keep == p)[0]): t for p, t in proto_seed.items() if p in keep}
        is_auto = keep < n_auto

        # near-duplicate automatic prototypes become one theme (guided ones stay apart)
        if len(protos) == 0 and len(Ws):  # every cluster fell apart: one theme for everything
            protos, is_auto, proto_seed = l2n(Ws.mean(0, keepdims=True)), np.asarray([True]), {}
        group = np.arange(len(protos))
        auto_idx = np.flatnonzero(is_auto)
        if len(auto_idx) > 1:
            a = (Ws @ protos.T).argmax(1)
            sizes = np.bincount(a, minlength=len(protos))
            g = merge_close(protos[auto_idx], sizes[auto_idx], self.merge_threshold)
            group[auto_idx] = auto_idx[np.unique(g, return_index=True)[1]][g]
        uniq_groups = list(dict.fromkeys(group.tolist()))
        # one prototype per group (mean of its members), so a theme = one direction before user edits
        a = (Ws @ protos.T).argmax(1) if len(protos) and len(Ws) else np.zeros(len(Ws), np.int64)
        ga = group[a] if len(group) else a
        merged, mseed = [], {}
        for gi in uniq_groups:
            rows = np.flatnonzero(ga == gi)
            members = np.flatnonzero(group == gi)
            v = Ws[rows].mean(0) if len(rows) else protos[members].mean(0)
            merged.append(v)
            for m in members:
                if int(m) in proto_seed:
                    mseed[len(merged) - 1] = proto_seed[int(m)]
        protos = l2n(np.stack(merged)) if merged else np.zeros((0, dim), np.float32)

        # theme ids: guided themes keep theirs; others match the reference fit by centroid
        a = (Ws @ protos.T).argmax(1) if len(protos) and len(Ws) else np.zeros(len(Ws), np.int64)
        raw = self._raw_centroids(Xs, a, len(protos))
        ids = self._match_ids(raw, mseed, ref, edits, Ws, a, s_text, s_lang)
        proto_theme = np.asarray(ids, dtype=np.int64)

        # user edits: drop, merge, split
        protos, proto_theme = self._apply_structure_edits(edits, Ws, protos, proto_theme)
        self.prototypes_ = protos.astype(np.float32)
        self.prototype_theme_ = proto_theme

        # outlier threshold: min_similarity, lowered so that at most max_outlier_share stays unassigned
        _, s_sim = self._assign_rows(Xs_in, s_text, s_lang)
        thr = float(self.min_similarity)
        if len(s_sim) and self.max_outlier_share < 1:
            # "lower": an observed value, so at most max_outlier_share of the sample lies strictly below it
            q = float(np.quantile(s_sim, self.max_outlier_share, method="lower")) if self.max_outlier_share > 0 else -np.inf
            thr = min(thr, q)
        self.threshold_ = thr

        # assignment of every sentence (chunks over a memmap are fine)
        self.sentence_labels_, self.sentence_similarities_ = self._assign_units(u)
        self._prune_empty(u)
        self.unit_doc_ = u["doc"]
        self.unit_spans_ = u["span"]
        self.n_docs_ = u["n_docs"]
        self.labels_ = self._rollup(u["doc"], self.sentence_labels_, self.sentence_similarities_, u["n_docs"])
        self.outlier_share_ = float((self.sentence_labels_ < 0).mean()) if n else 0.0
        self.n_sentences_ = n
        self.display_lang_ = self.display_lang or (Counter(u["lang"]).most_common(1)[0][0] if n else "en")

        self._describe(u, edits, ref)
        self._hierarchy(u)
        self._link_touchpoints(u)
        self.next_id_ = int(max([t.id for t in self.themes_] + [ref["next_id"] - 1 if ref else -1]) + 1)
        return self

    def fit_transform(self, texts: Any, y: Any = None, **kw) -> list[int]:
        return [int(v) for v in self.fit(texts, **kw).labels_]

    # ------------------------------------------------------------------ steps of fit
    def _reference_state(self) -> dict | None:
        ref = self.reference
        if ref is not None and not isinstance(ref, ThemeModel):
            ref = ThemeModel.load(ref)
        if ref is None and self._fitted():
            ref = self  # refitting: keep this model's ids
        if ref is None or not ref._fitted():
            return None
        return {"raw": ref.raw_centroids_.copy(), "ids": [t.id for t in ref.themes_], "mean": ref.mean_.copy(),
                "names": {t.id: t.name for t in ref.themes_}, "generated": {t.id: t.generated_name for t in ref.themes_},
                "keywords": {t.id: list(t.keywords) for t in ref.themes_}, "next_id": int(ref.next_id_),
                "seeds": dict(getattr(ref, "seeds_", {}) or {}),
                "user_named": {t.id: t.user_named for t in ref.themes_}, "space": getattr(ref, "space_", None)}

    def _seed_table(self, edits: list[ThemeEdit], ref: dict | None) -> dict[int, dict]:
        """theme id -> {"seeds": [lemmatised keys], "raw": [as written], "name": optional}."""
        table: dict[int, dict] = {}
        if ref:
            for tid, s in ref["seeds"].items():
                table[int(tid)] = dict(s)
        next_id = max([ref["next_id"] if ref else 0] + [e.id + 1 for e in edits if e.id is not None] + [0])
        for e in edits:
            if e.drop or not e.seeds:
                if e.id is not None:
                    table.pop(e.id, None)  # dropped, or its seeds were removed in the file
                continue
            tid = e.id
            if tid is None:  # a new guided theme: the same seeds (or name) as an earlier one keep its id
                tid = next((k for k, v in table.items()
                            if v.get("raw") == list(e.seeds) or (e.name and v.get("name") == e.name)), None)
            if tid is None:
                tid = next_id
                next_id += 1
            table[int(tid)] = {"raw": list(e.seeds), "keys": [_seed_key(s) for s in e.seeds], "name": e.name}
        return table

    def _seed_match(self, texts: Sequence[str], langs: Sequence[str | None]) -> np.ndarray:
        out = np.full(len(texts), -1, dtype=np.int64)
        table = getattr(self, "seeds_", None) or {}
        if not table:
            return out
        items = [(tid, set(s["keys"])) for tid, s in table.items()]
        for i, (t, lg) in enumerate(zip(texts, langs)):
            keys = {k for k, _ in extract_terms(t, lg, ngram_max=3)} | {s for _, s in extract_terms(t, lg, ngram_max=3)}
            for tid, seeds in items:
                if keys & seeds:
                    out[i] = tid
                    break
        return out

    @staticmethod
    def _raw_centroids(Xs: np.ndarray, a: np.ndarray, k: int) -> np.ndarray:
        if k == 0:
            return np.zeros((0, Xs.shape[1]), np.float32)
        c = np.stack([Xs[a == j].mean(0) if (a == j).any() else np.zeros(Xs.shape[1], np.float32) for j in range(k)])
        return l2n(c)

    def _match_ids(self, raw: np.ndarray, mseed: dict[int, int], ref: dict | None, edits: list[ThemeEdit],
                   Ws, a, s_text, s_lang) -> list[int]:
        k = len(raw)
        ids: list[int | None] = [None] * k
        for p, tid in mseed.items():
            ids[p] = int(tid)
        taken = {i for i in ids if i is not None}
        free = [p for p in range(k) if ids[p] is None]
        next_id = max([ref["next_id"] if ref else 0] + [i + 1 for i in taken] +
                      [e.id + 1 for e in edits if e.id is not None] + [0])
        if ref and free and len(ref["raw"]) and ref["raw"].shape[1] == raw.shape[1]:  # same space
            from scipy.optimize import linear_sum_assignment

            old_ids = [i for i in ref["ids"] if i not in taken]
            old_rows = [ref["ids"].index(i) for i in old_ids]
            if old_rows:
                A = centre(raw[free], ref["mean"])
                B = centre(ref["raw"][old_rows], ref["mean"])
                sim = A @ B.T
                r, c = linear_sum_assignment(-sim)
                for i, j in zip(r, c):
                    if sim[i, j] >= self.match_threshold:
                        ids[free[i]] = int(old_ids[j])
        elif not ref and free and any(e.id is not None and e.keywords for e in edits):
            # a theme file without the model that wrote it: match by keywords
            kw_new = self._quick_keywords(a, s_text, s_lang, k)
            # the file lists display-language keywords and phrases; the new clusters' quick keywords are single
            # words in every language, so the score is the share of the file's words found among them
            cand = [(e.id, {w for k in e.keywords for w in k.lower().split()}) for e in edits
                    if e.id is not None and e.keywords]
            pairs = []
            for p in free:
                for eid, kws in cand:
                    j = len(kws & kw_new[p]) / max(len(kws), 1)
                    if j >= 0.3:
                        pairs.append((j, p, eid))
            used_p, used_e = set(), set()
            for j, p, eid in sorted(pairs, reverse=True):
                if p in used_p or eid in used_e or eid in taken:
                    continue
                ids[p] = int(eid)
                used_p.add(p)
                used_e.add(eid)
        taken = {i for i in ids if i is not None}
        next_id = max([next_id] + [i + 1 for i in taken])
        for p in range(k):
            if ids[p] is None:
                ids[p] = next_id
                next_id += 1
        self._next_id_hint = next_id
        return [int(i) for i in ids]

    def _quick_keywords(self, a, texts, langs, k) -> list[set[str]]:
        rep = ctfidf_keywords(a, texts, langs, list(range(k)), top_n=10, ngram_max=1)
        return [{w.lower() for kws in rep.keywords.get(p, {}).values() for w, _, _ in kws} for p in range(k)]

    def _apply_structure_edits(self, edits: list[ThemeEdit], Ws: np.ndarray, protos: np.ndarray,
                               proto_theme: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        next_id = max([getattr(self, "_next_id_hint", 0)] + [int(t) + 1 for t in proto_theme] + [0])
        present = set(proto_theme.tolist())
        for e in edits:
            if e.id is None or e.id not in present:
                continue
            if e.drop:
                keep = proto_theme != e.id
                if keep.any():
                    protos, proto_theme = protos[keep], proto_theme[keep]
                present.discard(e.id)
            elif e.merge_into is not None and e.merge_into in present and e.merge_into != e.id:
                proto_theme = np.where(proto_theme == e.id, e.merge_into, proto_theme)  # multi-prototype theme
                present.discard(e.id)
            elif e.split:
                rows_p = np.flatnonzero(proto_theme == e.id)
                a = (Ws @ protos.T).argmax(1)
                members = np.flatnonzero(np.isin(a, rows_p))
                if len(members) < e.split * 2:
                    continue
                from sklearn.cluster import KMeans

                km = KMeans(n_clusters=e.split, n_init=3, random_state=self.random_state).fit(Ws[members])
                new = l2n(km.cluster_centers_.astype(np.float32))
                keep = proto_theme != e.id
                new_ids = [e.id] + list(range(next_id, next_id + e.split - 1))
                next_id += e.split - 1
                protos = np.vstack([protos[keep], new])
                proto_theme = np.concatenate([proto_theme[keep], np.asarray(new_ids, dtype=np.int64)])
                present.update(new_ids)
        self._next_id_hint = next_id
        return protos, proto_theme

    def _prune_empty(self, u: dict) -> None:
        """Themes that no sentence reached (all below the threshold) are removed; labels do not change."""
        used = set(self.sentence_labels_.tolist()) | set((self.seeds_ or {}).keys())
        keep = np.isin(self.prototype_theme_, list(used))
        if keep.all() or not keep.any():
            return
        self.prototypes_ = self.prototypes_[keep]
        self.prototype_theme_ = self.prototype_theme_[keep]
        self.sentence_labels_, self.sentence_similarities_ = self._assign_units(u)

    # ------------------------------------------------------------------ assignment
    def _fit_polarity(self, Xs: np.ndarray) -> np.ndarray:
        from .polarity import load_head, polarity_basis

        empty = np.zeros((Xs.shape[1] if Xs.ndim == 2 else 0, 0), np.float32)
        opt = self.remove_sentiment
        # the directions are regressions on this collection: on a few hundred sentences they would also
        # catch topics that happen to go with one polarity, so small collections keep their geometry
        if opt is False or opt is None or (opt == "auto" and len(Xs) < 300) or len(Xs) < 10:
            return empty
        if opt == "auto" and getattr(self, "space_", None) is not None:
            # the theme space is trained to ignore how a sentence feels about its topic: in the experiment that
            # chose it (tune half of benchmarks/themes.py) removing polarity as well lowered NMI on all six sets
            return empty
        source = None
        if isinstance(opt, (str, Path)) and str(opt) not in ("auto", "True"):
            source = opt
        elif self.encoder is not None and hasattr(self.encoder, "heads"):
            source = self.encoder
        head = load_head(source)
        if head is None:
            if opt is True:
                raise CxError("E801", "remove_sentiment=True needs a sentiment head (the bundled model or an Analyzer)")
            return empty
        w = head["weights"]
        first = next((v for k, v in sorted(w.items()) if k.endswith("weight")), None)
        # another encoder's width: not applicable (a multiple is this encoder's features: see polarity.py)
        if first is None or first.shape[-1] % max(Xs.shape[1], 1) != 0:
            return empty
        q = polarity_basis(head, Xs)
        return q if q is not None else empty

    def _project(self, x: np.ndarray) -> np.ndarray:
        """Rows L2-normalised, without their polarity component, mapped into the theme space (if any)."""
        q = getattr(self, "sentiment_basis_", None)
        x = l2n(np.asarray(x, dtype=np.float32))
        if q is not None and q.shape[1]:
            x = l2n(x - (x @ q) @ q.T)
        sp = getattr(self, "space_", None)
        return sp.transform(x) if sp is not None else x

    def _row_means(self, langs: Sequence[str | None]):
        """Centre of each row: its language's mean (when fitted), else the global mean."""
        lm = getattr(self, "lang_means_", None) or {}
        if not lm:
            return lambda a, b: self.mean_
        table = np.stack([self.mean_] + list(lm.values()))
        pos = {lg: k + 1 for k, lg in enumerate(lm)}
        idx = np.fromiter((pos.get(lg or "und", 0) for lg in langs), dtype=np.int64, count=len(langs))
        return lambda a, b: table[idx[a:b]]

    def _assign_rows(self, X, texts: Sequence[str], langs: Sequence[str | None], progress=None):
        """(theme id or -1 before the outlier threshold, similarity) per row."""
        if len(self.prototypes_) == 0:  # a model fitted on nothing knows no theme
            return np.full(len(texts), -1, dtype=np.int64), np.full(len(texts), -np.inf, dtype=np.float32)
        best, sim = assign(X, self.prototypes_, self._row_means(langs), self.chunk_size, progress, prep=self._project)
        theme = np.where(best >= 0, self.prototype_theme_[np.maximum(best, 0)], -1) if len(best) else best
        seeds = self._seed_match(texts, langs)
        hit = seeds >= 0
        if hit.any():
            theme = theme.copy()
            theme[hit] = seeds[hit]
            sim = sim.copy()
            sim[hit] = np.maximum(sim[hit], 1.0)
        return theme.astype(np.int64), sim

    def _assign_units(self, u: dict) -> tuple[np.ndarray, np.ndarray]:
        bar = _progress(self.progress, len(u["text"]), "assigning themes")
        theme, sim = self._assign_rows(u["emb"], u["text"], u["lang"], progress=bar.update if bar else None)
        if bar:
            bar.close()
        theme = np.where(sim >= self.threshold_, theme, -1)
        return theme.astype(np.int64), sim.astype(np.float32)

    @staticmethod
    def _rollup(doc: np.ndarray, labels: np.ndarray, sims: np.ndarray, n_docs: int) -> np.ndarray:
        """Dominant theme per text: the theme whose sentences add up to the most similarity."""
        out = np.full(n_docs, -1, dtype=np.int64)
        best: dict[int, tuple[float, int]] = {}
        score: dict[tuple[int, int], float] = {}
        for d, t, s in zip(doc.tolist(), labels.tolist(), sims.tolist()):
            if t < 0:
                continue
            key = (d, t)
            score[key] = score.get(key, 0.0) + max(float(s), 1e-6)
            v = score[key]
            cur = best.get(d)
            if cur is None or v > cur[0] + 1e-9 or (abs(v - cur[0]) <= 1e-9 and t < cur[1]):
                best[d] = (v, t)
        for d, (_, t) in best.items():
            out[d] = t
        return out

    def _prepare(self, texts, embeddings, sentences, langs) -> dict:
        self._check_fitted()
        return self._units(texts, embeddings, sentences, langs)

    def transform(self, texts: Any, embeddings: Any = None, sentences: Any = None, langs: Any = None) -> list[int]:
        """Dominant theme id per text (-1 = no theme); same arguments as ``fit``."""
        u = self._prepare(texts, embeddings, sentences, langs)
        labels, sims = self._assign_units(u)
        return [int(v) for v in self._rollup(u["doc"], labels, sims, u["n_docs"])]

    predict = transform

    def transform_sentences(self, texts: Any, embeddings: Any = None, sentences: Any = None,
                            langs: Any = None) -> list[list[dict[str, Any]]]:
        """Per text, its sentences: start, end, text, theme id, theme name, similarity."""
        u = self._prepare(texts, embeddings, sentences, langs)
        labels, sims = self._assign_units(u)
        names = {t.id: t.name for t in self.themes_}
        out: list[list[dict[str, Any]]] = [[] for _ in range(u["n_docs"])]
        for i, d in enumerate(u["doc"].tolist()):
            t = int(labels[i])
            out[d].append({"start": u["span"][i][0], "end": u["span"][i][1], "text": u["text"][i], "theme": t,
                           "name": names.get(t), "similarity": round(float(sims[i]), 4)})
        return out

    def themes_of(self, texts: Any, embeddings: Any = None, sentences: Any = None, langs: Any = None) -> list[list[int]]:
        """Every theme of each text, strongest first (a text about staff and delivery has both)."""
        u = self._prepare(texts, embeddings, sentences, langs)
        labels, sims = self._assign_units(u)
        acc: list[dict[int, float]] = [dict() for _ in range(u["n_docs"])]
        for d, t, s in zip(u["doc"].tolist(), labels.tolist(), sims.tolist()):
            if t >= 0:
                acc[d][t] = acc[d].get(t, 0.0) + max(float(s), 1e-6)
        return [[t for t, _ in sorted(a.items(), key=lambda kv: (-kv[1], kv[0]))] for a in acc]

    # ------------------------------------------------------------------ description
    def _describe(self, u: dict, edits: list[ThemeEdit], ref: dict | None) -> None:
        labels = self.sentence_labels_
        n = len(labels)
        theme_ids = sorted(set(self.prototype_theme_.tolist()))
        # c-TF-IDF on at most max_docs_per_theme sentences per theme (the closest ones)
        rows = self._rep_rows(labels, theme_ids)
        rep = ctfidf_keywords(labels[rows], [u["text"][i] for i in rows], [u["lang"][i] for i in rows], theme_ids,
                              top_n=self.top_n_words, ngram_max=self.ngram_max)
        sizes = Counter(labels.tolist())
        docs = Counter((int(d), int(t)) for d, t in zip(u["doc"].tolist(), labels.tolist()) if t >= 0)
        docs_per_theme = Counter(t for (_, t) in docs)
        kw_display: dict[int, list[str]] = {}
        avoid: dict[int, set[str]] = {}
        for t in theme_ids:
            kw_display[t], avoid[t] = rep.display_keywords(t, self.display_lang_, self.top_n_words)
        fixed: dict[int, str] = {}
        generated_prev = (ref or {}).get("generated", {})
        for e in edits:
            if e.id is not None and e.name and e.id in theme_ids:
                if e.name != generated_prev.get(e.id):  # the user changed it
                    fixed[e.id] = e.name
        for tid, s in (getattr(self, "seeds_", {}) or {}).items():
            if s.get("name") and tid in theme_ids:
                fixed.setdefault(tid, s["name"])
        if ref:  # names the user gave before stay with their theme
            for tid, flag in ref["user_named"].items():
                if flag and tid in theme_ids and tid not in fixed and not any(e.id == tid and e.name for e in edits):
                    fixed[tid] = ref["names"][tid]
        auto = make_names(kw_display, avoid=avoid)  # generated names, unique
        names = make_names(kw_display, fixed=fixed, avoid=avoid)
        examples = self._examples(u, theme_ids)
        themes = []
        for t in theme_ids:
            seeds = (getattr(self, "seeds_", {}) or {}).get(t, {}).get("raw", [])
            themes.append(Theme(
                id=int(t), name=names[t], keywords=kw_display[t], size=int(sizes.get(t, 0)), examples=examples.get(t, []),
                share=round(sizes.get(t, 0) / n, 6) if n else 0.0, docs=int(docs_per_theme.get(t, 0)),
                keywords_by_lang={lg: [w for w, _, _ in v] for lg, v in sorted(rep.keywords.get(t, {}).items())},
                langs=dict(sorted(rep.langs.get(t, Counter()).items(), key=lambda kv: -kv[1])), seeds=list(seeds),
                generated_name=auto[t], user_named=t in fixed))
        themes.sort(key=lambda th: (-th.size, th.id))
        self.themes_ = themes
        # raw-space centroids (for id matching at the next fit), in themes_ order
        self.raw_centroids_ = self._theme_raw_centroids(u, [t.id for t in themes])

    def _rep_rows(self, labels: np.ndarray, theme_ids: list[int]) -> np.ndarray:
        cap = int(self.max_docs_per_theme)
        rows = []
        for t in theme_ids:
            r = np.flatnonzero(labels == t)
            if len(r) > cap:
                r = r[np.argsort(-self.sentence_similarities_[r], kind="stable")[:cap]]
            rows.append(r)
        return np.sort(np.concatenate(rows)) if rows else np.zeros(0, np.int64)

    def _examples(self, u: dict, theme_ids: list[int]) -> dict[int, list[str]]:
        out = {}
        for t in theme_ids:
            r = np.flatnonzero(self.sentence_labels_ == t)
            r = r[np.argsort(-self.sentence_similarities_[r], kind="stable")]
            seen, ex = set(), []
            for i in r:
                s = " ".join(u["text"][i].split())
                if s.casefold() in seen or len(s) < 3:
                    continue
                seen.add(s.casefold())
                ex.append(s)
                if len(ex) >= self.n_examples:
                    break
            out[t] = ex
        return out

    def _theme_raw_centroids(self, u: dict, ids: list[int]) -> np.ndarray:
        X = u["emb"]
        dim = self.prototypes_.shape[1] if len(self.prototypes_) else 384
        acc = {t: np.zeros(dim, np.float64) for t in ids}
        for i in range(0, len(self.sentence_labels_), self.chunk_size):
            lab = self.sentence_labels_[i:i + self.chunk_size]
            xb = self._project(X[i:i + self.chunk_size])
            for t in ids:
                m = lab == t
                if m.any():
                    acc[t] += xb[m].sum(0)
        c = np.stack([acc[t] for t in ids]) if ids else np.zeros((0, dim))
        # a theme with no sentence (dropped below threshold) falls back to its prototype direction
        for k, t in enumerate(ids):
            if not np.any(c[k]):
                p = self.prototypes_[self.prototype_theme_ == t].mean(0)
                c[k] = p + self.mean_
        return l2n(c.astype(np.float32))

    # ------------------------------------------------------------------ hierarchy and touchpoints
    def _theme_vectors(self) -> np.ndarray:
        """One direction per theme (themes_ order) in the centred space: the mean of its prototypes."""
        if not len(self.themes_):
            return np.zeros((0, 1), np.float32)
        return l2n(np.stack([self.prototypes_[self.prototype_theme_ == t.id].mean(0) if (self.prototype_theme_ == t.id).any()
                             else centre(self.raw_centroids_[k:k + 1], self.mean_)[0] for k, t in enumerate(self.themes_)]))

    def _hierarchy(self, u: dict) -> None:
        k = len(self.themes_)
        if k == 0:
            self.parents_ = []
            return
        V = self._theme_vectors()
        if k <= 2:
            plab = np.zeros(k, dtype=np.int64) if k == 1 else np.arange(k)
        else:
            from sklearn.cluster import AgglomerativeClustering

            n_par = min(int(self.max_parents), max(2, int(round(np.sqrt(k)))), k)
            plab = AgglomerativeClustering(n_clusters=n_par, metric="cosine", linkage="average").fit(V).labels_
        # parent keywords: c-TF-IDF with parents as classes
        tid_par = {t.id: int(p) for t, p in zip(self.themes_, plab)}
        lab = np.asarray([tid_par.get(int(t), -1) if t >= 0 else -1 for t in self.sentence_labels_], dtype=np.int64)
        rows = self._rep_rows(lab, sorted(set(plab.tolist())))
        rep = ctfidf_keywords(lab[rows], [u["text"][i] for i in rows], [u["lang"][i] for i in rows],
                              sorted(set(plab.tolist())), top_n=self.top_n_words, ngram_max=2)
        kw, avoid = {}, {}
        for p in sorted(set(plab.tolist())):
            kw[p], avoid[p] = rep.display_keywords(p, self.display_lang_, self.top_n_words)
        names = make_names(kw, avoid=avoid)
        by_size = sorted(set(plab.tolist()), key=lambda p: -sum(t.size for t, q in zip(self.themes_, plab) if q == p))
        renum = {p: i for i, p in enumerate(by_size)}
        parents = []
        for p in by_size:
            children = [t for t, q in zip(self.themes_, plab) if q == p]
            parents.append({"id": renum[p], "name": names[p], "keywords": kw[p], "themes": [t.id for t in children],
                            "size": int(sum(t.size for t in children)), "touchpoints": []})
        for t, q in zip(self.themes_, plab):
            t.parent = renum[int(q)]
        self.parents_ = parents

    def _link_touchpoints(self, u: dict) -> None:
        """Touchpoints per theme from the sentences' touchpoints (Results or ``touchpoints=``), else from
        the Analyzer's detector run on each theme's examples (when an Analyzer is at hand)."""
        per_theme: dict[int, Counter] = {t.id: Counter() for t in self.themes_}
        if u.get("tp") is not None:
            for t, tps in zip(self.sentence_labels_.tolist(), u["tp"]):
                if t >= 0 and tps:
                    per_theme[t][tps[0]] += 1
        else:
            an = self.encoder if self.encoder is not None else getattr(self, "_default_analyzer", None)
            if an is None or not hasattr(an, "predict") or getattr(an, "touchpoints", None) is None:
                return
            ex = [(t.id, s) for t in self.themes_ for s in t.examples]
            if not ex:
                return
            res = an.predict([s for _, s in ex])
            for (tid, _), r in zip(ex, res):
                if getattr(r, "touchpoints", None):
                    per_theme[tid][r.touchpoints[0]["name"]] += 1
        for t in self.themes_:
            c = per_theme.get(t.id) or Counter()
            tot = sum(c.values())
            t.touchpoints = [{"name": k, "share": round(v / tot, 4)} for k, v in c.most_common(3)] if tot else []
        sizes = {t.id: t.size for t in self.themes_}
        for p in self.parents_:
            c = Counter()
            for tid in p["themes"]:
                th = next(t for t in self.themes_ if t.id == tid)
                for tp in th.touchpoints:
                    c[tp["name"]] += tp["share"] * sizes[tid]
            tot = sum(c.values())
            p["touchpoints"] = [{"name": k, "share": round(v / tot, 4)} for k, v in c.most_common(3)] if tot else []

    def link_touchpoints(self, analyzer) -> "ThemeModel":
        """Link themes (and parents) to touchpoints with ``analyzer`` run on the themes' examples."""
        self._check_fitted()
        old, self.encoder = self.encoder, analyzer
        try:
            self._link_touchpoints({"tp": None})
        finally:
            self.encoder = old
        return self

    # ------------------------------------------------------------------ info
    @property
    def theme_names_(self) -> dict[int, str]:
        return {t.id: t.name for t in self.themes_}

    def get_theme(self, theme_id: int) -> Theme | None:
        return next((t for t in self.themes_ if t.id == int(theme_id)), None)

    def to_dict(self) -> dict[str, Any]:
        self._check_fitted()
        return {"n_sentences": int(self.n_sentences_), "n_docs": int(self.n_docs_),
                "outlier_share": round(self.outlier_share_, 6), "display_lang": self.display_lang_,
                "threshold": self.threshold_, "themes": [t.to_dict() for t in self.themes_], "parents": self.parents_}

    # ------------------------------------------------------------------ persistence
    def write_theme_file(self, path: str | Path) -> Path:
        """The editable YAML theme file (rename, merge, split, drop, seeds) for the next fit."""
        self._check_fitted()
        pname = {p["id"]: p["name"] for p in self.parents_}
        items = [dict(t.to_dict(), parent_name=pname.get(t.parent)) for t in self.themes_]
        p = Path(path)
        p.write_text(theme_file_text(items), encoding="utf-8")
        return p

    def save(self, path: str | Path) -> Path:
        """A folder: themes.json (parameters, themes), themes.safetensors (vectors), themes.yaml (editable)."""
        from safetensors.numpy import save_file

        self._check_fitted()
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        params = {}
        for k in self._PARAMS:
            v = getattr(self, k)
            if k in ("encoder", "reference"):
                continue
            if k == "theme_file" and v is not None and not isinstance(v, (str, Path)):
                v = None
            if k == "space" and v is not None and not isinstance(v, (str, Path, bool)):
                v = "saved"  # a ThemeSpace object: its arrays are saved with the model
            if isinstance(v, Path):
                v = str(v)
            params[k] = v if isinstance(v, (str, int, float, bool, type(None))) else repr(v)
        meta = {"format": "cx_nlp.themes", "version": FORMAT_VERSION, "params": params,
                "state": {"threshold": self.threshold_, "display_lang": self.display_lang_, "next_id": int(self.next_id_),
                          "outlier_share": self.outlier_share_, "n_sentences": int(self.n_sentences_),
                          "n_docs": int(self.n_docs_), "seeds": {str(k): v for k, v in self.seeds_.items()},
                          "lang_means": list(self.lang_means_)},
                "themes": [t.to_dict() for t in self.themes_], "parents": self.parents_}
        (folder / "themes.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        save_file({"prototypes": np.ascontiguousarray(self.prototypes_, dtype=np.float32),
                   "prototype_theme": np.ascontiguousarray(self.prototype_theme_, dtype=np.int64),
                   "mean": np.ascontiguousarray(self.mean_, dtype=np.float32),
                   "raw_centroids": np.ascontiguousarray(self.raw_centroids_, dtype=np.float32),
                   "sentiment_basis": np.ascontiguousarray(self.sentiment_basis_, dtype=np.float32),
                   **({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in self.space_.state().items()}
                      if self.space_ is not None else {}),
                   "lang_means": np.ascontiguousarray(np.stack(list(self.lang_means_.values())) if self.lang_means_
                                                      else np.zeros((0, len(self.mean_))), dtype=np.float32)},
                  str(folder / "themes.safetensors"))
        self.write_theme_file(folder / "themes.yaml")
        return folder

    @classmethod
    def load(cls, path: str | Path, encoder: Any = None) -> "ThemeModel":
        from safetensors.numpy import load_file

        folder = Path(path)
        try:
            meta = json.loads((folder / "themes.json").read_text(encoding="utf-8"))
            arr = load_file(str(folder / "themes.safetensors"))
        except (OSError, ValueError) as exc:
            raise CxError("E803", f"{folder} is not a saved ThemeModel: {exc}") from exc
        if meta.get("format") != "cx_nlp.themes":
            raise CxError("E803", f"{folder}/themes.json was not written by ThemeModel.save")
        if int(meta.get("version", 0)) > FORMAT_VERSION:
            raise CxError("E803", f"{folder} was written by a newer cx_nlp (format {meta.get('version')})")
        params = {k: v for k, v in meta["params"].items() if k in cls._PARAMS}
        for k in ("reducer", "clusterer"):
            if isinstance(params.get(k), str) and params[k] not in ("pca", "spectral", "umap", "none", "hdbscan", "kmeans"):
                params[k] = "pca" if k == "reducer" else "hdbscan"  # a custom estimator is not serialised
        if params.get("space") == "saved" or "space" not in params:
            # "saved": the arrays below are the space; absent: written before theme spaces, and a refit
            # (keeping this model's theme ids) must stay in the geometry its centroids live in
            params["space"] = None
        tm = cls(**params, encoder=encoder)
        st = meta["state"]
        # a model saved before theme spaces existed was fitted without one: it keeps working as it was fitted
        tm.space_ = ThemeSpace.from_state(arr) if "space_components" in arr else None
        tm.prototypes_ = arr["prototypes"].astype(np.float32)
        tm.prototype_theme_ = arr["prototype_theme"].astype(np.int64)
        tm.mean_ = arr["mean"].astype(np.float32)
        tm.raw_centroids_ = arr["raw_centroids"].astype(np.float32)
        tm.sentiment_basis_ = arr["sentiment_basis"].astype(np.float32) if "sentiment_basis" in arr else \
            np.zeros((len(tm.mean_), 0), np.float32)
        tm.lang_means_ = {lg: arr["lang_means"][k].astype(np.float32) for k, lg in enumerate(st.get("lang_means", []))}
        tm.threshold_ = float(st["threshold"])
        tm.display_lang_ = st["display_lang"]
        tm.next_id_ = int(st["next_id"])
        tm.outlier_share_ = float(st["outlier_share"])
        tm.n_sentences_ = int(st["n_sentences"])
        tm.n_docs_ = int(st["n_docs"])
        tm.seeds_ = {int(k): v for k, v in (st.get("seeds") or {}).items()}
        tm.themes_ = [Theme(**t) for t in meta["themes"]]
        tm.parents_ = meta.get("parents", [])
        return tm


def _seed_key(seed: str) -> str:
    """A seed keyword in the same lemmatised form as sentence terms (language-agnostic lemmatisation)."""
    toks = [t for t in seed.lower().split() if t]
    return " ".join(toks)
