"""Where the model work of a batch run happens: in this process, in N worker processes, or on Ray Data.

The chunk work is the same everywhere: ``BatchScorer.score`` (texts -> flat cx_* entries) and
``build_frames`` (entries -> output rows). What differs is who runs it:

* **local, 1 worker** (``InlineEngine``): this process, with an already loaded analyzer.
* **local, N workers** (``ProcessEngine``): N processes started with the *spawn* context (a forked copy
  of a process that already ran torch threads can deadlock). Each loads the analyzer once, from an
  ``AnalyzerSpec`` (a recipe, not the 500 MB model, crosses the process boundary), and sets its torch
  threads to ``max(1, cores // N)`` so N workers do not oversubscribe the cores. The reading process
  plans the chunks (which distinct texts need the model, see ``TextPlanner``) and finishes them in
  input order, so the output is the same bytes whatever the worker count.
* **ray** (``score_ray``): the chunks go through ``ray.data.Dataset.map_batches`` on an actor pool, each
  actor running ``ChunkScorer`` (planning + ``BatchScorer``) on its batches; rows carry their input row
  number and are sorted back by it before the output is assembled.
"""
from __future__ import annotations

import bisect
import os
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from .score import BatchScorer

ROW = "_cx_row"            # the input row number that travels with a row through Ray
_SENTENCES = "_cx_sentences"


def available_cpus() -> int:
    """Cores this process may use (the affinity mask in containers, not the host's core count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - macOS / Windows
        return max(1, os.cpu_count() or 1)


def threads_per_worker(workers: int, cpus: int | None = None) -> int:
    return max(1, (cpus or available_cpus()) // max(1, workers))


@dataclass(frozen=True)
class AnalyzerSpec:
    """A picklable recipe for ``Analyzer.load``: what every worker process (or Ray actor) loads once."""
    model: str | None = None
    encoder: str | None = None
    backend: str | None = None   # None: CX_NLP_BACKEND, else Analyzer's default ("auto")

    def load(self):
        from ..analyzer import Analyzer
        return Analyzer.load(self.model, encoder=self.encoder, backend=self.backend)

    def __call__(self):
        return self.load()


def is_analyzer(obj: Any) -> bool:
    """A loaded analyzer (an object with ``predict``), as opposed to a class or factory that makes one."""
    return not isinstance(obj, type) and hasattr(obj, "predict")


def load_analyzer(analyzer_or_factory: Any):
    """An analyzer from an analyzer (returned as is) or a zero-argument factory such as ``AnalyzerSpec``."""
    if is_analyzer(analyzer_or_factory):
        return analyzer_or_factory
    if callable(analyzer_or_factory):
        return analyzer_or_factory()
    raise TypeError(f"[E301] expected an analyzer or an AnalyzerSpec/factory, not {type(analyzer_or_factory).__name__}")


# ----------------------------------------------------------------------------------------- local engines
class InlineEngine:
    """Scores in the calling process (1 worker): futures come back already done."""
    workers = 1

    def __init__(self, analyzer):
        self.analyzer = analyzer
        self.scorer = BatchScorer(analyzer)

    def submit(self, items: list[Any]) -> Future:
        fut: Future = Future()
        fut.set_result(self.scorer.score(items))   # KeyboardInterrupt & co. propagate: the run stops here
        return fut

    def close(self, cancel: bool = False) -> None:
        pass


# State of one worker process: set once by the pool initializer.
_WORKER: BatchScorer | None = None
_WORKER_ERROR: str | None = None


def _init_worker(factory: Callable[[], Any], threads: int) -> None:
    global _WORKER, _WORKER_ERROR
    import signal

    # Ctrl-C reaches the whole process group: only the reading process decides what happens (it stops
    # the workers and keeps the finished chunks for --resume).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Before torch is imported: OpenMP/MKL read these once.
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    os.environ["CX_NLP_THREADS"] = str(threads)   # the ONNX backend reads it
    try:
        import torch
        torch.set_num_threads(threads)
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:  # already set (a factory imported torch and ran something)
            pass
    except ImportError:  # pragma: no cover - torch is a core dependency
        pass
    try:
        _WORKER = BatchScorer(load_analyzer(factory))
    except BaseException as exc:
        _WORKER_ERROR = f"{type(exc).__name__}: {exc}"


def _score_in_worker(items: list[Any]) -> list[tuple[dict, list[dict]]]:
    if _WORKER is None:
        raise RuntimeError(f"the worker could not load the analyzer: {_WORKER_ERROR}")
    return _WORKER.score(items)


def _worker_threads() -> int:
    """The torch thread count inside a worker (for tests)."""
    import torch
    return torch.get_num_threads()


class ProcessEngine:
    """N spawned worker processes, each loading the analyzer once (``factory`` runs in the worker)."""

    def __init__(self, factory: Callable[[], Any], workers: int, threads: int | None = None):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        if workers < 2:
            raise ValueError("ProcessEngine needs workers >= 2 (use InlineEngine for one)")
        self.workers = workers
        self.threads = threads or threads_per_worker(workers)
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_init_worker, initargs=(factory, self.threads))

    def submit(self, items: list[Any]) -> Future:
        if not items:   # every text of the chunk came from the cache
            fut: Future = Future()
            fut.set_result([])
            return fut
        return self.pool.submit(_score_in_worker, items)

    def probe(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` in a worker (tests check the thread setting with it)."""
        return self.pool.submit(fn).result()

    def close(self, cancel: bool = False) -> None:
        """Wait for the workers to finish; with ``cancel`` (an interrupted or failed run) stop them now."""
        if not cancel:
            self.pool.shutdown(wait=True)
            return
        procs = list((getattr(self.pool, "_processes", None) or {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:          # a chunk in a worker can take minutes: do not wait for it
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join(timeout=10)


def local_engine(analyzer: Any, workers: int):
    """InlineEngine for 1 worker (an analyzer or a factory), ProcessEngine for more (a factory)."""
    if workers < 1:
        raise ValueError("workers must be >= 1")
    if workers == 1:
        return InlineEngine(load_analyzer(analyzer))
    if is_analyzer(analyzer):
        raise TypeError("[E301] --workers > 1 needs an AnalyzerSpec (or another picklable zero-argument factory) "
                        "so that each worker process loads the model itself, not a loaded analyzer")
    return ProcessEngine(analyzer, workers)


# ----------------------------------------------------------------------------------------- Ray
def ray_available() -> bool:
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        return False
    return True


class _RayChunk:
    """The Ray Data actor: loads the analyzer once, scores batches with the same chunk functions."""

    def __init__(self, factory, text_col: str, id_col: str | None, sentences: bool, cache_size: int,
                 threads: int = 1):
        from .score import ChunkScorer
        os.environ["TOKENIZERS_PARALLELISM"] = "false"
        os.environ["CX_NLP_THREADS"] = str(threads)
        try:
            import torch
            torch.set_num_threads(threads)    # the actor's CPU reservation, not the node's core count
        except ImportError:  # pragma: no cover
            pass
        self.scorer = ChunkScorer(load_analyzer(factory), cache_size=cache_size)
        self.text_col, self.id_col, self.sentences = text_col, id_col, sentences

    def __call__(self, batch):
        import json

        from .score import build_frames

        rows = batch[ROW].tolist()
        chunk = batch.drop(columns=[ROW])
        scored = self.scorer.score(chunk[self.text_col].tolist())
        out, _ = build_frames(chunk, scored, None, 0)
        out[ROW] = rows
        if self.sentences:
            ids = chunk[self.id_col].tolist() if self.id_col else rows
            out[_SENTENCES] = [json.dumps([dict(s, row_id=_plain(rid)) for s in sents], ensure_ascii=False)
                               for (_, sents), rid in zip(scored, ids)]
        return out


def _plain(v: Any) -> Any:
    item = getattr(v, "item", None)
    return item() if callable(item) else v


def _init_ray(address: str | None, num_cpus: int | None) -> bool:
    import ray

    if ray.is_initialized():
        return False
    kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                              "ignore_reinit_error": True, "configure_logging": False}
    address = address or os.environ.get("RAY_ADDRESS")
    if address:
        ray.init(address=address, **kwargs)
    else:
        ray.init(num_cpus=num_cpus or available_cpus(), **kwargs)
    return True


def score_ray(chunks: Iterator, text_col: str, id_col: str | None, factory: Any, chunk_rows: int,
              sentences: bool, cache_size: int, actors: int | None = None, address: str | None = None,
              num_cpus_per_actor: float = 1.0) -> Iterator[tuple[Any, Any]]:
    """Yield (output chunk, sentence chunk or None) in input order, scored on a Ray Data actor pool.

    ``chunks`` are the input's DataFrame chunks. The pool defaults to one actor per cluster CPU minus
    one: a pool that claims every CPU can leave none for the read/sort tasks and hang (ray issue 44687).
    """
    import json

    import numpy as np
    import pandas as pd
    import ray
    import ray.data

    if is_analyzer(factory):
        raise TypeError("[E301] the ray engine needs an AnalyzerSpec (or another picklable factory), "
                        "not a loaded analyzer: each actor loads the model itself")
    started = _init_ray(address, None)
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        cpus = int(ray.cluster_resources().get("CPU", 1))
        most = max(1, int((cpus - 1) // max(num_cpus_per_actor, 1e-9)))
        size = min(actors, most) if actors else most
        refs, offset = [], 0
        starts: list[int] = []          # first row of each input chunk, and its column types:
        dtypes: list[dict] = []         # output columns get the reader's types back after the Arrow trip
        for chunk in chunks:
            c = chunk.reset_index(drop=True)
            starts.append(offset)
            dtypes.append(c.dtypes.to_dict())
            c[ROW] = np.arange(offset, offset + len(c), dtype=np.int64)
            offset += len(c)
            refs.append(ray.put(c))
        if not refs:
            return
        ds = ray.data.from_pandas_refs(refs)
        ds = ds.map_batches(_RayChunk, batch_size=chunk_rows, batch_format="pandas",
                            compute=ray.data.ActorPoolStrategy(size=size), num_cpus=num_cpus_per_actor,
                            fn_constructor_kwargs={"factory": factory, "text_col": text_col, "id_col": id_col,
                                                   "sentences": sentences, "cache_size": cache_size,
                                                   "threads": max(1, int(num_cpus_per_actor))})
        expected = 0
        for batch in ds.sort(ROW).iter_batches(batch_size=chunk_rows, batch_format="pandas"):
            rows = batch[ROW].to_numpy()
            if len(rows) and (rows[0] != expected or (np.diff(rows) != 1).any()):
                raise RuntimeError(f"ray returned rows out of order or with gaps near row {expected}")
            expected += len(rows)
            out = batch.drop(columns=[ROW] + ([_SENTENCES] if sentences else []))
            if len(rows):
                out = _restore_dtypes(out, dtypes[bisect.bisect_right(starts, int(rows[0])) - 1])
            sdf = None
            if sentences:
                sdf = pd.DataFrame([s for js in batch[_SENTENCES] for s in json.loads(js)])
            yield out, sdf
        if expected != offset:
            raise RuntimeError(f"ray returned {expected} rows for {offset} input rows")
    finally:
        if started:
            ray.shutdown()


def _restore_dtypes(df, dtypes: dict):
    """The local engine's column types: the reader's for input columns, float/int/object for cx_* columns."""
    from .flatten import COLUMNS
    from .score import _FLOAT_COLUMNS, _INT_COLUMNS

    out = df.copy()
    for c in out.columns:
        if c in dtypes:
            want = dtypes[c]
        elif c in _FLOAT_COLUMNS:      # an all-empty float column comes back as Arrow nulls
            want = "float64"
        elif c in _INT_COLUMNS:
            want = "int64"
        elif c in COLUMNS:
            want = object
        else:
            continue
        if out[c].dtype != want:
            col = out[c].astype(want)
            out[c] = col.where(out[c].notna(), None) if want == object else col
    return out


__all__ = ["AnalyzerSpec", "InlineEngine", "ProcessEngine", "local_engine", "score_ray", "ray_available",
           "available_cpus", "threads_per_worker", "ROW"]
