"""Transcripts end to end with the real model: five short chats (en, pl, ro, ru, fa) -> turn and conversation tables."""
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from cx_nlp.batch.transcripts import transcripts_file

pytestmark = pytest.mark.integration

CHATS = """=== en-recovered ===
[09:00] Customer: My order arrived broken and nobody answers my emails. This is terrible.
[09:01] Agent: I'm very sorry about that. Let me check your order.
[09:03] Customer: I want to speak to a manager.
[09:04] Agent: I have sent a replacement today and refunded the shipping.
[09:05] Customer: Thank you so much, that's great service!
=== pl-churn ===
Klient: Dzień dobry, mam pytanie o fakturę.
Konsultant: Dzień dobry, w czym mogę pomóc?
Klient: Znowu naliczyliście mi podwójną opłatę! To skandal, jestem wściekły.
Konsultant: Rozumiem, przekażę reklamację.
Klient: Nie, dziękuję. Rezygnuję z usług i wypowiadam umowę.
=== ro-ok ===
10:00:01 Client: Bună ziua, coletul meu nu a ajuns.
10:00:40 Operator: Bună ziua, verific imediat.
10:02:15 Operator: Coletul va fi livrat mâine dimineață.
10:03:00 Client: Mulțumesc mult, sunteți foarte amabili!
=== ru-escalation ===
Клиент: Здравствуйте, я жду возврат денег уже месяц.
Оператор: Здравствуйте! Чем могу помочь?
Клиент: Это ужасно, позовите руководителя, я напишу жалобу!
Оператор: Соединяю вас со старшим специалистом.
=== fa-thanks ===
مشتری: سلام، سفارشم دیر رسید و بسته‌بندی خراب بود.
پشتیبان: سلام، عذرخواهی می‌کنم. هزینه ارسال را برگرداندیم.
مشتری: ممنون، مشکل حل شد.
"""


def test_transcripts_end_to_end(analyzer, tmp_path):
    src = tmp_path / "chats.txt"
    src.write_text(CHATS, encoding="utf-8")
    out = tmp_path / "conversations.csv"
    summary = transcripts_file(src, out, analyzer, progress=False)
    convs = pd.read_csv(out, keep_default_na=False).set_index("conversation_id")
    turns = pd.read_csv(tmp_path / "conversations.turns.csv", keep_default_na=False)
    assert summary["conversations"] == 5 and summary["turns"] == len(turns) == 21
    assert summary["ok_turns"] == 21 and summary["roles_guessed"] == 0
    assert list(convs.index) == ["en-recovered", "pl-churn", "ro-ok", "ru-escalation", "fa-thanks"]
    assert dict(zip(convs.index, convs["lang"])) == {"en-recovered": "en", "pl-churn": "pl", "ro-ok": "ro",
                                                     "ru-escalation": "ru", "fa-thanks": "fa"}
    # Roles: the customer's turns never carry the agent's label.
    assert (turns.loc[turns.speaker.isin(["Customer", "Klient", "Client", "Клиент", "مشتری"]), "role"] == "customer").all()
    assert (turns.loc[turns.speaker.isin(["Agent", "Konsultant", "Operator", "Оператор", "پشتیبان"]), "role"] == "agent").all()
    en = convs.loc["en-recovered"]
    assert en["trajectory"] == "improving" and en["start_label"] == "negative" and en["end_label"] == "positive"
    assert en["escalations"] >= 1 and "manager" in en["escalation_reasons"]
    assert str(en["resolved"]) == "True" and float(en["duration_s"]) == 300.0
    pl = convs.loc["pl-churn"]
    assert str(pl["churn_cue"]) == "True" and str(pl["resolved"]) == "False"
    assert convs.loc["ru-escalation", "escalations"] >= 1 and str(convs.loc["ru-escalation", "resolved"]) == "False"
    assert str(convs.loc["ro-ok", "resolved"]) == "True" and str(convs.loc["fa-thanks", "resolved"]) == "True"
    assert convs.loc["ro-ok", "agent_turns"] == 2 and convs.loc["ro-ok", "customer_turns"] == 2


def test_transcripts_cli_on_a_turn_table(analyzer, tmp_path):
    from cx_nlp.cli import app

    rows = [{"conversation_id": "k1", "speaker": "Customer", "text": "The app crashes at checkout, third time today.",
             "time": "2025-03-01 10:00"},
            {"conversation_id": "k1", "speaker": "Agent", "text": "Sorry! Please update to version 5.2.",
             "time": "2025-03-01 10:02"},
            {"conversation_id": "k1", "speaker": "Customer", "text": "Updated, it works now. Thanks!",
             "time": "2025-03-01 10:09"}]
    src = tmp_path / "turns.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    res = CliRunner().invoke(app, ["transcripts", str(src), "-o", str(tmp_path / "c.parquet"),
                                   "--turns", str(tmp_path / "t.xlsx")])
    assert res.exit_code == 0, res.output
    c = pd.read_parquet(tmp_path / "c.parquet")
    assert c.loc[0, "turns"] == 3 and bool(c.loc[0, "resolved"]) and c.loc[0, "duration_s"] == 540.0
    assert (tmp_path / "t.xlsx").stat().st_size > 0
