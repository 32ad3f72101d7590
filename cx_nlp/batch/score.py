"""Score a table file chunk by chunk, with checkpoints that make a killed run resumable.

Each finished chunk lands in ``<output>.parts/part-000123.parquet`` (atomically), so a resumed run
re-reads the input but scores only the chunks without a valid part. The final file is assembled from the
parts in order, which is why a resumed run writes exactly the bytes an uninterrupted run would.
Rows in = rows out: a chunk whose scoring raises is retried in halves down to single texts, and a text
that still fails gets status "error" with the exception as its message.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter, OrderedDict
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from ..errors import CxError, status_message
from ..io.readers import read_table, require_text_column, table_format
from ..io.writers import TableWriter, check_not_input
from .flatten import COLUMNS, SENTENCE_COLUMNS, flatten, flatten_sentences

PARTS_VERSION = 1
_MANIFEST = "manifest.json"

_FLOAT_COLUMNS = {c for c in COLUMNS if c.startswith("cx_p_") or c == "cx_sentiment_score"} | {
    f"cx_{e}" for e in ("anger", "anticipation", "disgust", "fear", "joy", "sadness", "surprise", "trust")}
_INT_COLUMNS = {"cx_n_sentences"}


# ----------------------------------------------------------------------------------------- scoring
def _error_result(item: Any, exc: BaseException) -> dict[str, Any]:
    msg = f"{type(exc).__name__}: {exc}"
    return {"text": item if isinstance(item, str) else "", "lang": None, "status": "error",
            "status_message": f"{status_message('error')} {msg}"[:500], "sentiment": None, "emotions": None,
            "touchpoints": [], "sentences": [], "signals": []}


class ChunkScorer:
    """Scores lists of texts through an analyzer, once per distinct text, never raising."""

    def __init__(self, analyzer, cache_size: int = 50_000):
        self.analyzer = analyzer
        self.thresholds: Mapping[str, float] = dict(getattr(analyzer, "emotion_thresholds", {}) or {})
        self.cache: OrderedDict[str, tuple[dict, list[dict]]] = OrderedDict()
        self.cache_size = cache_size
        self.unique_scored = 0
        self.cache_hits = 0
        self._dead_chunks = 0   # consecutive chunks where every text failed: the model itself is broken

    def _predict(self, items: list[Any]) -> list[dict[str, Any]]:
        try:
            results = self.analyzer.predict(items)
            if len(results) != len(items):
                raise RuntimeError(f"predict returned {len(results)} results for {len(items)} texts")
            return [r.to_dict() if hasattr(r, "to_dict") else dict(r) for r in results]
        except Exception as exc:  # noqa: BLE001 - rows in = rows out, whatever the model does
            if len(items) == 1 or self._dead_chunks >= 3:
                return [_error_result(x, exc) for x in items]
            mid = len(items) // 2
            return self._predict(items[:mid]) + self._predict(items[mid:])

    def score(self, texts: list[Any]) -> list[tuple[dict, list[dict]]]:
        """(flat cx_* row, sentence rows without row_id) for each text, in order."""
        local: dict[str, tuple[dict, list[dict]]] = {}   # this chunk's entries: eviction cannot lose them
        todo: list[str] = []
        others: list[int] = []
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                others.append(i)
            elif t not in local:
                if t in self.cache:
                    self.cache.move_to_end(t)
                    local[t] = self.cache[t]
                else:
                    todo.append(t)
                    local[t] = None  # placeholder keeps `todo` free of duplicates cheaply
        batch = todo + [texts[i] for i in others]
        other_out: dict[int, tuple[dict, list[dict]]] = {}
        if batch:
            dicts = self._predict(batch)
            failed = sum(1 for d in dicts if d.get("status") == "error")
            self._dead_chunks = self._dead_chunks + 1 if failed == len(dicts) else 0
            for k, d in enumerate(dicts):
                entry = (flatten(d, self.thresholds), flatten_sentences(d, self.thresholds))
                if k < len(todo):
                    local[batch[k]] = entry
                    self._remember(batch[k], entry)
                else:
                    other_out[others[k - len(todo)]] = entry
            self.unique_scored += len(todo)
        self.cache_hits += len(texts) - len(others) - len(todo)
        return [other_out[i] if i in other_out else local[t] for i, t in enumerate(texts)]

    def _remember(self, text: str, entry) -> None:
        if self.cache_size <= 0:
            return
        self.cache[text] = entry
        if len(self.cache) > self.cache_size:
            self.cache.popitem(last=False)


def score_frame(chunk: pd.DataFrame, scorer: ChunkScorer, text_col: str, id_col: str | None = None,
                row_offset: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The chunk with cx_* columns appended (same rows, same order) and its sentence rows."""
    texts = chunk[text_col].tolist()
    scored = scorer.score(texts)
    out = chunk.reset_index(drop=True)
    out = out.drop(columns=[c for c in COLUMNS if c in out.columns])
    cols: dict[str, pd.Series] = {}
    for c in COLUMNS:
        values = [row[c] for row, _ in scored]
        if c in _FLOAT_COLUMNS:
            cols[c] = pd.Series([float("nan") if v is None else v for v in values], dtype="float64")
        elif c in _INT_COLUMNS:
            cols[c] = pd.Series(values, dtype="int64")
        else:
            cols[c] = pd.Series(values, dtype=object)
    out = pd.concat([out, pd.DataFrame(cols)], axis=1)
    ids = chunk[id_col].tolist() if id_col else range(row_offset, row_offset + len(chunk))
    sentences = [dict(s, row_id=rid) for (_, sents), rid in zip(scored, ids) for s in sents]
    sdf = pd.DataFrame(sentences, columns=SENTENCE_COLUMNS)
    for c in ("sentiment_score", "p_negative", "p_neutral", "p_positive"):
        sdf[c] = sdf[c].astype("float64")
    for c in ("sentence", "start", "end"):
        sdf[c] = sdf[c].astype("int64")
    if not id_col:
        sdf["row_id"] = sdf["row_id"].astype("int64")
    return out, sdf


# ----------------------------------------------------------------------------------------- checkpoints
def _fingerprint(path: Path) -> str:
    """Size + hash of the first and last MiB: cheap, and changes when the export is replaced."""
    h = hashlib.sha256()
    size = path.stat().st_size
    h.update(str(size).encode())
    with open(path, "rb") as fh:
        h.update(fh.read(1 << 20))
        if size > 2 << 20:
            fh.seek(-(1 << 20), os.SEEK_END)
            h.update(fh.read())
    return h.hexdigest()


def _model_id(analyzer) -> str:
    manifest = getattr(analyzer, "manifest", None)
    if isinstance(manifest, Mapping) and manifest:
        return hashlib.sha256(json.dumps(manifest, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return type(analyzer).__name__


def _clear_parts(folder: Path) -> None:
    """Remove a checkpoint folder, touching only files this module writes."""
    if not folder.is_dir():
        return
    for p in folder.iterdir():
        if p.name == _MANIFEST or (p.suffix in (".parquet", ".tmp") and p.name.split("-")[0] in ("part", "sent")) \
                or p.name.startswith((".part-", ".sent-")):
            p.unlink(missing_ok=True)
    try:
        folder.rmdir()
    except OSError:
        pass


def _part_rows(path: Path) -> int | None:
    import pyarrow.parquet as pq
    try:
        return pq.ParquetFile(path).metadata.num_rows
    except Exception:  # a damaged part is simply rescored
        return None


def _unify(schemas: list) -> Any:
    """One schema for all parts: same types kept, null widened, ints+floats -> float, conflicts -> text."""
    import pyarrow as pa
    names: list[str] = []
    types: dict[str, list] = {}
    for s in schemas:
        for f in s:
            if f.name not in types:
                names.append(f.name)
                types[f.name] = []
            types[f.name].append(f.type)
    fields = []
    for n in names:
        ts = [t for t in types[n] if not pa.types.is_null(t)]
        uniq = list(dict.fromkeys(ts))
        if not uniq:
            t = pa.string()
        elif len(uniq) == 1:
            t = uniq[0]
        elif all(pa.types.is_integer(t) or pa.types.is_floating(t) for t in uniq):
            t = pa.float64()
        else:
            t = pa.string()
        fields.append(pa.field(n, t))
    return pa.schema(fields)


def _assemble(parts: list[Path], output: Path, input_path: Path, empty_columns: list[str],
              last: list[str] = ()) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq
    schema = _unify([pq.read_schema(p).remove_metadata() for p in parts]) if parts else None
    if schema is not None and last:
        # A JSONL key first seen in a later chunk still goes before the cx_* block.
        order = [n for n in schema.names if n not in last] + [n for n in last if n in schema.names]
        schema = pa.schema([schema.field(n) for n in order])
    fmt, _ = table_format(output)
    rows = 0
    with TableWriter(output, input_path=input_path, schema=schema if fmt == "parquet" else None) as w:
        if not parts:
            w.write(pd.DataFrame(columns=empty_columns))
        for p in parts:
            table = pq.read_table(p)
            if schema is not None:
                missing = [f for f in schema if f.name not in table.column_names]
                for f in missing:
                    table = table.append_column(f, pa.nulls(len(table), f.type))
                table = table.select(schema.names).cast(schema)
            df = table.to_pandas()
            w.write(df)
            rows += len(df)
    return rows


# ----------------------------------------------------------------------------------------- progress
class _Progress:
    def __init__(self, enabled: bool, total: int | None):
        self.bar = None
        self.start = time.perf_counter()
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)
        self.bar = Progress(TextColumn("[bold]scoring"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[speed]}"), TimeElapsedColumn(), TextColumn("ETA"),
                            TimeRemainingColumn(), console=Console(stderr=True))
        self.task = self.bar.add_task("score", total=total, speed="")
        self.bar.start()

    def advance(self, rows: int, done: int) -> None:
        if self.bar is None:
            return
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        task = self.bar.tasks[0]
        total = task.total if task.total is None or task.total >= done else done
        self.bar.update(self.task, advance=rows, total=total, speed=f"{done / elapsed:,.0f} rows/s")

    def stop(self, done: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, total=done, completed=done)
            self.bar.stop()


# ----------------------------------------------------------------------------------------- public
def score_file(input: str | Path, output: str | Path, analyzer, text_col: str | None = None,
               id_col: str | None = None, chunk_rows: int = 2000, sentences_out: str | Path | None = None,
               resume: bool = False, progress: bool = True, cache_size: int = 50_000) -> dict[str, Any]:
    """Score every row of ``input`` into ``output`` (format by extension); returns a summary dict."""
    t0 = time.perf_counter()
    src, dst = Path(input), Path(output)
    sent_dst = Path(sentences_out) if sentences_out is not None else None
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be >= 1")
    check_not_input(dst, src)
    table_format(dst)
    if sent_dst is not None:
        check_not_input(sent_dst, src, dst)
        table_format(sent_dst)
    reader = read_table(src, text_col=text_col, chunksize=chunk_rows)
    text_col = require_text_column(reader)
    if id_col is not None and id_col not in reader.columns:
        raise CxError("E403", f"{src.name}: no id column {id_col!r}; the columns are {reader.columns}")

    parts_dir = Path(str(dst) + ".parts")
    manifest = {"version": PARTS_VERSION, "input": str(src.resolve()), "fingerprint": _fingerprint(src),
                "chunk_rows": chunk_rows, "text_col": text_col, "id_col": id_col,
                "sentences": sent_dst is not None, "model": _model_id(analyzer)}
    if resume and (parts_dir / _MANIFEST).is_file():
        try:
            old = json.loads((parts_dir / _MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = None
        if old != manifest:
            diff = sorted(k for k in manifest if not old or old.get(k) != manifest[k])
            raise CxError("E405", f"{parts_dir}: checkpoints were written with other {', '.join(diff) or 'settings'}")
    else:
        _clear_parts(parts_dir)
    parts_dir.mkdir(parents=True, exist_ok=True)
    if not (parts_dir / _MANIFEST).is_file():
        (parts_dir / _MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")

    scorer = ChunkScorer(analyzer, cache_size=cache_size)
    bar = _Progress(progress, reader.estimate_rows() if progress else None)
    statuses: Counter[str] = Counter()
    parts: list[Path] = []
    sent_parts: list[Path] = []
    rows = resumed = 0
    try:
        for k, chunk in enumerate(reader):
            part = parts_dir / f"part-{k:06d}.parquet"
            spart = parts_dir / f"sent-{k:06d}.parquet"
            n = len(chunk)
            if resume and _part_rows(part) == n and (sent_dst is None or _part_rows(spart) is not None):
                import pyarrow.parquet as pq
                statuses.update(pq.read_table(part, columns=["cx_status"]).column(0).to_pylist())
                resumed += 1
            else:
                out, sdf = score_frame(chunk, scorer, text_col, id_col, row_offset=rows)
                statuses.update(out["cx_status"].tolist())
                # Sentences first: a main part on disk then implies its sentence part is complete.
                if sent_dst is not None:
                    with TableWriter(spart) as w:
                        w.write(sdf)
                with TableWriter(part) as w:
                    w.write(out)
            parts.append(part)
            sent_parts.append(spart)
            rows += n
            bar.advance(n, rows)
    finally:
        bar.stop(rows)

    empty_cols = [c for c in reader.columns if c not in COLUMNS] + COLUMNS
    out_rows = _assemble(parts, dst, src, empty_cols, last=COLUMNS)
    if sent_dst is not None:
        _assemble(sent_parts, sent_dst, src, SENTENCE_COLUMNS)
    if out_rows != rows:  # cannot happen unless a part was altered behind our back; never publish silently
        raise CxError("E407", f"{dst}: assembled {out_rows} rows from {rows} input rows")
    _clear_parts(parts_dir)

    seconds = time.perf_counter() - t0
    ok = statuses.get("ok", 0)
    return {
        "input": str(src), "output": str(dst), "sentences_output": str(sent_dst) if sent_dst else None,
        "text_col": text_col, "rows": rows, "ok": ok,
        "failed": {k: v for k, v in sorted(statuses.items()) if k != "ok"},
        "chunks": len(parts), "resumed_chunks": resumed,
        "unique_texts": scorer.unique_scored, "cache_hits": scorer.cache_hits,
        "seconds": round(seconds, 3), "rows_per_s": round(rows / seconds, 1) if seconds > 0 else None,
    }
