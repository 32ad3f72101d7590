"""Touchpoint detection per sentence (or clause), zero-shot from the taxonomy, with per-touchpoint sentiment.

Each touchpoint is anchored by its description and its hand-written examples in several languages.
A sentence's affinity to a touchpoint is the mean of its two best anchor cosines; a lexical prior adds
a small bonus when a cue word of the sentence's language appears. Affinities become scores with a
softmax across touchpoints (which touchpoint is it about?) times a gate on the best affinity (is it
about any touchpoint at all?). Both constants are calibration parameters saved with the model, so a
supervised calibration can replace the defaults without touching this code.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from safetensors.numpy import load_file, save_file

from ..heads import SENTIMENT_LABELS
from .taxonomy import Taxonomy


@dataclass
class Calibration:
    temperature: float = 0.015  # softmax over affinities: e5 cosines live in a narrow band
    gate_center: float = 0.85   # best affinity at which a sentence is half-likely about a touchpoint
    gate_width: float = 0.01
    keyword_bonus: float = 0.02
    threshold: float = 0.35     # report a touchpoint when its score reaches this
    max_per_sentence: int = 3


@dataclass
class TouchpointDetector:
    taxonomy: Taxonomy
    anchors: np.ndarray               # (n_anchors, d) L2-normalised
    anchor_tp: np.ndarray             # (n_anchors,) touchpoint index
    calibration: Calibration = field(default_factory=Calibration)

    # ------------------------------------------------------------------ build / save / load
    @classmethod
    def build(cls, taxonomy: Taxonomy, encoder, calibration: Calibration | None = None) -> "TouchpointDetector":
        texts, owner = [], []
        for k, tp in enumerate(taxonomy.touchpoints):
            if tp.description:
                texts.append(tp.description)
                owner.append(k)
            for exs in tp.examples.values():
                texts.extend(exs)
                owner.extend([k] * len(exs))
        emb = encoder.encode(texts)
        return cls(taxonomy, emb.astype(np.float32), np.asarray(owner, dtype=np.int64), calibration or Calibration())

    def save(self, folder: Path) -> dict:
        save_file({"anchors": self.anchors, "anchor_tp": self.anchor_tp}, str(folder / "touchpoints.safetensors"))
        cfg = {"taxonomy": self.taxonomy.to_dict(), "calibration": self.calibration.__dict__}
        (folder / "touchpoints.json").write_text(json.dumps(cfg, indent=2, ensure_ascii=False))
        return {"weights": "touchpoints.safetensors", "config": "touchpoints.json"}

    @classmethod
    def load(cls, folder: Path, entry: dict, encoder=None, taxonomy: Taxonomy | None = None) -> "TouchpointDetector":
        cfg = json.loads((folder / entry["config"]).read_text())
        calib = Calibration(**cfg.get("calibration", {}))
        if taxonomy is not None:  # a user's own taxonomy: anchors are embedded now, zero training
            return cls.build(taxonomy, encoder, calib)
        t = load_file(str(folder / entry["weights"]))
        return cls(Taxonomy.from_dict(cfg["taxonomy"]), t["anchors"], t["anchor_tp"], calib)

    # ------------------------------------------------------------------ scoring
    def affinities(self, emb: np.ndarray, texts: Sequence[str] | None = None, langs: Sequence[str] | None = None) -> np.ndarray:
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
        patterns = getattr(self, "_patterns", None)
        if patterns is None:
            patterns = {}
            for k, tp in enumerate(self.taxonomy.touchpoints):
                for lang, words in tp.keywords.items():
                    if words:
                        rx = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w.lower()) for w in words) + ")", re.UNICODE)
                        patterns.setdefault(lang, []).append((k, rx))
            self._patterns = patterns
        for i, text in enumerate(texts):
            low = text.lower()
            lang_list = [langs[i]] if langs is not None else list(patterns)
            for lang in lang_list:
                for k, rx in patterns.get(lang, []):
                    if rx.search(low):
                        out[i, k] = 1.0
        return out

    def scores(self, emb: np.ndarray, texts: Sequence[str] | None = None, langs: Sequence[str] | None = None) -> np.ndarray:
        c = self.calibration
        aff = self.affinities(emb, texts, langs)
        z = (aff - aff.max(axis=1, keepdims=True)) / c.temperature
        soft = np.exp(z)
        soft /= soft.sum(axis=1, keepdims=True)
        gate = 1.0 / (1.0 + np.exp(-(aff.max(axis=1, keepdims=True) - c.gate_center) / c.gate_width))
        return soft * gate

    def detect(self, emb: np.ndarray, texts: Sequence[str], sentiment: np.ndarray | None,
               langs: Sequence[str] | None = None) -> list[list[dict[str, Any]]]:
        """Per piece: touchpoints above threshold, best first, each with the piece's sentiment."""
        if len(emb) == 0:
            return []
        sc = self.scores(emb, texts, langs)
        c = self.calibration
        out = []
        for i in range(len(emb)):
            order = np.argsort(-sc[i])[: c.max_per_sentence]
            row = []
            for k in order:
                if sc[i, k] < c.threshold:
                    break
                tp = self.taxonomy.touchpoints[int(k)]
                item = {"name": tp.id, "score": round(float(sc[i, k]), 4)}
                if sentiment is not None:
                    item["sentiment"] = SENTIMENT_LABELS[int(np.argmax(sentiment[i]))]
                    item["sentiment_scores"] = {lab: round(float(v), 4) for lab, v in zip(SENTIMENT_LABELS, sentiment[i])}
                row.append(item)
            out.append(row)
        return out

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
                    a["p"] += m["score"] * np.asarray([m["sentiment_scores"][lab] for lab in SENTIMENT_LABELS])
                    a["w"] += m["score"]
                a["evidence"].append([m.get("start", s.start), m.get("end", s.end)])
        out = []
        for name, a in acc.items():
            item = {"name": name, "score": round(a["score"], 4)}
            if a["w"] > 0:
                p = a["p"] / a["w"]
                item["sentiment"] = SENTIMENT_LABELS[int(np.argmax(p))]
                item["sentiment_scores"] = {lab: round(float(v), 4) for lab, v in zip(SENTIMENT_LABELS, p)}
            item.update(self.describe(name))
            item["evidence"] = a["evidence"]
            out.append(item)
        return sorted(out, key=lambda d: -d["score"])
