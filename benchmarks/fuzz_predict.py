"""Fuzz ``Analyzer.predict`` with generated hostile inputs, in batches (issue #10).

    python benchmarks/fuzz_predict.py --n 10000 --batch 64 [--seconds 300] [--seed 0]

Every item is a random mix of str (control characters, RTL + ZWNJ + bidi marks, emoji sequences,
combining marks, mixed scripts, lone surrogates, long runs), None, NaN, numbers, bytes, lists and dicts.
A "crash" is any of: predict raised, the result count differs from the batch, an item's status differs
from ``classify_item``, an ok item has no sentences, or a sentence offset falls outside its text.
Prints the counts of statuses and crashes (exit 1 if crashes > 0). ``--seconds`` stops early (the
count actually run is printed).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
import traceback
from collections import Counter

PIECES = [
    "Great shop, fast delivery!", "Terrible support. ", "Livrare rapidă, mulțumesc. ", "Доставка затримується. ",
    "Очень плохо!!! ", "Świetna obsługa. ", "خیلی\u200cخوب بود. ", "اما تحویل دیر شد؟ ", "שלום עולם. ",
    "बहुत अच्छा। ", "很好。", "👍🏽", "👨\u200d👩\u200d👧", "🇷🇴", "❤️", ":)", "<3", "\u200c", "\u200d", "\u200e",
    "\u200f", "\u202b", "\u202e", "\u2067", "\u2069", "\u061c", "\u0301", "\u0308\u0308\u0308", "\u0651",
    "\ufeff", "\ufffd", "\u00ad", "\u2028", "\x85", "\n", "\r\n", "\t", " ", ". ", "...", "?!", "…", "。",
    "Dr. ", "U.S. ", "e.g. ", "http://x.io/a.b?c=1. ", "a@b.co ", "12.5%", "=1+1", "@SUM(A1)", "\x1b[31m",
]


def rand_char(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.15:
        return chr(rng.randrange(0, 0x20))
    if r < 0.2:
        return chr(rng.randrange(0xD800, 0xE000))        # lone surrogate
    if r < 0.6:
        return chr(rng.randrange(0x20, 0x3000))
    return chr(rng.randrange(0x20, 0x110000))


def rand_text(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.01:
        return rng.choice(["x", "ab ", "Good. "]) * rng.randrange(20_000, 60_000)   # long (some over max_chars)
    if r < 0.05:
        return "".join(rand_char(rng) for _ in range(rng.randrange(0, 30)))
    parts = []
    for _ in range(rng.randrange(0, 12)):
        parts.append(rng.choice(PIECES) if rng.random() < 0.75 else rand_char(rng))
    return "".join(parts)


def rand_item(rng: random.Random):
    r = rng.random()
    if r < 0.8:
        return rand_text(rng)
    return rng.choice([None, float("nan"), float("inf"), 0, -7, 3.25, True, b"\xff\xfe\x00abc",
                       bytes(rng.randrange(256) for _ in range(8)), ["a"], {"k": 1}, "", "   ", "!!!"])


def check(an, items, res, statuses: Counter) -> list[str]:
    problems = []
    if len(res) != len(items):
        return [f"{len(res)} results for {len(items)} items"]
    for item, r in zip(items, res):
        statuses[r.status] += 1
        want = classify_item(item, max_chars=an.max_chars)
        if r.status != want:
            problems.append(f"status {r.status} != {want} for {item!r:.80} ({r.status_message})")
            continue
        if r.status == "ok":
            if not r.sentences:
                problems.append(f"ok without sentences: {item!r:.80}")
            for s in r.sentences:
                if not (0 <= s.start < s.end <= len(item)) or item[s.start:s.end] != s.text:
                    problems.append(f"bad offsets {s.start}:{s.end} in {item!r:.80}")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=None, help="stop after this long (reports how many ran)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    global classify_item
    from cx_nlp import Analyzer
    from cx_nlp.text import classify_item

    rng = random.Random(args.seed)
    t_load = time.perf_counter()
    an = Analyzer.load()
    print(f"model loaded in {time.perf_counter() - t_load:.1f} s", file=sys.stderr)
    statuses: Counter = Counter()
    crashes = 0
    examples: list[str] = []
    done = 0
    t0 = time.perf_counter()
    while done < args.n:
        if args.seconds is not None and time.perf_counter() - t0 > args.seconds:
            break
        items = [rand_item(rng) for _ in range(min(args.batch, args.n - done))]
        try:
            res = an.predict(items)
            problems = check(an, items, res, statuses)
        except Exception:  # noqa: BLE001 - that is what we count
            problems = [traceback.format_exc(limit=3)]
        crashes += len(problems)
        examples.extend(problems[: max(0, 5 - len(examples))])
        done += len(items)
    secs = time.perf_counter() - t0
    report = {"inputs": done, "requested": args.n, "seconds": round(secs, 1),
              "items_per_s": round(done / secs, 1) if secs else None, "statuses": dict(statuses.most_common()),
              "crashes": crashes}
    print(json.dumps(report, indent=1))
    for e in examples:
        print("CRASH:", e, file=sys.stderr)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
