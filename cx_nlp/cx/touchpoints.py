"""Touchpoint detection per sentence (or clause), with per-touchpoint sentiment.

Two readings of a sentence embedding are combined:

* **zero-shot** (works for any taxonomy, no training): each touchpoint is anchored by its description
  and its examples; a sentence's affinity to a touchpoint is the mean of its two best anchor cosines
  (plus a small bonus for a cue word of the sentence's language). A softmax across touchpoints (which
  one?) times a gate on the best affinity (any at all?) turns affinities into scores.
* **supervised** (optional): a small multi-label head (``cx_nlp.heads.Head``, sigmoid per touchpoint)
  over the same frozen embeddings, trained from labelled sentences (the aspect/intent corpora mapped in
  ``aspect_map.csv``, the taxonomy's own examples, or a user's labels: :func:`fit_touchpoints`).

The score of a touchpoint is ``blend * head + (1 - blend) * zero_shot`` (zero-shot alone for touchpoints
the head does not know), and a touchpoint is reported when its score reaches its own threshold.
``blend`` and the thresholds are chosen on validation data and saved with the model.

Per-touchpoint sentiment comes from an optional polarity head that reads the sentence (or clause)
embedding together with the touchpoint (aspect-based: "great food, slow service" is positive for the
product and negative for the staff); without it, from the piece's sentiment.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from safetensors.numpy import load_file, save_file

from ..heads import SENTIMENT_LABELS, Head, HeadConfig
from ..text.cues import CueSet, lean
from .taxonomy import Taxonomy


MAX_POLARITY_WEIGHT = 0.75
# fit_polarity's training-side tuning share and the seed of its draw (benchmarks/clause_polarity.py redraws it)
POLARITY_CALIBRATION, POLARITY_SEED = 0.15, 13
NEGATIVE, NEUTRAL, POSITIVE = (SENTIMENT_LABELS.index(c) for c in ("negative", "neutral", "positive"))


@dataclass
class Calibration:
    temperature: float = 0.015  # softmax over affinities: e5 cosines live in a narrow band
    gate_center: float = 0.85   # best affinity at which a sentence is half-likely about a touchpoint
    gate_width: float = 0.01
    keyword_bonus: float = 0.02
    threshold: float = 0.35     # report a touchpoint when its score reaches this (zero-shot)
    max_per_sentence: int = 3
    blend: float = 0.0          # weight of the supervised head in the score (0: zero-shot only)
    thresholds: dict[str, float] = field(default_factory=dict)  # per touchpoint, for the blended score
    relative: float = 0.0       # a second touchpoint must reach this fraction of the first's score
    polarity_weight: float = 0.0  # weight of the aspect polarity head vs the piece's sentiment
    # A sentence split at "but" whose clauses name one touchpoint between them ("I called the hotline three
    # times, but nobody picked up") reads that touchpoint's polarity as this much the clause's and the rest
    # the whole sentence's. 0.25: best of 0/0.25/0.5/0.75/1 on the polarity head's training-side calibration rows
    # (benchmarks/clause_polarity.py). Clauses naming different touchpoints keep their own readings.
    clause_weight: float = 0.25
    # Clauses naming different touchpoints across "but": one that reads neutral ("..., but delivery took two
    # weeks") takes the polarity opposite the other clause's when that one is at least this sure (1: off).
    # 0.6: on the training-side calibration rows 0.632 -> 0.634 (tied with 0.5, the bolder), 1/0.8/0.6/0.5
    # tried (benchmarks/clause_polarity.py). It seldom fires on corpus text; written mixed reviews: 8 -> 10 of 10.
    contrast_confidence: float = 0.6

    @classmethod
    def from_dict(cls, d: dict) -> "Calibration":
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def _conjunction_regex() -> re.Pattern[str]:
    try:
        from ..text.segment import _CONJUNCTIONS
        words = {w for always, comma in _CONJUNCTIONS.values() for w in (*always, *comma)}
    except ImportError:  # pragma: no cover - the segmenter changed shape
        words = {"but", "however", "although", "whereas", "dar", "însă", "ale", "jednak", "lecz", "но", "однако",
                 "зато", "а", "اما", "ولی"}
    alt = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"^\W*(?:{alt})(?![^\W_])[\s,;:،–—-]*", re.IGNORECASE)


_LEADING_CONJUNCTION = _conjunction_regex()


def set_sentiment(item: dict[str, Any], p: np.ndarray) -> None:
    item["sentiment"] = SENTIMENT_LABELS[int(np.argmax(p))]
    item["sentiment_scores"] = {lab: round(float(v), 4) for lab, v in zip(SENTIMENT_LABELS, p)}


def sentiment_vector(item: dict[str, Any]) -> np.ndarray:
    """The probabilities ``set_sentiment`` wrote, in SENTIMENT_LABELS order."""
    return np.asarray([item["sentiment_scores"][lab] for lab in SENTIMENT_LABELS])


def clause_text(text: str) -> str:
    """A clause as the encoder should read it: without the contrastive conjunction that opens it.

    "ale obsługa była miła" reads as half negative to a sentence head (the "but" announces a turn);
    "obsługa była miła" is what the clause says about its touchpoint. Offsets are not affected: only
    the text that is embedded changes. The clause is returned unchanged if nothing would be left.
    """
    stripped = _LEADING_CONJUNCTION.sub("", text, count=1)
    return stripped if stripped.strip() else text


def _head_to_numpy(head: Head, prefix: str) -> dict[str, np.ndarray]:
    return {f"{prefix}.{k}": v.detach().cpu().numpy().astype(np.float32) for k, v in head.state_dict().items()}


def _head_from_numpy(cfg: dict, tensors: dict[str, np.ndarray], prefix: str) -> Head:
    import torch

    head = Head(HeadConfig(**cfg))
    state = {k[len(prefix) + 1:]: torch.from_numpy(np.ascontiguousarray(v)) for k, v in tensors.items()
             if k.startswith(prefix + ".")}
    head.load_state_dict(state)
    head.eval()
    return head


@dataclass
class TouchpointDetector:
    taxonomy: Taxonomy
    anchors: np.ndarray               # (n_anchors, d) L2-normalised
    anchor_tp: np.ndarray             # (n_anchors,) touchpoint index
    calibration: Calibration = field(default_factory=Calibration)
    head: Head | None = None          # multi-label touchpoint head (labels: touchpoint ids)
    polarity: Head | None = None      # 3-class polarity head over [embedding, one-hot touchpoint]
    info: dict = field(default_factory=dict)  # training provenance and validation metrics

    # ------------------------------------------------------------------ build / save / load
    @classmethod
    def build(cls, taxonomy: Taxonomy, encoder, calibration: Calibration | None = None) -> "TouchpointDetector":
        """Zero-shot detector: the taxonomy's descriptions and examples, embedded, are the anchors."""
        texts, owner = anchor_texts(taxonomy)
        emb = encoder.encode(texts)
        return cls(taxonomy, emb.astype(np.float32), np.asarray(owner, dtype=np.int64), calibration or Calibration())

    def save(self, folder: Path) -> dict:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        tensors = {"anchors": self.anchors.astype(np.float32), "anchor_tp": self.anchor_tp.astype(np.int64)}
        cfg: dict[str, Any] = {"taxonomy": self.taxonomy.to_dict(), "calibration": asdict(self.calibration)}
        if self.head is not None:
            tensors.update(_head_to_numpy(self.head, "head"))
            cfg["head"] = asdict(self.head.config)
        if self.polarity is not None:
            tensors.update(_head_to_numpy(self.polarity, "polarity"))
            cfg["polarity"] = asdict(self.polarity.config)
        if self.info:
            cfg["info"] = self.info
        save_file(tensors, str(folder / "touchpoints.safetensors"))
        (folder / "touchpoints.json").write_text(json.dumps(cfg, indent=2, ensure_ascii=False))
        return {"weights": "touchpoints.safetensors", "config": "touchpoints.json"}

    @classmethod
    def load(cls, folder: Path, entry: dict | None = None, encoder=None,
             taxonomy: Taxonomy | None = None) -> "TouchpointDetector":
        """Load a saved detector; with ``taxonomy`` (a user's own), its anchors are embedded now
        (zero training) and the saved heads still serve the touchpoints whose ids they know."""
        folder = Path(folder)
        entry = entry or {"weights": "touchpoints.safetensors", "config": "touchpoints.json"}
        cfg = json.loads((folder / entry["config"]).read_text(encoding="utf-8"))
        calib = Calibration.from_dict(cfg.get("calibration", {}))
        t = load_file(str(folder / entry["weights"]))
        head = _head_from_numpy(cfg["head"], t, "head") if cfg.get("head") else None
        polarity = _head_from_numpy(cfg["polarity"], t, "polarity") if cfg.get("polarity") else None
        if taxonomy is not None:
            if encoder is None:
                raise ValueError("a custom taxonomy needs the encoder to embed its anchors")
            det = cls.build(taxonomy, encoder, calib)
            det.head, det.polarity, det.info = head, polarity, cfg.get("info", {})
            return det
        return cls(Taxonomy.from_dict(cfg["taxonomy"]), t["anchors"], t["anchor_tp"], calib, head, polarity,
                   cfg.get("info", {}))

    # ------------------------------------------------------------------ scoring
    @property
    def ids(self) -> list[str]:
        return self.taxonomy.ids

    def affinities(self, emb: np.ndarray, texts: Sequence[str] | None = None,
                   langs: Sequence[str] | None = None) -> np.ndarray:
        sims = emb @ self.anchors.T
        n_tp = len(self.taxonomy.touchpoints)
        aff = np.full((len(emb), n_tp), -1.0, dtype=np.float32)
        for k in range(n_tp):
            cols = sims[:, self.anchor_tp == k]
            if cols.shape[1] == 0:
                continue
            top = np.sort(cols, axis=1)[:, -2:]
            aff[:, k] = top.mean(axis=1)
        if texts is not None and self.calibration.keyword_bonus:
            aff += self.calibration.keyword_bonus * self._keyword_hits(texts, langs)
        return aff

    def _keyword_hits(self, texts: Sequence[str], langs: Sequence[str] | None) -> np.ndarray:
        out = np.zeros((len(texts), len(self.taxonomy.touchpoints)), dtype=np.float32)
        patterns = self.__dict__.get("_patterns")
        if patterns is None:
            patterns = {}
            for k, tp in enumerate(self.taxonomy.touchpoints):
                for lang, words in tp.keywords.items():
                    if words:
                        rx = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w.lower()) for w in words) + ")", re.UNICODE)
                        patterns.setdefault(lang, []).append((k, rx))
            self.__dict__["_patterns"] = patterns
        for i, text in enumerate(texts):
            low = text.lower()
            lang_list = [langs[i]] if langs is not None else list(patterns)
            for lang in lang_list:
                for k, rx in patterns.get(lang, []):
                    if rx.search(low):
                        out[i, k] = 1.0
        return out

    def zero_shot_scores(self, emb: np.ndarray, texts: Sequence[str] | None = None,
                         langs: Sequence[str] | None = None) -> np.ndarray:
        c = self.calibration
        aff = self.affinities(emb, texts, langs)
        z = (aff - aff.max(axis=1, keepdims=True)) / c.temperature
        soft = np.exp(z)
        soft /= soft.sum(axis=1, keepdims=True)
        gate = 1.0 / (1.0 + np.exp(-(aff.max(axis=1, keepdims=True) - c.gate_center) / c.gate_width))
        return soft * gate

    def head_columns(self) -> np.ndarray:
        """For each taxonomy touchpoint, its column in the supervised head (-1: the head lacks it)."""
        if self.head is None:
            return np.full(len(self.ids), -1)
        labels = {lab: j for j, lab in enumerate(self.head.config.labels)}
        return np.asarray([labels.get(t, -1) for t in self.ids])

    def head_scores(self, emb: np.ndarray) -> np.ndarray | None:
        """(n, k) supervised probabilities in taxonomy order (NaN where the head lacks a touchpoint)."""
        if self.head is None:
            return None
        cols = self.head_columns()
        p = self.head.predict_proba(np.asarray(emb, dtype=np.float32))
        out = np.full((len(emb), len(cols)), np.nan, dtype=np.float32)
        have = cols >= 0
        out[:, have] = p[:, cols[have]]
        return out

    def combine(self, zs: np.ndarray, hp: np.ndarray | None, blend: float | None = None) -> np.ndarray:
        w = self.calibration.blend if blend is None else blend
        if hp is None or w <= 0:
            return zs
        out = zs.copy()
        have = ~np.isnan(hp[0]) if len(hp) else np.zeros(zs.shape[1], bool)
        out[:, have] = w * hp[:, have] + (1.0 - w) * zs[:, have]
        return out

    def scores(self, emb: np.ndarray, texts: Sequence[str] | None = None,
               langs: Sequence[str] | None = None) -> np.ndarray:
        """(n, k) touchpoint scores in [0, 1], taxonomy order."""
        emb = np.asarray(emb, dtype=np.float32)
        if len(emb) == 0:
            return np.zeros((0, len(self.ids)), dtype=np.float32)
        return self.combine(self.zero_shot_scores(emb, texts, langs), self.head_scores(emb))

    def threshold_vector(self) -> np.ndarray:
        c = self.calibration
        return np.asarray([c.thresholds.get(t, c.threshold) for t in self.ids], dtype=np.float32)

    def polarity_proba(self, emb: np.ndarray, tp_index: np.ndarray) -> np.ndarray | None:
        """(m, 3) aspect polarity for pairs (embedding row, taxonomy touchpoint index); None without the
        head. A touchpoint the polarity head was not trained on gets an all-zero one-hot."""
        if self.polarity is None or len(emb) == 0:
            return None
        tp_ids = self.info.get("polarity_touchpoints") or (list(self.head.config.labels) if self.head else self.ids)
        pos = {t: j for j, t in enumerate(tp_ids)}
        onehot = np.zeros((len(emb), len(tp_ids)), dtype=np.float32)
        for r, k in enumerate(tp_index):
            j = pos.get(self.ids[int(k)])
            if j is not None:
                onehot[r, j] = 1.0
        return self.polarity.predict_proba(np.concatenate([np.asarray(emb, np.float32), onehot], axis=1))

    def detect(self, emb: np.ndarray, texts: Sequence[str], sentiment: np.ndarray | None,
               langs: Sequence[str] | None = None) -> list[list[dict[str, Any]]]:
        """Per piece: touchpoints above their threshold, best first, each with its own sentiment."""
        if len(emb) == 0:
            return []
        sc = self.scores(emb, texts, langs)
        th = self.threshold_vector()
        c = self.calibration
        picks: list[list[int]] = []
        for i in range(len(emb)):
            order = np.argsort(-sc[i], kind="stable")[: c.max_per_sentence]
            row = []
            for k in order:
                if sc[i, k] < th[k] or (row and sc[i, k] < c.relative * sc[i, row[0]]):
                    continue
                row.append(int(k))
            picks.append(row)
        rows = np.asarray([i for i, row in enumerate(picks) for _ in row], dtype=np.int64)
        tp_index = np.asarray([k for row in picks for k in row], dtype=np.int64)
        p_pair = self.pair_sentiment(np.asarray(emb)[rows], tp_index,
                                     None if sentiment is None else np.asarray(sentiment)[rows])
        out: list[list[dict[str, Any]]] = []
        n = 0
        for i, row in enumerate(picks):
            items = []
            for k in row:
                tp = self.taxonomy.touchpoints[k]
                item: dict[str, Any] = {"name": tp.id, "score": round(float(sc[i, k]), 4)}
                if p_pair is not None:
                    set_sentiment(item, p_pair[n])
                items.append(item)
                n += 1
            out.append(items)
        return out

    def pair_sentiment(self, emb: np.ndarray, tp_index: np.ndarray, sentiment: np.ndarray | None) -> np.ndarray | None:
        """(m, 3) polarity of (piece, touchpoint) pairs: the aspect polarity head blended with the piece's
        sentiment (``sentiment``, rows aligned with ``emb``); None when there is neither."""
        p = None if sentiment is None else np.asarray(sentiment, dtype=np.float64)
        if len(emb) and self.polarity is not None and self.calibration.polarity_weight > 0:
            w = self.calibration.polarity_weight
            p_pol = self.polarity_proba(emb, tp_index)
            p = p_pol if p is None else w * p_pol + (1 - w) * p
        return p

    def reread_single_touchpoint(self, mentions: list[dict[str, Any]], sentence_emb: np.ndarray,
                                 sentence_sentiment: np.ndarray | None) -> None:
        """Clauses of one sentence that name a single touchpoint between them: its polarity becomes
        ``clause_weight`` the clause's reading and the rest the whole sentence's (in place). The aspect
        head learned from whole sentences labelled per aspect; the clause that names the touchpoint often
        only states a fact ("I called the hotline three times") and the turn says how it went."""
        w = self.calibration.clause_weight
        mentions = [m for m in mentions if "sentiment_scores" in m]
        if w >= 1.0 or not mentions or len({m["name"] for m in mentions}) != 1:
            return
        whole = self.pair_sentiment(np.asarray(sentence_emb)[None], np.asarray([self.ids.index(mentions[0]["name"])]),
                                    None if sentence_sentiment is None else np.asarray(sentence_sentiment)[None])
        for m in mentions:
            set_sentiment(m, w * sentiment_vector(m) + (1 - w) * whole[0])

    def read_contrast(self, clauses: list[list[dict[str, Any]]]) -> None:
        """Two clauses of one sentence naming different touchpoints: a touchpoint that reads neutral in one
        takes the polarity opposite the other clause's top touchpoint where that one is at least
        ``contrast_confidence`` sure (in place: its neutral share moves to the opposite class). A contrastive
        turn says the two sides differ; the clause that states a fact ("the delivery took two weeks") carries
        no polar word, and the aspect head reads it neutral."""
        clauses = [[m for m in ms if "sentiment_scores" in m] for ms in clauses]
        clauses = [ms for ms in clauses if ms]
        if (self.calibration.contrast_confidence >= 1.0 or len(clauses) != 2
                or {m["name"] for m in clauses[0]} & {m["name"] for m in clauses[1]}):
            return
        for this, other in (clauses, clauses[::-1]):
            p_other = sentiment_vector(max(other, key=lambda m: m["score"]))
            side = int(np.argmax(p_other))
            if side == NEUTRAL or p_other[side] < self.calibration.contrast_confidence:
                continue
            opposite = NEGATIVE if side == POSITIVE else POSITIVE
            for m in this:
                p = sentiment_vector(m)
                if int(np.argmax(p)) == NEUTRAL:
                    p[opposite] += p[NEUTRAL]
                    p[NEUTRAL] = 0.0
                    set_sentiment(m, p)

    def read_cues(self, mentions: list[dict[str, Any]], text: str, lang: str | None,
                  fallback: str | None = None) -> None:
        """Mentions whose touchpoint's ``polarity_cues`` in ``text`` point one way (else ``fallback``, the
        side the piece's sentence cues take): the other side's share moves to that side (in place;
        ``cx_nlp.text.cues``)."""
        cached = self.__dict__.get("_cues")
        if cached is None or cached[0] is not self.taxonomy:
            cached = self.__dict__["_cues"] = (self.taxonomy, [CueSet(t.polarity_cues) for t in self.taxonomy.touchpoints])
        for m in mentions:
            if "sentiment_scores" not in m:
                continue
            own = cached[1][self.ids.index(m["name"])]
            side = (own.side(text, lang) if own else None) or fallback
            if side is not None:
                set_sentiment(m, lean(sentiment_vector(m), side))

    def describe(self, name: str) -> dict[str, Any]:
        tp = self.taxonomy.get(name)
        if tp is None:
            return {}
        return {"label": tp.label, "stage": tp.stage, "channel": tp.channel_mode, "contact": tp.channel_contact,
                "clue": tp.clue}

    def rollup(self, sentences) -> list[dict[str, Any]]:
        """Text-level touchpoints: best score over its mentions; sentiment = score-weighted mean of the
        mentions' sentiment probabilities; ``evidence`` lists the supporting character offsets."""
        acc: dict[str, dict[str, Any]] = {}
        for s in sentences:
            for m in s.touchpoints:
                a = acc.setdefault(m["name"], {"score": 0.0, "p": np.zeros(3), "w": 0.0, "evidence": []})
                a["score"] = max(a["score"], m["score"])
                if "sentiment_scores" in m:
                    p = sentiment_vector(m)
                    # a mention that takes a side weighs more than a neutral one ("we ordered pasta")
                    w = m["score"] * (0.25 + abs(p[2] - p[0]))
                    a["p"] += w * p
                    a["w"] += w
                a["evidence"].append([m.get("start", s.start), m.get("end", s.end)])
        out = []
        for name, a in acc.items():
            item = {"name": name, "score": round(a["score"], 4)}
            if a["w"] > 0:
                set_sentiment(item, a["p"] / a["w"])
            item.update(self.describe(name))
            item["evidence"] = a["evidence"]
            out.append(item)
        return sorted(out, key=lambda d: (-d["score"], d["name"]))


# ---------------------------------------------------------------------------------------- training
def anchor_texts(taxonomy: Taxonomy) -> tuple[list[str], list[int]]:
    texts, owner = [], []
    for k, tp in enumerate(taxonomy.touchpoints):
        if tp.description:
            texts.append(tp.description)
            owner.append(k)
        for exs in tp.examples.values():
            texts.extend(exs)
            owner.extend([k] * len(exs))
    return texts, owner


def _as_label_matrix(labels: Sequence[Sequence[str]] | np.ndarray, ids: list[str], what: str) -> np.ndarray:
    if isinstance(labels, np.ndarray) and labels.ndim == 2:
        if labels.shape[1] != len(ids):
            raise ValueError(f"{what} has {labels.shape[1]} columns, the taxonomy has {len(ids)} touchpoints")
        return labels.astype(np.float32)
    col = {t: j for j, t in enumerate(ids)}
    Y = np.zeros((len(labels), len(ids)), dtype=np.float32)
    for i, row in enumerate(labels):
        if isinstance(row, str):
            row = [row] if row else []
        for t in row or []:
            if t not in col:
                raise ValueError(f"{what}[{i}]: unknown touchpoint {t!r} (taxonomy ids: {', '.join(ids)})")
            Y[i, col[t]] = 1.0
    return Y


def _hash_valid(n: int, fraction: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.random(n) < fraction


def calibrate(det: TouchpointDetector, emb: np.ndarray, Y: np.ndarray, M: np.ndarray,
              texts: Sequence[str] | None = None, langs: Sequence[str] | None = None,
              blends: Sequence[float] | None = None, beta: float = 1.0, extra=None) -> dict[str, Any]:
    """Choose ``blend`` and per-touchpoint thresholds on validation data; returns the metrics.

    ``blend`` maximises top-1 accuracy on single-touchpoint rows plus macro F-beta; with ``extra``
    (embeddings, labels, texts, langs of held-out taxonomy examples: fully annotated, single
    touchpoint), top-1 on them counts as much as on the validation rows. Thresholds maximise F-beta
    per touchpoint on all rows that annotate it."""
    parts = [(emb, Y, M, texts, langs)]
    if extra is not None and len(extra[0]):
        parts.append((extra[0], extra[1], np.ones_like(extra[1]), extra[2], extra[3]))
    zs_l, hp_l = [], []
    for e, _, _, t, lg in parts:
        zs_l.append(det.zero_shot_scores(e, t, lg))
        hp_l.append(det.head_scores(e))
    hp_ok = all(h is not None for h in hp_l)
    blends = [0.0] if not hp_ok else list(blends if blends is not None else np.linspace(0.0, 1.0, 21))
    Yall = np.concatenate([p[1] for p in parts])
    Mall = np.concatenate([p[2] for p in parts])
    best = None
    for w in blends:
        accs, S_l = [], []
        for (e, Yp, Mp, _, _), zs, hp in zip(parts, zs_l, hp_l):
            S = det.combine(zs, hp, w)
            S_l.append(S)
            single = (Yp.sum(1) == 1) & (Mp.sum(1) >= 2)
            if single.any():
                accs.append(float((S[single].argmax(1) == Yp[single].argmax(1)).mean()))
        S = np.concatenate(S_l)
        th = _thresholds(S, Yall, Mall, det.ids, beta, det.calibration.threshold)
        f = _macro_f(S, Yall, Mall, det.ids, th, beta)
        key = float(np.mean(accs)) + 0.5 * f if accs else f
        # ties (few validation rows) go to the larger blend: the head was trained on these very labels
        if best is None or key >= best[0] - 1e-9:
            best = (key, w, th, accs, f)
    _, w, th, accs, f = best
    det.calibration.blend = float(round(w, 3))
    det.calibration.thresholds = th
    out = {"blend": det.calibration.blend, "macro_f": round(f, 4), "n": int(len(Yall))}
    for name, a in zip(["top1_valid", "top1_heldout_examples"], accs):
        out[name] = round(a, 4)
    return out


def _thresholds(S, Y, M, ids, beta, default) -> dict[str, float]:
    out = {}
    grid = np.linspace(0.05, 0.9, 35)
    for j, t in enumerate(ids):
        m = M[:, j] > 0
        if m.sum() < 20 or Y[m, j].sum() < 5:
            out[t] = round(float(default), 3)
            continue
        y = Y[m, j] > 0.5
        s = S[m, j]
        f = [_fbeta(y, s >= g, beta) for g in grid]
        out[t] = round(float(grid[int(np.argmax(f))]), 3)
    return out


def _macro_f(S, Y, M, ids, th, beta) -> float:
    fs = []
    for j, t in enumerate(ids):
        m = M[:, j] > 0
        if m.sum() < 20 or Y[m, j].sum() < 5:
            continue
        fs.append(_fbeta(Y[m, j] > 0.5, S[m, j] >= th[t], beta))
    return float(np.mean(fs)) if fs else 0.0


def _fbeta(y: np.ndarray, pred: np.ndarray, beta: float) -> float:
    tp = float((y & pred).sum())
    fp = float((~y & pred).sum())
    fn = float((y & ~pred).sum())
    b2 = beta * beta
    denom = (1 + b2) * tp + b2 * fn + fp
    return (1 + b2) * tp / denom if denom else 0.0


def anchor_meta(taxonomy: Taxonomy) -> list[tuple[int, str | None, int]]:
    """Per anchor (in :func:`anchor_texts` order): touchpoint index, language (None: description), index."""
    meta: list[tuple[int, str | None, int]] = []
    for k, tp in enumerate(taxonomy.touchpoints):
        if tp.description:
            meta.append((k, None, 0))
        for lang, exs in tp.examples.items():
            meta.extend((k, lang, j) for j in range(len(exs)))
    return meta


def _held_out_examples(meta, fraction: float, seed: int) -> np.ndarray:
    """A seeded ``fraction`` of each (touchpoint, language)'s examples, kept out for calibration."""
    out = np.zeros(len(meta), dtype=bool)
    if fraction <= 0:
        return out
    groups: dict[tuple[int, str], list[int]] = {}
    for a, (k, lang, _) in enumerate(meta):
        if lang is not None:
            groups.setdefault((k, lang), []).append(a)
    rng = np.random.default_rng(seed)
    for key in sorted(groups):
        rows = groups[key]
        m = int(round(len(rows) * fraction))
        if len(rows) >= 4 and m:
            out[rng.permutation(rows)[:m]] = True
    return out


def _train_head(ids, X, Y, M, w, Xv, Yv, Mv, cfg):
    from ..training.fit import fit_head

    return fit_head("touchpoints", ids, "multi", X, Y, Xv, Yv, mask=M, mask_v=Mv,
                    weights=w / max(float(w.mean()), 1e-9), config=cfg)


def fit_touchpoints(taxonomy: Taxonomy | TouchpointDetector, labels: Sequence[Sequence[str]] | np.ndarray,
                    texts: Sequence[str] | None = None, embeddings: np.ndarray | None = None, encoder=None,
                    mask: np.ndarray | Sequence[Sequence[str]] | None = None, weights: np.ndarray | None = None,
                    valid: np.ndarray | None = None, polarity: Sequence[dict | str | None] | None = None,
                    sentiment: np.ndarray | None = None, use_taxonomy_examples: bool = True,
                    example_weight: float = 1.0, holdout: float = 0.25, langs: Sequence[str] | None = None,
                    config=None, beta: float = 1.0, seed: int = 13, progress=None,
                    groups: Sequence[str] | None = None) -> TouchpointDetector:
    """Train the supervised touchpoint head (and, given ``polarity``, the aspect polarity head).

    ``labels``: per text, the list of touchpoint ids it is about ([] = none), or an (n, k) 0/1 matrix in
    taxonomy order. ``texts`` are embedded with ``encoder`` unless ``embeddings`` (n, d) are given.
    ``mask``: which touchpoints each row annotates (an (n, k) 0/1 matrix or per-row id lists); rows
    only teach "absent" for annotated touchpoints; default: every touchpoint is annotated.
    ``weights``: per-row loss weights. ``valid``: boolean (n,) rows kept for early stopping and
    calibration (default: a seeded 10%).
    ``polarity``: per row, {touchpoint: "negative"|"neutral"|"positive"} or one label for all its
    touchpoints: trains the aspect polarity head; with ``sentiment`` (the sentence head's (n, 3)
    probabilities) its weight against the piece's sentiment is calibrated, on a share of the training
    rows (by ``groups`` when given: per row, a key shared by rows that must stay together).

    The taxonomy's own examples (its anchors) join the training rows (``example_weight`` each) unless
    ``use_taxonomy_examples`` is False. Calibration: a seeded ``holdout`` share of the examples is kept
    out of both the anchors and the head in a first round; ``blend`` (supervised vs zero-shot) and the
    per-touchpoint thresholds are chosen on the validation rows plus those held-out examples, so that
    the blend is judged on text unlike the training corpora too; the final head is then trained on all
    rows. Returns the calibrated detector (``info`` holds the validation metrics).
    """
    from ..training.fit import FitConfig

    say = progress or (lambda m: None)
    if isinstance(taxonomy, TouchpointDetector):
        base = taxonomy
        det = TouchpointDetector(base.taxonomy, base.anchors, base.anchor_tp,
                                 Calibration.from_dict(asdict(base.calibration)))
    else:
        if encoder is None:
            raise ValueError("fit_touchpoints needs an encoder to embed the taxonomy's anchors")
        det = TouchpointDetector.build(taxonomy, encoder)
    ids = det.ids
    if embeddings is None:
        if texts is None or encoder is None:
            raise ValueError("pass embeddings, or texts together with an encoder")
        embeddings = encoder.encode(list(texts))
    X = np.asarray(embeddings, dtype=np.float32)
    n = len(X)
    Y = _as_label_matrix(labels, ids, "labels")
    if len(Y) != n:
        raise ValueError(f"{len(Y)} label rows for {n} embeddings")
    M = np.ones_like(Y) if mask is None else np.maximum(_as_label_matrix(mask, ids, "mask"), Y)
    w = np.ones(n, dtype=np.float32) if weights is None else np.asarray(weights, dtype=np.float32)
    valid = _hash_valid(n, 0.1, seed) if valid is None else np.asarray(valid, dtype=bool)
    if valid.all() or not valid.any():
        raise ValueError("need both training and validation rows")
    tr = ~valid
    cfg = config or FitConfig(hidden=256, dropout=0.2, max_epochs=60, patience=6, seed=seed)

    # anchors as labelled rows: descriptions and examples, every touchpoint annotated
    a_texts, _ = anchor_texts(det.taxonomy)
    meta = anchor_meta(det.taxonomy)
    same = len(meta) == len(det.anchors)
    n_a = len(det.anchors) if use_taxonomy_examples else 0
    Ya = np.zeros((n_a, len(ids)), dtype=np.float32)
    Ya[np.arange(n_a), det.anchor_tp[:n_a]] = 1.0
    wa = np.full(n_a, example_weight * float(w[tr].mean()), dtype=np.float32)

    def rows(keep_anchor: np.ndarray):
        return (np.concatenate([X[tr], det.anchors[:n_a][keep_anchor]]),
                np.concatenate([Y[tr], Ya[keep_anchor]]),
                np.concatenate([M[tr], np.ones_like(Ya[keep_anchor])]),
                np.concatenate([w[tr], wa[keep_anchor]]))

    held = _held_out_examples(meta, holdout, seed) if same else np.zeros(len(det.anchors), dtype=bool)
    vtexts = [texts[i] for i in np.flatnonzero(valid)] if texts is not None else None
    vlangs = [langs[i] for i in np.flatnonzero(valid)] if langs is not None else None
    if held.any():
        # round 1: calibration on validation rows + held-out examples, unseen by anchors and head
        cal = TouchpointDetector(det.taxonomy, det.anchors[~held], det.anchor_tp[~held],
                                 Calibration.from_dict(asdict(det.calibration)))
        Xt, Yt, Mt, wt = rows(~held[:n_a])
        say(f"touchpoint head (calibration round): {len(Xt)} rows, {int(valid.sum())} validation rows, "
            f"{int(held.sum())} held-out examples")
        cal.head = _train_head(ids, Xt, Yt, Mt, wt, X[valid], Y[valid], M[valid], cfg)
        Yh = np.zeros((int(held.sum()), len(ids)), dtype=np.float32)
        Yh[np.arange(len(Yh)), det.anchor_tp[held]] = 1.0
        h_texts = [a_texts[i] for i in np.flatnonzero(held)]
        h_langs = [meta[i][1] for i in np.flatnonzero(held)]
        metrics = calibrate(cal, X[valid], Y[valid], M[valid], vtexts, vlangs, beta=beta,
                            extra=(det.anchors[held], Yh, h_texts, h_langs))
        det.calibration = cal.calibration
    Xt, Yt, Mt, wt = rows(np.ones(n_a, dtype=bool))
    say(f"touchpoint head: {len(Xt)} training rows, {int(valid.sum())} validation rows")
    det.head = _train_head(ids, Xt, Yt, Mt, wt, X[valid], Y[valid], M[valid], cfg)
    if not held.any():
        metrics = calibrate(det, X[valid], Y[valid], M[valid], vtexts, vlangs, beta=beta)
    say(f"touchpoint calibration: {metrics}")
    det.info = {"validation": metrics}
    if polarity is not None:
        det.polarity, pm = fit_polarity(det, X, Y, polarity, valid, weights=w, sentiment=sentiment, seed=seed,
                                        langs=langs, groups=groups)
        det.info["polarity"] = pm
        say(f"polarity head: {pm}")
    return det


def polarity_pairs(Y: np.ndarray, polarity: Sequence[dict | str | None], ids: list[str]):
    """(row, touchpoint index, class id) for every labelled touchpoint with a known polarity."""
    rows, tps, ys = [], [], []
    for i, pol in enumerate(polarity):
        if pol is None:
            continue
        for k in np.flatnonzero(Y[i] > 0):
            lab = pol.get(ids[k]) if isinstance(pol, dict) else pol
            if lab in SENTIMENT_LABELS:
                rows.append(i)
                tps.append(int(k))
                ys.append(SENTIMENT_LABELS.index(lab))
    return np.asarray(rows, dtype=np.int64), np.asarray(tps, dtype=np.int64), np.asarray(ys, dtype=np.int64)


def _calibration_split(n: int, train: np.ndarray, groups: Sequence[str] | None, fraction: float,
                       seed: int) -> np.ndarray:
    """A seeded ``fraction`` of the training rows kept out to tune the polarity head (never the
    validation rows): by hashed ``groups`` (a review and its sentences, a text and its translation
    stay together) when given, else by a seeded random draw."""
    if groups is not None:
        import pandas as pd

        from ..training.corpora import _holdout

        pick = _holdout(pd.Series(list(groups), dtype=str), fraction, salt=f"{seed}:", buckets=10000)
    else:
        pick = np.random.default_rng(seed + 1).random(n) < fraction
    return pick & train


def _language_balance(langs: Sequence[str] | None, rows: np.ndarray, fit_rows: np.ndarray) -> np.ndarray:
    """Per pair, a weight giving each language the same total weight among the fitted pairs."""
    w = np.ones(len(rows), dtype=np.float64)
    if langs is None:
        return w
    lg = np.asarray(langs, dtype=object)[rows]
    present = sorted(set(lg[fit_rows]))
    for lang in present:
        m = lg == lang
        w[m] = len(rows) / (len(present) * max((m & fit_rows).sum(), 1))
    return w


def fit_polarity(det: TouchpointDetector, X: np.ndarray, Y: np.ndarray, polarity, valid: np.ndarray,
                 weights: np.ndarray | None = None, config=None, sentiment: np.ndarray | None = None,
                 seed: int = POLARITY_SEED, langs: Sequence[str] | None = None, groups: Sequence[str] | None = None,
                 calibration_fraction: float = POLARITY_CALIBRATION):
    """Aspect polarity head: softmax over negative/neutral/positive from [embedding, one-hot touchpoint].

    Tuning never touches ``valid``: a seeded ``calibration_fraction`` of the training rows (by
    ``groups`` when given: a review and its sentences, a text and its translation, stay on one side)
    is kept out for early stopping, temperature and, with ``sentiment`` (the sentence head's
    probabilities for X), the ``polarity_weight`` against the piece's sentiment. ``valid`` only
    reports. With ``langs``, each language weighs the same in the loss (ru and pl aspect rows are
    few next to the machine-translated en/ru pairs); classes are sqrt-balanced (aspect data is mostly
    positive)."""
    from ..training.fit import FitConfig, fit_head

    ids = det.ids
    valid = np.asarray(valid, dtype=bool)
    r, k, y = polarity_pairs(Y, polarity, ids)
    if len(r) < 50:
        return None, {"n": int(len(r)), "note": "too few rows with polarity"}
    onehot = np.zeros((len(r), len(ids)), dtype=np.float32)
    onehot[np.arange(len(r)), k] = 1.0
    Z = np.concatenate([X[r], onehot], axis=1)
    v = valid[r]
    cal_rows = _calibration_split(len(X), ~valid, groups, calibration_fraction, seed)
    c = cal_rows[r]
    if c.sum() < 20 or (~v & ~c).sum() < 20:  # tiny data: fall back to the validation rows
        c = v.copy()
    fit = ~v & ~c
    w = np.ones(len(r), np.float32) if weights is None else np.asarray(weights, np.float32)[r]
    w = w * _language_balance(langs, r, fit).astype(np.float32)
    counts = np.bincount(y[fit], minlength=3).astype(np.float32)
    cw = np.sqrt(counts.sum() / np.maximum(counts, 1.0))
    w = w * cw[y]
    cfg = config or FitConfig(hidden=256, dropout=0.2, max_epochs=60, patience=6, seed=seed)
    head = fit_head("touchpoint_polarity", list(SENTIMENT_LABELS), "single", Z[fit], y[fit], Z[c], y[c],
                    weights=w[fit] / w[fit].mean(), config=cfg)
    p = head.predict_proba(Z)
    metrics = {"n_train": int(fit.sum()), "n_calibration": int(c.sum()), "n_valid": int(v.sum()),
               "accuracy": round(float((p[v].argmax(1) == y[v]).mean()), 4) if v.any() else None,
               "accuracy_calibration": round(float((p[c].argmax(1) == y[c]).mean()), 4)}
    det.info = dict(det.info, polarity_touchpoints=list(ids))
    if sentiment is not None:
        # The aspect head knows the review corpora; the sentence head saw 13 corpora in more languages.
        # Its weight is chosen on the training-side calibration pairs, capped (MAX_POLARITY_WEIGHT) so
        # that text unlike the aspect corpora still gets some of the broader head's reading.
        s = np.asarray(sentiment)[r]
        grid = [g for g in (0.0, 0.25, 0.5, 0.6, 0.75, 0.9, 1.0) if g <= MAX_POLARITY_WEIGHT + 1e-9]
        # Ties go to the aspect head on a real calibration set, to the broad sentence head on a tiny one
        # (a user's few dozen labels: equal accuracy there is no evidence for the new head).
        lean = 1.0 if c.sum() >= 200 else -1.0
        best = max(((float(((g * p[c] + (1 - g) * s[c]).argmax(1) == y[c]).mean()), g) for g in grid),
                   key=lambda t: (round(t[0], 4), lean * t[1]))
        g = float(best[1])
        det.calibration.polarity_weight = g
        metrics["sentence_head_accuracy"] = round(float((s[v].argmax(1) == y[v]).mean()), 4) if v.any() else None
        metrics["blend_accuracy_calibration"] = round(best[0], 4)
        if v.any():
            metrics["blend_accuracy"] = round(float(((g * p[v] + (1 - g) * s[v]).argmax(1) == y[v]).mean()), 4)
        metrics["polarity_weight"] = g
    else:
        det.calibration.polarity_weight = MAX_POLARITY_WEIGHT
    return head, metrics
