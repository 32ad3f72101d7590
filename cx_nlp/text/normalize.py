"""Cleaning a sentence for the encoder, and triaging raw input items before any work is done.

``normalize`` is applied to each sentence just before encoding, never to the text that span offsets
refer to, so it is free to delete and replace characters.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["EMOJI_CLASS", "classify_item", "normalize", "replace_surrogates"]

# Pictographs and dingbats. Kept as a character-class body so the segmenter can reuse it.
EMOJI_CLASS = "\u2300-\u23FF\u2600-\u27BF\u2B00-\u2BFF\U0001F000-\U0001FAFF"

_BIDI_AND_INVISIBLE = (
    "\u200B"                    # zero width space
    "\u200E\u200F"              # LRM, RLM
    "\u202A-\u202E"             # embeddings and overrides
    "\u2066-\u2069"             # isolates
    "\u061C"                    # Arabic letter mark
    "\u2060\uFEFF\u00AD"        # word joiner, BOM, soft hyphen
)
# ZWNJ (U+200C) is spelling in Persian (می‌خواهم) and ZWJ (U+200D) glues emoji sequences: both stay.


def _build_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for cp in list(range(0x00, 0x20)) + list(range(0x7F, 0xA0)):
        table[cp] = None
    table[ord("\t")] = "\t"
    table[ord("\n")] = "\n"
    # Vertical tab, form feed and NEL separate words; deleting them would glue two words together.
    for ch in "\x0b\x0c\x85":
        table[ord(ch)] = " "
    for ch in "\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A" \
              "\u2028\u2029\u202F\u205F\u3000":
        table[ord(ch)] = " "
    for part in re.findall(r".-.|.", _BIDI_AND_INVISIBLE):
        lo, hi = (part[0], part[2]) if len(part) == 3 else (part, part)
        for cp in range(ord(lo), ord(hi) + 1):
            table[cp] = None
    return table


_TABLE = _build_table()
# Lone surrogates (from surrogateescape decoding or JSON "\\ud800") have no UTF-8 form: the tokenizer
# rejects the whole batch with a TypeError. Each becomes U+FFFD, one for one, so offsets do not move.
_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_surrogates(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (same length, same offsets)."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


_SPACES = re.compile(r" {2,}")
_NEWLINES = re.compile(r"\r\n?")
# Social-media handles and links carry no opinion, but a brand handle such as "@AmericanAir" pulls the
# sentence vector towards every other tweet to that brand. The tweet corpora the heads learned from write
# them as "@user" and "http" (the XLM-T convention), so the encoder sees them that way too.
_HANDLE = re.compile(r"(?<![\w@.])@\w{1,50}")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


def normalize(text: str) -> str:
    """NFC, no control or bidi characters, plain spaces only, runs of spaces collapsed, stripped; handles
    become "@user" and links "http"."""
    text = replace_surrogates(text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "\r" in text:
        text = _NEWLINES.sub("\n", text)
    text = text.translate(_TABLE)
    if "@" in text:
        text = _HANDLE.sub("@user", text)
    text = _URL.sub("http", text)
    return _SPACES.sub(" ", text).strip()


# Characters a real text almost never has: C0/C1 controls (not whitespace), private use, lone
# surrogates (from surrogateescape decoding), noncharacters, and U+FFFD from errors="replace".
_JUNK = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ue000-\uf8ff\ud800-\udfff"
                   "\ufffd\ufffe\uffff\U000f0000-\U0010ffff]")
_REPLACEMENT = "\ufffd"
# UTF-8 read as Latin-1/cp1252: a lead byte shown as Ã Â Ä Å È ... followed by a continuation
# byte shown as a Latin-1 symbol or one of cp1252's typographic characters ("Ã©", "È™").
_MOJIBAKE = re.compile("[\u00C2-\u00DF][\u0080-\u00BF\u0152\u0153\u0160\u0161\u0178\u017D\u017E\u0192"
                       "\u02C6\u02DC\u2013\u2014\u2018-\u201E\u2020-\u2022\u2026\u2030\u2039\u203A"
                       "\u20AC\u2122]")
_VISIBLE = re.compile(f"[^\\s{_BIDI_AND_INVISIBLE}\u200C\u200D]")
_ALNUM = re.compile(r"[^\W_]")
# A whole review can be "👍👍" or ":(" - real feedback without a single letter.
_EMOJI_OR_EMOTICON = re.compile(f"[{EMOJI_CLASS}]|[:;=]['^-]?[()\\[\\]/\\\\|]|<3")

_JUNK_RATIO = 0.3


def _looks_binary(text: str) -> bool:
    n = len(text)
    junk = len(_JUNK.findall(text))
    if junk > _JUNK_RATIO * n:
        return True
    replacement = text.count(_REPLACEMENT)
    if replacement >= 3 and replacement >= 0.1 * n:
        return True
    mojibake = len(_MOJIBAKE.findall(text))
    return mojibake >= 3 and 2 * mojibake >= 0.1 * n


def classify_item(x: object, max_chars: int | None = 100_000) -> str:
    """Status code of one input item (see ``cx_nlp.errors.STATUSES``); never raises.

    One of "not_text", "empty_text", "too_long", "binary_junk", "no_letters", "ok".
    """
    try:
        if not isinstance(x, str):
            return "not_text"
        if not x or x.isspace():
            return "empty_text"
        if max_chars is not None and len(x) > max_chars:
            return "too_long"
        if not _VISIBLE.search(x):
            return "empty_text"
        if _looks_binary(x):
            return "binary_junk"
        if not _ALNUM.search(x) and not _EMOJI_OR_EMOTICON.search(x):
            return "no_letters"
        return "ok"
    except Exception:  # a str subclass with a broken method, say: still a status, not a crash
        return "not_text"

