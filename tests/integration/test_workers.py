"""--workers 2 writes the same bytes as --workers 1 with the real bundled model (~40 rows, 5 languages)."""
import pandas as pd
import pytest

from cx_nlp.batch import score_file
from cx_nlp.batch.engines import AnalyzerSpec, threads_per_worker

pytestmark = pytest.mark.integration

TEXTS = [
    "Kurier spóźnił się dwa dni, ale obsługa była miła.",
    "Świetny sklep, szybka dostawa, polecam.",
    "Курьер опоздал на два дня, но поддержка была вежливой.",
    "Ужасное качество, вернул товар и до сих пор жду деньги.",
    "پیک دو روز دیر کرد اما پشتیبانی مودب بود.",
    "Curierul a întârziat două zile, dar personalul a fost amabil.",
    "The delivery was late and the box was damaged.",
    "I had to call support three times to get a refund.",
    "",
    "Great price and the staff in the store were very helpful!",
]


def test_two_workers_byte_identical_to_one(analyzer, tmp_path, capsys):
    rows = [{"id": f"r{i:03d}", "comment": TEXTS[i % len(TEXTS)] + ("" if i < 20 else f" ({i % 3})"),
             "channel": ["web", "app"][i % 2], "nps": str(i % 11)} for i in range(40)]
    src = tmp_path / "in.csv"
    pd.DataFrame(rows).to_csv(src, index=False)
    common = dict(chunk_rows=6, progress=False, segment_col="channel", score_col="nps")
    one = score_file(src, tmp_path / "w1.csv", analyzer, sentences_out=tmp_path / "s1.parquet", **common)
    two = score_file(src, tmp_path / "w2.csv", AnalyzerSpec(), workers=2, sentences_out=tmp_path / "s2.parquet",
                     **common)
    with capsys.disabled():
        print(f"\n  real model, 40 rows: 1 worker {one['rows_per_s']} rows/s (model already loaded), "
              f"2 workers {two['rows_per_s']} rows/s (including two model loads)")
    assert (tmp_path / "w1.csv").read_bytes() == (tmp_path / "w2.csv").read_bytes()
    assert (tmp_path / "s1.parquet").read_bytes() == (tmp_path / "s2.parquet").read_bytes()
    assert one["rows"] == two["rows"] == 40 and one["failed"] == two["failed"] == {"empty_text": 2}
    assert two["threads_per_worker"] == threads_per_worker(2)
    back = pd.read_csv(tmp_path / "w2.csv", dtype=str, keep_default_na=False)
    assert back["id"].tolist() == [r["id"] for r in rows]
