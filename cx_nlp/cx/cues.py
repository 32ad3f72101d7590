"""Polarity cues: words that settle which way a touchpoint's sentiment goes.

The frozen encoder hears price direction badly: it puts "Prices are low." at cosine 0.93 to "Prices are
high." (0.93 to 0.94 in ro, pl, ru and fa too), and both the aspect head and the sentence head read every
one of them negative. No head on that embedding can learn the difference, so the taxonomy names the
words (``polarity_cues`` of a touchpoint, per side and language) and a piece that holds cues of one side
only is read that way for that touchpoint.

A cue is matched on folded text (lowercase, no accents or ZWNJ, so "ieftin" also matches "ieftín" and
"preturi" matches "prețuri"): a whole word or phrase, each word a stem where it ends in ``*``. One of its
language's negations among the two words before it (or, in Persian, right after it: "گران نیست") turns
it to the other side: "not cheap" and "without being overpriced" count as negative and positive.
"""
from __future__ import annotations

import re
import unicodedata

from .taxonomy import Taxonomy

SIDES = ("negative", "positive")
_NEGATIONS_BEFORE = {
    # "isn ' t" is how tokenised corpora write "isn't"
    "en": {"not", "no", "never", "hardly", "isnt", "arent", "wasnt", "werent", "dont", "doesnt", "didnt", "isn", "aren",
           "wasn", "weren", "don", "doesn", "didn", "without"},
    "ro": {"nu", "nici", "deloc", "n-a", "n-au", "n-o", "n-ai", "fara"},
    "pl": {"nie", "ani", "wcale", "bynajmniej", "bez"},
    "ru": {"не", "ни", "нет", "нисколько", "без"},
    "fa": {"نه", "غیر", "بدون"},
}
_NEGATIONS_AFTER = {"fa": {"نیست", "نبود", "نیستند", "نبودند", "نشد", "نیس", "نمی"}}
_WORD = re.compile(r"[\w'’-]+")


def fold(text: str) -> str:
    """Lowercase, accents and combining marks dropped, ZWNJ removed, apostrophes dropped ("isn't" -> "isnt")."""
    text = unicodedata.normalize("NFD", text.lower().replace("\u200c", ""))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return text.replace("'", "").replace("’", "").replace("ي", "ی").replace("ك", "ک")


def _pattern(cues: list[str]) -> re.Pattern[str]:
    alts = []
    for cue in cues:
        words = [re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) + r"(?!\w)" for w in fold(cue).split()]
        alts.append(r"\s+".join(words))
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + ")", re.UNICODE)


class CueReader:
    """Compiled ``polarity_cues`` of a taxonomy: :meth:`side` of a piece of text for a touchpoint."""

    def __init__(self, taxonomy: Taxonomy):
        self.patterns: dict[tuple[int, str], list[tuple[str, re.Pattern[str]]]] = {}
        for k, tp in enumerate(taxonomy.touchpoints):
            for side in SIDES:
                for lang, cues in tp.polarity_cues.get(side, {}).items():
                    self.patterns.setdefault((k, lang), []).append((side, _pattern(cues)))

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def side(self, k: int, text: str, lang: str | None) -> str | None:
        """"positive" or "negative" where ``text`` holds cues of touchpoint ``k`` for one side only."""
        found = set()
        low = None
        for side, rx in self.patterns.get((k, lang or ""), []):
            low = fold(text) if low is None else low
            for m in rx.finditer(low):
                found.add(SIDES[1 - SIDES.index(side)] if _negated(low, m, lang) else side)
        return found.pop() if len(found) == 1 else None


def _negated(low: str, m: re.Match, lang: str | None) -> bool:
    before = _WORD.findall(low[:m.start()])[-2:]
    after = _WORD.findall(low[m.end():])[:2]
    return bool(set(before) & _NEGATIONS_BEFORE.get(lang or "", set())
                or set(after) & _NEGATIONS_AFTER.get(lang or "", set()))
