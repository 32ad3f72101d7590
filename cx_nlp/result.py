"""The per-text result of ``Analyzer.predict`` and its plain-dict form (DESIGN.md section 3)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class SentenceResult:
    start: int
    end: int
    text: str
    sentiment: dict[str, Any]
    emotions: dict[str, float]
    touchpoints: list[dict[str, Any]] = field(default_factory=list)
    split: bool = False  # a piece of a sentence too long for one encoder window
    custom: dict[str, Any] = field(default_factory=dict)  # users' own heads: {head: {"label"/"labels", "scores"}}

    def to_dict(self) -> dict[str, Any]:
        d = {"start": self.start, "end": self.end, "text": self.text, "sentiment": self.sentiment,
             "emotions": self.emotions, "touchpoints": self.touchpoints, "custom": self.custom}
        if self.split:
            d["split"] = True
        return d


@dataclass
class Result:
    text: Any
    lang: str | None
    status: str
    status_message: str = ""
    lang_score: float = 0.0
    sentiment: dict[str, Any] | None = None
    emotions: dict[str, float] | None = None
    touchpoints: list[dict[str, Any]] = field(default_factory=list)
    sentences: list[SentenceResult] = field(default_factory=list)
    signals: list[dict[str, Any]] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)  # users' own heads (cx-nlp train), see heads/custom.py

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        text = self.text if isinstance(self.text, str) else ("" if self.text is None else repr(self.text))
        return {
            "text": text,
            "lang": self.lang,
            "lang_score": round(float(self.lang_score), 4),
            "status": self.status,
            "status_message": self.status_message,
            "sentiment": self.sentiment,
            "emotions": self.emotions,
            "touchpoints": self.touchpoints,
            "sentences": [s.to_dict() for s in self.sentences],
            "signals": self.signals,
            "custom": self.custom,
        }
