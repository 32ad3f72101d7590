"""Batch scoring of table files (chunks, checkpoints, resume, local workers or Ray) and of transcripts."""
from .engines import AnalyzerSpec
from .flatten import COLUMNS, SENTENCE_COLUMNS, flatten, flatten_sentences
from .score import score_file
from .transcripts import transcripts_file

__all__ = ["score_file", "transcripts_file", "AnalyzerSpec", "flatten", "flatten_sentences", "COLUMNS",
           "SENTENCE_COLUMNS"]
