"""Encoder backends: text -> L2-normalised sentence embeddings (mean pooling, as e5 was trained).

Every backend tokenises with the folder's fast (Rust) tokenizer, sorts the batch by token length so
padding stays small (length bucketing), runs the model and scatters the rows back into input order.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import CxError

# e5 models were trained with "query: " / "passage: " prefixes; symmetric tasks (classification,
# clustering) use "query: " per the model card.
E5_PREFIX = "query: "


def default_prefix(folder: Path) -> str:
    try:
        cfg = json.loads((Path(folder) / "cx_nlp_encoder.json").read_text())
        return cfg.get("prefix", "")
    except (OSError, ValueError):
        pass
    name = str(folder).lower()
    return E5_PREFIX if "e5" in name else ""


class TorchEncoder:
    """A Hugging Face encoder folder run with PyTorch on the CPU (or GPU if given)."""

    def __init__(self, folder: str | Path, prefix: str | None = None, max_tokens: int = 512,
                 batch_tokens: int = 8192, max_batch: int = 64, num_threads: int | None = None,
                 device: str = "cpu"):
        import torch
        from transformers import AutoModel, AutoTokenizer

        folder = Path(folder)
        if not (folder / "config.json").is_file():
            raise CxError("E104", f"{folder} has no config.json")
        if num_threads:
            torch.set_num_threads(num_threads)
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
        self.backend = "torch"
        self._rust = self.tokenizer.backend_tokenizer
        self._rust.enable_truncation(self.max_tokens)
        self._rust.no_padding()
        self.pad_id = int(self.tokenizer.pad_token_id or 0)

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
        order = np.argsort(-lengths, kind="stable")
        i = 0
        while i < len(order):
            longest = max(int(lengths[order[i]]), 1)
            size = max(1, min(self.max_batch, self.batch_tokens // longest))
            yield order[i:i + size]
            i += size

    def encode(self, texts: Sequence[str], runner=None) -> np.ndarray:
        """Embed texts. ``runner(ids, mask) -> (b, d)`` swaps the model (the ONNX backend uses it)."""
        import torch

        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        encs = self._rust.encode_batch([self.prefix + t for t in texts])
        lengths = np.fromiter((len(e.ids) for e in encs), dtype=np.int64, count=len(encs))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with torch.inference_mode():
            for idx in self._batches(lengths):
                width = int(lengths[idx].max())
                ids = np.full((len(idx), width), self.pad_id, dtype=np.int64)
                mask = np.zeros((len(idx), width), dtype=np.int64)
                for r, j in enumerate(idx):
                    n = lengths[j]
                    ids[r, :n] = encs[j].ids
                    mask[r, :n] = 1
                out[idx] = (runner or self._run)(ids, mask)
        return out

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        import torch

        t_ids = torch.from_numpy(ids).to(self.device)
        t_mask = torch.from_numpy(mask).to(self.device)
        hidden = self.model(input_ids=t_ids, attention_mask=t_mask).last_hidden_state
        m = t_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)
        return torch.nn.functional.normalize(pooled, dim=-1).float().cpu().numpy()
