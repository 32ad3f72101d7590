"""score_file + build_report end to end on the real bundled model (a ~60-row multilingual CSV)."""
import pandas as pd
import pytest

from cx_nlp.batch import COLUMNS, score_file
from cx_nlp.io import read_table
from cx_nlp.report import build_report

pytestmark = pytest.mark.integration

TEXTS = [
    "Kurier spóźnił się dwa dni, ale obsługa była miła.",
    "Fatalna obsługa klienta, nikt nie odbiera telefonu. Nigdy więcej!",
    "Świetny sklep, szybka dostawa, polecam.",
    "Курьер опоздал на два дня, но поддержка была вежливой.",
    "Ужасное качество, вернул товар и до сих пор жду деньги.",
    "Отличный магазин, всё пришло вовремя.",
    "پیک دو روز دیر کرد اما پشتیبانی مودب بود.",
    "کیفیت محصول عالی بود و قیمت مناسب.",
    "Curierul a întârziat două zile, dar personalul a fost amabil.",
    "Produs de calitate slabă, nu recomand.",
    "The delivery was late and the box was damaged.",
    "Great price and the staff in the store were very helpful!",
    "=HYPERLINK(\"http://evil\",\"click\") terrible app, it crashes at checkout",
    "I had to call support three times to get a refund.",
    "",
    "12345",
]


class Interrupting:
    """The real analyzer, killed (KeyboardInterrupt) on its n-th predict call."""

    def __init__(self, analyzer, kill_on: int):
        self.analyzer, self.kill_on, self.calls = analyzer, kill_on, 0
        self.emotion_thresholds = analyzer.emotion_thresholds
        self.manifest = analyzer.manifest

    def predict(self, texts):
        self.calls += 1
        if self.calls == self.kill_on:
            raise KeyboardInterrupt("simulated kill")
        return self.analyzer.predict(texts)


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    d = tmp_path_factory.mktemp("e2e")
    rows = [{"id": f"{i:05d}", "opinion": TEXTS[i % len(TEXTS)] + ("" if i < len(TEXTS) else f" #{i % 5}"),
             "date": f"2024-{1 + i % 3:02d}-{1 + i % 28:02d}", "channel": ["web", "app", "store"][i % 3],
             "rating": str(1 + i % 5)} for i in range(60)]
    rows[30]["opinion"] = TEXTS[0]            # duplicates are scored once
    path = d / "export.csv"
    pd.DataFrame(rows).to_csv(path, index=False, sep=";")
    return d, path


def test_score_and_report(analyzer, export, capsys):
    d, src = export
    out = d / "scored.csv"
    summary = score_file(src, out, analyzer, chunk_rows=25, sentences_out=d / "sentences.parquet", progress=False)
    with capsys.disabled():
        print(f"\n  real model: {summary['rows']} rows in {summary['seconds']}s = {summary['rows_per_s']} rows/s")
    back = read_table(out).read()
    assert len(back) == 60 and summary["rows"] == 60
    assert list(back.columns) == ["id", "opinion", "date", "channel", "rating"] + COLUMNS
    assert back["id"].tolist() == [f"{i:05d}" for i in range(60)]
    assert summary["text_col"] == "opinion"
    assert summary["cache_hits"] >= 1
    ok = back[back.cx_status == "ok"]
    assert len(ok) >= 55
    assert back.loc[14, "cx_status"] == "empty_text"
    assert set(ok.cx_sentiment) <= {"negative", "neutral", "positive"}
    assert back.loc[12, "opinion"].startswith("'=HYPERLINK")      # defused in the CSV output
    assert {"pl", "ru", "fa", "ro", "en"} <= set(ok.cx_lang)
    sents = pd.read_parquet(d / "sentences.parquet")
    assert sents["row_id"].nunique() == len(ok)

    res = build_report(out, d / "report.html", segment_col="channel", png_dir=d / "png")
    assert res["aggregates"]["kpis"]["rows"] == 60
    assert res["aggregates"]["columns"]["date"] == "date"
    assert len(res["pngs"]) >= 5


def test_resume_matches_uninterrupted_run(analyzer, export):
    d, src = export
    full = d / "full.parquet"
    score_file(src, full, analyzer, chunk_rows=20, progress=False)
    out = d / "resumed.parquet"
    with pytest.raises(KeyboardInterrupt):
        score_file(src, out, Interrupting(analyzer, kill_on=2), chunk_rows=20, progress=False)
    summary = score_file(src, out, analyzer, chunk_rows=20, resume=True, progress=False)
    assert summary["resumed_chunks"] == 1
    assert out.read_bytes() == full.read_bytes()
