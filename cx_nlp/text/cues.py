"""Cue words: the few words that settle which way a piece of text leans where the encoder cannot hear them.

The frozen encoder is deaf to some polar words. It puts "Prices are low." at cosine 0.93 to "Prices are
high." (0.93 to 0.94 in ro, pl, ru and fa too), and "Calitatea este proastă" (the quality is bad) at 0.96 to
"Calitatea este bună" (it splits "proastă" into "pro"+"as"+"tă"); no head on those embeddings can learn the
difference. Two lexicons name such words, per side and language: a touchpoint's ``polarity_cues`` in the
taxonomy (price direction) and ``sentiment_cues.yaml`` beside this module (the Romanian and Polish words the
encoder reads the wrong way). A piece that holds cues of one side only is read that way.

A cue is matched on folded text (lowercase, no accents or ZWNJ, so "ieftin" also matches "ieftín" and
"preturi" matches "prețuri"): a whole word or phrase, each word a stem where it ends in ``*``. One of its
language's negations among the two words before it (or, in Persian, right after it: "گران نیست") turns
it to the other side: "not cheap" and "without being overpriced" count as negative and positive.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

import numpy as np
import yaml

from ..heads import SENTIMENT_LABELS

SIDES = ("negative", "positive")
_NEGATIONS_BEFORE = {
    # "isn ' t" is how tokenised corpora write "isn't"
    "en": {"not", "no", "never", "hardly", "isnt", "arent", "wasnt", "werent", "dont", "doesnt", "didnt", "isn", "aren",
           "wasn", "weren", "don", "doesn", "didn"},
    "ro": {"nu", "nici", "deloc", "n-a", "n-au", "n-o", "n-ai"},
    "pl": {"nie", "ani", "wcale", "bynajmniej"},
    "ru": {"не", "ни", "нет", "нисколько"},
    "fa": {"نه", "غیر"},
}
# "without" negates only the word right after it ("without being overpriced", not "fără probleme, recomand")
_WITHOUT = {"en": {"without"}, "ro": {"fara"}, "pl": {"bez"}, "ru": {"без"}, "fa": {"بدون"}}
_NEGATIONS_AFTER = {"fa": {"نیست", "نبود", "نیستند", "نبودند", "نشد", "نیس", "نمی"}}
# words between a negation and its cue that do not end its reach: degree ("nu atât de bun", "nie jest tak
# bardzo miła"), "being", and modal verbs ("nu pot să recomand")
_SKIP = {"very", "so", "too", "that", "quite", "really", "particularly", "especially", "being", "can", "could", "would",
         "atat", "de", "foarte", "prea", "chiar", "asa", "extrem", "cel", "mai", "fi", "pot", "sa", "as", "putea",
         "tak", "bardzo", "zbyt", "szczegolnie", "az", "specjalnie", "za", "najbardziej", "byc", "moge", "mozna",
         "очень", "так", "слишком", "особо", "особенно", "самый", "совсем", "быть", "могу", "можно", "خیلی", "چندان"}
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


def _negated(low: str, m: re.Match, lang: str) -> bool:
    before = [w for w in _WORD.findall(low[:m.start()])[-5:] if w not in _SKIP][-2:]
    after = _WORD.findall(low[m.end():])[:2]
    return bool(set(before) & _NEGATIONS_BEFORE.get(lang, set()) or before[-1:] and before[-1] in _WITHOUT.get(lang, ())
                or set(after) & _NEGATIONS_AFTER.get(lang, set()))


class CueSet:
    """Compiled cues ``{side: {language: [cue, ...]}}``: :meth:`side` of a piece of text."""

    def __init__(self, cues: dict[str, dict[str, list[str]]]):
        self.patterns: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
        for side in SIDES:
            for lang, words in (cues.get(side) or {}).items():
                if words:
                    self.patterns.setdefault(lang, []).append((side, _pattern(words)))

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def side(self, text: str, lang: str | None) -> str | None:
        """"positive" or "negative" where ``text`` holds cues of one side only, else None."""
        found = set()
        low = None
        for side, rx in self.patterns.get(lang or "", []):
            low = fold(text) if low is None else low
            for m in rx.finditer(low):
                found.add(SIDES[1 - SIDES.index(side)] if _negated(low, m, lang or "") else side)
        return found.pop() if len(found) == 1 else None


def lean(p: np.ndarray, side: str | None) -> np.ndarray:
    """Class probabilities ``p`` (SENTIMENT_LABELS order) with the other side's share moved to ``side``
    (a copy; ``p`` itself where ``side`` is None)."""
    if side is None:
        return p
    to, away = (SENTIMENT_LABELS.index(side), SENTIMENT_LABELS.index(SIDES[1 - SIDES.index(side)]))
    p = np.array(p, dtype=np.float64)
    p[to] += p[away]
    p[away] = 0.0
    return p


@lru_cache(maxsize=1)
def sentiment_cues() -> CueSet:
    """The bundled sentence lexicon (``sentiment_cues.yaml``)."""
    text = resources.files("cx_nlp.text").joinpath("sentiment_cues.yaml").read_text(encoding="utf-8")
    return CueSet(yaml.safe_load(text) or {})
