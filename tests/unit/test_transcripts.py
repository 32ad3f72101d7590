"""Transcript parsing (text, JSON, tables in five languages), role mapping, and the conversation roll-up
(trajectory, escalations, resolution, churn) on synthetic turn scores. The real model runs in
tests/integration/test_transcripts_e2e.py."""
import json

import pandas as pd
import pytest

from cx_nlp.batch.transcripts import (
    AGENT,
    CUSTOMER,
    Conversation,
    Turn,
    analyze_conversations,
    assign_roles,
    churn_cues,
    conversation_metrics,
    escalation_cues,
    load_conversations,
    parse_json,
    parse_text,
    resolution_cue,
    role_from_label,
    time_seconds,
    trajectory,
    transcripts_file,
)
from cx_nlp.errors import CxError

# One short chat per language, each with another timestamp style.
CHATS = {
    "en": ("[10:02] Customer: My parcel never arrived.\n"
           "[10:03] Agent: Sorry about that, let me check.\n"
           "[10:05] Customer: Thanks, that's great."),
    "pl": ("2025-03-01 10:02 Klient: Paczka nie dotarła.\n"
           "2025-03-01 10:03 Konsultant: Przepraszam, sprawdzę to.\n"
           "2025-03-01 10:06 Klient: Dziękuję bardzo."),
    "ro": ("10:02:33 Client: Coletul nu a ajuns.\n"
           "10:03:01 Operator: Îmi pare rău, verific imediat.\n"
           "10:04:10 Client: Mulțumesc."),
    "ru": ("Клиент (10:02): Посылка не пришла.\n"
           "Оператор (10:03): Извините, сейчас проверю.\n"
           "Клиент (10:07): Спасибо."),
    "fa": ("[10:02] مشتری: بسته من نرسید.\n"
           "[10:03] پشتیبان: متاسفم، بررسی می‌کنم.\n"
           "[10:06] مشتری: ممنون."),
}


@pytest.mark.parametrize("lang", sorted(CHATS))
def test_text_with_prefixes_and_timestamps(lang):
    (conv,) = parse_text(CHATS[lang], f"c-{lang}")
    assert conv.id == f"c-{lang}"
    assert len(conv.turns) == 3
    assert all(t.time for t in conv.turns)
    assert all(t.text and ":" not in t.text[:1] for t in conv.turns)
    assign_roles(conv)
    assert [t.role for t in conv.turns] == [CUSTOMER, AGENT, CUSTOMER]
    assert {t.role_source for t in conv.turns} == {"lexicon"}


def test_continuation_lines_headers_and_title():
    text = ("Chat export, 1 March 2025\n"
            "=== A-1 ===\n"
            "Customer: first line\n"
            "second line of the same turn\n"
            "Note: still the customer talking\n"
            "Agent: reply https://example.com/x\n"
            "--- A-2 ---\n"
            "Klient: inna rozmowa\n")
    convs = parse_text(text)
    assert [c.id for c in convs] == ["A-1", "A-2"]
    a1 = convs[0]
    assert [t.speaker for t in a1.turns] == ["Customer", "Agent"]
    assert a1.turns[0].text == "first line\nsecond line of the same turn\nNote: still the customer talking"
    assert a1.turns[1].text == "reply https://example.com/x"
    assert convs[1].turns[0].text == "inna rozmowa"


def test_title_line_before_first_speaker_is_not_a_turn():
    (conv,) = parse_text("Transcript of call 1234\nAgent: Hello\nCustomer: Hi")
    assert [t.speaker for t in conv.turns] == ["Agent", "Customer"]


def test_timestamps_before_and_after_speaker():
    lines = ["[10:02] Agent: a", "(10:02:33) Agent: b", "10:02 - Agent: c", "2025-03-01T10:02:33 Agent: d",
             "Agent [10:02]: e", "Agent (10:02): f", "01.03.2025 10:02 Agent: g", "10:02 PM Agent: h",
             "10:02 Amelia: i"]
    for line in lines:
        (conv,) = parse_text(line)
        (turn,) = conv.turns
        assert turn.time and turn.speaker in ("Agent", "Amelia"), line
    assert time_seconds("[10:02]") == 10 * 3600 + 120
    assert time_seconds("10:02:33") == 10 * 3600 + 153
    assert time_seconds("10:02 PM") == 22 * 3600 + 120
    assert time_seconds("2025-03-01 10:02") - time_seconds("2025-02-28 10:02") == 86400
    assert time_seconds("01.03.2025 10:02") == time_seconds("2025-03-01 10:02")
    assert time_seconds(12.5) == 12.5 and time_seconds("garbage") is None


def test_relative_seconds_pass_midnight(tmp_path):
    text = "[23:59] Customer: late\n[00:01] Agent: hello\n[00:03] Customer: bye"
    turns, convs = analyze_conversations(parse_text(text), FakeAnalyzer())
    assert turns["seconds"].tolist() == [0.0, 120.0, 240.0]
    assert convs.loc[0, "duration_s"] == 240.0


def test_json_forms(tmp_path):
    turns = [{"speaker": "Customer", "text": "Hi", "time": "10:00"}, {"speaker": "Agent", "text": "Hello"}]
    (c,) = parse_json(turns)
    assert [t.speaker for t in c.turns] == ["Customer", "Agent"] and c.turns[0].time == "10:00"
    (c,) = parse_json({"id": "x7", "turns": turns})
    assert c.id == "x7"
    convs = parse_json([{"id": "a", "turns": turns}, {"conversation_id": "b", "messages": turns[:1]}])
    assert [c.id for c in convs] == ["a", "b"] and len(convs[1].turns) == 1
    # A given role wins over the name; "user"/"assistant" are roles too.
    (c,) = parse_json([{"name": "Anna", "role": "agent", "text": "Dzień dobry"},
                       {"role": "user", "content": "Cześć"}])
    assign_roles(c)
    assert [(t.speaker, t.role, t.role_source) for t in c.turns] == [("Anna", AGENT, "given"),
                                                                      ("user", CUSTOMER, "given")]
    p = tmp_path / "chat.json"
    p.write_text(json.dumps({"turns": turns}), encoding="utf-8")
    (c,) = load_conversations(p)
    assert c.id == "chat" and len(c.turns) == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CxError, match="E401"):
        load_conversations(bad)


def test_csv_turn_rows(tmp_path):
    rows = [
        ("c1", "Klient", "Paczka nie dotarła.", "10:00"),
        ("c2", "Клиент", "Посылка не пришла.", "11:00"),
        ("c1", "Konsultant", "Sprawdzę to.", "10:01"),
        ("c2", "Оператор", "Проверю.", "11:02"),
        ("c1", "Klient", "Dziękuję!", "10:04"),
    ]
    p = tmp_path / "turns.csv"
    pd.DataFrame(rows, columns=["chat_id", "speaker", "message", "timestamp"]).to_csv(p, index=False, sep=";")
    convs = load_conversations(p)
    assert [c.id for c in convs] == ["c1", "c2"]
    assert [t.text for t in convs[0].turns] == ["Paczka nie dotarła.", "Sprawdzę to.", "Dziękuję!"]
    assert convs[1].turns[1].time == "11:02"
    with pytest.raises(CxError, match="E403"):
        load_conversations(p, speaker_col="who")


def test_table_with_one_transcript_per_row(tmp_path):
    p = tmp_path / "calls.csv"
    pd.DataFrame({"call_id": ["k1", "k2"],
                  "transcript": [CHATS["ro"], CHATS["fa"]]}).to_csv(p, index=False)
    convs = load_conversations(p)
    assert [c.id for c in convs] == ["k1", "k2"]
    assert [len(c.turns) for c in convs] == [3, 3]


def test_folder_of_transcripts(tmp_path):
    (tmp_path / "a.txt").write_text(CHATS["en"], encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps([{"speaker": "Client", "text": "Bună"}]), encoding="utf-8")
    convs = load_conversations(tmp_path)
    assert [c.id for c in convs] == ["a", "b"]


# ----------------------------------------------------------------------------------------- roles
@pytest.mark.parametrize("label,role", [
    ("Customer", CUSTOMER), ("CLIENT", CUSTOMER), ("Klient 2", CUSTOMER), ("Klientka", CUSTOMER),
    ("Клиент", CUSTOMER), ("مشتری", CUSTOMER), ("USER", CUSTOMER), ("Caller", CUSTOMER),
    ("Agent", AGENT), ("Konsultant", AGENT), ("Operator", AGENT), ("Оператор", AGENT), ("اپراتور", AGENT),
    ("پشتیبان", AGENT), ("SYSTEM", AGENT), ("Agent Anna", AGENT), ("Support - John", AGENT),
    ("Customer Service", AGENT), ("Client advisor", AGENT), ("Obsługa klienta", AGENT), ("Консультант", AGENT),
    ("Anna", None), ("John Smith", None),
])
def test_role_lexicon(label, role):
    assert role_from_label(label) == role


def test_unknown_speakers():
    def roles(turns, **kw):
        c = assign_roles(Conversation("x", [Turn(s, t) for s, t in turns]), **kw)
        return [(t.role, t.role_source) for t in c.turns]

    # Nobody known: the first speaker is the customer (chats), or the agent when asked (calls).
    assert roles([("Anna", "Hi, my order is late"), ("Bob", "Let me check")]) == [
        (CUSTOMER, "first_speaker"), (AGENT, "first_speaker")]
    assert roles([("Anna", "Hello"), ("Bob", "Hi")], first_speaker=AGENT) == [
        (AGENT, "first_speaker"), (CUSTOMER, "first_speaker")]
    # A greeting formula marks the agent even when the agent talks first.
    assert roles([("Marta", "Dzień dobry, w czym mogę pomóc?"), ("Jan", "Paczka nie dotarła")]) == [
        (AGENT, "agent_formula"), (CUSTOMER, "other_party")]
    assert roles([("Ольга", "Здравствуйте, чем могу помочь?"), ("Иван", "Посылка не пришла")])[0][0] == AGENT
    # One known party: the unknown one is the other.
    assert roles([("Anna", "Hello?"), ("Agent", "Hi Anna")]) == [(CUSTOMER, "other_party"), (AGENT, "lexicon")]
    assert roles([("Klient", "Hej"), ("Piotr", "Dzień dobry")])[1] == (AGENT, "other_party")
    with pytest.raises(ValueError):
        roles([("A", "x")], first_speaker="bot")


# ----------------------------------------------------------------------------------------- cues
def test_cue_lexicons_in_five_languages():
    for text in ["I want to speak to your manager", "Let me talk to a supervisor", "Chcę rozmawiać z kierownikiem",
                 "Vreau să vorbesc cu șeful", "Позовите руководителя", "می‌خواهم با مدیر صحبت کنم",
                 "I'll file a complaint", "Złożę skargę", "Напишу жалобу", "شکایت می‌کنم"]:
        assert escalation_cues(text), text
    for text in ["The delivery was fine", "Dziękuję za pomoc", "судя по всему всё хорошо"]:
        assert not escalation_cues(text), text
    for text in ["I'm cancelling my subscription", "Rezygnuję z usług", "Reziliez contractul",
                 "Я расторгну договор", "اشتراکم را لغو کنید"]:
        assert churn_cues(text), text
    assert resolution_cue("Thank you, that's resolved") == "resolved"
    assert resolution_cue("Dziękuję!") == "thanks"
    assert resolution_cue("Mulțumesc mult") == "thanks"
    assert resolution_cue("Спасибо") == "thanks"
    assert resolution_cue("ممنون") == "thanks"
    assert resolution_cue("Still not resolved, thanks for nothing") == "unresolved"
    assert resolution_cue("Nadal nie działa") == "unresolved"
    assert resolution_cue("Всё ещё не работает") == "unresolved"


# ----------------------------------------------------------------------------------------- roll-up
def _turns(spec):
    """[(role, polarity, text)] -> metric input."""
    return [{"role": r, "polarity": p, "text": t} for r, p, t in spec]


def test_trajectory_start_end_slope():
    t = trajectory([-0.8, -0.6, -0.2, 0.1, 0.5, 0.9])
    assert t["start"] == pytest.approx(-0.7) and t["end"] == pytest.approx(0.7)
    assert t["trajectory"] == "improving" and t["slope"] > 1.5
    assert trajectory([0.5, 0.4, -0.6])["trajectory"] == "worsening"
    assert trajectory([0.1, 0.0, 0.15])["trajectory"] == "stable"
    assert trajectory([0.3])["trajectory"] == "single_turn"
    assert trajectory([])["trajectory"] == "no_customer_turns"
    flat = trajectory([0.2] * 9)
    assert flat["slope"] == pytest.approx(0.0) and flat["delta"] == pytest.approx(0.0)


def test_recovery_conversation():
    summary, notes = conversation_metrics(_turns([
        (CUSTOMER, -0.7, "My parcel is a week late."),
        (AGENT, 0.1, "Sorry, let me check."),
        (CUSTOMER, -0.5, "I want to speak to a manager."),
        (AGENT, 0.2, "It arrives tomorrow, and shipping is refunded."),
        (CUSTOMER, 0.8, "Thank you, great!"),
    ]))
    assert summary["trajectory"] == "improving"
    assert summary["start_label"] == "negative" and summary["end_label"] == "positive"
    assert summary["escalations"] == 1 and summary["first_escalation_turn"] == 2
    assert notes[2]["escalation"] == "cue:manager"
    assert summary["resolved"] and summary["resolution_signal"] == "thanks"
    assert not summary["churn_cue"]
    assert summary["customer_turns"] == 3 and summary["agent_turns"] == 2
    assert summary["mean_agent_sentiment"] == pytest.approx(0.15)


def test_sharp_drop_is_an_escalation_and_churn_blocks_resolution():
    summary, notes = conversation_metrics(_turns([
        (CUSTOMER, 0.3, "Hi, a question about my bill."),
        (AGENT, 0.0, "Sure."),
        (CUSTOMER, -0.6, "This is the third time you overcharge me!"),
        (AGENT, -0.1, "I understand."),
        (CUSTOMER, -0.4, "Thanks, but I'm cancelling."),
    ]))
    assert notes[2]["escalation"] == "sentiment_drop"
    assert summary["trajectory"] == "worsening"
    assert summary["churn_cue"] and summary["churn_turn"] == 4
    assert not summary["resolved"] and summary["resolution_signal"] == "churn"


def test_resolution_rules():
    def resolved(spec):
        return conversation_metrics(_turns(spec))[0]["resolved"]

    assert resolved([(CUSTOMER, -0.5, "broken"), (AGENT, 0, "fixed it"), (CUSTOMER, 0.0, "Dziękuję")])
    assert resolved([(CUSTOMER, -0.5, "broken"), (CUSTOMER, 0.6, "ok great")])          # positive end
    assert not resolved([(CUSTOMER, -0.5, "broken"), (CUSTOMER, -0.8, "Thanks for nothing")])   # negative thanks
    assert not resolved([(CUSTOMER, -0.5, "broken"), (CUSTOMER, 0.1, "Спасибо, но всё ещё не работает")])
    assert not resolved([(CUSTOMER, 0.5, "ok"), (AGENT, 0.3, "anything else?"), (CUSTOMER, 0.6, "I want a manager")])
    assert not resolved([(AGENT, 0.3, "Hello")])                                           # no customer at all
    # Unscored customer turns are skipped by the trajectory but still read for cues.
    s, _ = conversation_metrics(_turns([(CUSTOMER, None, ""), (CUSTOMER, -0.2, "meh"), (CUSTOMER, None, "ممنون")]))
    assert s["customer_turns_scored"] == 1 and s["trajectory"] == "single_turn" and s["resolved"]


# ----------------------------------------------------------------------------------------- end to end (fake model)
class _R:
    def __init__(self, d):
        self._d = d

    def to_dict(self):
        return self._d


class FakeAnalyzer:
    """Polarity from words, enough to test the plumbing (the real model: integration tests)."""
    emotion_thresholds = {}

    def predict(self, texts):
        out = []
        for t in texts:
            if not isinstance(t, str) or not t.strip():
                out.append(_R({"text": "", "lang": None, "status": "empty_text", "status_message": "empty",
                               "sentiment": None, "emotions": None, "touchpoints": [], "sentences": [], "signals": []}))
                continue
            low = t.lower()
            pos = 0.8 if any(w in low for w in ("thank", "great", "dzięk", "спасиб", "ممنون")) else 0.1
            neg = 0.8 if any(w in low for w in ("late", "never", "nie dotar", "не приш", "نرسید")) else 0.1
            neu = max(0.0, 1 - pos - neg)
            label = max((("negative", neg), ("neutral", neu), ("positive", pos)), key=lambda kv: kv[1])[0]
            out.append(_R({"text": t, "lang": "en", "status": "ok", "status_message": "",
                           "sentiment": {"label": label, "score": max(pos, neg, neu),
                                         "scores": {"negative": neg, "neutral": neu, "positive": pos}},
                           "emotions": {}, "touchpoints": [], "sentences": [], "signals": []}))
        return out


def test_transcripts_file_writes_both_tables(tmp_path):
    src = tmp_path / "chats.txt"
    src.write_text("\n".join(f"=== {k} ===\n{v}" for k, v in CHATS.items()) + "\n=== empty ===\nAgent:\n",
                   encoding="utf-8")
    out = tmp_path / "conv.parquet"
    summary = transcripts_file(src, out, FakeAnalyzer(), progress=False)
    turns = pd.read_parquet(tmp_path / "conv.turns.parquet")
    convs = pd.read_parquet(out)
    assert summary["conversations"] == 6 and summary["turns"] == 16 == len(turns)
    assert convs["conversation_id"].tolist() == ["en", "pl", "ro", "ru", "fa", "empty"]
    assert turns["conversation_id"].tolist()[:3] == ["en"] * 3 and turns["turn"].tolist()[:3] == [0, 1, 2]
    assert set(turns["role"]) == {CUSTOMER, AGENT}
    en = convs.set_index("conversation_id").loc["en"]
    assert en["trajectory"] == "improving" and en["resolved"] and en["duration_s"] == 180.0
    assert convs.set_index("conversation_id").loc["empty", "trajectory"] == "no_customer_turns"
    assert summary["failed"] == {"empty_text": 1}
    # CSV output: formula-looking turn text is defused like every table cx_nlp writes.
    src2 = tmp_path / "evil.json"
    src2.write_text(json.dumps([{"speaker": "Customer", "text": "=HYPERLINK(\"x\")"}]), encoding="utf-8")
    transcripts_file(src2, tmp_path / "e.csv", FakeAnalyzer(), turns_out=tmp_path / "e_turns.csv", progress=False)
    assert "'=HYPERLINK" in (tmp_path / "e_turns.csv").read_text(encoding="utf-8-sig")
