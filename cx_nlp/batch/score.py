"""Score a table file chunk by chunk, with checkpoints that make a killed run resumable.

Each finished chunk lands in ``<output>.parts/part-000123.parquet`` (atomically), so a resumed run
re-reads the input but scores only the chunks without a valid part. The final file is assembled from the
parts in order, which is why a resumed run writes exactly the bytes an uninterrupted run would.
Rows in = rows out: a chunk whose scoring raises is retried in halves down to single texts, and a text
that still fails gets status "error" with the exception as its message.

Parallel runs (``workers > 1``, ``engine="ray"``; see engines.py) score the same chunks elsewhere. The
reading process plans each chunk (``TextPlanner``: which distinct texts need the model) and finishes
chunks in input order, so the model sees the same batches and the output is the same bytes as with one
worker. At most ``max_inflight`` chunks are between reading and writing, so memory stays flat.
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


class BatchScorer:
    """Scores a list of items through an analyzer into flat entries, never raising for an item.

    This is the work a worker process (or Ray actor) does; it keeps no cache, so what it returns depends
    only on the items it is given.
    """

    def __init__(self, analyzer):
        self.analyzer = analyzer
        self.thresholds: Mapping[str, float] = dict(getattr(analyzer, "emotion_thresholds", {}) or {})
        self._dead_chunks = 0   # consecutive batches where every text failed: the model itself is broken

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

    def score(self, items: list[Any]) -> list[tuple[dict, list[dict]]]:
        """(flat cx_* row, sentence rows without row_id) for each item, in order."""
        if not items:
            return []
        dicts = self._predict(list(items))
        failed = sum(1 for d in dicts if d.get("status") == "error")
        self._dead_chunks = self._dead_chunks + 1 if failed == len(dicts) else 0
        return [(flatten(d, self.thresholds), flatten_sentences(d, self.thresholds)) for d in dicts]


class _Slot:
    """Where the entry of one distinct text lands once its batch is scored (shared by its duplicates)."""
    __slots__ = ("entry",)

    def __init__(self):
        self.entry = None


class ChunkPlan:
    """What one chunk needs scored (``todo``) and, per row, the slot its entry comes from."""
    __slots__ = ("todo", "_todo_slots", "_rows")

    def __init__(self, todo: list[Any], todo_slots: list[_Slot], rows: list[_Slot]):
        self.todo, self._todo_slots, self._rows = todo, todo_slots, rows

    def fill(self, entries: list[tuple[dict, list[dict]]]) -> list[tuple[dict, list[dict]]]:
        if len(entries) != len(self.todo):
            raise RuntimeError(f"scored {len(entries)} entries for {len(self.todo)} texts")
        for slot, entry in zip(self._todo_slots, entries):
            slot.entry = entry
        out = [s.entry for s in self._rows]
        if any(e is None for e in out):   # an earlier chunk was not finished first: a bug, never silent
            raise RuntimeError("a chunk was finished before the chunk its cached texts came from")
        return out


class TextPlanner:
    """Decides, chunk after chunk, which texts need the model: each distinct text once (LRU cache).

    Planning happens in input order in the process that reads the file, so the batch given to the model
    for chunk k is the same whether 1 or N workers score the chunks: the output does not depend on which
    worker did what. Chunks must be finished (``ChunkPlan.fill``) in input order.
    """

    def __init__(self, cache_size: int = 50_000):
        self.cache: OrderedDict[str, _Slot] = OrderedDict()
        self.cache_size = cache_size
        self.unique_scored = 0
        self.cache_hits = 0

    def plan(self, texts: list[Any]) -> ChunkPlan:
        local: dict[str, _Slot] = {}     # this chunk's slots: eviction cannot lose them
        todo: list[Any] = []
        todo_slots: list[_Slot] = []
        rows: list[_Slot] = []
        others: list[tuple[Any, _Slot]] = []
        for t in texts:
            if not isinstance(t, str):
                slot = _Slot()
                others.append((t, slot))
            elif t in local:
                slot = local[t]
            elif t in self.cache:
                self.cache.move_to_end(t)
                slot = local[t] = self.cache[t]
            else:
                slot = local[t] = _Slot()
                todo.append(t)
                todo_slots.append(slot)
            rows.append(slot)
        new = len(todo)
        for t in todo:
            self._remember(t, local[t])
        self.unique_scored += new
        self.cache_hits += len(texts) - len(others) - new
        todo.extend(t for t, _ in others)
        todo_slots.extend(s for _, s in others)
        return ChunkPlan(todo, todo_slots, rows)

    def _remember(self, text: str, slot: _Slot) -> None:
        if self.cache_size <= 0:
            return
        self.cache[text] = slot
        if len(self.cache) > self.cache_size:
            self.cache.popitem(last=False)


class ChunkScorer:
    """Scores lists of texts through an analyzer, once per distinct text, never raising (in one process)."""

    def __init__(self, analyzer, cache_size: int = 50_000):
        self.batch = BatchScorer(analyzer)
        self.planner = TextPlanner(cache_size)
        self.thresholds = self.batch.thresholds

    @property
    def unique_scored(self) -> int:
        return self.planner.unique_scored

    @property
    def cache_hits(self) -> int:
        return self.planner.cache_hits

    def score(self, texts: list[Any]) -> list[tuple[dict, list[dict]]]:
        """(flat cx_* row, sentence rows without row_id) for each text, in order."""
        plan = self.planner.plan(texts)
        return plan.fill(self.batch.score(plan.todo))


def score_frame(chunk: pd.DataFrame, scorer: ChunkScorer, text_col: str, id_col: str | None = None,
                row_offset: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The chunk with cx_* columns appended (same rows, same order) and its sentence rows."""
    return build_frames(chunk, scorer.score(chunk[text_col].tolist()), id_col, row_offset)


def build_frames(chunk: pd.DataFrame, scored: list[tuple[dict, list[dict]]], id_col: str | None = None,
                 row_offset: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The chunk with the scored cx_* columns appended, and its sentence rows (row_id = id or row number)."""
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
ENGINES = ("local", "ray")


def _model_id_of(analyzer) -> str:
    """The checkpoint's model id: from a loaded analyzer, or from the folder an ``AnalyzerSpec`` names."""
    from .engines import AnalyzerSpec

    if isinstance(analyzer, AnalyzerSpec):
        from ..model_folder import read_manifest
        from ..paths import default_model_dir

        # Verified here, in the reading process: a broken model folder fails the run before any worker starts.
        manifest = read_manifest(Path(analyzer.model) if analyzer.model else default_model_dir())
        return hashlib.sha256(json.dumps(manifest, sort_keys=True, default=str).encode()).hexdigest()[:16]
    if isinstance(analyzer, type):     # a class used as the factory (tests' fakes)
        return analyzer.__name__
    return _model_id(analyzer)


def _check_columns(reader, src: Path, named: Mapping[str, str | None]) -> None:
    for option, col in named.items():
        if col is not None and col not in reader.columns:
            raise CxError("E403", f"{src.name}: {option} {col!r} is not a column of the file; "
                                  f"the columns are {reader.columns}",
                          hint=f"pass one of the listed columns to {option} (names are case-sensitive)")


def _write_part(path: Path, df: pd.DataFrame) -> None:
    with TableWriter(path) as w:
        w.write(df)


def score_file(input: str | Path, output: str | Path, analyzer, text_col: str | None = None,
               id_col: str | None = None, chunk_rows: int = 2000, sentences_out: str | Path | None = None,
               resume: bool = False, progress: bool = True, cache_size: int = 50_000, workers: int = 1,
               engine: str = "local", date_col: str | None = None, score_col: str | None = None,
               segment_col: str | None = None, max_inflight: int | None = None,
               ray_address: str | None = None) -> dict[str, Any]:
    """Score every row of ``input`` into ``output`` (format by extension); returns a summary dict.

    ``analyzer``: a loaded analyzer, or an ``AnalyzerSpec`` (a recipe each worker process loads once);
    ``workers > 1`` and ``engine="ray"`` need the spec. The output is the same bytes for any ``workers``.
    ``date_col``/``score_col``/``segment_col`` are checked to exist, kept in the output like every input
    column, and reported in the summary's ``columns`` for the report.
    ``max_inflight``: chunks read ahead of the oldest unfinished one (default 2 x workers): memory stays flat.
    """
    t0 = time.perf_counter()
    src, dst = Path(input), Path(output)
    sent_dst = Path(sentences_out) if sentences_out is not None else None
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be >= 1")
    if not isinstance(workers, int) or workers < 1:
        raise ValueError("workers must be an integer >= 1")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    if engine == "ray" and resume:
        raise ValueError("--resume works with the local engine; Ray retries failed tasks itself")
    check_not_input(dst, src)
    table_format(dst)
    if sent_dst is not None:
        check_not_input(sent_dst, src, dst)
        table_format(sent_dst)
    reader = read_table(src, text_col=text_col, chunksize=chunk_rows)
    text_col = require_text_column(reader)
    if id_col is not None and id_col not in reader.columns:
        raise CxError("E403", f"{src.name}: no id column {id_col!r}; the columns are {reader.columns}")
    _check_columns(reader, src, {"--date-col": date_col, "--score-col": score_col, "--segment-col": segment_col})
    if engine == "ray":
        from .engines import ray_available
        if not ray_available():
            raise CxError("E101", "the ray engine needs Ray Data, which is not installed",
                          hint='pip install "cx-nlp[ray]"  (or: pip install "ray[data]")')

    parts_dir = Path(str(dst) + ".parts")
    manifest = {"version": PARTS_VERSION, "input": str(src.resolve()), "fingerprint": _fingerprint(src),
                "chunk_rows": chunk_rows, "text_col": text_col, "id_col": id_col,
                "sentences": sent_dst is not None, "model": _model_id_of(analyzer)}
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
    try:
        parts_dir.mkdir(parents=True, exist_ok=True)
        if not (parts_dir / _MANIFEST).is_file():
            (parts_dir / _MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    except OSError as exc:   # read-only folder, full disk: a coded error, not a traceback
        raise CxError("E407", f"{parts_dir}: cannot write the checkpoint folder: {exc}") from exc

    bar = _Progress(progress, reader.estimate_rows() if progress else None)
    statuses: Counter[str] = Counter()
    parts: list[Path] = []
    sent_parts: list[Path] = []
    rows = resumed = done = 0
    planner = TextPlanner(cache_size)
    eng = None
    threads = None

    def finish(k: int, chunk: pd.DataFrame, offset: int, plan: ChunkPlan, fut) -> None:
        nonlocal done
        out, sdf = build_frames(chunk, plan.fill(fut.result()), id_col, row_offset=offset)
        statuses.update(out["cx_status"].tolist())
        # Sentences first: a main part on disk then implies its sentence part is complete.
        if sent_dst is not None:
            _write_part(parts_dir / f"sent-{k:06d}.parquet", sdf)
        _write_part(parts_dir / f"part-{k:06d}.parquet", out)
        done += len(chunk)
        bar.advance(len(chunk), done)

    try:
        if engine == "ray":
            from .engines import score_ray
            for k, (out, sdf) in enumerate(score_ray(iter(reader), text_col, id_col, analyzer, chunk_rows,
                                                     sent_dst is not None, cache_size, actors=workers if workers > 1 else None,
                                                     address=ray_address)):
                statuses.update(out["cx_status"].tolist())
                if sent_dst is not None:
                    _write_part(parts_dir / f"sent-{k:06d}.parquet", _sentence_types(sdf, id_col))
                _write_part(parts_dir / f"part-{k:06d}.parquet", out)
                parts.append(parts_dir / f"part-{k:06d}.parquet")
                sent_parts.append(parts_dir / f"sent-{k:06d}.parquet")
                rows += len(out)
                done = rows
                bar.advance(len(out), rows)
        else:
            from collections import deque

            from .engines import local_engine, threads_per_worker
            inflight: deque = deque()
            limit = max_inflight or (1 if workers == 1 else 2 * workers)
            for k, chunk in enumerate(reader):
                part = parts_dir / f"part-{k:06d}.parquet"
                spart = parts_dir / f"sent-{k:06d}.parquet"
                n = len(chunk)
                if resume and _part_rows(part) == n and (sent_dst is None or _part_rows(spart) is not None):
                    import pyarrow.parquet as pq
                    statuses.update(pq.read_table(part, columns=["cx_status"]).column(0).to_pylist())
                    resumed += 1
                    done += n
                    bar.advance(n, done)
                else:
                    if eng is None:   # started lazily: a run resumed to the end loads no model
                        from .engines import AnalyzerSpec
                        if workers > 1 and isinstance(analyzer, AnalyzerSpec) and analyzer.encoder is None:
                            from ..encoder import ensure_encoder
                            ensure_encoder()   # build the encoder cache once, here, not in N workers at once
                        eng = local_engine(analyzer, workers)
                        threads = threads_per_worker(workers) if workers > 1 else None
                    plan = planner.plan(chunk[text_col].tolist())
                    inflight.append((k, chunk, rows, plan, eng.submit(plan.todo)))
                    while len(inflight) >= limit:
                        finish(*inflight.popleft())
                parts.append(part)
                sent_parts.append(spart)
                rows += n
            while inflight:
                finish(*inflight.popleft())
    except BaseException:
        if eng is not None:
            eng.close(cancel=True)
            eng = None
        raise
    finally:
        if eng is not None:
            eng.close()
        bar.stop(done)

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
        "unique_texts": planner.unique_scored if engine == "local" else None,
        "cache_hits": planner.cache_hits if engine == "local" else None,
        "engine": engine, "workers": workers, "threads_per_worker": threads,
        "columns": {"text": text_col, "id": id_col, "date": date_col, "score": score_col, "segment": segment_col},
        "seconds": round(seconds, 3), "rows_per_s": round(rows / seconds, 1) if seconds > 0 else None,
    }


def _sentence_types(sdf: pd.DataFrame, id_col: str | None) -> pd.DataFrame:
    """Sentence rows that came back through JSON, typed like the local engine's."""
    sdf = sdf.reindex(columns=SENTENCE_COLUMNS)
    for c in ("sentiment_score", "p_negative", "p_neutral", "p_positive"):
        sdf[c] = sdf[c].astype("float64")
    for c in ("sentence", "start", "end"):
        sdf[c] = sdf[c].astype("int64")
    if not id_col:
        sdf["row_id"] = sdf["row_id"].astype("int64")
    return sdf
