"""Small torch heads over frozen sentence embeddings, saved as safetensors + JSON (never pickle).

One module type serves every head: a single-label head applies a softmax over its labels, a
multi-label head a sigmoid per label. Temperature and per-label thresholds are learned after
training on validation data and saved with the head, so the scores a user sees mean what they say.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn
from safetensors.torch import load_file, save_file

HEAD_FORMAT = 1


@dataclass
class HeadConfig:
    name: str
    labels: list[str]
    kind: str  # "single" (softmax) or "multi" (sigmoid per label)
    input_dim: int = 384
    hidden: int = 256
    dropout: float = 0.1
    temperature: float = 1.0
    thresholds: dict[str, float] = field(default_factory=dict)
    format: int = HEAD_FORMAT


class Head(nn.Module):
    def __init__(self, config: HeadConfig):
        super().__init__()
        self.config = config
        layers: list[nn.Module] = [nn.Dropout(config.dropout)]
        if config.hidden:
            layers += [nn.Linear(config.input_dim, config.hidden), nn.GELU(), nn.Dropout(config.dropout),
                       nn.Linear(config.hidden, len(config.labels))]
        else:
            layers += [nn.Linear(config.input_dim, len(config.labels))]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    @torch.inference_mode()
    def predict_proba(self, emb: np.ndarray) -> np.ndarray:
        self.eval()
        if len(emb) == 0:
            return np.zeros((0, len(self.config.labels)), dtype=np.float32)
        logits = self(torch.from_numpy(np.ascontiguousarray(emb, dtype=np.float32))) / self.config.temperature
        if self.config.kind == "single":
            return torch.softmax(logits, dim=-1).numpy()
        return torch.sigmoid(logits).numpy()

    def read(self, feats: np.ndarray) -> np.ndarray:
        """``predict_proba`` on an encoder's features (the embedding, then middle-layer means): the head reads
        the leading columns it was trained on (the embedding alone for heads trained before feature layers)."""
        return self.predict_proba(feats[:, :self.config.input_dim])

    def save(self, folder: Path) -> list[str]:
        folder.mkdir(parents=True, exist_ok=True)
        weights = f"{self.config.name}.safetensors"
        save_file({k: v.contiguous() for k, v in self.state_dict().items()}, str(folder / weights))
        (folder / f"{self.config.name}.json").write_text(json.dumps(asdict(self.config), indent=2, ensure_ascii=False))
        return [weights, f"{self.config.name}.json"]

    @classmethod
    def load(cls, folder: Path, name: str) -> "Head":
        cfg = json.loads((folder / f"{name}.json").read_text())
        head = cls(HeadConfig(**cfg))
        head.load_state_dict(load_file(str(folder / f"{name}.safetensors")))
        head.eval()
        return head
