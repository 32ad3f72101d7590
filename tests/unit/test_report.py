"""The HTML report from a hand-made scored table: escaping, self-containment, aggregates, PNGs."""
import json
import re

import pandas as pd
import pytest

from cx_nlp.errors import CxError
from cx_nlp.io import write_table
from cx_nlp.report import build_report
from cx_nlp.report.aggregate import aggregate
from cx_nlp.report.build import safe_json

EMOTIONS = ["anger", "anticipation", "disgust", "fear", "joy", "sadness", "surprise", "trust"]
XSS1 = "<script>alert(1)</script>"
XSS2 = "</script><img src=x onerror=alert(1)>"


def scored_frame(n=40):
    rows = []
    labels = ["negative", "neutral", "positive"]
    for i in range(n):
        label = labels[i % 3]
        p = {s: 0.1 for s in labels}
        p[label] = 0.8 - (i % 7) / 100
        text = {0: f"Awful {XSS1} courier {i}", 1: f"{XSS2} ok {i}"}.get(i % 5, f"review number {i} text")
        rows.append({
            "id": f"{i:04d}", "review": text, "created": f"2024-{1 + i % 4:02d}-{1 + i % 27:02d}",
            "channel": ["web", "app", "<b>store</b>", XSS2][i % 4], "rating": str(1 + i % 5),
            "cx_lang": ["en", "pl", "ru", "fa"][i % 4], "cx_status": "empty_text" if i == 7 else "ok",
            "cx_status_message": "", "cx_sentiment": label, "cx_sentiment_score": p[label],
            "cx_p_negative": p["negative"], "cx_p_neutral": p["neutral"], "cx_p_positive": p["positive"],
            "cx_emotions": "joy;trust" if label == "positive" else ("anger" if label == "negative" else ""),
            **{f"cx_{e}": (0.7 if e == "anger" and label == "negative" else 0.2) for e in EMOTIONS},
            "cx_touchpoints": "delivery_logistics:negative;customer_support:positive" if i % 2 else "price_value:neutral",
            "cx_n_sentences": 2, "cx_signals": "",
        })
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    d = tmp_path_factory.mktemp("report")
    res = build_report(scored_frame(), d / "report.html", segment_col="channel", png_dir=d / "png")
    return res, (d / "report.html").read_text(encoding="utf-8")


def test_payloads_never_appear_unescaped(report):
    _, html = report
    assert XSS1 not in html
    assert XSS2 not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html          # shown as text in the quotes table
    # Exactly the three script blocks of the template; nothing opened by user text.
    assert len(re.findall(r"<script\b", html)) == 3
    assert "<b>store</b>" not in html


def test_self_contained(report):
    _, html = report
    assert "plotly.js v" in html[:5_000_000]
    assert html.count("plotly.js v") == 1                           # inlined once
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=[\"']?https?:", html)
    assert "default-src 'none'" in html


def test_chart_data_is_valid_json_and_inert(report):
    _, html = report
    block = re.search(r'<script type="application/json" id="cx-data">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and ">" not in block
    data = json.loads(block)
    ids = [c["id"] for c in data["charts"]]
    for cid in ("chart-sentiment", "chart-emotions", "chart-touchpoints", "chart-languages", "chart-trend",
                "chart-segments", "chart-score"):
        assert cid in ids
        assert f'id="{cid}"' in html


def test_pngs_written(report):
    res, _ = report
    names = sorted(p.name for p in res["pngs"])
    assert names == sorted(["sentiment.png", "emotions.png", "touchpoints.png", "journey.png", "drivers.png",
                            "languages.png", "trend.png", "segments.png", "score_by_sentiment.png"])
    for p in res["pngs"]:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 1000


def test_aggregates():
    df = scored_frame(30)
    agg = aggregate(df, segment_col="channel")
    k = agg["kpis"]
    assert k["rows"] == 30 and k["scored"] == 29
    labels = df.loc[df.cx_status == "ok", "cx_sentiment"]
    expect = round(100 * ((labels == "positive").sum() - (labels == "negative").sum()) / len(labels), 1)
    assert k["net_sentiment"] == expect
    assert agg["columns"]["date"] == "created" and agg["columns"]["score"] == "rating"
    assert agg["columns"]["text"] == "review"
    tp = {t["name"]: t for t in agg["touchpoints"]}
    assert tp["delivery_logistics"]["net"] == -100.0 and tp["customer_support"]["net"] == 100.0
    assert agg["quotes"]["negative"][0]["text"].startswith("Awful")
    assert all(len(q["text"]) <= 300 for q in agg["quotes"]["negative"] + agg["quotes"]["positive"])
    assert sum(s["count"] for s in agg["segments"]) == 29


def test_report_from_scored_csv_file(tmp_path):
    path = tmp_path / "scored.csv"
    write_table(scored_frame(), path)              # CSV round trip: everything comes back as text
    out = tmp_path / "r.html"
    res = build_report(path, out, segment_col="channel")
    assert res["aggregates"]["kpis"]["scored"] == 39
    assert XSS2 not in out.read_text(encoding="utf-8")
    with pytest.raises(CxError) as e:
        build_report(path, tmp_path / "r2.html", segment_col="nope")
    assert e.value.code == "E702"
    with pytest.raises(CxError) as e:
        build_report(path, path)
    assert e.value.code == "E402"


def test_not_a_scored_table(tmp_path):
    with pytest.raises(CxError) as e:
        build_report(pd.DataFrame({"text": ["a"]}), tmp_path / "r.html")
    assert e.value.code == "E701"


def test_safe_json_escapes_breakout():
    s = str(safe_json({"t": "</script><b>&\u2028"}))
    assert "<" not in s and ">" not in s and "&" not in s and "\u2028" not in s
    assert json.loads(s) == {"t": "</script><b>&\u2028"}
