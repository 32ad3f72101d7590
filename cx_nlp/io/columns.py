"""Find the free-text column of an export when the user did not name it.

Names win over statistics because exports often carry long non-text strings too (URLs, JSON blobs,
product titles); statistics decide only when no column is named like a comment.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable

import pandas as pd

# Exact (normalised) names, best first: English, Polish, Russian, Persian, Romanian and common export tools.
TEXT_NAMES = [
    "text", "review_text", "review", "reviews", "review_body", "comment", "comments", "feedback",
    "customer_feedback", "message", "body", "content", "opinion", "verbatim", "response", "answer",
    "tresc", "komentarz", "opinia", "recenzja", "uwagi", "tekst",
    "текст", "отзыв", "комментарий", "сообщение", "мнение",
    "متن", "نظر", "دیدگاه", "پیام",
    "comentariu", "recenzie", "parere", "mesaj",
]
# Substrings that mark a text column in longer names ("Review Text", "customer_comment").
TEXT_HINTS = ("review", "comment", "feedback", "text", "message", "opinion", "verbatim", "remark",
              "komentarz", "opini", "recenz", "tresc", "отзыв", "коммент", "текст", "نظر", "متن", "comentari")

_SAMPLE_ROWS = 500


def normalise_name(name: object) -> str:
    s = unicodedata.normalize("NFKD", str(name)).casefold()
    # Drop combining marks so "treść" matches "tresc"; Persian/Cyrillic letters are untouched.
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.replace("ł", "l")
    return re.sub(r"[\W_]+", "_", s).strip("_")


def _text_stats(col: pd.Series) -> tuple[float, float]:
    """(mean length, share of values with a space) over the string values of a sample."""
    values = [v for v in col.head(_SAMPLE_ROWS).tolist() if isinstance(v, str)]
    if not values:
        return 0.0, 0.0
    nonempty = [v for v in values if v.strip()]
    if not nonempty:
        return 0.0, 0.0
    mean_len = sum(len(v) for v in nonempty) / len(nonempty)
    spaced = sum(1 for v in nonempty if " " in v.strip()) / len(nonempty)
    # Columns that are mostly numbers or empty are not text, whatever their name.
    return mean_len * len(nonempty) / len(values), spaced


def detect_text_column(df: pd.DataFrame, exclude: Iterable[str] = ()) -> str | None:
    excluded = set(exclude)
    stats: dict[str, tuple[float, float]] = {}
    for name in df.columns:
        if name in excluded or str(name).startswith("cx_"):
            continue
        mean_len, spaced = _text_stats(df[name])
        if mean_len > 0:
            stats[name] = (mean_len, spaced)
    if not stats:
        return None
    # A URL or id column can be long; prose has spaces (CJK aside), so spaces weigh in.
    def weight(name) -> float:
        mean_len, spaced = stats[name]
        return mean_len * (0.2 + 0.8 * spaced)

    longest = max(stats, key=weight)
    floor = min(20.0, 0.5 * weight(longest))
    by_norm = {normalise_name(n): n for n in stats}
    for wanted in TEXT_NAMES:
        name = by_norm.get(normalise_name(wanted))
        if name is not None and weight(name) >= floor:
            return name
    hinted = [n for n in stats if any(h in normalise_name(n) for h in TEXT_HINTS) and weight(n) >= floor]
    if hinted:
        return max(hinted, key=weight)
    return longest
