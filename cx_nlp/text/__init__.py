"""The text front: cleaning, triage, language identification and sentence segmentation."""
from .langid import SUPPORTED, detect, detect_batch
from .normalize import classify_item, normalize
from .segment import Span, segment, split_clauses

__all__ = [
    "SUPPORTED",
    "Span",
    "classify_item",
    "detect",
    "detect_batch",
    "normalize",
    "segment",
    "split_clauses",
]
