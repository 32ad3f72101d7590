"""Readers and writers: formats, encodings, delimiters, text columns, malformed files, formula defusing."""
import codecs
import gzip
import json

import openpyxl
import pandas as pd
import pytest

from cx_nlp.errors import CxError
from cx_nlp.io import read_table, write_table
from cx_nlp.io.columns import detect_text_column
from cx_nlp.io.encoding import sniff_encoding
from cx_nlp.io.writers import TableWriter, defuse

PL = "Kurier spóźnił się dwa dni, ale obsługa była miła. Zażółć gęślą jaźń!"
RU = "Курьер опоздал на два дня, но поддержка была вежливой."
FA = "پیک دو روز دیر کرد اما پشتیبانی مودب بود."
RO = "Curierul a întârziat două zile, dar personalul a fost amabil."
FR = "Très bon accueil, à refaire. Le café était génial, ça va être très cher."


def _frame():
    return pd.DataFrame({
        "id": ["00123", "00124", "7"],
        "review": [PL, RU, FA],
        "stars": ["5", "1", "3"],
    })


# ----------------------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("ext", ["csv", "tsv", "xlsx", "jsonl", "parquet", "csv.gz", "jsonl.gz"])
def test_round_trip_keeps_values_and_ids(tmp_path, ext):
    df = _frame()
    path = tmp_path / f"t.{ext}"
    write_table(df, path)
    reader = read_table(path)
    back = reader.read()
    assert list(back.columns) == ["id", "review", "stars"]
    assert back["id"].tolist() == ["00123", "00124", "7"]          # leading zeros survive
    assert back["review"].tolist() == [PL, RU, FA]
    assert reader.text_col == "review"


def test_chunks_stream_in_order(tmp_path):
    df = pd.DataFrame({"id": [str(i) for i in range(23)], "text": [f"text {i} is long enough" for i in range(23)]})
    for ext in ("csv", "jsonl", "parquet", "xlsx"):
        path = tmp_path / f"c.{ext}"
        write_table(df, path)
        chunks = list(read_table(path, chunksize=10))
        assert [len(c) for c in chunks] == [10, 10, 3], ext
        assert pd.concat(chunks)["id"].tolist() == df["id"].tolist(), ext


def test_jsonl_keeps_types_and_nested_values(tmp_path):
    path = tmp_path / "n.jsonl"
    rows = [{"id": "007", "text": "good", "meta": {"a": 1}, "n": 1},
            {"id": "008", "text": "bad", "meta": None, "n": 2.5, "extra": "x"}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    back = read_table(path).read()
    assert back["id"].tolist() == ["007", "008"]
    assert back["n"].tolist() == [1, 2.5]
    assert json.loads(back["meta"][0]) == {"a": 1}
    assert "extra" in back.columns


# ----------------------------------------------------------------------------------------- encodings
def _csv_bytes(text: str, enc: str, delim: str = ",") -> bytes:
    return f'id{delim}text\n1{delim}"{text}"\n2{delim}"{text}"\n'.encode(enc)


@pytest.mark.parametrize("text,enc", [(PL, "cp1250"), (RO.replace("ț", "ţ"), "cp1250"), (RU, "cp1251"),
                                      (FA.replace("ی", "ي").replace("ک", "ك"), "cp1256"), (FR, "cp1252")])
def test_code_page_sniffing(tmp_path, text, enc):
    path = tmp_path / "cp.csv"
    path.write_bytes(_csv_bytes(text, enc))
    reader = read_table(path)
    assert reader.encoding.name == enc
    assert reader.read()["text"].tolist() == [text, text]


@pytest.mark.parametrize("enc,bom", [("utf-8-sig", codecs.BOM_UTF8), ("utf-16", b"")])
def test_bom_and_utf16(tmp_path, enc, bom):
    path = tmp_path / "u.csv"
    path.write_bytes(_csv_bytes(RU + " " + PL, enc))
    reader = read_table(path)
    back = reader.read()
    assert list(back.columns) == ["id", "text"]          # no BOM glued to the first column name
    assert back["text"][0] == RU + " " + PL


def test_utf16_without_bom(tmp_path):
    path = tmp_path / "u16.tsv"
    path.write_bytes(_csv_bytes(PL, "utf-16-le", "\t"))
    back = read_table(path).read()
    assert back["text"].tolist() == [PL, PL]


def test_mostly_utf8_with_a_broken_byte_stays_utf8(tmp_path):
    path = tmp_path / "b.csv"
    path.write_bytes(_csv_bytes(PL * 3, "utf-8") + b"3,broken \xff byte\n")
    reader = read_table(path)
    assert reader.encoding.name == "utf-8"
    assert reader.read()["text"][0] == PL * 3


def test_sniff_encoding_pure_ascii_is_utf8(tmp_path):
    import io
    assert sniff_encoding(io.BytesIO(b"a,b\n1,2\n")).name == "utf-8"


# ----------------------------------------------------------------------------------------- delimiters
@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_delimiter_sniffing(tmp_path, delim):
    text = "Dobrze, szybko; polecam | ok" if delim != "\t" else "Dobrze, szybko; polecam"
    quoted = f'"{text}"'
    path = tmp_path / "d.csv"
    path.write_text(f"id{delim}comment{delim}stars\n1{delim}{quoted}{delim}5\n2{delim}{quoted}{delim}4\n",
                    encoding="utf-8")
    reader = read_table(path)
    assert reader.delimiter == delim
    back = reader.read()
    assert list(back.columns) == ["id", "comment", "stars"]
    assert back["comment"][0] == text


# ----------------------------------------------------------------------------------------- text column
def test_text_column_by_name():
    df = pd.DataFrame({"id": ["1", "2"], "product": ["a long product title here", "another long title"],
                       "Komentarz": ["Świetna obsługa, polecam", "Kurier się spóźnił"]})
    assert detect_text_column(df) == "Komentarz"
    df2 = pd.DataFrame({"Отзыв": ["Всё отлично, спасибо", "Плохо"], "город": ["Москва", "Казань"]})
    assert detect_text_column(df2) == "Отзыв"


def test_text_column_by_length_prefers_prose_over_urls():
    df = pd.DataFrame({"url": ["https://example.com/a/very/long/path/to/product/12345"] * 2,
                       "col_b": ["The courier was late but support was kind", "Great shop, will buy again"],
                       "n": ["1", "2"]})
    assert detect_text_column(df) == "col_b"


def test_text_column_given_but_missing(tmp_path):
    path = tmp_path / "t.csv"
    write_table(_frame(), path)
    with pytest.raises(CxError) as e:
        read_table(path, text_col="body")
    assert e.value.code == "E403"


# ----------------------------------------------------------------------------------------- malformed
def test_malformed_csv_unterminated_quote_names_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('id,text\n1,"fine\nstill fine"\n2,ok\n3,"never closed\n4,more\n5,end\n', encoding="utf-8")
    with pytest.raises(CxError) as e:
        read_table(path).read()
    assert e.value.code == "E401"
    assert "bad.csv" in str(e.value) and "line 5" in str(e.value)


def test_malformed_csv_too_many_fields_names_line(tmp_path):
    path = tmp_path / "bad2.csv"
    rows = ["id,text"] + [f"{i},row {i}" for i in range(1, 30)] + ["30,a,b,c"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(CxError) as e:
        for _ in read_table(path, chunksize=7):
            pass
    assert e.value.code == "E401" and "line 31" in str(e.value)


def test_malformed_jsonl_names_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "a"}\n{"text": "b"}\n\n{"text": oops}\n', encoding="utf-8")
    with pytest.raises(CxError) as e:
        read_table(path).read()
    assert e.value.code == "E401" and "bad.jsonl" in str(e.value) and "line 4" in str(e.value)
    path.write_text('{"text": "a"}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(CxError) as e:
        read_table(path).read()
    assert "line 2" in str(e.value)


def test_truncated_parquet(tmp_path):
    good = tmp_path / "good.parquet"
    write_table(_frame(), good)
    bad = tmp_path / "trunc.parquet"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(CxError) as e:
        read_table(bad).read()
    assert e.value.code == "E401" and "trunc.parquet" in str(e.value)


def test_damaged_xlsx(tmp_path):
    good = tmp_path / "good.xlsx"
    write_table(_frame(), good)
    bad = tmp_path / "trunc.xlsx"
    bad.write_bytes(good.read_bytes()[:300])
    with pytest.raises(CxError) as e:
        read_table(bad).read()
    assert e.value.code == "E401" and "trunc.xlsx" in str(e.value)


def test_wider_first_record_is_an_error_not_an_index(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("id,text\n1,unquoted, with comma\n2,fine\n", encoding="utf-8")
    with pytest.raises(CxError) as e:
        read_table(path, text_col="text").read()
    assert "line 2" in str(e.value)


def test_unsupported_extension(tmp_path):
    path = tmp_path / "x.docx"
    path.write_text("hi")
    with pytest.raises(CxError) as e:
        read_table(path)
    assert e.value.code == "E406"


# ----------------------------------------------------------------------------------------- writers
FORMULAS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "  =HYPERLINK(\"x\")"]


def test_defuse_rules():
    for f in FORMULAS:
        assert defuse(f) == "'" + f
    for keep in ["-12", "-3.5", "+7", " -1e5 ", "hello", "a=b", "", 42, -3.0, None]:
        assert defuse(keep) == keep


def _formula_frame():
    return pd.DataFrame({"text": FORMULAS + ["plain"], "delta": [-1.5, -2, 3, 0, 1, 2, 3, -4],
                         "as_text": ["-5", "-0.25", "x", "y", "z", "w", "v", "u"]})


def test_csv_defuses_formulas_and_keeps_negative_numbers(tmp_path):
    path = tmp_path / "out.csv"
    write_table(_formula_frame(), path)
    back = read_table(path).read()
    assert back["text"].tolist()[:-1] == ["'" + f for f in FORMULAS]
    assert back["text"].tolist()[-1] == "plain"
    assert back["delta"].tolist() == ["-1.5", "-2.0", "3.0", "0.0", "1.0", "2.0", "3.0", "-4.0"]
    assert back["as_text"].tolist()[:2] == ["-5", "-0.25"]


def test_xlsx_defuses_formulas_and_keeps_negative_numbers(tmp_path):
    path = tmp_path / "out.xlsx"
    write_table(_formula_frame(), path)
    ws = openpyxl.load_workbook(path).worksheets[0]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    # (XML stores a bare CR as LF, so compare after that normalisation)
    assert [r[0] for r in rows[:-1]] == ["'" + f.replace("\r", "\n") for f in FORMULAS]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)   # no formula cell at all
    assert [r[1] for r in rows] == [-1.5, -2, 3, 0, 1, 2, 3, -4]
    assert isinstance(rows[0][1], float)
    assert [r[2] for r in rows[:2]] == ["-5", "-0.25"]


def test_output_equal_to_input_is_refused(tmp_path):
    path = tmp_path / "same.csv"
    write_table(_frame(), path)
    with pytest.raises(CxError) as e:
        write_table(_frame(), tmp_path / "." / "same.csv", input_path=path)
    assert e.value.code == "E402"
    link = tmp_path / "link.csv"
    link.symlink_to(path)
    with pytest.raises(CxError):
        write_table(_frame(), link, input_path=path)


def test_writes_are_atomic(tmp_path):
    path = tmp_path / "a.csv"
    write_table(_frame(), path)
    before = path.read_bytes()
    with pytest.raises(RuntimeError):
        with TableWriter(path) as w:
            w.write(_frame())
            raise RuntimeError("killed")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_streaming_writer_appends_chunks(tmp_path):
    df = pd.DataFrame({"id": [str(i) for i in range(10)], "text": ["x"] * 10})
    for ext in ("csv", "jsonl", "parquet", "xlsx"):
        path = tmp_path / f"s.{ext}"
        with TableWriter(path) as w:
            w.write(df.iloc[:4])
            w.write(df.iloc[4:])
        assert read_table(path).read()["id"].tolist() == df["id"].tolist(), ext


def test_gzip_csv_is_readable_by_gzip(tmp_path):
    path = tmp_path / "z.csv.gz"
    write_table(_frame(), path)
    assert gzip.decompress(path.read_bytes()).decode("utf-8-sig").startswith("id,review,stars")


@pytest.mark.parametrize("ext", ["xlsx", "csv.gz", "jsonl.gz", "parquet", "csv"])
def test_same_table_same_bytes(tmp_path, ext, monkeypatch):
    import time
    (tmp_path / "1").mkdir()
    (tmp_path / "2").mkdir()
    a, b = tmp_path / "1" / f"t.{ext}", tmp_path / "2" / f"t.{ext}"
    write_table(_frame(), a)
    monkeypatch.setattr(time, "time", lambda: 2_000_000_000.0)   # a "later" clock must not matter
    write_table(_frame(), b)
    assert a.read_bytes() == b.read_bytes()
