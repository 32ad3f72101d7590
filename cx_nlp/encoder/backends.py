"""Encoder backends: text -> L2-normalised sentence embeddings (mean pooling, as e5 was trained).

Every backend tokenises a whole call with the folder's fast (Rust) tokenizer in one batch, sorts the
texts by token length and cuts batches by a token budget (length bucketing: a batch is padded only to
its own longest text, and short texts travel in big batches), runs the model and scatters the rows back
into input order. Repeated texts are encoded once per call, and a bounded LRU cache remembers short
sentences across calls ("Thank you!", "Great service.") so a batch job never encodes them twice.
"""
from __future__ import annotations

import json
import os
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from ..errors import CxError

# e5 models were trained with "query: " / "passage: " prefixes; symmetric tasks (classification,
# clustering) use "query: " per the model card.
E5_PREFIX = "query: "

Runner = Callable[[np.ndarray, np.ndarray], np.ndarray]


def default_prefix(folder: Path) -> str:
    try:
        cfg = json.loads((Path(folder) / "cx_nlp_encoder.json").read_text())
        return cfg.get("prefix", "")
    except (OSError, ValueError):
        pass
    name = str(folder).lower()
    return E5_PREFIX if "e5" in name else ""


def physical_cores() -> int:
    """Physical cores this process may use (hyper-threads share the vector units a GEMM needs)."""
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count() or 1
    try:
        import psutil

        phys = psutil.cpu_count(logical=False) or usable
    except ImportError:  # psutil is optional
        phys = usable
    return max(1, min(phys, usable))


def thread_count(explicit: int | None = None) -> int:
    """Intra-op threads: ``explicit``, else ``CX_NLP_THREADS`` (set per worker by batch scoring), else the
    physical core count."""
    if explicit:
        return int(explicit)
    try:
        env = int(os.environ.get("CX_NLP_THREADS", "0"))
    except ValueError:
        env = 0
    return env if env > 0 else physical_cores()


def length_batches(lengths: np.ndarray, batch_tokens: int = 8192, max_batch: int = 64, slack: float = 0.25,
                   min_tokens: int = 512) -> Iterator[np.ndarray]:
    """Indices of ``lengths`` in batches of similar length, longest first.

    A batch holds at most ``max_batch`` texts and at most ``batch_tokens`` padded tokens (its size times
    its longest text), so memory is bounded. It also ends early, once it holds ``min_tokens`` real tokens
    (enough rows for an efficient matrix product), when the next text is more than ``slack`` shorter than
    the batch's longest: a few texts spread over many lengths (a short call, the fp32 guard's near-ties)
    then go in several tight batches instead of one mostly padded one. The sort is stable: equal lengths
    keep their input order, so batches are deterministic.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    order = np.argsort(-lengths, kind="stable")
    n = len(order)
    i = 0
    while i < n:
        longest = max(int(lengths[order[i]]), 1)
        cap = min(n - i, max(1, min(max_batch, batch_tokens // longest)))
        floor = longest * (1.0 - slack)
        real = longest
        j = i + 1
        while j < i + cap:
            size = int(lengths[order[j]])
            if size < floor and real >= min_tokens:
                break
            real += size
            j += 1
        yield order[i:j]
        i = j


def pad_batch(seqs: Sequence[Sequence[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Right-pad token id lists to the longest one: (ids, attention_mask), both int64 (b, longest)."""
    width = max((len(s) for s in seqs), default=0)
    ids = np.full((len(seqs), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(seqs), width), dtype=np.int64)
    for r, s in enumerate(seqs):
        ids[r, :len(s)] = s
        mask[r, :len(s)] = 1
    return ids, mask


class EmbeddingCache:
    """A bounded LRU map text -> embedding for short texts (long ones rarely repeat and cost memory).

    The default 20,000 entries of 384 floats take about 35 MB.
    """

    def __init__(self, max_items: int = 20_000, max_chars: int = 300):
        self.max_items = max_items
        self.max_chars = max_chars
        self._d: OrderedDict[str, np.ndarray] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._d)

    def get(self, text: str) -> np.ndarray | None:
        v = self._d.get(text)
        if v is None:
            self.misses += 1
            return None
        self._d.move_to_end(text)
        self.hits += 1
        return v

    def put(self, text: str, vec: np.ndarray) -> None:
        if self.max_items <= 0 or len(text) > self.max_chars:
            return
        self._d[text] = np.array(vec, dtype=np.float32, copy=True)
        self._d.move_to_end(text)
        while len(self._d) > self.max_items:
            self._d.popitem(last=False)

    def clear(self) -> None:
        self._d.clear()


def pooled_features(last, hidden_states, mask, feature_layers: Sequence[int]):
    """Masked mean of the last layer, then of each feature layer, each L2-normalised, concatenated (torch;
    also traced into the ONNX graph, so both backends compute the same thing)."""
    import torch

    m = mask.unsqueeze(-1).to(last.dtype)
    denom = m.sum(1).clamp(min=1.0)
    parts = [torch.nn.functional.normalize((last * m).sum(1) / denom, dim=-1)]
    for k in feature_layers:
        parts.append(torch.nn.functional.normalize((hidden_states[k] * m).sum(1) / denom, dim=-1))
    return parts[0] if len(parts) == 1 else torch.cat(parts, dim=-1)


def feature_dim(encoder) -> int:
    """Width of ``encoder``'s features (its embedding width for an encoder without feature layers)."""
    return int(getattr(encoder, "feature_dim", encoder.dim))


def encode_features(encoder, texts: Sequence[str]) -> np.ndarray:
    """``encoder.encode_features(texts)``; a plain encoder object (tests, users' own) gives its embeddings."""
    if hasattr(encoder, "encode_features"):
        return encoder.encode_features(texts)
    return encoder.encode(texts)


def cached_encode(texts: Sequence[str], encode: Callable[[list[str]], np.ndarray], dim: int,
                  cache: EmbeddingCache | None) -> np.ndarray:
    """``encode`` each distinct text once, answering repeats (within the call and, with a cache, across
    calls) from memory; rows come back in input order."""
    if len(texts) == 0:
        return np.zeros((0, dim), dtype=np.float32)
    slot: dict[str, int] = {}
    where = np.empty(len(texts), dtype=np.int64)
    for i, t in enumerate(texts):
        where[i] = slot.setdefault(t, len(slot))
    uniq = np.zeros((len(slot), dim), dtype=np.float32)
    todo: list[str] = []
    for t, k in slot.items():
        v = cache.get(t) if cache is not None else None
        if v is None:
            todo.append(t)
        else:
            uniq[k] = v
    if todo:
        vecs = np.asarray(encode(todo), dtype=np.float32)
        for t, v in zip(todo, vecs):
            uniq[slot[t]] = v
            if cache is not None:
                cache.put(t, v)
    return uniq[where]


class TorchEncoder:
    """A Hugging Face encoder folder run with PyTorch on the CPU (or GPU if given)."""

    def __init__(self, folder: str | Path, prefix: str | None = None, max_tokens: int = 512,
                 batch_tokens: int = 8192, max_batch: int = 64, num_threads: int | None = None,
                 device: str = "cpu", cache_size: int = 20_000, feature_layers: Sequence[int] = ()):
        import torch
        from transformers import AutoModel, AutoTokenizer

        folder = Path(folder)
        if not (folder / "config.json").is_file():
            raise CxError("E104", f"{folder} has no config.json")
        # torch's default (one thread per physical core) suits a small machine; an explicit count or
        # CX_NLP_THREADS (batch scoring sets it per worker process) overrides it.
        if num_threads or os.environ.get("CX_NLP_THREADS"):
            torch.set_num_threads(thread_count(num_threads))
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from transformers.utils import logging as hf_logging

        # Our own progress messages say what happens; transformers' per-load bars are noise in a CLI.
        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
            self.model = AutoModel.from_pretrained(str(folder), local_files_only=True, use_safetensors=True)
        except Exception as exc:  # transformers raises many types; the user needs one clear message
            raise CxError("E104", f"cannot load encoder folder {folder}: {exc}") from exc
        if not getattr(self.tokenizer, "is_fast", False):
            raise CxError("E104", f"{folder} has no fast tokenizer (tokenizer.json)")
        self.model.eval().to(device)
        self.device = device
        self.folder = folder
        self.prefix = default_prefix(folder) if prefix is None else prefix
        self.max_tokens = min(max_tokens, int(getattr(self.model.config, "max_position_embeddings", 512)))
        self.batch_tokens = batch_tokens
        self.max_batch = max_batch
        self.dim = int(self.model.config.hidden_size)
        n_layers = int(getattr(self.model.config, "num_hidden_layers", 0) or 0)
        bad = [k for k in feature_layers if not 0 < int(k) < n_layers]
        if bad:
            raise CxError("E104", f"feature layers {bad} do not exist in this {n_layers}-layer encoder")
        # Heads read the last layer's mean plus these earlier layers' means (normalised, concatenated):
        # middle layers keep the negation and intensity cues the last layer of a retrieval model smooths
        # away (sentiment macro-F1 0.632 -> 0.672 over 24 validation sets, same single pass).
        self.feature_layers = tuple(int(k) for k in feature_layers)
        self.feature_dim = self.dim * (1 + len(self.feature_layers))
        self.backend = "torch"
        self._rust = self.tokenizer.backend_tokenizer
        self._rust.enable_truncation(self.max_tokens)
        self._rust.no_padding()
        self.pad_id = int(self.tokenizer.pad_token_id or 0)
        self.cache = EmbeddingCache(cache_size)

    # Exposed so the analyzer can split over-long sentences before they reach the model.
    def token_offsets(self, text: str) -> list[tuple[int, int]]:
        """Character offsets of the tokens of ``text`` (without prefix and special tokens)."""
        self._rust.no_truncation()
        try:
            enc = self._rust.encode(text, add_special_tokens=False)
        finally:
            self._rust.enable_truncation(self.max_tokens)
        return [o for o in enc.offsets]

    def content_budget(self) -> int:
        """How many text tokens fit in one window once prefix and special tokens are added."""
        n_prefix = len(self._rust.encode(self.prefix, add_special_tokens=False).ids) if self.prefix else 0
        return self.max_tokens - n_prefix - 2

    def _batches(self, lengths: np.ndarray):
        return length_batches(lengths, self.batch_tokens, self.max_batch)

    def encode(self, texts: Sequence[str], runner: Runner | None = None) -> np.ndarray:
        """Embed texts (n, dim), L2-normalised: the last layer's mean (what anchors, themes and search use).

        ``runner(ids, mask) -> (b, feature_dim)`` swaps the model (the ONNX backend passes its session);
        only the torch model's own results go to this encoder's cache.
        """
        return self.encode_features(texts, runner)[:, :self.dim]

    def encode_features(self, texts: Sequence[str], runner: Runner | None = None) -> np.ndarray:
        """(n, feature_dim): the embedding followed by the normalised means of ``feature_layers``
        (what the sentiment and emotion heads read). Equals ``encode`` without feature layers."""
        texts = list(texts)
        if runner is None:
            return cached_encode(texts, self._encode, self.feature_dim, self.cache)
        return cached_encode(texts, lambda t: self._encode(t, runner), self.feature_dim, None)

    def _encode(self, texts: list[str], runner: Runner | None = None) -> np.ndarray:
        """Tokenise all texts in one call, run length-bucketed batches, return rows in input order."""
        import torch

        out = np.zeros((len(texts), self.feature_dim), dtype=np.float32)
        if not texts:
            return out
        encs = self._rust.encode_batch([self.prefix + t for t in texts])
        seqs = [e.ids for e in encs]
        lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
        with torch.inference_mode():
            for idx in self._batches(lengths):
                ids, mask = pad_batch([seqs[j] for j in idx], self.pad_id)
                out[idx] = (runner or self._run)(ids, mask)
        return out

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        import torch

        t_ids = torch.from_numpy(ids).to(self.device)
        t_mask = torch.from_numpy(mask).to(self.device)
        out = self.model(input_ids=t_ids, attention_mask=t_mask, output_hidden_states=bool(self.feature_layers))
        return pooled_features(out.last_hidden_state, out.hidden_states if self.feature_layers else None,
                               t_mask, self.feature_layers).float().cpu().numpy()
