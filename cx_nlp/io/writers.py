"""Write tables as CSV/TSV, XLSX, JSONL or Parquet, chosen by the output file's extension.

Writes are atomic (a temp file in the same folder, then ``os.replace``), so a killed run never leaves a
half-written output that looks finished. CSV/TSV/XLSX cells are defused against formula injection
(OWASP "CSV Injection"): a text cell that a spreadsheet would run as a formula gets a leading ``'``.
"""
from __future__ import annotations

import codecs
import gzip
import json
import math
import os
import re
import tempfile
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from ..errors import CxError
from .readers import table_format

# Excel, LibreOffice and Google Sheets start a formula with = + - @; TAB and CR are in OWASP's list
# because some importers strip them and then see the formula character.
_TRIGGER = re.compile(r"^(?:[\t\r]|\s*[=+\-@])")
_PLAIN_NUMBER = re.compile(r"^\s*[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?\s*$")
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_CELL = 32_767

# Default CSV encoding: UTF-8 with BOM, because Excel (the usual reader of a scored CSV) decodes
# BOM-less UTF-8 as the local code page and mangles Cyrillic, Persian and Polish text.
CSV_ENCODING = "utf-8-sig"


def defuse(value: Any) -> Any:
    """``'=1+1`` for ``=1+1``; numbers and plain negative numbers ("-12.5") are left alone."""
    if isinstance(value, str) and _TRIGGER.match(value) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def defuse_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell (and column name) defused; numeric columns are untouched."""
    out = df.copy()
    for name in out.columns:
        col = out[name]
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            values = col.tolist()
            if any(isinstance(v, str) and _TRIGGER.match(v) for v in values):
                out[name] = pd.Series([defuse(v) for v in values], index=col.index, dtype=object)
    out.columns = [defuse(str(c)) for c in out.columns]
    return out


def same_file(a: str | Path, b: str | Path) -> bool:
    pa_, pb = Path(a), Path(b)
    try:
        if pa_.exists() and pb.exists():
            return os.path.samefile(pa_, pb)
    except OSError:
        pass
    return pa_.resolve() == pb.resolve()


def check_not_input(output: str | Path, *inputs: str | Path | None) -> None:
    for inp in inputs:
        if inp is not None and same_file(output, inp):
            raise CxError("E402", f"output {output} is the input file {inp}; it would be overwritten")


def _plain(v: Any) -> Any:
    """A JSON/openpyxl-friendly Python value (None for NaN/NaT, native ints/floats, ISO dates)."""
    if v is None:
        return None
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if isinstance(v, np.generic):
        v = v.item()
        return None if isinstance(v, float) and math.isnan(v) else v
    if v is pd.NaT or (isinstance(v, type(pd.NA)) and v is pd.NA):
        return None
    return v


def _json_default(v: Any) -> Any:
    if isinstance(v, (datetime, date, pd.Timestamp)):
        return v.isoformat()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, (set, tuple)):
        return list(v)
    return str(v)


def _json_clean(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _json_clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_json_clean(x) for x in v]
    v = _plain(v)
    if isinstance(v, float) and math.isinf(v):
        return None
    return v


_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xlsx_value(v: Any) -> Any:
    v = _plain(v)
    if isinstance(v, str):
        # openpyxl refuses XML-illegal control characters; Excel refuses cells over 32,767 characters.
        v = _ILLEGAL_XML.sub("", v)
        if len(v) > XLSX_MAX_CELL:
            v = v[:XLSX_MAX_CELL - 1] + "…"
        return defuse(v)
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, datetime) and v.tzinfo is not None:
        v = v.replace(tzinfo=None)    # Excel has no time zones
    if isinstance(v, float) and math.isinf(v):
        return None
    if isinstance(v, (dict, list, tuple)):
        return defuse(json.dumps(_json_clean(v), ensure_ascii=False))
    return v


class TableWriter:
    """Write a table chunk by chunk; ``close()`` publishes it atomically, ``abort()`` discards it.

    The first chunk fixes the columns: later chunks are aligned to them (missing columns empty).
    """

    def __init__(self, path: str | Path, input_path: str | Path | None = None, csv_encoding: str = CSV_ENCODING,
                 schema=None):
        self.path = Path(path)
        check_not_input(self.path, input_path)
        self.format, self.gz = table_format(self.path)
        self.sep = "\t" if self.path.suffixes and self.path.suffixes[0].lower() in (".tsv", ".tab", ".txt") else ","
        self.csv_encoding = csv_encoding
        self.schema = schema
        self.columns: list[str] | None = None
        self.rows = 0
        if not self.path.parent.exists():
            raise CxError("E407", f"{self.path}: the folder {self.path.parent} does not exist")
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        except OSError as exc:   # read-only folder, full disk, no permission
            raise CxError("E407", f"{self.path}: {exc}") from exc
        os.close(fd)
        self.tmp = Path(tmp)
        self._fh: BinaryIO | None = None
        self._text = None
        self._pq = None
        self._wb = None
        self._ws = None
        self._closed = False

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> "TableWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def _open_stream(self):
        raw = open(self.tmp, "wb")
        # Fixed name and mtime in the gzip header: same table, same bytes.
        self._fh = gzip.GzipFile(filename=self.path.name[:-3], fileobj=raw, mode="wb", mtime=0) if self.gz else raw
        self._raw = raw

    def write(self, df: pd.DataFrame) -> None:
        if self._closed:
            raise ValueError("writer is closed")
        if self.columns is None:
            self.columns = [str(c) for c in df.columns]
        else:
            df = df.reindex(columns=self.columns) if list(df.columns) != self.columns else df
        try:
            getattr(self, f"_write_{self.format}")(df)
        except OSError as exc:
            self.abort()
            raise CxError("E407", f"{self.path}: {exc}") from exc
        self.rows += len(df)

    def close(self) -> Path:
        if self._closed:
            return self.path
        try:
            if self.columns is None:        # nothing written: still produce a valid empty file
                self.columns = []
                if self.format in ("csv", "jsonl"):
                    self._open_stream()
                else:
                    getattr(self, f"_write_{self.format}")(pd.DataFrame())
            if self._pq is not None:
                self._pq.close()
            if self._wb is not None:
                self._wb.save(self.tmp)
                _normalise_xlsx(self.tmp)
            if self._fh is not None:
                self._fh.close()
                if self._raw is not self._fh:
                    self._raw.close()
            os.replace(self.tmp, self.path)
        except OSError as exc:
            self.abort()
            raise CxError("E407", f"{self.path}: {exc}") from exc
        except BaseException:
            self.abort()
            raise
        self._closed = True
        return self.path

    def abort(self) -> None:
        self._closed = True
        for h in (self._fh, getattr(self, "_raw", None)):
            try:
                if h is not None:
                    h.close()
            except Exception:
                pass
        try:
            if self._pq is not None:
                self._pq.close()
        except Exception:
            pass
        self.tmp.unlink(missing_ok=True)

    # ------------------------------------------------------------------ formats
    def _write_csv(self, df: pd.DataFrame) -> None:
        first = self._fh is None
        if first:
            self._open_stream()
        data = defuse_frame(df).to_csv(sep=self.sep, index=False, header=first, lineterminator="\r\n")
        enc = self.csv_encoding.lower().replace("_", "-")
        if enc in ("utf-8-sig", "utf8-sig"):
            # The BOM goes once at the top, not before every appended chunk.
            if first:
                self._fh.write(codecs.BOM_UTF8)
            enc = "utf-8"
        self._fh.write(data.encode(enc))

    def _write_jsonl(self, df: pd.DataFrame) -> None:
        if self._fh is None:
            self._open_stream()
        cols = [str(c) for c in df.columns]
        lines = []
        for values in df.itertuples(index=False, name=None):
            rec = {c: _json_clean(v) for c, v in zip(cols, values)}
            lines.append(json.dumps(rec, ensure_ascii=False, allow_nan=False, default=_json_default))
        if lines:
            self._fh.write(("\n".join(lines) + "\n").encode("utf-8"))

    def _write_parquet(self, df: pd.DataFrame) -> None:
        import pyarrow.parquet as pq
        table = to_arrow(df, self.schema)
        if self._pq is None:
            if self.schema is None:
                self.schema = table.schema
            self._pq = pq.ParquetWriter(self.tmp, self.schema, compression="zstd")
        self._pq.write_table(table.cast(self.schema) if table.schema != self.schema else table)

    def _write_xlsx(self, df: pd.DataFrame) -> None:
        if self._wb is None:
            import openpyxl
            self._wb = openpyxl.Workbook(write_only=True)
            self._ws = self._wb.create_sheet("scored")
            self._ws.append([_xlsx_value(str(c)) for c in self.columns])
        if self.rows + len(df) + 1 > XLSX_MAX_ROWS:
            raise CxError("E407", f"{self.path}: an Excel sheet holds at most {XLSX_MAX_ROWS:,} rows; "
                          "write .csv or .parquet for larger tables")
        for values in df.itertuples(index=False, name=None):
            self._ws.append([_xlsx_value(v) for v in values])


def _fixed_time() -> tuple[int, ...]:
    """SOURCE_DATE_EPOCH (the reproducible-builds convention) if set, else the zip epoch 1980-01-01."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return max(datetime.fromtimestamp(int(epoch), tz=timezone.utc).timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    return (1980, 1, 1, 0, 0, 0)


def _normalise_xlsx(path: Path) -> None:
    """Pin the timestamps openpyxl writes (zip entries, docProps/core.xml) so equal tables give equal files.

    A resumed scoring run must produce the same bytes as an uninterrupted one, whatever the format.
    """
    stamp = _fixed_time()
    iso = "%04d-%02d-%02dT%02d:%02d:%02dZ" % stamp
    tmp = path.with_name(path.name + ".z")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", lambda m: m.group(1) + iso.encode(), data)
            zi = zipfile.ZipInfo(info.filename, date_time=stamp)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, data)
    os.replace(tmp, path)


def to_arrow(df: pd.DataFrame, schema=None):
    """An Arrow table of the frame; object columns that mix types become text instead of failing."""
    import pyarrow as pa
    if schema is not None:
        missing = [f.name for f in schema if f.name not in df.columns]
        if missing:
            df = df.assign(**{m: None for m in missing})
        df = df[[f.name for f in schema]]
    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        fixed = df.copy()
        for name in fixed.columns:
            try:
                pa.array(fixed[name], from_pandas=True)
            except (pa.ArrowTypeError, pa.ArrowInvalid):
                fixed[name] = [None if _plain(v) is None else (v if isinstance(v, str) else
                               json.dumps(_json_clean(v), ensure_ascii=False, default=_json_default)
                               if isinstance(v, (dict, list)) else str(v)) for v in fixed[name].tolist()]
        table = pa.Table.from_pandas(fixed, preserve_index=False)
    # Columns that were empty in this chunk come out as the null type; store them as text so later
    # chunks with values still fit the schema.
    fields = [pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f for f in table.schema]
    target = pa.schema(fields)
    table = table.replace_schema_metadata(None)
    if target != table.schema:
        table = table.cast(target)
    if schema is not None and table.schema != schema:
        table = table.cast(schema)
    return table


def write_table(df: pd.DataFrame, path: str | Path, input_path: str | Path | None = None, **kwargs) -> Path:
    """Write a whole DataFrame in the format of ``path``'s extension, atomically."""
    with TableWriter(path, input_path=input_path, **kwargs) as w:
        w.write(df)
    return w.path
