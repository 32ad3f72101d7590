"""The bundled sample data (data/) is reproducible, stays in sync with its generator and has what the demo needs."""
from __future__ import annotations

import csv
import importlib.util
import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
SCRIPT = ROOT / "scripts" / "make_sample_data.py"


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_sample_data", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


gen = _load_generator()


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample_a")
    gen.main(out)
    return out


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return gen.build_rows()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _read(path: Path, delim: str = ",", encoding: str = "utf-8") -> list[dict]:
    with open(path, encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delim))


def test_generator_is_deterministic(fresh, tmp_path):
    gen.main(tmp_path)
    assert _files(tmp_path) == _files(fresh)


def test_committed_files_equal_a_fresh_generation(fresh):
    generated = _files(fresh)
    for rel, data in generated.items():
        committed = DATA / rel
        assert committed.is_file(), f"data/{rel} is missing: run python scripts/make_sample_data.py"
        assert committed.read_bytes() == data, f"data/{rel} drifted from the generator: rerun it"


def test_row_counts_and_columns():
    main = _read(DATA / "sample_reviews.csv")
    small = _read(DATA / "sample_reviews_small.csv")
    assert len(main) == gen.N_ROWS == 3000
    assert len(small) == 200 and small == main[:200]
    assert list(main[0]) == gen.COLUMNS
    assert [r["review_id"] for r in main] == [f"R{i:06d}" for i in range(1, 3001)]
    assert [r["date"] for r in main] == sorted(r["date"] for r in main)
    assert main[0]["date"] >= "2025-01-01" and main[-1]["date"] <= "2026-10-31"
    assert {r["rating"] for r in main} == {"1", "2", "3", "4", "5"}
    assert {r["nps"] for r in main} <= {str(i) for i in range(11)} | {""}
    assert {r["channel"] for r in main} == {"web", "app", "store", "phone"}
    assert {r["customer_tier"] for r in main} == {"new", "regular", "vip"}
    assert (DATA / "sample_reviews.csv").stat().st_size < 3_000_000
    # pandas reads the messy file too (quoted newlines, formulas, the long row)
    df = pd.read_csv(DATA / "sample_reviews.csv", dtype=str, keep_default_na=False)
    assert len(df) == 3000 and list(df.columns) == gen.COLUMNS


def test_legacy_encoded_exports():
    main = {r["review_id"]: r for r in _read(DATA / "sample_reviews.csv")}
    for name, enc, langs in (("sample_reviews_cp1250.csv", "cp1250", "ro pl"), ("sample_reviews_cp1251.csv", "cp1251", "ru")):
        raw = (DATA / name).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        assert b"\r\n" in raw
        recs = _read(DATA / name, delim=";", encoding=enc)
        assert 45 <= len(recs) <= 55 and list(recs[0]) == gen.COLUMNS
        for r in recs:
            want = main[r["review_id"]]["review_text"]
            if enc == "cp1250":  # ș/ț are not in cp1250: written with the cedilla letters
                want = want.translate(gen._RO_CEDILLA)
            assert r["review_text"] == want
    texts = " ".join(r["review_text"] for r in _read(DATA / "sample_reviews_cp1250.csv", ";", "cp1250"))
    assert re.search("[łąęśżź]", texts) and re.search("[ăâîşţ]", texts)


def test_language_mix(rows):
    langs = Counter(r["_lang"] for r in rows)
    for code, share in {"en": 0.30, "ro": 0.15, "pl": 0.15, "ru": 0.15, "fa": 0.12}.items():
        assert abs(langs[code] / len(rows) - share) < 0.01, (code, langs[code])
    for code in ("de", "fr", "es", "uk", "it", "tr"):
        assert 50 <= langs[code] <= 80
    # and visible in the file itself: scripts and letters of each major language
    texts = [r["review_text"] for r in _read(DATA / "sample_reviews.csv")]

    def count(pat: str) -> int:
        return sum(1 for t in texts if re.search(pat, t))

    assert count("[\u0600-\u06ff]") > 300           # Persian
    assert count("[а-яё]") > 400                     # Russian (+ Ukrainian)
    assert count("[ąęłśżźń]") > 300                  # Polish
    assert count("[ăâîșț]") > 300                    # Romanian
    assert count(r"(?i)\b(the|and|was|it)\b") > 600   # English


def test_language_specific_spelling(rows):
    fa = [r["review_text"] for r in rows if r["_lang"] == "fa" and not r["_kinds"]]
    joined = " ".join(fa)
    assert "\u200c" in joined and "_" not in joined                    # ZWNJ, not the source marker
    assert "\u064a" not in joined and "\u0643" not in joined           # Persian yeh/kaf, not Arabic
    ro = " ".join(r["review_text"] for r in rows if r["_lang"] == "ro" and not r["_kinds"])
    assert "ș" in ro and "ț" in ro and "ş" not in ro and "ţ" not in ro  # comma below in clean rows
    for r in rows:
        t = r["review_text"]
        if isinstance(t, str):
            assert not re.search(r"\[[^\]]*\|", t), t                   # gender markers resolved
            assert not re.search(r"(^|[.!] )[\^~!]\w", t), t            # context marks stripped


def test_rating_and_nps_follow_the_text(rows):
    def mean(pol: str, col: str) -> float:
        values = [r[col] for r in rows if r["_pol"] == pol and r[col] is not None and not r["_kinds"]]
        return sum(values) / len(values)

    assert mean("pos", "rating") > 4.3 and mean("neg", "rating") < 1.8
    assert mean("neg", "rating") < mean("mixed", "rating") < mean("pos", "rating")
    assert mean("pos", "nps") - mean("neg", "nps") > 5


def test_delivery_complaints_rise_in_peak_and_carrier_months(rows):
    def neg_share(months):
        sel = [r for r in rows if r["date"][:7] in months and "delivery_logistics" in r["_tps"]
               and r["_pol"] in ("pos", "neg")]
        return sum(r["_pol"] == "neg" for r in sel) / len(sel)

    calm = neg_share({"2025-02", "2025-03", "2025-04", "2025-05", "2025-06"})
    assert neg_share({"2025-11", "2025-12"}) > calm + 0.2
    assert neg_share({"2026-06", "2026-07", "2026-08"}) > calm + 0.2


def test_deliberate_bad_rows_are_present(rows):
    by_id = {r["review_id"]: r["review_text"] for r in _read(DATA / "sample_reviews.csv")}
    kinds: dict[str, list[str]] = {}
    for r in gen.bad_rows(rows):
        for k in r["_kinds"]:
            kinds.setdefault(k, []).append(r["review_id"])
    assert set(kinds) == set(gen.KIND_TEXT)
    assert 0.025 <= len(gen.bad_rows(rows)) / len(rows) <= 0.045
    checks = {
        "empty_text": lambda t: t == "",
        "missing": lambda t: t == "",
        "whitespace_only": lambda t: t != "" and t.strip() == "",
        "null_literal": lambda t: t == "NULL",
        "number": lambda t: t.isdigit(),
        "punctuation_only": lambda t: t in ("!!!", "..."),
        "emoji_only": lambda t: t and not re.search(r"\w", t),
        "html_script": lambda t: t == "<script>alert(1)</script> great shop",
        "html_markup": lambda t: "<br>" in t and "&amp;" in t,
        "formula": lambda t: t[:1] in "=+-@",
        "very_long": lambda t: len(t) >= 19_000,
        "newlines_quotes": lambda t: "\n" in t and '"' in t,
        "missing_space": lambda t: re.search(r"[.!,]\w", t),
        "all_caps": lambda t: t.endswith("!!!") and t == t.upper(),
        "ro_no_diacritics": lambda t: not re.search("[ăâîșțşţ]", t),
        "ro_cedilla": lambda t: re.search("[şţ]", t),
        "mojibake": lambda t: re.search("[ÃÄÅÈ]", t),
        "emoji_in_text": lambda t: re.search(r"[\U0001F300-\U0001FAFF]", t) and re.search(r"\w{3}", t),
        "typos": lambda t: len(t) > 10,
        "rating_mismatch": lambda t: len(t) > 10,
        "duplicate": lambda t: list(by_id.values()).count(t) >= 2,
    }
    for kind, ids in kinds.items():
        for rid in ids:
            assert checks[kind](by_id[rid]), (kind, rid, by_id[rid][:80])
    # the raw file distinguishes an empty string ("") from a missing cell
    raw = (DATA / "sample_reviews.csv").read_text(encoding="utf-8")
    assert re.search(rf'^{kinds["empty_text"][0]},.*,""$', raw, re.MULTILINE)
    assert re.search(rf"^{kinds['missing'][0]},[^\n]*,$", raw, re.MULTILINE)
    # every kind except two also occurs in the small file, and the README lists every bad row
    small = {r["review_id"] for r in _read(DATA / "sample_reviews_small.csv")}
    for kind, ids in kinds.items():
        if kind not in ("null_literal", "html_markup"):
            assert small & set(ids), kind
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for ids in kinds.values():
        for rid in ids:
            assert rid in readme
    assert "Ã®ntÃ¢rziat" in " ".join(by_id[i] for i in kinds["mojibake"])
    # no other duplicate reviews than the deliberate ones (repeated junk such as formulas aside)
    junk = {rid for k in ("formula", "emoji_only", "empty_text", "missing", "whitespace_only", "number",
                          "punctuation_only") for rid in kinds[k]}
    counts = Counter(t for rid, t in by_id.items() if rid not in junk)
    assert {rid for rid, t in by_id.items() if rid not in junk and counts[t] > 1} == set(kinds["duplicate"])


def test_transcripts():
    folder = DATA / "sample_transcripts"
    turn = re.compile(r"^\[(\d\d:\d\d)\] ([^:]+): (.+)$")
    expected = {"en_chat_late_delivery.txt": {"Agent", "Customer"},
                "pl_chat_double_charge.txt": {"Konsultant", "Klient"},
                "ru_chat_damaged_tv.txt": {"Оператор", "Клиент"},
                "fa_chat_wrong_size.txt": {"اپراتور", "مشتری"}}
    for name, speakers in expected.items():
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        assert 6 <= len(lines) <= 12
        assert {turn.match(line).group(2) for line in lines} == speakers
    assert "руководителем" in (folder / "ru_chat_damaged_tv.txt").read_text(encoding="utf-8")
    ro = json.loads((folder / "ro_chat_refund.json").read_text(encoding="utf-8"))
    assert 6 <= len(ro) <= 12 and {t["speaker"] for t in ro} == {"agent", "customer"}
    assert all(set(t) == {"speaker", "text", "time"} for t in ro)
    assert "contul" in ro[-2]["text"]
    df = pd.read_csv(folder / "transcripts.csv", dtype=str)
    assert list(df.columns) == ["conversation_id", "speaker", "text", "time"]
    sizes = df.groupby("conversation_id").size()
    assert len(sizes) == 2 and sizes.between(6, 12).all()
    en = " ".join(df[df.conversation_id.str.startswith("C-EN")].text)
    assert "I want to speak to your manager" in en and "cancel my account" in en
    assert len(list(folder.iterdir())) == 6
