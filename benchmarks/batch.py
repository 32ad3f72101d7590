"""Batch scoring: rows/s and peak memory with 1 and 2 workers, and whether memory stays flat as files grow.

    python benchmarks/batch.py                        # both parts, default sizes
    python benchmarks/batch.py --model-rows 600 --plumbing-rows 100000 1000000 --workers 1 2
    python benchmarks/batch.py --json artifacts/batch.json

Scoring 100k or 1M distinct rows with the real encoder is far too slow for a laptop-class CPU (tens of
rows/s), so the benchmark has two parts that each measure one thing:

1. **model throughput** (``--model-rows``, default 2000 distinct multilingual reviews from
   ``../shared/data/train``): ``cx-nlp score`` end to end with the real Analyzer, 1 vs 2 workers.
   ``rows/s`` = rows / wall time of the whole run, *including* loading the model (once per worker) and
   writing the output; ``scoring rows/s`` excludes the start-up (first chunk finished -> last chunk).
2. **pipeline memory** (``--plumbing-rows``, default 100k and 1M rows): a duplicate-heavy export (60
   distinct texts, unique ids/dates/ratings) so the text cache makes the model nearly free and only the
   streaming pipeline is measured: reader -> chunk plan -> cx_* frames -> Parquet checkpoint parts ->
   assembly of the final CSV. If memory is flat, peak RSS at 1M rows ~= peak RSS at 100k rows.

Every configuration runs in a fresh subprocess; a sampler polls the RSS of that process and its worker
processes every 0.1 s. Printed per run: ``peak RSS (tree)`` = the largest sum over the process and its
workers (what the machine needs), ``peak RSS (main)`` = the reading/writing process alone, and
``baseline`` = the main process after imports, before the run.

3. **cache plateau**: the text cache keeps up to ``cache_size`` (50,000) scored entries; with mostly
   distinct texts it fills and then stays there. Its size is estimated with tracemalloc from real
   entries (deep copies of real results), so the flat level for a file of distinct texts is known too.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CORPORA = [("laroseda", "ro"), ("polemo2_medicine_sentences", "pl"), ("rusentiment", "ru"), ("snappfood", "fa"),
           ("semeval2016_absa_en_restaurants", "en")]
DUP_TEXTS = [
    "Kurier spóźnił się dwa dni, ale obsługa była miła.", "Świetny sklep, szybka dostawa, polecam.",
    "Курьер опоздал на два дня, но поддержка была вежливой.", "Отличный магазин, всё пришло вовремя.",
    "پیک دو روز دیر کرد اما پشتیبانی مودب بود.", "کیفیت محصول عالی بود و قیمت مناسب.",
    "Curierul a întârziat două zile, dar personalul a fost amabil.", "Produs de calitate slabă, nu recomand.",
    "The delivery was late and the box was damaged.", "Great price and the staff were very helpful!",
]


# ----------------------------------------------------------------------------------------- inputs
def model_input(path: Path, n: int) -> None:
    import pandas as pd

    from cx_nlp.training.corpora import shared_data_dir

    data = shared_data_dir()
    texts: list[str] = []
    if data is not None:
        per = n // len(CORPORA) + 1
        for name, _ in CORPORA:
            f = data / f"{name}.jsonl.gz"
            if not f.is_file():
                continue
            got = 0
            with gzip.open(f, "rt", encoding="utf-8") as fh:
                for line in fh:
                    t = json.loads(line).get("text") or ""
                    if 20 <= len(t) <= 600:
                        texts.append(t)
                        got += 1
                        if got >= per:
                            break
    if len(texts) < n:   # no shared data: distinct variants of the sample sentences
        texts += [f"{DUP_TEXTS[i % len(DUP_TEXTS)]} (#{i})" for i in range(n - len(texts))]
    texts = list(dict.fromkeys(texts))[:n]
    pd.DataFrame({"id": [f"r{i:07d}" for i in range(len(texts))], "text": texts,
                  "channel": [["web", "app", "store"][i % 3] for i in range(len(texts))]}).to_csv(path, index=False)


def plumbing_input(path: Path, n: int) -> None:
    """60 distinct texts over n rows, written in blocks (the generator itself stays small)."""
    texts = [f"{t} {tag}" for t in DUP_TEXTS for tag in ("", "!", "Serio.", "Да.", "Bine.", "OK")]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("id,date,rating,text\n")
        block = []
        for i in range(n):
            t = texts[(i * 7) % len(texts)].replace('"', '""')
            block.append(f'r{i:08d},2024-{1 + i % 12:02d}-{1 + i % 28:02d},{1 + i % 5},"{t}"\n')
            if len(block) >= 50_000:
                fh.write("".join(block))
                block = []
        fh.write("".join(block))


# ----------------------------------------------------------------------------------------- child run
def child(args) -> None:
    """Runs in the measured subprocess: one score_file call, prints one JSON line."""
    import psutil

    from cx_nlp.batch import score_file
    from cx_nlp.batch.engines import AnalyzerSpec

    baseline = psutil.Process().memory_info().rss
    spec = AnalyzerSpec()
    analyzer = spec.load() if args.workers == 1 else spec
    marks: dict[str, float] = {}

    import cx_nlp.batch.score as score_mod
    orig = score_mod._write_part

    def timed(path, df):   # first/last finished chunk: scoring time without start-up
        orig(path, df)
        if not Path(path).name.startswith("part-"):
            return
        now = time.perf_counter()
        if "first" not in marks:
            marks["first"], marks["after"] = now, 0
        else:
            marks["after"] += len(df)
        marks["last"] = now

    score_mod._write_part = timed
    t0 = time.perf_counter()
    s = score_file(args.input, args.output, analyzer, chunk_rows=args.chunk_rows, workers=args.workers,
                   progress=False)
    wall = time.perf_counter() - t0
    main_peak = psutil.Process().memory_info().rss
    steady = None
    if "first" in marks and marks["last"] > marks["first"]:
        steady = marks["after"] / (marks["last"] - marks["first"])
    print(json.dumps({"rows": s["rows"], "wall_s": wall, "rows_per_s": s["rows"] / wall,
                      "scoring_rows_per_s": steady, "unique_texts": s["unique_texts"],
                      "baseline_mb": baseline / 2**20, "main_end_mb": main_peak / 2**20}))


class Sampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        import psutil
        self.proc = psutil.Process(pid)
        self.peak_tree = self.peak_main = 0
        self.stop = threading.Event()

    def run(self) -> None:
        import psutil
        while not self.stop.is_set():
            try:
                main = self.proc.memory_info().rss
                tree = main + sum(c.memory_info().rss for c in self.proc.children(recursive=True))
            except psutil.Error:
                break
            self.peak_main = max(self.peak_main, main)
            self.peak_tree = max(self.peak_tree, tree)
            time.sleep(0.1)


def measure(input: Path, workers: int, chunk_rows: int, tmp: Path) -> dict:
    out = tmp / f"out-{input.stem}-{workers}.csv"
    cmd = [sys.executable, __file__, "--child", "--input", str(input), "--output", str(out),
           "--workers", str(workers), "--chunk-rows", str(chunk_rows)]
    env = dict(os.environ, TOKENIZERS_PARALLELISM="false", HF_HUB_OFFLINE="1")
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    sampler = Sampler(p.pid)
    sampler.start()
    stdout, stderr = p.communicate()
    sampler.stop.set()
    sampler.join()
    if p.returncode != 0:
        raise RuntimeError(f"child failed ({p.returncode}): {stderr[-2000:]}")
    res = json.loads(stdout.strip().splitlines()[-1])
    res.update({"workers": workers, "peak_tree_mb": sampler.peak_tree / 2**20, "peak_main_mb": sampler.peak_main / 2**20})
    out.unlink(missing_ok=True)
    return res


def cache_plateau(entries: int = 50_000) -> dict:
    """MiB held by ``entries`` cached results, from fresh copies of real ones (tracemalloc)."""
    import pickle
    import tracemalloc

    from cx_nlp import Analyzer
    from cx_nlp.batch.score import BatchScorer

    real = BatchScorer(Analyzer.load()).score(DUP_TEXTS)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    blobs = [pickle.dumps(e) for e in real]    # unpickling makes fresh str/float objects, like real entries
    held = [pickle.loads(blobs[i % len(blobs)]) for i in range(entries // 10)]
    per = (tracemalloc.get_traced_memory()[0] - before) / len(held)
    tracemalloc.stop()
    del held
    return {"entries": entries, "bytes_per_entry": per, "plateau_mb": per * entries / 2**20}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--chunk-rows", type=int, default=2000)
    ap.add_argument("--model-rows", type=int, default=2000, help="0 skips part 1")
    ap.add_argument("--plumbing-rows", type=int, nargs="*", default=[100_000, 1_000_000], help="none skips part 2")
    ap.add_argument("--no-cache-plateau", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if args.child:
        args.workers = args.workers[0]
        return child(args)
    try:
        import psutil  # noqa: F401
    except ImportError:
        sys.exit("benchmarks/batch.py needs psutil (pip install psutil)")
    from cx_nlp.batch.engines import available_cpus

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(f"{available_cpus()} CPU cores available; chunk_rows={args.chunk_rows}; load average {load}"
          " (other processes on the machine slow every number below)")
    results: dict = {"cpus": available_cpus(), "load_start": load, "model": [], "plumbing": []}
    with tempfile.TemporaryDirectory(prefix="cx_bench_") as d:
        tmp = Path(d)
        if args.model_rows:
            src = tmp / "model.csv"
            model_input(src, args.model_rows)
            print(f"\n1. model throughput: {args.model_rows} distinct multilingual reviews, real Analyzer")
            for w in args.workers:
                r = measure(src, w, min(args.chunk_rows, max(10, args.model_rows // 10)), tmp)
                results["model"].append(r)
                steady = f"{r['scoring_rows_per_s']:.1f}" if r["scoring_rows_per_s"] else "n/a"
                print(f"  workers={w}: {r['rows_per_s']:.1f} rows/s end to end ({r['wall_s']:.0f} s incl. model "
                      f"load), {steady} rows/s while scoring; peak RSS tree {r['peak_tree_mb']:.0f} MiB, "
                      f"main {r['peak_main_mb']:.0f} MiB")
        if args.plumbing_rows:
            print("\n2. pipeline memory: duplicate-heavy export (60 distinct texts), real Analyzer, cache on")
            for n in args.plumbing_rows:
                src = tmp / f"dup{n}.csv"
                plumbing_input(src, n)
                size = src.stat().st_size / 2**20
                for w in args.workers:
                    r = measure(src, w, args.chunk_rows, tmp)
                    r.update({"input_mb": size})
                    results["plumbing"].append(r)
                    print(f"  {n:>9,} rows ({size:.0f} MiB CSV), workers={w}: {r['rows_per_s']:,.0f} rows/s; "
                          f"peak RSS tree {r['peak_tree_mb']:.0f} MiB, main {r['peak_main_mb']:.0f} MiB "
                          f"(baseline {r['baseline_mb']:.0f} MiB)")
                src.unlink()
            by = {}
            for r in results["plumbing"]:
                by.setdefault(r["workers"], []).append(r)
            for w, rs in by.items():
                if len(rs) >= 2:
                    a, b = rs[0], rs[-1]
                    print(f"  growth workers={w}: {a['rows']:,} -> {b['rows']:,} rows: peak main RSS "
                          f"{b['peak_main_mb'] - a['peak_main_mb']:+.0f} MiB, tree {b['peak_tree_mb'] - a['peak_tree_mb']:+.0f} MiB")
    if not args.no_cache_plateau:
        c = cache_plateau()
        results["cache"] = c
        print(f"\n3. cache plateau: {c['entries']:,} cached results x {c['bytes_per_entry'] / 1024:.1f} KiB "
              f"= {c['plateau_mb']:.0f} MiB (reached once 50k distinct texts were seen; then flat)")
    results["load_end"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(f"\nload average at the end: {results['load_end']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
