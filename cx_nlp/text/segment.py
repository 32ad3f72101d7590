"""Rule-based sentence and clause segmentation with offsets into the original text.

Every span satisfies ``text[span.start:span.end] == that sentence`` with no surrounding whitespace,
so scores can be mapped back onto the raw review. The rules are tuned for short, informal customer
texts (lowercase starts, missing spaces after full stops, emoji as punctuation) in the languages of
the default language set; pysbd was slower by an order of magnitude and lacks ro and uk.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from .normalize import EMOJI_CLASS

__all__ = ["Span", "segment", "split_clauses"]


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


# --- characters -------------------------------------------------------------------------------

_STRONG = "!?؟！？‼⁇⁈⁉"
_NO_SPACE_NEEDED = "。！？｡।॥۔"  # scripts that write no space after a full stop
_CLOSERS = "\"'»”’›)]}」』】"
_OPENERS = "\"'«“‘‹([{「『【¿¡"
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_TERMINATORS = frozenset(".…" + _STRONG + _NO_SPACE_NEEDED)
# Invisible format characters are trimmed from span edges along with whitespace.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                       "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff\u061c\u00ad")

_EMOJI_SEQ = f"[{EMOJI_CLASS}][\ufe0f\u200d\U0001F3FB-\U0001F3FF{EMOJI_CLASS}]*"
_EMOTICON = r"(?<![^\s.!?…])(?:[:;=]['^-]?[()\[\]DPpOo/\\|*]+|<3+|\^_*\^|xD|XD)(?!\w)"
# After a sentence end, emoji and emoticons on the same line belong to the sentence they close.
_TRAILING_DECOR = re.compile(f"(?:[ \\t\u00a0]*(?:{_EMOJI_SEQ}|{_EMOTICON}))+")

_CANDIDATE = re.compile(
    f"[.…{_STRONG}{_NO_SPACE_NEEDED}]+"   # sentence-final punctuation, runs like ?! or ...
    f"|[{_LINE_BREAKS}]"                    # a line break always ends a sentence
    f"|(?:{_EMOJI_SEQ}[ \\t]*)+"            # an emoji run may end one, see _emoji_ends
)

# Terminators inside these are not sentence ends ("?q=1", "john.Smith@x.com").
_PROTECTED = re.compile(
    r"(?:https?|ftp)://[^\s<>\"]+|www\.[^\s<>\"]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_URL_TAIL = ".,;:!?)]}'\"»”’"

_HAS_ALNUM = re.compile(r"[^\W_]")
_LETTERS = re.compile(r"[^\W\d_]+")

# --- abbreviations ------------------------------------------------------------------------------
# Keys are lowercased and written without the final dot. Three behaviours:
#   NEVER   - never ends a sentence (titles, "e.g.", "z.B.", street/"ul.")
#   CAPITAL - may end one, so split only when the next word is capitalised ("etc.", "zł.", "руб.")
#   DIGIT   - continues when a number follows ("Nr. 5", "ok. 20 zł"); otherwise an ordinal word
#             ("No. I did not like it", "Wszystko ok. Polecam")
# AFTER_NUMBER entries are CAPITAL after a number ("2020 г.", "50 см.") and NEVER otherwise
# ("г. Москва", "см. ниже").
NEVER, CAPITAL, DIGIT, AFTER_NUMBER = "never", "capital", "digit", "after_number"

_ABBREVIATIONS_COMMON: dict[str, str] = {
    # en
    **dict.fromkeys("mr mrs ms dr prof st jr sr vs e.g i.e approx dept".split(), NEVER),
    **dict.fromkeys("etc inc ltd co corp min hrs pcs".split(), CAPITAL),
    **dict.fromkeys("no nr tel pkt".split(), DIGIT),
    # ro
    **dict.fromkeys("dl dna d-na dnul dlui str ex aprox jud bd b-dul sos șos şos bl sc ap".split(), NEVER),
    **dict.fromkeys("ş.a ș.a s.a.m.d ş.a.m.d ș.a.m.d".split(), CAPITAL),
    # pl
    **dict.fromkeys("np tzn tj m.in ul godz mgr inż inz wg ds św sw pt".split(), NEVER),
    **dict.fromkeys("itd itp zł zl gr tys mln mld".split(), CAPITAL),
    "ok": DIGIT,
    # ru / uk
    **dict.fromkeys("т.е т.к т.н т.ч ул напр стр пр пос вул див т.б".split(), NEVER),
    **dict.fromkeys("т.д т.п др руб коп тыс млн млрд грн тис".split(), CAPITAL),
    # de / nl
    **dict.fromkeys("z.b bzw ca d.h evtl ggf inkl zzgl bspw hrn fr u.u bijv d.w.z dhr mevr".split(), NEVER),
    **dict.fromkeys("usw u.a mio mrd std enz o.a".split(), CAPITAL),
    # fr / es / it / pt
    **dict.fromkeys("mme mlle p.ex cf sra srta dra ud uds p.ej sig sigg dott av avda".split(), NEVER),
    **dict.fromkeys("ecc ee.uu".split(), CAPITAL),
    **dict.fromkeys("núm pág pag".split(), DIGIT),
    # tr / fi
    **dict.fromkeys("örn bkz sn esim ns klo".split(), NEVER),
    **dict.fromkeys("vb jne ym yms tms".split(), CAPITAL),
    # units, and words that are abbreviations only next to a number: "2020 г." vs "г. Москва",
    # "1 hr." vs "Hr. Müller", "5 mm." vs "MM. Dupont", "210 км. в час"
    **dict.fromkeys("г гг см р рр r hr mm".split(), AFTER_NUMBER),
    **dict.fromkeys("км кг мм шт мин сек km kg cm szt".split(), AFTER_NUMBER),
}
# Abbreviations that are everyday words in another language, or the reverse, per language.
_ABBREVIATIONS_BY_LANG: dict[str, dict[str, str | None]] = {
    "it": {"es": NEVER},
    "pl": {"al": NEVER},
    "ro": {"ca": None},   # "la fel ca." - "as", not "circa"
    "fr": {"env": NEVER},
}
# Words that put a number with a dot in ordinal use: "am 3. Mai", "im 2. Stock".
_ORDINAL_LEAD = frozenset(
    "am im zum zur vom bis ab seit der die das den dem des jeden jedem".split())
_MONTHS = frozenset(
    "januar februar märz april mai juni juli august september oktober november dezember jänner".split())


# --- helpers ------------------------------------------------------------------------------------

def _is_upper_start(ch: str) -> bool:
    return ch.isupper() or ch.istitle()


def _is_caseless_letter(ch: str) -> bool:
    return ch.isalpha() and not ch.isupper() and not ch.islower() and not ch.istitle()


def _could_start_sentence(ch: str) -> bool:
    """A capital, or a letter of a script without case (Persian, Hindi, CJK...)."""
    return _is_upper_start(ch) or _is_caseless_letter(ch)


def _skip_openers(text: str, i: int) -> int:
    while i < len(text) and text[i] in _OPENERS:
        i += 1
    return i


def _skip_blanks(text: str, i: int) -> int:
    """Skip spaces and invisible marks, stopping at a line break."""
    n = len(text)
    while i < n and (text[i].isspace() or text[i] in _INVISIBLE) and text[i] not in _LINE_BREAKS:
        i += 1
    return i


def _token_start(text: str, end: int) -> int:
    """Start of the whitespace-delimited token ending at ``end`` (opening quotes excluded)."""
    i, lo = end, max(0, end - 64)
    while i > lo and not text[i - 1].isspace() and text[i - 1] not in _OPENERS:
        i -= 1
    return i


def _word_before(text: str, end: int) -> str:
    i = end
    while i > 0 and text[i - 1].isspace():
        i -= 1
    return text[_token_start(text, i):i]


def _count_words(fragment: str, limit: int = 2) -> int:
    """Tokens with a letter or digit, counting stops at ``limit``."""
    count = 0
    for token in fragment.split():
        if _HAS_ALNUM.search(token):
            count += 1
            if count >= limit:
                break
    return count


def _protected(text: str) -> list[tuple[int, int]]:
    spans = []
    if "://" in text or "www." in text or "@" in text:
        for m in _PROTECTED.finditer(text):
            end = m.end()
            while end > m.start() and text[end - 1] in _URL_TAIL:
                end -= 1
            spans.append((m.start(), end))
    return spans


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    i = bisect_right(spans, (pos, float("inf"))) - 1  # last span starting at or before pos
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _abbreviation(token: str, lang: str) -> str | None:
    key = token.lower()
    by_lang = _ABBREVIATIONS_BY_LANG.get(lang)
    if by_lang and key in by_lang:
        return by_lang[key]
    kind = _ABBREVIATIONS_COMMON.get(key)
    if kind is None and key[:1].isdigit():  # glued to its number: "500руб.", "20zł."
        unit = key.lstrip("0123456789")
        kind = _ABBREVIATIONS_COMMON.get(unit) if unit else None
        if kind in (AFTER_NUMBER, NEVER):
            kind = CAPITAL
    return kind


# --- decisions ----------------------------------------------------------------------------------

def _period_ends(text: str, dot: int, nxt_i: int, spaced: bool, lang: str) -> bool:
    """Whether the single '.' at ``dot`` ends a sentence; ``nxt_i`` is the next visible char."""
    token = text[_token_start(text, dot):dot]
    if not token:
        return spaced
    if not spaced:
        return _glued_period_ends(token, text, nxt_i, lang)
    nxt = text[nxt_i]

    kind = _abbreviation(token, lang)
    if kind == AFTER_NUMBER:
        kind = CAPITAL if _word_before(text, dot - len(token))[-1:].isdigit() else NEVER
    if kind == NEVER:
        return False
    if kind == DIGIT and nxt.isdigit():
        return False
    if kind == CAPITAL:
        return _could_start_sentence(nxt)

    letters = token.replace(".", "")
    if len(letters) == 1 and letters.isalpha():
        return False  # an initial ("J. Smith") or a one-letter abbreviation ("т. е.")
    parts = token.split(".")
    if len(parts) > 1 and all(0 < len(p) <= 3 and p.isalpha() for p in parts):
        return _could_start_sentence(nxt)  # an unknown dotted abbreviation ("U.S.", "p.p.")
    if token.isdigit() and len(token) <= 2:
        # "3. miejsce", "am 3. Mai": ordinals, unlike the end of "I rate it 3."
        if nxt.islower() or _word_before(text, dot - len(token)).lower() in _ORDINAL_LEAD:
            return False
        word = _LETTERS.match(text, nxt_i, nxt_i + 12)
        if word and word.group().lower() in _MONTHS:
            return False
    return True


def _glued_period_ends(token: str, text: str, nxt_i: int, lang: str) -> bool:
    """'product.Fast' is two sentences; 'e.g.', '3.5', 'example.com', 'ASP.NET', 'J.K.' are not."""
    nxt = text[nxt_i]
    last = token.rsplit(".", 1)[-1]
    if len(last) < 2 or not last.isalpha() or last.isupper():
        return False
    if _abbreviation(token, lang) is not None:
        return False
    if _is_upper_start(nxt) and text[nxt_i + 1:nxt_i + 2].islower():
        return True
    # Russian chats often drop the space: "людей.даже" (and Cyrillic words are not domain names).
    return (nxt.islower() and _is_cyrillic(nxt) and len(last) >= 3 and _is_cyrillic(last[-1]))


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def _emoji_ends(text: str, start: int, end: int, since: int) -> bool:
    """'Love it 😍😍 Will buy again': an emoji run then a capitalised word starts a new sentence.

    Both sides need two words, so "I ❤️ New York" and "Thanks 🙏 Anna" stay whole. Scripts without
    case give no such signal, so there an emoji never ends a sentence on its own.
    """
    after = _skip_blanks(text, end)
    if after >= len(text) or not _is_upper_start(text[after]):
        return False
    if _count_words(text[max(since, start - 200):start]) < 2:
        return False
    line_end = after
    while line_end < len(text) and line_end - after < 200 and text[line_end] not in _LINE_BREAKS:
        line_end += 1
    return _count_words(text[after:line_end]) >= 2


def _cuts(text: str, lang: str) -> list[int]:
    """Offsets at which the text is cut into sentences (pieces are trimmed afterwards)."""
    protected = _protected(text)
    n = len(text)
    cuts: list[int] = []
    consumed = 0   # candidates inside what a previous sentence end absorbed are skipped
    last_cut = 0
    for m in _CANDIDATE.finditer(text):
        start, end = m.span()
        if start < consumed:
            continue
        first = text[start]
        if first in _LINE_BREAKS:
            cuts.append(end)
            last_cut = end
            continue
        if protected and _inside(protected, start):
            continue
        if first not in _TERMINATORS:
            if _emoji_ends(text, start, end, last_cut):
                cuts.append(end)
                consumed = last_cut = end
            continue

        run = m.group()
        j = end
        while j < n and text[j] in _CLOSERS:
            j += 1
        closed = j > end
        decor = _TRAILING_DECOR.match(text, j)
        if decor:
            j = decor.end()
        consumed = j
        after = _skip_blanks(text, j)
        if after >= n or text[after] in _LINE_BREAKS:
            cuts.append(j)
            last_cut = j
            continue
        spaced = decor is not None or any(text[k].isspace() for k in range(j, after))
        nxt_i = _skip_openers(text, after)
        if nxt_i >= n:
            nxt_i = after
        nxt = text[nxt_i]

        if any(ch in _NO_SPACE_NEEDED for ch in run):
            ends = True
        elif any(ch in _STRONG for ch in run):
            if closed and nxt.islower():
                ends = False  # a quoted question inside a sentence: 'he asked "why?" and left'
            else:
                ends = spaced or nxt.isalpha()  # not "?!)", "?,", "!1"
        elif len(run) > 1 or "…" in run:
            # An ellipsis is a pause as often as an end; trust it when a new sentence visibly starts.
            ends = _could_start_sentence(nxt)
        elif closed:
            ends = spaced and not nxt.islower()  # '"ok." then' continues, '"Great." Fast' ends
        else:
            ends = _period_ends(text, start, nxt_i, spaced, lang)
        if ends:
            cuts.append(j)
            last_cut = j
    return cuts


# --- public API ---------------------------------------------------------------------------------

def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in _INVISIBLE):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _INVISIBLE):
        end -= 1
    return start, end


def _norm_lang(lang: str | None) -> str:
    return re.split(r"[-_]", lang, maxsplit=1)[0].lower() if lang else ""


def segment(text: str, lang: str | None = None) -> list[Span]:
    """Sentences of ``text`` as spans; ``[]`` for empty text, one span for text with no terminator."""
    if not text:
        return []
    bounds = [0, *_cuts(text, _norm_lang(lang)), len(text)]
    spans: list[Span] = []
    pending: Span | None = None  # letterless pieces before the first real sentence
    for a, b in zip(bounds, bounds[1:]):
        start, end = _trim(text, a, b)
        if start >= end:
            continue
        if _HAS_ALNUM.search(text, start, end):
            if pending is not None:
                start, pending = pending.start, None
            spans.append(Span(start, end))
        elif spans:
            # ":)" or "!!!" after a sentence belongs to it.
            spans[-1] = Span(spans[-1].start, end)
        else:
            pending = Span(pending.start if pending else start, end)
    if pending is not None:  # nothing but emoji/punctuation: still one span, it is the review
        spans.append(pending)
    return spans


# --- clauses ------------------------------------------------------------------------------------

# lang: (conjunctions, conjunctions that only count after a comma). Russian/Ukrainian "а" and
# Romanian "iar" mean "and" as often as "but"; the comma is what makes them contrastive.
_CONJUNCTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (("but", "however", "although", "whereas"), ()),
    "ro": (("dar", "însă", "insă", "însa", "insa", "totuși", "totusi"), ("iar",)),
    "pl": (("ale", "jednak", "lecz", "natomiast"), ()),
    "ru": (("но", "однако", "зато"), ("а",)),
    "uk": (("але", "проте", "однак", "зате"), ("а",)),
    "fa": (("اما", "ولی", "ولي", "ولیکن", "لیکن"), ()),
    "ar": (("لكن", "ولكن", "بينما"), ()),
    "de": (("aber", "jedoch", "sondern", "allerdings"), ()),
    "fr": (("mais", "cependant", "pourtant", "toutefois"), ()),
    "es": (("pero", "sin embargo", "aunque", "sino"), ()),
    "it": (("ma", "però", "tuttavia"), ()),
    "pt": (("mas", "porém", "porem", "contudo", "entretanto"), ()),
    "tr": (("ama", "fakat", "ancak", "lakin"), ()),
    "hi": (("लेकिन", "मगर", "किंतु", "किन्तु", "परंतु", "परन्तु", "lekin"), ()),
    "nl": (("maar", "echter"), ()),
    "fi": (("mutta", "kuitenkin"), ()),
}
# Everyday words in another language of the set ("ma" has, "dar" give, "ale" of, "ama" loves,
# "mas" more): with the language unknown they need the comma too.
_AMBIGUOUS_ACROSS_LANGUAGES = frozenset(("ma", "dar", "ale", "ama", "mas"))


def _conjunction_pattern(always: list[str], after_comma: list[str]) -> re.Pattern[str]:
    def alt(words: list[str]) -> str:
        return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))

    parts = [f"(?<![^\\W_])(?:{alt(always)})(?![^\\W_])"]
    if after_comma:
        parts.append(f"(?<=[,،;])\\s*(?:{alt(after_comma)})(?![^\\W_])")
    return re.compile("|".join(parts), re.IGNORECASE)


def _build_patterns() -> dict[str, re.Pattern[str]]:
    patterns = {lang: _conjunction_pattern(list(a), list(c)) for lang, (a, c) in _CONJUNCTIONS.items()}
    every_comma = {w for _, c in _CONJUNCTIONS.values() for w in c} | _AMBIGUOUS_ACROSS_LANGUAGES
    every_always = {w for a, _ in _CONJUNCTIONS.values() for w in a} - every_comma
    patterns[""] = _conjunction_pattern(sorted(every_always), sorted(every_comma))
    return patterns


_CLAUSE_PATTERNS = _build_patterns()
_CLAUSE_TAIL = ",;:،؛–—-… \t\n"


def split_clauses(text: str, span: Span, lang: str | None = None) -> list[Span]:
    """Split one sentence at contrastive conjunctions ("good screen, but the battery dies").

    The conjunction opens the second clause; a split that would leave either side with fewer than
    two words (not counting the conjunction) is skipped.
    """
    pattern = _CLAUSE_PATTERNS.get(_norm_lang(lang), _CLAUSE_PATTERNS[""])
    clauses: list[Span] = []
    clause_start = span.start
    opener_words = 0  # words of the conjunction that opens the current clause
    for m in pattern.finditer(text, span.start, span.end):
        conj = m.group()
        conj_start = m.start() + len(conj) - len(conj.lstrip())
        left_end = conj_start
        while left_end > clause_start and text[left_end - 1] in _CLAUSE_TAIL:
            left_end -= 1
        if (_count_words(text[clause_start:left_end], 2 + opener_words) - opener_words < 2
                or _count_words(text[m.end():span.end]) < 2):
            continue
        clauses.append(Span(clause_start, left_end))
        clause_start = conj_start
        opener_words = len(conj.split())
    if not clauses:
        return [span]
    clauses.append(Span(clause_start, span.end))
    return clauses
