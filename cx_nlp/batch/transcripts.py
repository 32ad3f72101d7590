"""Support chats and call transcripts: parse turns, map speakers to roles, score turns, roll up per conversation.

Inputs (``load_conversations``):

* **text** with speaker prefixes, one turn per line, optional timestamps before or after the speaker::

      [10:02] Klient: Paczka nie dotarła.
      2025-03-01 10:02:33 Konsultant: Sprawdzę to.
      Оператор (10:03): Чем могу помочь?

  A line without a prefix continues the previous turn. A line ``=== id ===`` / ``### id`` / ``--- id ---``
  starts a new conversation (several chats in one .txt file). A folder: one conversation per .txt/.json file.
* **JSON**: a turn list ``[{"speaker", "text", "time"}]``, ``{"id", "turns": [...]}``, or a list of those;
  JSONL: one ``{"id", "turns"}`` per line, or one turn per line (then read as a table).
* **tables** (CSV/TSV/XLSX/JSONL/Parquet): one row per turn (conversation id, speaker, text, time; the
  columns are detected by name or given), or, without a speaker column, one transcript text per row.

Roles (``assign_roles``), in this order:

1. the speaker label holds a word of the multilingual role lexicon (``Customer``, ``Klient``, ``Client``,
   ``Клиент``, ``مشتری``, ``USER`` -> customer; ``Agent``, ``Konsultant``, ``Operator``, ``Оператор``,
   ``اپراتور``, ``پشتیبان``, ``SYSTEM`` -> agent; "customer service" and the like -> agent, and agent words win
   over customer words in one label, e.g. "Client advisor");
2. an unknown speaker whose first turn is an agent formula ("how can I help", "w czym mogę pomóc",
   "чем могу помочь", "my name is", ...) is an agent;
3. when the other party is already known, an unknown speaker takes the other role;
4. otherwise the first unknown speaker to talk is the **customer** (``first_speaker="customer"``, the
   default: a chat is opened by the customer) and other unknown speakers are agents. Calls are opened by the
   agent ("Thank you for calling ..."): rule 2 usually catches them; pass ``first_speaker="agent"`` for
   call exports with bare names and no greeting.

The ``role_source`` column says which rule decided, so a wrong guess is visible.

Per conversation (``conversation_metrics``), over the customer turns that could be scored, with
polarity = p(positive) - p(negative) in [-1, 1]:

* **start / end**: mean polarity of the first and of the last third of the customer turns (at least one
  turn each); **slope**: least-squares slope of polarity against the turn's position scaled to 0..1;
  **trajectory**: ``improving`` / ``worsening`` (end - start >= 0.25 / <= -0.25), ``stable``, ``single_turn``
  or ``no_customer_turns``;
* **escalation moments**: a customer turn whose polarity falls by >= 0.5 from the previous customer turn
  (``sentiment_drop``), or any turn with an escalation cue (manager, supervisor, complaint, kierownik,
  skarga, reclamație, руководитель, жалоба, مدیر, شکایت, ...);
* **resolved**: one of the last two customer turns thanks or says it is solved ("thank you", "dziękuję",
  "mulțumesc", "спасибо", "ممنون", "resolved", ...) without being negative, or the last one is clearly
  positive; and the last customer turn is neither an escalation, a churn cue, nor "still not resolved";
* **churn cue**: a customer turn says they leave (cancel, rezygnuję, reziliez, расторгну, لغو, ...), or the
  analyzer flagged churn in it.
"""
from __future__ import annotations

import json
import math
import re
import time as _time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from ..errors import CxError
from .flatten import COLUMNS

CUSTOMER, AGENT = "customer", "agent"
TRAJECTORY_DELTA = 0.25    # end - start needed to call a conversation improving / worsening
DROP = 0.5                 # fall in customer polarity between consecutive customer turns = escalation moment
POSITIVE_END = 0.3         # last customer turn at least this positive counts as a resolution signal
NEGATIVE = -0.3            # a thanks in a turn below this is not a resolution ("thanks for nothing")
LABEL_BAND = 0.2           # |polarity| below this reads as neutral in the start/end labels


# ----------------------------------------------------------------------------------------- data
@dataclass
class Turn:
    speaker: str
    text: str
    time: str | None = None
    role: str | None = None
    role_source: str | None = None
    seconds: float | None = None   # from the conversation's first timestamp, when times parse


@dataclass
class Conversation:
    id: str
    turns: list[Turn] = field(default_factory=list)


# ----------------------------------------------------------------------------------------- lexicons
def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKC", str(s)).casefold()
    # Persian/Arabic variants of the same letters; zero-width joiners out.
    s = s.replace("ي", "ی").replace("ك", "ک").replace("\u200c", " ").replace("\u200f", "").replace("\u200e", "")
    return s


# Prefixes of speaker-label words (casefolded). A label word starting with one of these names the role.
_AGENT_WORDS = (
    "agent", "operator", "support", "advisor", "adviser", "representative", "rep", "consultant", "assistant",
    "bot", "system", "csr", "staff", "specialist", "associate", "helpdesk", "service", "supervisor", "manager",
    "expert", "employee", "moderator", "admin", "seller", "sales", "technician", "cashier", "receptionist",
    # pl
    "konsultant", "doradca", "doradczyni", "obsługa", "pracownik", "asystent", "wsparcie", "sprzedawca",
    "infolinia", "kierownik", "technik",
    # ro
    "consilier", "asistent", "reprezentant", "vânzător", "angajat", "suport", "operatorul", "agentul",
    # ru
    "оператор", "консультант", "специалист", "менеджер", "поддержка", "сотрудник", "агент", "бот",
    "ассистент", "продавец", "техподдержка", "администратор",
    # fa
    "اپراتور", "پشتیبان", "کارشناس", "مشاور", "نماینده", "ربات", "کارمند", "فروشنده", "اپراتور",
)
_CUSTOMER_WORDS = (
    "customer", "client", "user", "caller", "consumer", "buyer", "guest", "member", "patient", "visitor",
    "cust", "shopper", "subscriber", "passenger",
    # pl
    "klient", "kupujący", "użytkownik", "abonent", "pasażer", "rozmówca", "zgłaszający", "dzwoniący",
    # ro
    "utilizator", "cumpărător", "apelant", "abonat",
    # ru
    "клиент", "покупатель", "абонент", "пользователь", "заказчик", "гость", "пассажир", "посетитель",
    # fa
    "مشتری", "کاربر", "مشترک", "خریدار", "مراجعه", "تماس گیرنده",
)
_AGENT_PHRASES = ("customer service", "customer support", "customer care", "client service", "obsługa klienta",
                  "biuro obsługi", "serviciul clienți", "relații clienți", "служба поддержки", "служба клиент",
                  "поддержка клиент", "خدمات مشتری", "پشتیبانی مشتری")
_EXACT = {"c": CUSTOMER, "u": CUSTOMER, "a": AGENT, "me": CUSTOMER, "я": CUSTOMER, "من": CUSTOMER}

_AGENT_FORMULAS = re.compile("|".join([
    r"how (?:can|may) i (?:help|assist)", r"thank(?:s| you) for (?:calling|contacting|choosing|your patience)",
    r"\bmy name is\b", r"\bthis is \w+ (?:from|speaking)", r"what can i do for you",
    r"w czym (?:mogę|moge) (?:pomóc|pomoc)", r"nazywam się", r"dziękuj(?:ę|e|emy) za (?:kontakt|telefon|cierpliwość)",
    r"cu ce (?:vă|va|te) (?:pot|putem) ajuta", r"(?:vă|va) mulțumim (?:că|pentru)", r"numele meu este",
    r"чем (?:я )?могу (?:вам )?помочь", r"меня зовут", r"спасибо за обращение", r"слушаю вас",
    r"چطور (?:می ?توانم|میتونم) (?:کمک|به شما کمک)", r"چه کمکی", r"در خدمت(?:تان| شما)?", r"اسم من",
]))

_ESCALATION = re.compile(r"(?<!\w)(?:" + "|".join([
    r"manager", r"supervisor", r"superior", r"escalat\w*", r"complain\w*", r"complaint", r"lawyer", r"attorney",
    r"legal action", r"\bsue\b", r"ombudsman", r"regulator", r"someone in charge", r"higher up",
    # pl
    r"kierownik\w*", r"przełożon\w*", r"skarg\w*", r"reklamacj\w*", r"rzecznik\w*", r"prawnik\w*", r"uokik",
    r"menedżer\w*", r"szef\w*",
    # ro
    r"șef\w*", r"sef\w*", r"superiorul\w*", r"reclamați\w*", r"reclamati\w*", r"plângere\w*", r"plangere\w*",
    r"anpc", r"avocat\w*", r"managerul\w*",
    # ru
    r"руководител\w*", r"начальник\w*", r"старш\w+ (?:смены|менеджер\w*|специалист\w*)", r"жалоб\w*",
    r"претензи\w*", r"юрист\w*", r"в суд\b", r"судебн\w*", r"роспотребнадзор\w*", r"управляющ\w*",
    # fa
    r"مدیر\w*", r"سرپرست\w*", r"شکایت\w*", r"مسئول\w*", r"وکیل\w*", r"دادگاه\w*",
]) + r")", re.IGNORECASE)

_THANKS = re.compile(r"(?<!\w)(?:" + "|".join([
    r"thank\w*", r"thx", r"appreciate\w*", r"cheers", r"great help", r"that helps", r"that helped",
    r"dzięk\w*", r"dziek\w*", r"mulțum\w*", r"multum\w*", r"mersi", r"спасиб\w*", r"благодар\w*",
    r"ممنون\w*", r"مرسی", r"سپاس\w*", r"متشکر\w*", r"تشکر\w*", r"merci",
]) + r")", re.IGNORECASE)

_RESOLVED = re.compile(r"(?<!\w)(?:" + "|".join([
    r"resolved", r"solved", r"fixed", r"works now", r"working now", r"sorted", r"all good", r"problem solved",
    r"rozwiązan\w*", r"rozwiązał\w*", r"załatwion\w*", r"działa już", r"już działa",
    r"rezolvat\w*", r"funcționează acum", r"merge acum",
    r"решен\w*", r"решил\w*", r"заработал\w*", r"теперь работает", r"всё работает", r"все работает",
    r"حل شد", r"درست شد", r"مشکل حل", r"رفع شد",
]) + r")", re.IGNORECASE)

_UNRESOLVED = re.compile("|".join([
    r"\b(?:not|never|isn't|wasn't|hasn't been|still not|nothing) (?:\w+ )?(?:resolved|solved|fixed|working|sorted)",
    r"\bunresolved\b", r"\bstill (?:doesn't|does not|don't|broken|waiting)",
    r"\bnie (?:\w+ )?(?:rozwiązan|rozwiązał|załatwion|działa)", r"\bnadal nie\b", r"\bwciąż nie\b",
    r"\bnu (?:s-a |a fost |e |este )?(?:rezolvat|funcționează|merge)", r"\bîncă nu\b",
    r"\bне (?:\w+ )?(?:решен|решил|работает|заработал)", r"\bдо сих пор не\b", r"\bвсё ещё не\b", r"\bвсе еще не\b",
    r"حل نشد", r"درست نشد", r"هنوز\s+\S*\s*نشده", r"کار نمی ?کند",
]), re.IGNORECASE)

_CHURN = re.compile(r"(?<!\w)(?:" + "|".join([
    r"cancel\w*", r"close my account", r"i(?:'m| am) leaving", r"switch(?:ing)? to", r"never again",
    r"unsubscribe", r"terminate my", r"last time i", r"take my business elsewhere", r"go(?:ing)? elsewhere",
    r"rezygnuj\w*", r"zrezygnuj\w*", r"wypowiem\w*", r"wypowiadam\w*", r"nigdy więcej", r"odchodzę",
    r"przechodzę do", r"zamykam konto", r"rozwiązuję umowę",
    r"reziliez\w*", r"anulez\w*", r"renunț\w*", r"niciodată", r"închid contul", r"trec la",
    r"отказываюсь", r"расторг\w*", r"ухожу", r"больше никогда", r"перейду", r"отпишусь", r"закрою сч[её]т",
    r"лучше уйду",
    r"لغو\w*", r"دیگر هرگز", r"دیگه هرگز", r"قطع (?:می ?کنم|اشتراک)", r"انصراف", r"حسابم را (?:ببندید|می ?بندم)",
]) + r")", re.IGNORECASE)


def _cues(pattern: re.Pattern, text: str) -> list[str]:
    seen: list[str] = []
    for m in pattern.finditer(_fold(text)):
        w = m.group(0)
        if w not in seen:
            seen.append(w)
    return seen


def escalation_cues(text: str) -> list[str]:
    return _cues(_ESCALATION, text)


def churn_cues(text: str) -> list[str]:
    return _cues(_CHURN, text)


def is_thanks(text: str) -> bool:
    return bool(_THANKS.search(_fold(text)))


def resolution_cue(text: str) -> str | None:
    """"unresolved", "resolved", "thanks" or None for one customer turn (the negative form wins)."""
    t = _fold(text)
    if _UNRESOLVED.search(t):
        return "unresolved"
    if _RESOLVED.search(t):
        return "resolved"
    if _THANKS.search(t):
        return "thanks"
    return None


def role_from_label(label: str) -> str | None:
    """customer / agent / None from a speaker label such as "Klient", "Agent Anna", "Оператор 2"."""
    t = _fold(label).strip()
    if not t:
        return None
    if any(p in t for p in _AGENT_PHRASES):
        return AGENT
    if t in _EXACT:
        return _EXACT[t]
    words = [w.rstrip("0123456789") for w in re.split(r"[\W_]+", t) if w]
    words = [w for w in words if w]
    agent = any(w.startswith(p) for w in words for p in _AGENT_WORDS)
    customer = any(w.startswith(p) for w in words for p in _CUSTOMER_WORDS)
    if not agent and not customer and " " in t:   # multi-word Persian entries ("تماس گیرنده")
        customer = any(p in t for p in _CUSTOMER_WORDS if " " in p)
    if agent:
        return AGENT
    if customer:
        return CUSTOMER
    return None


# ----------------------------------------------------------------------------------------- times
_DATE = r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}"
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,3})?)?(?:\s?[AaPp]\.?[Mm]\.?(?!\w))?"
_STAMP = rf"(?:(?:{_DATE})(?:[ T]|,\s?)(?:{_CLOCK})(?:Z|[+-]\d{{2}}:?\d{{2}})?|{_CLOCK})"
_STAMP_RE = re.compile(rf"^(?P<d>{_DATE})?(?:[ T]|,\s?)?(?P<h>\d{{1,2}}):(?P<m>\d{{2}})(?::(?P<s>\d{{2}})(?:[.,](?P<f>\d{{1,3}}))?)?"
                       rf"(?:\s?(?P<ap>[AaPp])\.?[Mm]\.?)?")

_LINE = re.compile(
    rf"^\s*(?:(?:\[(?P<t1>{_STAMP})\]|\((?P<t2>{_STAMP})\)|(?P<t3>{_STAMP}))\s*[-–—|]?\s*)?"
    rf"(?P<speaker>[^\W\d_][^:：\[\]()\n]{{0,40}}?)\s*(?:\[(?P<t4>{_STAMP})\]|\((?P<t5>{_STAMP})\))?\s*[:：](?:\s+|$)"
    rf"(?P<text>.*)$")
_HEADER = re.compile(r"^\s*(?:={3,}|#{2,}|-{3,})\s*(?P<id>.*?)\s*(?:={3,}|#{2,}|-{3,})?\s*$")
_BIDI = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff"))


def time_seconds(value: Any) -> float | None:
    """Seconds on one clock from a timestamp ("10:02", "[10:02:33]", "2025-03-01 10:02", 12.5) or None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if hasattr(value, "timestamp"):
        try:
            return float(value.timestamp())
        except (TypeError, ValueError, OverflowError):
            return None
    s = str(value).strip().strip("[]()")
    try:
        return float(s)
    except ValueError:
        pass
    m = _STAMP_RE.match(s)
    if not m:
        return None
    h, mi = int(m["h"]), int(m["m"])
    sec = int(m["s"] or 0) + (int(m["f"]) / 10 ** len(m["f"]) if m["f"] else 0.0)
    if m["ap"]:
        h = h % 12 + (12 if m["ap"].lower() == "p" else 0)
    day = 0.0
    if m["d"]:
        d = m["d"]
        try:
            if "-" in d:
                y, mo, dd = (int(x) for x in d.split("-"))
            else:
                dd, mo, y = (int(x) for x in re.split(r"[./]", d))
                y += 2000 if y < 100 else 0
            import datetime as _dt
            day = float((_dt.date(y, mo, dd) - _dt.date(1970, 1, 1)).days * 86400)
        except ValueError:
            return None
    return day + h * 3600 + mi * 60 + sec


def _relative_times(turns: list[Turn]) -> None:
    """``seconds`` since the first timestamp; a clock without dates that passes midnight keeps counting."""
    raw = [time_seconds(t.time) for t in turns]
    known = [s for s in raw if s is not None]
    # Dates on some stamps only ("10:02" then "2025-03-01 10:09"): compare clock times of day.
    mixed = known and any(s >= 86400 for s in known) and any(s < 86400 for s in known)
    t0 = prev = None
    offset = 0.0
    for t, s in zip(turns, raw):
        if s is None:
            continue
        if mixed:
            s = s % 86400
        if prev is not None and s + offset < prev - 6 * 3600 and s < 86400:   # a clock passing midnight
            offset += 86400
        s += offset
        t0 = s if t0 is None else t0
        prev = s
        t.seconds = round(s - t0, 3)


# ----------------------------------------------------------------------------------------- parsing
def _is_name(label: str) -> bool:
    words = label.split()
    if not 1 <= len(words) <= 3:
        return False
    # Capitalised words (Latin, Cyrillic) or uncased scripts (Persian); "note", "ps" in lower case are not names.
    return all(w[0].isupper() or not w[0].islower() for w in words if w[0].isalpha())


def _speakers(lines: list[str]) -> set[str]:
    """Which line-start labels of one conversation are speakers (folded).

    A label is a speaker when it is in the role lexicon, carries a timestamp, or starts two or more
    lines; a name-like label seen once counts only while fewer than two speakers are known otherwise,
    so "Note: ..." inside a customer's message stays text.
    """
    counts: Counter = Counter()
    strong: set[str] = set()
    names: list[str] = []
    for line in lines:
        m = _LINE.match(line)
        if not m:
            continue
        label = " ".join(m["speaker"].split())
        key = _fold(label)
        counts[key] += 1
        stamp = any(m[g] for g in ("t1", "t2", "t3", "t4", "t5"))
        if role_from_label(label) is not None or (stamp and len(label.split()) <= 4):
            strong.add(key)
        elif _is_name(label) and key not in names:
            names.append(key)
    strong |= {k for k in names if counts[k] >= 2}
    for k in names:
        if k not in strong and len(strong) < 2:
            strong.add(k)
    return strong


def parse_text(text: str, conversation_id: str = "0") -> list[Conversation]:
    """Conversations in a transcript text (usually one; header lines such as ``=== 17 ===`` start another)."""
    segments: list[tuple[str | None, list[str]]] = [(None, [])]
    for raw in str(text).splitlines():
        line = raw.translate(_BIDI).rstrip()
        if not line.strip():
            continue
        h = _HEADER.match(line)
        if h and not _LINE.match(line):
            segments.append((h["id"], []))
        else:
            segments[-1][1].append(line)
    # Lines before the first header without any speaker are a file title, not a conversation.
    if len(segments) > 1 and not _speakers(segments[0][1]):
        segments = segments[1:]
    convs: list[Conversation] = []
    for n, (cid, lines) in enumerate(segments):
        if cid is None and n == 0:
            cid = str(conversation_id)
        cur = Conversation(str(cid) if cid else f"{conversation_id}-{n}")
        speakers = _speakers(lines)
        for line in lines:
            m = _LINE.match(line)
            if m and _fold(" ".join(m["speaker"].split())) in speakers:
                label = " ".join(m["speaker"].split())
                stamp = next((m[g] for g in ("t1", "t2", "t3", "t4", "t5") if m[g]), None)
                cur.turns.append(Turn(speaker=label, text=m["text"].strip(), time=stamp))
            elif cur.turns:     # a continuation line of the current turn
                t = cur.turns[-1]
                t.text = f"{t.text}\n{line.strip()}" if t.text else line.strip()
            else:               # text before any speaker: kept only if no speaker ever appears
                cur.turns.append(Turn(speaker="", text=line.strip()))
        # A title line before the first prefixed turn ("Chat transcript, 1 March") is not a turn.
        if len(cur.turns) > 1 and cur.turns[0].speaker == "" and any(t.speaker for t in cur.turns[1:]):
            cur.turns = cur.turns[1:]
        if cur.turns or len(segments) == 1:
            convs.append(cur)
    return convs


_SPEAKER_KEYS = ("speaker", "role", "author", "from", "sender", "participant", "name", "user", "who", "party")
_TEXT_KEYS = ("text", "message", "content", "body", "utterance", "msg", "transcript", "value")
_TIME_KEYS = ("time", "timestamp", "ts", "date", "datetime", "created_at", "at", "start", "start_time")
_ID_KEYS = ("id", "conversation_id", "conv_id", "chat_id", "call_id", "dialog_id", "dialogue_id", "session_id",
            "ticket_id", "thread_id")
_TURNS_KEYS = ("turns", "messages", "utterances", "dialog", "dialogue", "conversation", "transcript")


def _first_key(d: Mapping, keys: Sequence[str]) -> Any:
    lower = {str(k).lower(): k for k in d}
    for k in keys:
        if k in lower:
            return d[lower[k]]
    return None


def _turn_from_json(d: Any) -> Turn:
    if isinstance(d, str):     # a bare string turn: parse its prefix
        convs = parse_text(d)
        ts = convs[0].turns if convs else []
        return ts[0] if len(ts) == 1 else Turn(speaker="", text=d)
    if not isinstance(d, Mapping):
        raise ValueError(f"a turn must be an object or a string, not {type(d).__name__}")
    speaker = _first_key(d, [k for k in _SPEAKER_KEYS if k != "role"])
    if isinstance(speaker, Mapping):
        speaker = _first_key(speaker, ("name", "role", "id"))
    role_value = _first_key(d, ("role", "speaker_role", "type"))
    role = role_from_label(str(role_value)) if isinstance(role_value, str) else None
    if speaker is None:
        speaker = role_value
    text = _first_key(d, _TEXT_KEYS)
    tm = _first_key(d, _TIME_KEYS)
    return Turn(speaker="" if speaker is None else str(speaker), text="" if text is None else str(text),
                time=None if tm is None else str(tm), role=role, role_source="given" if role else None)


def parse_json(obj: Any, default_id: str = "0") -> list[Conversation]:
    """Conversations from parsed JSON: a turn list, {"turns": [...]}, or a list of conversations."""
    if isinstance(obj, Mapping):
        turns = _first_key(obj, _TURNS_KEYS)
        cid = _first_key(obj, _ID_KEYS)
        cid = default_id if cid is None else str(cid)
        if isinstance(turns, str):
            return parse_text(turns, cid)
        if isinstance(turns, list):
            return [Conversation(cid, [_turn_from_json(t) for t in turns])]
        for k in ("conversations", "chats", "calls", "data", "items"):
            if isinstance(obj.get(k), list):
                return parse_json(obj[k], default_id)
        raise ValueError("a JSON conversation needs a 'turns' (or 'messages') list")
    if isinstance(obj, list):
        if not obj:
            return []
        if all(isinstance(x, Mapping) and _first_key(x, _TURNS_KEYS) is not None for x in obj):
            out: list[Conversation] = []
            for i, x in enumerate(obj):
                out.extend(parse_json(x, f"{default_id}-{i}" if default_id != "0" else str(i)))
            return out
        if all(isinstance(x, list) for x in obj):
            return [Conversation(str(i), [_turn_from_json(t) for t in x]) for i, x in enumerate(obj)]
        return [Conversation(default_id, [_turn_from_json(t) for t in obj])]
    if isinstance(obj, str):
        return parse_text(obj, default_id)
    raise ValueError(f"unsupported JSON transcript: {type(obj).__name__}")


_CONV_COLS = ("conversation_id", "conversation", "conv_id", "chat_id", "call_id", "dialog_id", "dialogue_id",
              "session_id", "ticket_id", "thread_id", "case_id", "interaction_id", "id_rozmowy", "id_czatu")
_SPEAKER_COLS = ("speaker", "role", "author", "sender", "from", "participant", "speaker_role", "party", "who",
                 "mówca", "nadawca", "rola", "vorbitor", "говорящий", "роль", "отправитель", "گوینده", "فرستنده")
_TIME_COLS = ("time", "timestamp", "ts", "datetime", "date", "created_at", "sent_at", "start", "start_time", "czas",
              "ora", "время", "زمان")


def _pick(columns: Sequence[str], given: str | None, names: Sequence[str], what: str, path: Path) -> str | None:
    if given is not None:
        if given not in columns:
            raise CxError("E403", f"{path.name}: no {what} column {given!r}; the columns are {list(columns)}")
        return given
    from ..io.columns import normalise_name
    by_norm = {normalise_name(c): c for c in columns}
    for n in names:
        c = by_norm.get(normalise_name(n))
        if c is not None:
            return c
    return None


def conversations_from_table(df: pd.DataFrame, path: Path, conversation_col: str | None = None,
                             speaker_col: str | None = None, text_col: str | None = None,
                             time_col: str | None = None) -> list[Conversation]:
    """Turn rows grouped by conversation (file order kept), or one transcript text per row."""
    cols = [str(c) for c in df.columns]
    spk = _pick(cols, speaker_col, _SPEAKER_COLS, "speaker", path)
    conv = _pick(cols, conversation_col, _CONV_COLS if spk else _CONV_COLS + ("id",), "conversation id", path)
    tcol = _pick(cols, time_col, _TIME_COLS, "time", path) if spk else None
    if text_col is None:
        turns_key = _pick(cols, None, _TURNS_KEYS, "turns", path)
        if turns_key is not None and not spk:     # JSONL with a turn list per line
            out: list[Conversation] = []
            for i, row in enumerate(df.to_dict("records")):
                cid = str(row[conv]) if conv else str(i)
                val = row[turns_key]
                if isinstance(val, str) and val.lstrip().startswith("["):
                    try:
                        val = json.loads(val)
                    except ValueError:
                        pass
                out.extend(parse_json({"id": cid, "turns": val}, cid))
            return out
        from ..io.columns import detect_text_column
        text_col = detect_text_column(df, exclude=[c for c in (spk, conv, tcol) if c])
        if text_col is None:
            raise CxError("E404", f"{path.name}: none of the columns {cols} holds the turn text",
                          hint="name it with --text-col")
    elif text_col not in cols:
        raise CxError("E403", f"{path.name}: no text column {text_col!r}; the columns are {cols}")
    if not spk:                                    # one transcript text per row
        out = []
        for i, row in enumerate(df.to_dict("records")):
            cid = str(row[conv]) if conv else str(i)
            val = row[text_col]
            out.extend(parse_text("" if val is None or (isinstance(val, float) and math.isnan(val)) else str(val), cid))
        return out
    groups: dict[str, Conversation] = {}
    for row in df.to_dict("records"):
        cid = str(row[conv]) if conv else "0"
        c = groups.setdefault(cid, Conversation(cid))
        text = row[text_col]
        text = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
        tm = row[tcol] if tcol else None
        tm = None if tm is None or (isinstance(tm, float) and math.isnan(tm)) or tm == "" else str(tm)
        sp = row[spk]
        c.turns.append(Turn(speaker="" if sp is None else str(sp), text=text, time=tm))
    return list(groups.values())


def _read_json_file(path: Path) -> list[Conversation]:
    raw = path.read_text(encoding="utf-8-sig")
    try:
        obj = json.loads(raw)
    except ValueError as exc:
        raise CxError("E401", f"{path}: not valid JSON ({exc})") from exc
    try:
        return parse_json(obj, path.stem)
    except ValueError as exc:
        raise CxError("E401", f"{path}: {exc}") from exc


def _read_text_file(path: Path) -> list[Conversation]:
    from ..io.encoding import sniff_encoding
    with open(path, "rb") as fh:
        enc = sniff_encoding(fh)
    return parse_text(path.read_bytes().decode(enc.name, errors=enc.errors), path.stem)


def load_conversations(path: str | Path, conversation_col: str | None = None, speaker_col: str | None = None,
                       text_col: str | None = None, time_col: str | None = None) -> list[Conversation]:
    """Conversations from a .txt/.json file, a table of turns or transcripts, or a folder of .txt/.json files."""
    p = Path(path)
    if p.is_dir():
        out: list[Conversation] = []
        for f in sorted(p.iterdir()):
            if f.suffix.lower() == ".txt":
                out.extend(_read_text_file(f))
            elif f.suffix.lower() == ".json":
                out.extend(_read_json_file(f))
        if not out:
            raise CxError("E401", f"{p}: no .txt or .json transcripts in this folder")
        return out
    if not p.is_file():
        raise CxError("E401", f"{p}: no such file")
    suffix = p.suffix.lower()
    if suffix == ".json":
        return _read_json_file(p)
    if suffix == ".txt":
        head = p.read_bytes()[:4096].decode("utf-8", errors="replace")
        if not re.search(r"[\t;,|]", head.splitlines()[0] if head.splitlines() else ""):
            return _read_text_file(p)
        # A .txt whose first line looks like a header row: first try it as a transcript anyway.
        convs = _read_text_file(p)
        if sum(len(c.turns) for c in convs) > 1 and any(t.speaker for c in convs for t in c.turns):
            return convs
    from ..io.readers import read_table
    df = read_table(p, detect_text=False).read()
    return conversations_from_table(df, p, conversation_col, speaker_col, text_col, time_col)


# ----------------------------------------------------------------------------------------- roles
def assign_roles(conv: Conversation, first_speaker: str = CUSTOMER) -> Conversation:
    """Set ``role`` (customer/agent) and ``role_source`` on every turn (rules in the module docstring)."""
    if first_speaker not in (CUSTOMER, AGENT):
        raise ValueError("first_speaker must be 'customer' or 'agent'")
    order: list[str] = []
    first_text: dict[str, str] = {}
    for t in conv.turns:
        k = _fold(t.speaker).strip()
        if k not in first_text:
            order.append(k)
            first_text[k] = t.text
    roles: dict[str, tuple[str, str]] = {}
    for t in conv.turns:       # a role given by the source (JSON "role": "agent") wins
        if t.role in (CUSTOMER, AGENT) and t.role_source == "given":
            roles.setdefault(_fold(t.speaker).strip(), (t.role, "given"))
    for k in order:
        if k in roles:
            continue
        r = role_from_label(k)
        if r:
            roles[k] = (r, "lexicon")
    for k in order:
        if k not in roles and _AGENT_FORMULAS.search(_fold(first_text[k])):
            roles[k] = (AGENT, "agent_formula")
    unknown = [k for k in order if k not in roles]
    if unknown:
        known = {r for r, _ in roles.values()}
        if known == {AGENT}:
            roles[unknown[0]] = (CUSTOMER, "other_party")
            unknown = unknown[1:]
            for k in unknown:
                roles[k] = (AGENT, "other_party")
        elif known == {CUSTOMER}:
            for k in unknown:
                roles[k] = (AGENT, "other_party")
        elif not known:
            other = AGENT if first_speaker == CUSTOMER else CUSTOMER
            roles[unknown[0]] = (first_speaker, "first_speaker")
            for k in unknown[1:]:
                roles[k] = (other, "first_speaker")
        else:
            for k in unknown:   # both roles already present: a third party we cannot place
                roles[k] = ("other", "unknown")
    for t in conv.turns:
        t.role, t.role_source = roles[_fold(t.speaker).strip()]
    return conv


# ----------------------------------------------------------------------------------------- metrics
def _mean(xs: Sequence[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def trajectory(polarities: Sequence[float]) -> dict[str, Any]:
    """Start/end (first/last third), slope over positions 0..1 and a label, for customer polarities in order."""
    n = len(polarities)
    if n == 0:
        return {"start": None, "end": None, "delta": None, "slope": None, "trajectory": "no_customer_turns"}
    k = max(1, n // 3)
    start, end = _mean(polarities[:k]), _mean(polarities[-k:])
    if n == 1:
        return {"start": start, "end": end, "delta": 0.0, "slope": 0.0, "trajectory": "single_turn"}
    xs = [i / (n - 1) for i in range(n)]
    mx, my = _mean(xs), _mean(polarities)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, polarities)) / sum((x - mx) ** 2 for x in xs)
    delta = end - start
    label = "improving" if delta >= TRAJECTORY_DELTA else "worsening" if delta <= -TRAJECTORY_DELTA else "stable"
    return {"start": start, "end": end, "delta": delta, "slope": slope, "trajectory": label}


def polarity_label(p: float | None) -> str:
    if p is None:
        return ""
    return "positive" if p >= LABEL_BAND else "negative" if p <= -LABEL_BAND else "neutral"


def conversation_metrics(turns: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Roll up one conversation's scored turns.

    ``turns``: dicts with ``role``, ``text``, ``polarity`` (None when the turn could not be scored) and
    optionally ``signals`` (the analyzer's ";"-joined signal names). Returns (conversation summary, per-turn
    annotations: escalation, thanks, churn, resolution cue).
    """
    notes: list[dict[str, Any]] = []
    cust_idx = [i for i, t in enumerate(turns) if t.get("role") == CUSTOMER]
    scored = [i for i in cust_idx if turns[i].get("polarity") is not None]
    pol = [float(turns[i]["polarity"]) for i in scored]
    prev: float | None = None
    escalations: list[tuple[int, str]] = []
    churn_turn = None
    for i, t in enumerate(turns):
        text = t.get("text") or ""
        reasons = [f"cue:{c}" for c in escalation_cues(text)]
        p = t.get("polarity")
        if t.get("role") == CUSTOMER and p is not None:
            if prev is not None and p - prev <= -DROP:
                reasons.insert(0, "sentiment_drop")
            prev = p
        churn = []
        if t.get("role") == CUSTOMER:
            churn = churn_cues(text)
            if not churn and "churn" in str(t.get("signals") or ""):
                churn = ["signal"]
            if churn and churn_turn is None:
                churn_turn = i
        if reasons:
            escalations.append((i, ";".join(reasons)))
        notes.append({"escalation": ";".join(reasons), "churn_cue": ";".join(churn),
                      "resolution_cue": (resolution_cue(text) or "") if t.get("role") == CUSTOMER else ""})
    traj = trajectory(pol)

    resolved, signal = False, ""
    if cust_idx:
        last = cust_idx[-1]
        blocked = (notes[last]["escalation"] or notes[last]["churn_cue"]
                   or notes[last]["resolution_cue"] == "unresolved")
        for i in reversed(cust_idx[-2:]):
            cue, p = notes[i]["resolution_cue"], turns[i].get("polarity")
            if cue in ("resolved", "thanks") and (p is None or p > NEGATIVE):
                resolved, signal = True, cue
                break
        lp = turns[last].get("polarity")
        if not resolved and lp is not None and lp >= POSITIVE_END:
            resolved, signal = True, "positive_end"
        if blocked:
            resolved = False
            signal = ("unresolved" if notes[last]["resolution_cue"] == "unresolved"
                      else "churn" if notes[last]["churn_cue"] else "escalation")

    agent_pol = [float(t["polarity"]) for t in turns if t.get("role") == AGENT and t.get("polarity") is not None]
    summary = {
        "turns": len(turns), "customer_turns": len(cust_idx),
        "agent_turns": sum(1 for t in turns if t.get("role") == AGENT),
        "customer_turns_scored": len(scored),
        "start_sentiment": _r(traj["start"]), "end_sentiment": _r(traj["end"]),
        "start_label": polarity_label(traj["start"]), "end_label": polarity_label(traj["end"]),
        "sentiment_change": _r(traj["delta"]), "slope": _r(traj["slope"]), "trajectory": traj["trajectory"],
        "mean_customer_sentiment": _r(_mean(pol)), "min_customer_sentiment": _r(min(pol) if pol else None),
        "mean_agent_sentiment": _r(_mean(agent_pol)),
        "escalations": len(escalations), "first_escalation_turn": escalations[0][0] if escalations else None,
        "escalation_reasons": " | ".join(f"{i}:{r}" for i, r in escalations),
        "resolved": resolved, "resolution_signal": signal,
        "churn_cue": churn_turn is not None, "churn_turn": churn_turn,
    }
    return summary, notes


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)


# ----------------------------------------------------------------------------------------- scoring
TURN_COLUMNS = ["conversation_id", "turn", "speaker", "role", "role_source", "time", "seconds", "text"]
TURN_EXTRA = ["polarity", "escalation", "churn_cue", "resolution_cue"]
CONVERSATION_COLUMNS = [
    "conversation_id", "lang", "turns", "customer_turns", "agent_turns", "customer_turns_scored", "failed_turns",
    "start_sentiment", "end_sentiment", "start_label", "end_label", "sentiment_change", "slope", "trajectory",
    "mean_customer_sentiment", "min_customer_sentiment", "mean_agent_sentiment", "escalations",
    "first_escalation_turn", "escalation_reasons", "resolved", "resolution_signal", "churn_cue", "churn_turn",
    "duration_s", "speakers",
]


def polarity_of(row: Mapping[str, Any]) -> float | None:
    """p(positive) - p(negative) of a flat cx_* row, None when it was not scored."""
    if row.get("cx_status") != "ok":
        return None
    pp, pn = row.get("cx_p_positive"), row.get("cx_p_negative")
    if pp is None or pn is None:
        return None
    return round(float(pp) - float(pn), 4)


def analyze_conversations(conversations: Sequence[Conversation], analyzer, first_speaker: str = CUSTOMER,
                          batch_turns: int = 512, progress: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(turn table, conversation table) for parsed conversations; every turn is scored once per distinct text."""
    from .score import ChunkScorer, _Progress

    for c in conversations:
        assign_roles(c, first_speaker)
        _relative_times(c.turns)
    flat_turns = [(c, i, t) for c in conversations for i, t in enumerate(c.turns)]
    scorer = ChunkScorer(analyzer, cache_size=100_000)
    bar = _Progress(progress, len(flat_turns))
    scored: list[dict] = []
    try:
        for s in range(0, len(flat_turns), batch_turns):
            batch = flat_turns[s:s + batch_turns]
            scored.extend(row for row, _ in scorer.score([t.text for _, _, t in batch]))
            bar.advance(len(batch), len(scored))
    finally:
        bar.stop(len(scored))

    turn_rows: list[dict] = []
    conv_rows: list[dict] = []
    k = 0
    for c in conversations:
        rows = scored[k:k + len(c.turns)]
        k += len(c.turns)
        pol = [polarity_of(r) for r in rows]
        mturns = [{"role": t.role, "text": t.text, "polarity": p, "signals": r.get("cx_signals")}
                  for t, r, p in zip(c.turns, rows, pol)]
        summary, notes = conversation_metrics(mturns)
        for i, (t, r, p, note) in enumerate(zip(c.turns, rows, pol, notes)):
            turn_rows.append({"conversation_id": c.id, "turn": i, "speaker": t.speaker, "role": t.role,
                              "role_source": t.role_source, "time": t.time, "seconds": t.seconds, "text": t.text,
                              **r, "polarity": p, **note})
        langs = Counter(r["cx_lang"] for t, r in zip(c.turns, rows) if r["cx_status"] == "ok" and t.role == CUSTOMER)
        langs = langs or Counter(r["cx_lang"] for r in rows if r["cx_status"] == "ok")
        secs = [t.seconds for t in c.turns if t.seconds is not None]
        speakers: dict[str, str] = {}
        for t in c.turns:
            speakers.setdefault(t.speaker, t.role)
        conv_rows.append({"conversation_id": c.id, "lang": langs.most_common(1)[0][0] if langs else "",
                          **summary, "failed_turns": sum(1 for r in rows if r["cx_status"] != "ok"),
                          "duration_s": (max(secs) - min(secs)) if len(secs) > 1 else None,
                          "speakers": ";".join(f"{s or '?'}={r}" for s, r in speakers.items())})
    turns_df = pd.DataFrame(turn_rows, columns=TURN_COLUMNS + COLUMNS + TURN_EXTRA)
    conv_df = pd.DataFrame(conv_rows, columns=CONVERSATION_COLUMNS)
    for col in ("seconds", "polarity"):
        turns_df[col] = pd.to_numeric(turns_df[col], errors="coerce").astype("float64")
    for col in ("start_sentiment", "end_sentiment", "sentiment_change", "slope", "mean_customer_sentiment",
                "min_customer_sentiment", "mean_agent_sentiment", "duration_s"):
        conv_df[col] = pd.to_numeric(conv_df[col], errors="coerce").astype("float64")
    for col in ("first_escalation_turn", "churn_turn"):
        conv_df[col] = conv_df[col].astype("Int64")
    return turns_df, conv_df


def default_turns_path(output: str | Path) -> Path:
    """``chats.csv`` -> ``chats.turns.csv`` (``.csv.gz`` kept as a whole suffix)."""
    p = Path(output)
    suffix = "".join(p.suffixes[-2:]) if p.suffixes[-1:] == [".gz"] else p.suffix
    stem = p.name[: len(p.name) - len(suffix)] if suffix else p.name
    return p.with_name(f"{stem}.turns{suffix}")


def transcripts_file(input: str | Path, output: str | Path, analyzer, turns_out: str | Path | None = None,
                     conversation_col: str | None = None, speaker_col: str | None = None,
                     text_col: str | None = None, time_col: str | None = None, first_speaker: str = CUSTOMER,
                     progress: bool = True) -> dict[str, Any]:
    """Parse, score and roll up transcripts; write the conversation table (``output``) and the turn table.

    ``analyzer``: a loaded analyzer or a factory (``AnalyzerSpec``), loaded after the input parsed.
    """
    from ..io.readers import table_format
    from ..io.writers import check_not_input, write_table
    from .engines import load_analyzer

    t0 = _time.perf_counter()
    src, dst = Path(input), Path(output)
    tdst = Path(turns_out) if turns_out is not None else default_turns_path(dst)
    table_format(dst)
    table_format(tdst)
    if not src.is_dir():
        check_not_input(dst, src)
        check_not_input(tdst, src, dst)
    convs = load_conversations(src, conversation_col, speaker_col, text_col, time_col)
    convs = [c for c in convs if c.turns]
    turns_df, conv_df = analyze_conversations(convs, load_analyzer(analyzer), first_speaker=first_speaker,
                                              progress=progress)
    in_path = None if src.is_dir() else src
    write_table(turns_df, tdst, input_path=in_path)
    write_table(conv_df, dst, input_path=in_path)
    statuses = Counter(turns_df["cx_status"].tolist())
    seconds = _time.perf_counter() - t0
    return {
        "input": str(src), "output": str(dst), "turns_output": str(tdst), "conversations": len(conv_df),
        "turns": len(turns_df), "customer_turns": int((turns_df["role"] == CUSTOMER).sum()),
        "agent_turns": int((turns_df["role"] == AGENT).sum()),
        "ok_turns": statuses.get("ok", 0), "failed": {k: v for k, v in sorted(statuses.items()) if k != "ok"},
        "trajectories": dict(Counter(conv_df["trajectory"])), "escalated": int((conv_df["escalations"] > 0).sum()),
        "resolved": int(conv_df["resolved"].sum()), "churn_cues": int(conv_df["churn_cue"].sum()),
        "roles_guessed": int(turns_df["role_source"].isin(["first_speaker", "other_party", "unknown"]).sum()),
        "seconds": round(seconds, 3),
    }


__all__ = ["Turn", "Conversation", "parse_text", "parse_json", "load_conversations", "conversations_from_table",
           "assign_roles", "role_from_label", "trajectory", "conversation_metrics", "analyze_conversations",
           "transcripts_file", "escalation_cues", "churn_cues", "resolution_cue", "time_seconds"]
