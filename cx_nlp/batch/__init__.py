"""Batch scoring of table files: flat output columns, chunked runs with checkpoints and resume."""
from .flatten import COLUMNS, SENTENCE_COLUMNS, flatten, flatten_sentences
from .score import score_file

__all__ = ["score_file", "flatten", "flatten_sentences", "COLUMNS", "SENTENCE_COLUMNS"]
