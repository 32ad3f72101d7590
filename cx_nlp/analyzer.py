"""text -> sentences -> one encoder pass -> heads -> roll-up -> Result.

This is the one place where the pipeline is composed; every step lives in its own module.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from .encoder.backends import encode_features, feature_dim
from .errors import CxError, status_message
from .heads import EMOTION_LABELS, SENTIMENT_LABELS, Head
from .heads import custom as custom_head
from .heads import emotions as emo_head
from .heads import sentiment as sent_head
from .model_folder import read_manifest
from .paths import default_model_dir
from .result import Result, SentenceResult
from .text import classify_item, detect_batch, normalize, segment, split_clauses
from .text.cues import lean
from .text.normalize import replace_surrogates


@dataclass
class _Piece:
    """One encoder input: a sentence (or a window of an over-long sentence) of one text."""
    doc: int
    start: int
    end: int
    text: str
    split: bool = False
    clause_of: int | None = None  # index of the sentence piece this clause belongs to


def _as_list(texts: Any) -> tuple[list[Any], bool]:
    if isinstance(texts, str):
        return [texts], True
    if isinstance(texts, (bytes, bytearray)):
        raise TypeError("[E301] predict() takes str or a list of str, not bytes; decode it first "
                        "(e.g. data.decode('utf-8'))")
    if isinstance(texts, dict) or not isinstance(texts, Iterable):
        raise TypeError(f"[E301] predict() takes str or a list of str, not {type(texts).__name__}")
    return list(texts), False


# The CLI and batch AnalyzerSpec pass None and so follow this too: every worker of a run resolves "auto" the
# same way (the verdict is cached), so 1 and N workers still write the same bytes.
DEFAULT_BACKEND = "auto"


def _agreement_texts(max_sample: int = 720) -> list[str]:
    """The int8-vs-fp32 check set: the taxonomy's hand-written examples (480 sentences in en/ro/pl/ru/fa,
    shipped with the package) plus, in a source checkout, every third distinct sentence of the bundled
    sample reviews (``data/sample_reviews.csv``), up to ``max_sample``. Deterministic."""
    import csv

    from .cx.taxonomy import Taxonomy
    from .paths import PACKAGE_DIR

    tax = Taxonomy.load()
    texts = [ex for tp in tax.touchpoints for exs in tp.examples.values() for ex in exs]
    sample = PACKAGE_DIR.parent / "data" / "sample_reviews.csv"
    if sample.is_file():
        seen: dict[str, None] = dict.fromkeys(texts)
        found: list[str] = []
        try:
            with open(sample, encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    text = row.get("review_text") or ""
                    for span in segment(text, None):
                        sent = normalize(text[span.start:span.end])
                        if sent and sent not in seen:
                            seen[sent] = None
                            found.append(sent)
        except (OSError, UnicodeDecodeError, csv.Error):
            found = []
        texts += found[::3][:max_sample]
    return texts


def _maybe_onnx(enc, sentiment: Head, required: bool):
    """The guarded int8 ONNX encoder when onnxruntime is installed and it agrees with torch fp32 on the
    check set (built and checked once, then cached: see encoder/onnx.py); else ``enc`` (torch)."""
    from .encoder import onnx as onnx_backend

    if not onnx_backend.available():
        if required:
            raise CxError("E105", "onnxruntime/onnx are not installed", hint="pip install 'cx-nlp[onnx]'")
        return enc
    try:
        texts = _agreement_texts()
        path, _ = onnx_backend.ensure_onnx(enc, texts, progress=_stderr)
        verdict = onnx_backend.verify(enc, path, sentiment, texts, progress=_stderr)
    except (CxError, OSError) as exc:  # OSError: a read-only cache, a lock held for too long
        if required:
            raise exc if isinstance(exc, CxError) else CxError("E105", f"int8 encoder cache: {exc}") from exc
        return enc
    if not verdict["accepted"]:
        if required:
            raise CxError("E105", f"the int8 encoder agrees with torch fp32 on {verdict['guarded_agreement']:.2%} "
                          f"of sentiment labels, below {verdict['min_agreement']:.0%}")
        return enc
    return onnx_backend.OnnxEncoder(enc, path, guard=onnx_backend.SentimentGuard(sentiment, verdict["tau"]))


def _stderr(msg: str) -> None:
    import sys

    print(f"[cx_nlp] {msg}", file=sys.stderr, flush=True)


class Analyzer:
    """Sentiment, emotions and touchpoints for customer feedback, per text and per sentence.

    Use ``Analyzer.load()`` for the bundled model or ``Analyzer.load(path)`` for a trained one.
    """

    def __init__(self, encoder, heads: dict[str, Head], touchpoints=None, manifest: dict | None = None,
                 max_chars: int = 100_000, languages: Sequence[str] | None = None, sentiment_cues=None):
        self.encoder = encoder
        self.heads = heads
        self.touchpoints = touchpoints
        self.sentiment_cues = sentiment_cues  # a CueSet (cx_nlp.text.cues), or None: the heads alone
        self.manifest = manifest or {}
        self.max_chars = max_chars
        self.languages = languages
        self.embedding_heads: dict[str, Head] = {}
        dim = getattr(encoder, "dim", None)
        fdim = feature_dim(encoder) if dim is not None else None
        for name, head in heads.items():
            # heads read the wide features (embedding + middle layers) or, trained before them, the embedding
            if dim is not None and head.config.input_dim not in (dim, fdim):
                raise CxError("E104", f"head '{name}' expects {head.config.input_dim}-d inputs, "
                              f"the encoder gives {fdim}-d", hint="train heads for this encoder: cx-nlp train --encoder PATH")

    # ----------------------------------------------------------------- loading
    @classmethod
    def load(cls, path: str | Path | None = None, encoder: str | Path | None = None, backend: str | None = None,
             taxonomy=None, verify: bool = True, sentiment_cues: bool = True, **kwargs) -> "Analyzer":
        """Load a model folder (default: the bundled model).

        ``encoder``: any Hugging Face encoder folder instead of the bundled e5 (heads must match its
        width). ``backend`` (default ``CX_NLP_BACKEND``, else ``DEFAULT_BACKEND``): "auto" = the int8 ONNX
        Runtime encoder when onnxruntime is installed and it agrees with torch fp32 on >= 99% of sentiment
        labels (built and checked once, on first use, then cached), else torch; "onnx" (that, or an
        error); "torch" (fp32).
        LoRA-adapted and fine-tuned encoders, and ``encoder=`` folders, always run on torch.
        ``taxonomy``: a touchpoint YAML file (or ``Taxonomy``) to use instead of the model's, zero-shot.
        ``sentiment_cues``: lean sentences and clauses holding the bundled cue words of one side that way
        (``cx_nlp/text/sentiment_cues.yaml``: Romanian and Polish words the encoder reads the wrong way).
        """
        from .encoder import ensure_encoder
        from .encoder.backends import TorchEncoder

        if backend is None:
            import os
            backend = os.environ.get("CX_NLP_BACKEND") or DEFAULT_BACKEND
        folder = Path(path) if path is not None else default_model_dir()
        manifest = read_manifest(folder, verify=verify)
        heads = {name: Head.load(folder, name) for name in manifest.get("heads", [])}
        enc_info = manifest.get("encoder", {})
        if encoder is None and enc_info.get("path"):  # a fully fine-tuned encoder inside the model folder
            from .training.lora import verified_encoder_folder
            enc_path = verified_encoder_folder(folder, enc_info, verify=verify)
        else:
            enc_path = Path(encoder) if encoder is not None else ensure_encoder()
        prefix = enc_info.get("prefix") if encoder is None else None
        enc = TorchEncoder(enc_path, prefix=prefix, feature_layers=enc_info.get("feature_layers") or ())
        adapted = encoder is None and bool(manifest.get("adapter") or enc_info.get("path"))
        if encoder is None and manifest.get("adapter"):  # LoRA adapters (cx-nlp train), merged into the weights
            from .training.lora import apply_adapter
            apply_adapter(enc.model, folder, manifest["adapter"])
        if adapted and backend == "onnx":
            raise CxError("E105", "the int8 ONNX encoder is built from the base encoder folder, not an adapted one",
                          hint="use backend='torch' for LoRA or fine-tuned models")
        if backend not in ("auto", "torch", "onnx"):
            raise ValueError(f"[E301] backend must be 'auto', 'torch' or 'onnx', not {backend!r}")
        if backend != "torch" and encoder is None and "sentiment" in heads and not adapted:
            enc = _maybe_onnx(enc, heads["sentiment"], required=backend == "onnx")
        tp = None
        if manifest.get("touchpoints"):
            from .cx.touchpoints import TouchpointDetector
            tax = None
            if taxonomy is not None:
                from .cx.taxonomy import Taxonomy
                tax = taxonomy if isinstance(taxonomy, Taxonomy) else Taxonomy.load(taxonomy)
            tp = TouchpointDetector.load(folder, manifest["touchpoints"], encoder=enc, taxonomy=tax)
        if sentiment_cues:
            from .text.cues import sentiment_cues as bundled_cues
            kwargs["sentiment_cues"] = bundled_cues()
        an = cls(enc, heads, touchpoints=tp, manifest=manifest, **kwargs)
        # heads on the embedding alone (themes' polarity teacher): loaded, never part of a Result
        an.embedding_heads = {name: Head.load(folder, name) for name in manifest.get("embedding_heads", [])}
        return an

    # ----------------------------------------------------------------- public API
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised text embeddings (n, d): the token-weighted mean of the text's sentence vectors.

        Texts that cannot be scored (empty, not text) get a zero row, so rows stay aligned.
        """
        items, single = _as_list(texts)
        docs = self._prepare(items, lang=None)
        emb, piece_of, _ = self._encode(docs)
        out = np.zeros((len(items), self.encoder.dim), dtype=np.float32)
        for d in range(len(items)):
            rows = piece_of.get(d)
            if rows is None:
                continue
            v = (emb[rows] * docs["weights"][d][:, None]).sum(0)
            out[d] = v / max(float(np.linalg.norm(v)), 1e-12)
        return out

    def predict(self, texts: str | Sequence[str], lang: str | None = None) -> Result | list[Result]:
        items, single = _as_list(texts)
        docs = self._prepare(items, lang=lang)
        feats, piece_of, pieces = self._encode_features(docs)
        results = self._score(items, docs, feats, piece_of, pieces)
        return results[0] if single else results

    # ----------------------------------------------------------------- steps
    def _prepare(self, items: list[Any], lang: str | None) -> dict:
        statuses = [classify_item(x, max_chars=self.max_chars) for x in items]
        ok = [i for i, s in enumerate(statuses) if s == "ok"]
        if lang:
            langs = {i: (lang, 1.0) for i in ok}
        else:
            detected = detect_batch([items[i] for i in ok], languages=self.languages)
            langs = dict(zip(ok, detected))
        pieces: list[_Piece] = []
        for i in ok:
            text, code = items[i], langs[i][0]
            for span in segment(text, code):
                windows = self._windows(i, text, span.start, span.end)
                pieces.extend(windows)
                if self.touchpoints is None or len(windows) != 1:
                    continue
                # A sentence that turns ("late, but the staff were lovely") is about two touchpoints
                # with two polarities: its clauses get their own pass for touchpoint sentiment.
                clauses = split_clauses(text, span, code)
                if len(clauses) > 1:
                    from .cx.touchpoints import clause_text  # the clause without its opening "but"
                    parent = len(pieces) - 1
                    pieces.extend(_Piece(i, c.start, c.end, clause_text(normalize(text[c.start:c.end])),
                                         clause_of=parent) for c in clauses)
        return {"statuses": statuses, "langs": langs, "pieces": pieces, "weights": {}}

    def _windows(self, doc: int, text: str, start: int, end: int) -> list[_Piece]:
        """Split a sentence that does not fit the encoder window into windows of whole tokens."""
        sentence = text[start:end]
        budget = self.encoder.content_budget()
        # Cheap test first: a sentence this short cannot exceed the budget (>= 1 char per token).
        if len(sentence) <= budget:
            return [_Piece(doc, start, end, normalize(sentence))]
        offsets = self.encoder.token_offsets(replace_surrogates(sentence))
        if len(offsets) <= budget:
            return [_Piece(doc, start, end, normalize(sentence))]
        out = []
        for k in range(0, len(offsets), budget):
            chunk = offsets[k:k + budget]
            a, b = start + chunk[0][0], start + chunk[-1][1]
            while a < b and text[a].isspace():
                a += 1
            if b > a:
                out.append(_Piece(doc, a, b, normalize(text[a:b]), split=True))
        return out

    def _encode(self, docs: dict):
        """(embeddings, piece_of, pieces): one row per piece, the encoder's embedding block."""
        feats, piece_of, pieces = self._encode_features(docs)
        return np.ascontiguousarray(feats[:, :self.encoder.dim]), piece_of, pieces

    def _encode_features(self, docs: dict):
        pieces: list[_Piece] = docs["pieces"]
        # Identical sentences (greetings, "Thank you!", duplicated reviews) are encoded once.
        uniq: dict[str, int] = {}
        index = np.fromiter((uniq.setdefault(p.text, len(uniq)) for p in pieces), dtype=np.int64, count=len(pieces))
        if uniq:
            emb_u = encode_features(self.encoder, list(uniq))
        else:
            emb_u = np.zeros((0, feature_dim(self.encoder)), np.float32)
        emb = emb_u[index] if len(pieces) else emb_u
        piece_of: dict[int, np.ndarray] = {}
        for k, p in enumerate(pieces):
            if p.clause_of is None:
                piece_of.setdefault(p.doc, []).append(k)
        piece_of = {d: np.asarray(v) for d, v in piece_of.items()}
        for d, rows in piece_of.items():
            docs["weights"][d] = np.asarray([math.sqrt(max(len(pieces[r].text), 1)) for r in rows], dtype=np.float32)
        return emb, piece_of, pieces

    def _score(self, items, docs, feats, piece_of, pieces) -> list[Result]:
        from .cx.signals import detect_signals

        emb = np.ascontiguousarray(feats[:, :self.encoder.dim])
        p_sent = self.heads["sentiment"].read(feats) if "sentiment" in self.heads else None
        p_emo = self.heads["emotions"].read(feats) if "emotions" in self.heads else None
        langs = [docs["langs"][p.doc][0] for p in pieces]
        clauses: dict[int, list[int]] = {}
        for k, p in enumerate(pieces):
            if p.clause_of is not None:
                clauses.setdefault(p.clause_of, []).append(k)
        sides = self._cue_sides(pieces, langs, clauses)
        if p_sent is not None and any(sides):
            p_sent = np.stack([lean(p, side) for p, side in zip(p_sent, sides)])
        tp_rows = None
        if self.touchpoints is not None:
            tp_rows = self.touchpoints.detect(emb, [p.text for p in pieces], p_sent, langs)
            for k, p in enumerate(pieces):
                for m in tp_rows[k]:
                    m["start"], m["end"] = p.start, p.end
            for parent, kids in clauses.items():
                self.touchpoints.reread_single_touchpoint([m for k in kids for m in tp_rows[k]], emb[parent],
                                                          None if p_sent is None else p_sent[parent])
                self.touchpoints.read_contrast([tp_rows[k] for k in kids])
                merged: dict[str, dict] = {}
                for k in kids:
                    for m in tp_rows[k]:
                        if m["name"] not in merged or m["score"] > merged[m["name"]]["score"]:
                            merged[m["name"]] = m
                # Where the clauses found nothing, the whole sentence's reading stands.
                if merged:
                    tp_rows[parent] = sorted(merged.values(), key=lambda m: -m["score"])
            # A sentence that took its clauses' mentions holds the clauses' own objects: they are read once,
            # with their clause's cue words.
            for k, p in enumerate(pieces):
                if not any(tp_rows[j] for j in clauses.get(k, ())):
                    self.touchpoints.read_cues(tp_rows[k], p.text, langs[k], sides[k])
        results: list[Result] = []
        for d, item in enumerate(items):
            status = docs["statuses"][d]
            rows = piece_of.get(d)
            if status != "ok" or rows is None:
                status = status if status != "ok" else "no_letters"
                results.append(Result(text=item, lang=None, status=status, status_message=status_message(status)))
                continue
            lang, lang_score = docs["langs"][d]
            sentences = []
            for r in rows:
                pc = pieces[r]
                sentences.append(SentenceResult(
                    start=pc.start, end=pc.end, text=item[pc.start:pc.end],
                    sentiment=sent_head.as_dict(p_sent[r]) if p_sent is not None else None,
                    emotions=emo_head.as_dict(p_emo[r]) if p_emo is not None else None,
                    touchpoints=tp_rows[r] if tp_rows is not None else [], split=pc.split))
            ntok = docs["weights"][d] ** 2
            res = Result(text=item, lang=lang, lang_score=lang_score, status="ok", sentences=sentences,
                         sentiment=sent_head.as_dict(sent_head.rollup(p_sent[rows], ntok)) if p_sent is not None else None,
                         emotions=emo_head.as_dict(emo_head.rollup(p_emo[rows])) if p_emo is not None else None)
            if self.touchpoints is not None:
                res.touchpoints = self.touchpoints.rollup(sentences)
            res.signals = detect_signals(sentences, lang, self.touchpoints)  # churn, advocacy, effort, MoT
            results.append(res)
        custom_head.attach(self.heads, feats, piece_of, docs["weights"], results, self.encoder.dim)  # -> Result.custom
        return results

    def _cue_sides(self, pieces, langs, clauses: dict[int, list[int]]) -> list[str | None]:
        """Per piece, the side its sentiment cue words take (None: no cue, or both sides). A sentence split
        at "but" takes a side only where all its clauses take it: "Kelnerka była bardzo miła, ale zupa była
        zimna" is no praise."""
        if not self.sentiment_cues:
            return [None] * len(pieces)
        sides = [self.sentiment_cues.side(p.text, lang) for p, lang in zip(pieces, langs)]
        for parent, kids in clauses.items():
            taken = {sides[k] for k in kids}
            sides[parent] = taken.pop() if len(taken) == 1 else None
        return sides

    # ----------------------------------------------------------------- info
    @property
    def emotion_thresholds(self) -> dict[str, float]:
        head = self.heads.get("emotions")
        return dict(head.config.thresholds) if head else {}

    def __repr__(self) -> str:
        return f"Analyzer(heads={list(self.heads)}, encoder={getattr(self.encoder, 'folder', '?')})"


__all__ = ["Analyzer", "SENTIMENT_LABELS", "EMOTION_LABELS"]
