"""Guess the text encoding of an exported file.

Review exports arrive as UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"), or a Windows
code page (cp1250 for Polish/Czech/Romanian, cp1251 for Russian/Ukrainian, cp1256 for Persian/Arabic,
cp1252 for Western Europe). Statistical detectors are unreliable on short texts (charset-normalizer
reads French as cp1250), so single-byte candidates are scored by how *plausible* the decoded text is:
letters of one script per word, lower case inside words, no control characters or symbols glued to
letters. A wrong code page breaks exactly those properties.
"""
from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO

# Order matters only for ties (texts whose non-ASCII bytes decode identically, e.g. German umlauts).
SINGLE_BYTE = ("cp1250", "cp1251", "cp1252", "cp1256")
FALLBACK = "latin-1"

_BLOCK = 1 << 20
_UTF8_SCAN_LIMIT = 256 << 20   # validating more than this buys little; the rest is decoded with replace
_SAMPLE_LIMIT = 256 << 10      # bytes of non-ASCII lines collected for scoring code pages

# Accented Latin letters that are common in the languages these code pages serve. Letters outside the
# set (ŕ, ĺ, ť...) are real but rare, so a decoding that produces many of them is suspicious.
_COMMON_LATIN = set(
    "áàâäãåæçéèêëíìîïñóòôöõøœúùûüýÿß"      # Western
    "ąćęłńśźżóăâîșşțţčďěňřšťůžőű"          # Central/Eastern European
    "ÁÀÂÄÃÅÆÇÉÈÊËÍÌÎÏÑÓÒÔÖÕØŒÚÙÛÜÝŸ"
    "ĄĆĘŁŃŚŹŻĂȘŞȚŢČĎĚŇŘŠŤŮŽŐŰ")
_JOINERS = {"\u200c", "\u200d"}  # ZWNJ/ZWJ: part of Persian orthography (cp1256 0x9D/0x9E)


@dataclass(frozen=True)
class Encoding:
    name: str          # a Python codec name
    errors: str        # "strict" when the whole file was validated, else "replace"
    bom: bool = False


def _script(ch: str) -> str:
    try:
        return unicodedata.name(ch).split(" ", 1)[0]
    except ValueError:
        return "?"


# One alphabet per language these code pages serve (lower case, non-ASCII letters only). A correct
# decoding puts (almost) all accented letters of a text into one alphabet; a wrong one scatters them:
# Portuguese "ação" read as cp1250 becomes "ačăo" (Czech č next to Romanian ă).
_ALPHABETS = [set(a) for a in (
    "ąćęłńóśźż", "áčďéěíňóřšťúůýž", "áäčďéíĺľňóôŕšťúýž", "áéíóöőúüű", "ăâîșşțţ", "čćđšž",
    "äöüß", "àâæçéèêëîïôœùûüÿ", "áéíóúüñ", "áâãàçéêíóôõú", "àèéìíîòóùú", "åäöøæéë",
)]
# Typographic symbols that stand alone in prose in every language.
_TYPOGRAPHIC = set("€£¥§©®™°±×·•…–—«»„“”‘’‚‹›¡¿")


def _case_ok(run: str) -> bool:
    """A letter run is lower, UPPER or Title case; anything else ("ЪЗбн") is a decoding artefact."""
    # Caseless scripts (Arabic) pass: no upper case letter ever follows a lower case one there.
    return not any(c.isupper() for c in run[1:]) or not any(c.islower() for c in run)


def _alphabet_coverage(text: str) -> float:
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha() and not ch.isascii() and _script(ch) == "LATIN":
            c = ch.lower()
            counts[c] = counts.get(c, 0) + 1
    total = sum(counts.values())
    if not total:
        return 1.0
    return max(sum(n for c, n in counts.items() if c in a) for a in _ALPHABETS) / total


def plausibility(text: str) -> float:
    """Score per non-ASCII character: about 1 for clean text, negative for mojibake."""
    score = 0.0
    n = 0
    for token in text.split():
        if token.isascii():
            continue
        scripts = set()
        latin_letters = latin_accented = 0
        run = ""
        for i, ch in enumerate(token):
            if ch.isalpha():
                run += ch
                sc = _script(ch)
                scripts.add(sc)
                if sc == "LATIN":
                    latin_letters += 1
                if ch.isascii():
                    continue
                n += 1
                if sc == "LATIN":
                    latin_accented += 1
                    score += 1.0 if ch in _COMMON_LATIN else 0.2
                elif sc in ("CYRILLIC", "ARABIC"):
                    score += 1.0
                else:
                    score += 0.3
                continue
            if run and not _case_ok(run):
                score -= 1.5
            run = ""
            if ch.isascii():
                continue
            n += 1
            cat = unicodedata.category(ch)
            if ch == "\ufffd":
                score -= 5
            elif ch in _JOINERS:
                score += 1.0
            elif cat[0] == "C":
                score -= 5
            elif cat[0] in "SP" or cat == "No":
                # "«", "€", "–" stand alone; "¹" or "¿" between two letters is a wrong code page.
                left = token[i - 1].isalpha() if i > 0 else False
                right = token[i + 1].isalpha() if i + 1 < len(token) else False
                if left and right:
                    score -= 2
                elif ch in _TYPOGRAPHIC:
                    score += 1.0
        if run and not _case_ok(run):
            score -= 1.5
        scripts.discard("?")
        if len(scripts) > 1:
            score -= 3
        if latin_letters >= 3 and latin_accented * 2 > latin_letters:
            score -= 2     # a Latin word made mostly of accented letters is a decoded Arabic/Cyrillic word
    return score / max(n, 1) + _alphabet_coverage(text)


def _bom(head: bytes) -> Encoding | None:
    if head.startswith(codecs.BOM_UTF8):
        return Encoding("utf-8-sig", "strict", bom=True)
    if head.startswith(codecs.BOM_UTF32_LE) or head.startswith(codecs.BOM_UTF32_BE):
        return Encoding("utf-32", "replace", bom=True)
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return Encoding("utf-16", "replace", bom=True)
    return None


def _utf16_without_bom(head: bytes) -> Encoding | None:
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / (len(sample) / 2)
    odd = sample[1::2].count(0) / (len(sample) / 2)
    if odd > 0.3 and even < 0.05:
        return Encoding("utf-16-le", "replace")
    if even > 0.3 and odd < 0.05:
        return Encoding("utf-16-be", "replace")
    return None


def sniff_encoding(fh: BinaryIO) -> Encoding:
    """Read the binary stream (from its start) and return its encoding; rewinding is the caller's job."""
    head = fh.read(_BLOCK)
    found = _bom(head) or _utf16_without_bom(head)
    if found:
        return found
    decoder = codecs.getincrementaldecoder("utf-8")()
    sample: list[bytes] = []
    sample_size = 0
    scanned = 0
    block = head
    utf8_ok = True
    while block:
        if utf8_ok:
            try:
                decoder.decode(block, final=False)
            except UnicodeDecodeError:
                utf8_ok = False
        if sample_size < _SAMPLE_LIMIT and not block.isascii():
            for line in block.split(b"\n"):
                if not line.isascii():
                    sample.append(line)
                    sample_size += len(line)
        scanned += len(block)
        if (not utf8_ok and sample_size >= _SAMPLE_LIMIT) or scanned >= _UTF8_SCAN_LIMIT:
            break
        block = fh.read(_BLOCK)
    if utf8_ok:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    if utf8_ok:
        return Encoding("utf-8", "strict" if scanned < _UTF8_SCAN_LIMIT or not block else "replace")
    data = b"\n".join(sample)
    # Mostly UTF-8 with a few broken bytes (a truncated field, one bad paste) is still UTF-8.
    utf8_text = data.decode("utf-8", errors="replace")
    bad = utf8_text.count("\ufffd")
    good = sum(1 for ch in utf8_text if ord(ch) > 0x7F and ch != "\ufffd")
    if good >= 10 * bad:
        return Encoding("utf-8", "replace")
    best, best_score = FALLBACK, plausibility(data.decode(FALLBACK)) - 0.5
    for name in SINGLE_BYTE:
        s = plausibility(data.decode(name, errors="replace"))
        if s > best_score:
            best, best_score = name, s
    return Encoding(best, "replace")
