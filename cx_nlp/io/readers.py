"""Read review exports (CSV/TSV, Excel, JSONL, Parquet) as a stream of pandas DataFrame chunks.

Every reader keeps the original columns as they are. CSV is read as strings so ids like ``00123`` and
codes like ``1e5`` survive a round trip; typed formats (Parquet, JSONL, Excel) keep their types, but a
column mixing types is turned into strings so it can be checkpointed to Parquet. A malformed file
raises ``CxError("E401")`` naming the file and the line (or row) where it broke.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterator

import pandas as pd

from ..errors import CxError
from .columns import detect_text_column
from .encoding import Encoding, sniff_encoding

FORMATS = {
    ".csv": "csv", ".tsv": "csv", ".tab": "csv", ".txt": "csv",
    ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".parquet": "parquet", ".pq": "parquet",
}
DELIMITERS = (",", ";", "\t", "|")
_WHOLE = 1 << 62        # "no chunking": one chunk of everything
_SNIFF_CHARS = 64 << 10


def table_format(path: str | Path) -> tuple[str, bool]:
    """(format, gzipped) from the file name; ``.csv.gz`` and ``.jsonl.gz`` are read through gzip."""
    p = Path(path)
    suffixes = [s.lower() for s in p.suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    ext = suffixes[-2] if gz and len(suffixes) >= 2 else (suffixes[-1] if suffixes else "")
    fmt = FORMATS.get(ext)
    if fmt is None or (gz and fmt not in ("csv", "jsonl")):
        raise CxError("E406", f"{p.name}: unsupported table format {''.join(p.suffixes) or '(no extension)'}")
    return fmt, gz


def _open_binary(path: Path, gz: bool) -> BinaryIO:
    return gzip.open(path, "rb") if gz else open(path, "rb")


def _fail(path: Path, where: str, what: str) -> CxError:
    return CxError("E401", f"{path}: {where}{what}" if where else f"{path}: {what}")


# ----------------------------------------------------------------------------------------- CSV helpers
def sniff_delimiter(sample: str, preferred: str | None = None) -> str:
    """The delimiter that splits the first records into the most fields, the same number on every row."""
    lines = sample.splitlines()
    if len(sample) >= _SNIFF_CHARS and len(lines) > 1:
        lines = lines[:-1]     # the last line of a sample is probably cut in the middle
    text = "\n".join(lines[:200])
    best, best_key = preferred or ",", (-1.0, 0, 0)
    for delim in DELIMITERS:
        try:
            rows = [r for r in csv.reader(io.StringIO(text), delimiter=delim) if r]
        except csv.Error:
            continue
        if not rows:
            continue
        counts = [len(r) for r in rows]
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        consistency = counts.count(mode) / len(counts)
        key = (round(consistency, 2), mode, 1 if delim == preferred else 0)
        if key > best_key:
            best, best_key = delim, key
    return best


def _locate_csv_problem(text: io.TextIOBase, delim: str) -> tuple[str, int, int] | None:
    """Walk the file like a CSV parser; return (kind, line, fields) of the first structural error.

    pandas reports record numbers, which differ from line numbers as soon as a quoted field spans lines;
    users open the file in an editor, so we report physical lines.
    """
    expected = None
    line_no = 0
    in_quote = False
    quote_line = 0
    record_line = 0
    nfields = 0
    for line in text:
        line_no += 1
        if not in_quote:
            record_line, nfields, field_start = line_no, 1, True
            if '"' not in line:
                body = line.rstrip("\r\n")
                if not body:
                    continue
                nfields = body.count(delim) + 1
                if expected is None:
                    expected = nfields
                elif nfields > expected:
                    return "fields", record_line, nfields
                continue
        else:
            field_start = False
        i, n = 0, len(line)
        while i < n:
            c = line[i]
            if in_quote:
                if c == '"':
                    if i + 1 < n and line[i + 1] == '"':
                        i += 1
                    else:
                        in_quote = False
            elif c == '"' and field_start:
                in_quote, quote_line = True, line_no
                field_start = False
            elif c == delim:
                nfields += 1
                field_start = True
            elif c not in "\r\n":
                field_start = False
            i += 1
        if not in_quote:
            if expected is None:
                expected = nfields
            elif nfields > expected:
                return "fields", record_line, nfields
    if in_quote:
        return "quote", quote_line, 0
    return None


# ----------------------------------------------------------------------------------------- the reader
@dataclass
class TableReader:
    """An iterable of DataFrame chunks plus what was sniffed about the file."""
    path: Path
    format: str
    chunksize: int | None = None
    text_col: str | None = None
    encoding: Encoding | None = None
    delimiter: str | None = None
    columns: list[str] = field(default_factory=list)
    gz: bool = False
    _xlsx_frame: pd.DataFrame | None = field(default=None, repr=False)

    def __iter__(self) -> Iterator[pd.DataFrame]:
        size = self.chunksize or _WHOLE
        if self.format == "csv":
            yield from self._iter_csv(size)
        elif self.format == "jsonl":
            yield from self._iter_jsonl(size)
        elif self.format == "parquet":
            yield from self._iter_parquet(size)
        else:
            df = self._read_xlsx()
            for start in range(0, max(len(df), 1), size):
                chunk = df.iloc[start:start + size]
                if len(chunk) or start == 0:
                    yield chunk

    def read(self) -> pd.DataFrame:
        """The whole table as one DataFrame."""
        chunks = list(self)
        if not chunks:
            return pd.DataFrame(columns=self.columns)
        return chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True)

    def estimate_rows(self) -> int | None:
        """Row count for progress bars: exact for Parquet/Excel, a newline count otherwise."""
        if self.format == "parquet":
            import pyarrow.parquet as pq
            return pq.ParquetFile(self.path).metadata.num_rows
        if self.format == "xlsx":
            return len(self._read_xlsx())
        lines = 0
        with _open_binary(self.path, self.gz) as fh:
            unit = b"\n\x00" if self.encoding and self.encoding.name.startswith("utf-16") else b"\n"
            while block := fh.read(1 << 20):
                lines += block.count(unit)
        return max(lines - (1 if self.format == "csv" else 0), 0)

    # -------------------------------------------------------------------- CSV
    def _text_handle(self) -> io.TextIOWrapper:
        enc = self.encoding or Encoding("utf-8", "strict")
        return io.TextIOWrapper(_open_binary(self.path, self.gz), encoding=enc.name, errors=enc.errors,
                                newline="")

    def _iter_csv(self, size: int) -> Iterator[pd.DataFrame]:
        with self._text_handle() as fh:
            try:
                reader = pd.read_csv(fh, sep=self.delimiter, dtype=str, keep_default_na=False, na_filter=False,
                                     chunksize=size, engine="c", quotechar='"', doublequote=True,
                                     skip_blank_lines=True, on_bad_lines="error")
                for chunk in reader:
                    if not isinstance(chunk.index, pd.RangeIndex):
                        # pandas silently turns surplus leading fields into an index when the first
                        # record is wider than the header; that shifts every column, so it is an error.
                        raise pd.errors.ParserError("more fields than header in the first records")
                    yield chunk
            except pd.errors.EmptyDataError:
                return
            except (pd.errors.ParserError, UnicodeDecodeError, csv.Error) as exc:
                raise self._csv_error(exc) from exc

    def _csv_error(self, exc: Exception) -> CxError:
        try:
            with self._text_handle() as fh:
                found = _locate_csv_problem(fh, self.delimiter or ",")
        except Exception:  # the diagnosis must never hide the original error
            found = None
        delim = {"\t": "TAB"}.get(self.delimiter or ",", self.delimiter)
        if found and found[0] == "quote":
            return _fail(self.path, f"line {found[1]}: ", "a quoted field opens here and is never closed "
                         "(an unbalanced \" character)")
        if found and found[0] == "fields":
            return _fail(self.path, f"line {found[1]}: ", f"{found[2]} fields where the header has fewer "
                         f"(delimiter {delim!r}; quote fields that contain it)")
        m = re.search(r"line (\d+)|row (\d+)", str(exc))
        where = f"near record {m.group(1) or int(m.group(2)) + 1}: " if m else ""
        return _fail(self.path, where, f"cannot parse as CSV ({exc})")

    # -------------------------------------------------------------------- JSONL
    def _iter_jsonl(self, size: int) -> Iterator[pd.DataFrame]:
        rows: list[dict] = []
        enc = self.encoding or Encoding("utf-8", "strict")
        with io.TextIOWrapper(_open_binary(self.path, self.gz), encoding=enc.name, errors=enc.errors,
                              newline="\n") as fh:
            line_no = 0
            try:
                for line_no, line in enumerate(fh, 1):
                    s = line.strip()
                    if not s:
                        continue
                    try:
                        obj = json.loads(s)
                    except json.JSONDecodeError as exc:
                        raise _fail(self.path, f"line {line_no}: ",
                                    f"not valid JSON ({exc.msg}, column {exc.colno})") from None
                    if not isinstance(obj, dict):
                        raise _fail(self.path, f"line {line_no}: ",
                                    f"a JSON {type(obj).__name__}, not an object ({{\"text\": ...}})")
                    rows.append(obj)
                    if len(rows) >= size:
                        yield _jsonl_frame(rows)
                        rows = []
            except (UnicodeDecodeError, OSError, EOFError) as exc:
                raise _fail(self.path, f"after line {line_no}: ", f"cannot be read ({exc})") from exc
        if rows or line_no == 0:
            yield _jsonl_frame(rows)

    # -------------------------------------------------------------------- Parquet
    def _iter_parquet(self, size: int) -> Iterator[pd.DataFrame]:
        import pyarrow as pa
        pf = _open_parquet(self.path)
        done = 0
        batch_size = min(size, 1 << 20)
        try:
            it = pf.iter_batches(batch_size=batch_size)
            pending: list[pd.DataFrame] = []
            pending_rows = 0
            for batch in it:
                df = batch.to_pandas()
                pending.append(df)
                pending_rows += len(df)
                done += len(df)
                if pending_rows >= size:
                    yield pd.concat(pending, ignore_index=True) if len(pending) > 1 else pending[0]
                    pending, pending_rows = [], 0
            if pending or done == 0:
                yield (pd.concat(pending, ignore_index=True) if len(pending) > 1 else pending[0]) if pending \
                    else pf.schema_arrow.empty_table().to_pandas()
        except (pa.ArrowException, OSError) as exc:
            raise _fail(self.path, f"row {done + 1}: ", f"the Parquet data after this row is damaged ({exc})") from exc

    # -------------------------------------------------------------------- Excel
    def _read_xlsx(self) -> pd.DataFrame:
        if self._xlsx_frame is None:
            self._xlsx_frame = _read_xlsx(self.path)
        return self._xlsx_frame


def _open_parquet(path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise _fail(path, "", f"not a readable Parquet file: footer or metadata damaged (truncated copy?) ({exc})") \
            from exc


def _scalar_text(v: Any) -> Any:
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _homogenise(df: pd.DataFrame, to_text=_scalar_text) -> pd.DataFrame:
    """Keep a column's type when all its values share one; otherwise make it text (Parquet needs one type)."""
    for name in df.columns:
        col = df[name]
        if col.dtype != object:
            continue
        kinds = {type(v) for v in col.tolist() if v is not None and not (isinstance(v, float) and v != v)}
        numeric = kinds <= {int, float} and kinds
        if len(kinds) <= 1 and not (kinds & {dict, list}) or numeric:
            continue
        df[name] = [to_text(v) for v in col.tolist()]
    return df


def _jsonl_frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(rows) if rows else pd.DataFrame()
    # from_records infers dtypes; object columns stay as the JSON gave them ("00123" stays a string).
    return _homogenise(df)


def _read_xlsx(path: Path) -> pd.DataFrame:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise _fail(path, "", f"not a readable .xlsx workbook (damaged or not Excel 2007+: {exc})") from exc
    row_no = 0
    try:
        ws = wb.worksheets[0]
        header: list[str] | None = None
        rows: list[list[Any]] = []
        for row_no, values in enumerate(ws.iter_rows(values_only=True), 1):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue   # Excel sheets end in blank formatted rows; they are not records
            values = list(values)
            if header is None:
                header = _header_names(values)
                continue
            if len(values) > len(header):
                extra = values[len(header):]
                if any(v is not None for v in extra):
                    header += [f"column_{i + 1}" for i in range(len(header), len(values))]
                else:
                    values = values[:len(header)]
            rows.append(values + [None] * (len(header) - len(values)))
    except Exception as exc:  # openpyxl raises many types for damaged sheet XML
        raise _fail(path, f"row {row_no + 1}: ", f"the sheet data is damaged ({type(exc).__name__}: {exc})") from exc
    finally:
        wb.close()
    if header is None:
        return pd.DataFrame()
    width = len(header)
    df = pd.DataFrame([r + [None] * (width - len(r)) for r in rows], columns=header, dtype=object)
    return _homogenise(df, to_text=_excel_text)


def _excel_text(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return _scalar_text(v)


def _header_names(values: list[Any]) -> list[str]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, v in enumerate(values):
        name = str(v).strip() if v is not None and str(v).strip() else f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    return names


# ----------------------------------------------------------------------------------------- public
def read_table(path: str | Path, text_col: str | None = None, chunksize: int | None = None,
               detect_text: bool = True) -> TableReader:
    """Open a table for streaming; iterate the result for DataFrame chunks (one chunk if chunksize is None).

    The reader's ``text_col`` is the given column (checked) or the detected one; ``encoding`` and
    ``delimiter`` say what was sniffed for CSV/JSONL.
    """
    p = Path(path)
    if not p.is_file():
        raise CxError("E401", f"{p}: no such file")
    fmt, gz = table_format(p)
    if chunksize is not None and chunksize < 1:
        raise ValueError("chunksize must be a positive number of rows")
    reader = TableReader(path=p, format=fmt, chunksize=chunksize, gz=gz)
    if fmt in ("csv", "jsonl"):
        try:
            with _open_binary(p, gz) as fh:
                reader.encoding = sniff_encoding(fh)
        except (OSError, EOFError) as exc:
            raise _fail(p, "", f"cannot be read ({exc})") from exc
    if fmt == "csv":
        with reader._text_handle() as fh:
            try:
                sample = fh.read(_SNIFF_CHARS)
            except (UnicodeDecodeError, OSError, EOFError) as exc:
                raise _fail(p, "", f"cannot be decoded as {reader.encoding.name} ({exc})") from exc
        preferred = "\t" if p.suffixes and p.suffixes[0].lower() in (".tsv", ".tab") else None
        reader.delimiter = sniff_delimiter(sample, preferred)
    head = _head(reader)
    reader.columns = [str(c) for c in head.columns]
    if text_col is not None:
        if text_col not in reader.columns:
            raise CxError("E403", f"{p.name}: no column {text_col!r}; the columns are {reader.columns}")
        reader.text_col = text_col
    elif detect_text:
        reader.text_col = detect_text_column(head)
    return reader


def _head(reader: TableReader, rows: int = 500) -> pd.DataFrame:
    """The first rows, to learn the columns; read separately so the main stream starts clean."""
    probe = TableReader(path=reader.path, format=reader.format, chunksize=rows, encoding=reader.encoding,
                        delimiter=reader.delimiter, gz=reader.gz, _xlsx_frame=reader._xlsx_frame)
    it = iter(probe)
    try:
        head = next(it, None)
    finally:
        close = getattr(it, "close", None)
        if close:
            close()
    if reader.format == "xlsx":
        reader._xlsx_frame = probe._xlsx_frame
    return head if head is not None else pd.DataFrame()


def require_text_column(reader: TableReader) -> str:
    if reader.text_col is None:
        raise CxError("E404", f"{reader.path.name}: none of the columns {reader.columns} holds free text")
    return reader.text_col
