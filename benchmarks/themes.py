"""Theme discovery: cx_nlp ThemeModel side by side with BERTopic on labeled aspect / intent data.

    python benchmarks/themes.py --embed-only               # build the embedding cache (slow part, once)
    artifacts/bench_env/bin/python benchmarks/themes.py    # the table (BERTopic lives in that venv only)
    python benchmarks/themes.py --scale 1000000            # synthetic scale check: memmap, sampled fit, chunks
    python benchmarks/themes.py --part tune --methods ours # the half used while choosing defaults
    python benchmarks/themes.py --methods ours,ours-nospace # with and without the learned theme space
    python benchmarks/themes.py --methods ours,ours-rows   # unseen corpus vs held-out rows of a seen one

BERTopic is installed in a separate virtual environment so that it never becomes a project dependency:

    python -m venv --system-site-packages artifacts/bench_env
    artifacts/bench_env/bin/pip install bertopic

Both methods get the SAME precomputed embeddings (the project's multilingual-e5-small, one vector per
text, cached under ``artifacts/themes_bench/``): BERTopic runs with its default settings
(``BERTopic().fit_transform(docs, embeddings)``: UMAP 5-d, HDBSCAN min_cluster_size=10, CountVectorizer),
ours with ``ThemeModel()`` defaults, except that its theme space (``cx_nlp.themes.space``) is trained by the
bundled recipe *without* the evaluated set's corpus (and without m_absa for SemEval and the reverse: m_absa's
en restaurant sentences are SemEval's), so no evaluated sentence or category trained it: a domain the space
never saw. ``ours-rows`` trains the space on all six corpora but without the evaluated rows, texts equal to
them, the other sentences of their reviews and their translations (``training.theme_space.excluding``): the
shipped space meeting a held-out split of a corpus it was trained on, as it meets the official test splits
kept out of ``../shared/data``. ``ours-nospace`` is ``ThemeModel(space=None)``, the embedding as it is. Each (dataset, method) fit runs in its own child process so that its
peak memory is its own.

Data (``../shared/data/train``, read-only, never copied): texts with exactly one gold category.
- ``semeval16_en``: SemEval-2016 restaurant sentences (en), categories such as FOOD#QUALITY.
- ``m_absa_en_ru``: M-ABSA restaurant/hotel sentences in en and machine-translated ru, one pool
  (the same category must form one cluster across the two languages).
- ``m_absa_shop_en_ru``: M-ABSA laptop (electronics) and phone-shop (e-commerce: logistics, seller service,
  price, ...) sentences, en and ru, one pool.
- ``parsinlu_fa``: ParsiNLU food/movie reviews (fa), aspects taste/quality/price/packaging/...
- ``sentirueval_ru``: SentiRuEval-2015 restaurant + car reviews cut into sentences (the project's
  segmenter); a sentence's label is the category of the aspect mentions it holds (exactly one).
- ``banking77_en`` / ``bitext_en``: customer-support intents (77 / 28 classes).
Every dataset is split in two halves by a hash of the row id: ``tune`` (used while choosing the defaults)
and ``eval`` (the held-out half reported by default).

Metrics: for M-ABSA, ``translation_agreement``: the share of en/ru translation pairs put in the same theme.
NMI and ARI against the gold labels over ALL texts (a method's outliers count as one cluster,
as a user sees them); ``nmi_in`` = NMI over the texts the method assigned; NPMI coherence of each
theme's top-10 keywords (document co-occurrence in the same texts, words and lemmas); topic diversity
(unique words among all top-10 keywords / all); outlier share; fit seconds; peak MB (the fit's
increase of the child process' peak RSS).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "artifacts" / "themes_bench"
DATASETS = ["semeval16_en", "m_absa_en_ru", "m_absa_shop_en_ru", "parsinlu_fa", "sentirueval_ru", "banking77_en", "bitext_en"]
# the topic corpus each set comes from: its theme space is trained without it (leave one corpus out)
CORPUS = {"semeval16_en": "semeval2016_absa_en_restaurants", "m_absa_en_ru": "m_absa_mt", "m_absa_shop_en_ru": "m_absa_mt",
          "parsinlu_fa": "parsinlu_sentiment", "sentirueval_ru": "sentirueval_2015", "banking77_en": "banking77",
          "bitext_en": "bitext_customer_service"}


def _data_dir() -> Path:
    from cx_nlp.training.corpora import shared_data_dir

    d = shared_data_dir()
    if d is None:
        sys.exit("../shared/data/train is absent")
    return Path(d)


def _read(name: str) -> pd.DataFrame:
    from cx_nlp.training.corpora import _read as read_corpus

    return read_corpus(_data_dir(), name)


def _h(s: str) -> int:
    return int(hashlib.blake2b(s.encode("utf-8"), digest_size=8).hexdigest(), 16)


def _cap(df: pd.DataFrame, n: int) -> pd.DataFrame:
    df = df.assign(_k=df["id"].map(_h)).sort_values("_k")
    return df.head(n).drop(columns="_k").reset_index(drop=True)


def build_dataset(name: str, cap: int = 2400) -> pd.DataFrame:
    """Columns id, text, lang, label (one gold category per text)."""
    from cx_nlp.training.theme_space import _single

    if name == "semeval16_en":
        d = _read("semeval2016_absa_en_restaurants")
        d["label"] = d["aspects"].map(_single)
    elif name in ("m_absa_en_ru", "m_absa_shop_en_ru"):
        d = _read("m_absa_mt")
        domains = ["restaurant", "hotel"] if name == "m_absa_en_ru" else ["laptop", "phone"]
        d = d[d["id"].str.split(":").str[1].str.split("_").str[0].isin(domains)]
        d["label"] = d["aspects"].map(_single)
    elif name == "parsinlu_fa":
        d = _read("parsinlu_sentiment")
        d["label"] = d["aspects"].map(_single)
    elif name == "sentirueval_ru":
        from cx_nlp.training.theme_space import read_topic_corpus

        d = read_topic_corpus(_data_dir(), "sentirueval_2015")
    elif name == "banking77_en":
        d = _read("banking77")
        d["label"] = d["intent"]
    elif name == "bitext_en":
        d = _read("bitext_customer_service")
        d["label"] = d["intent"]
    else:
        raise ValueError(name)
    d = d[d["label"].notna() & d["text"].str.strip().astype(bool)].drop_duplicates("text")
    return _cap(d[["id", "text", "lang", "label"]], cap)


def part_of(ids: pd.Series, part: str) -> np.ndarray:
    odd = ids.map(lambda s: _h("half:" + s) % 2 == 1).to_numpy()
    return odd if part == "eval" else ~odd if part == "tune" else np.ones(len(ids), bool)


# ------------------------------------------------------------------------------- embeddings (cached)
def _key(text: str) -> str:  # same key as cx_nlp.cx.touchpoint_data.CachedEncoder
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def _seed_caches() -> dict[str, np.ndarray]:
    """Vectors other benchmarks already computed with the same encoder (read-only, opportunistic)."""
    out: dict[str, np.ndarray] = {}
    for name in ("tp_cache", "tp_bench_cache"):
        npy, idx = ROOT / "artifacts" / f"{name}.npy", ROOT / "artifacts" / f"{name}.keys.parquet"
        try:
            keys = pd.read_parquet(idx)["key"].tolist()
            arr = np.load(npy, mmap_mode="r")
        except Exception:
            continue
        if len(keys) == len(arr):
            out.update({k: arr[i] for i, k in enumerate(keys)})
    return out


def embeddings_for(name: str, df: pd.DataFrame, encoder=None) -> np.ndarray:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{name}.npy"
    keys = [_key(t) for t in df["text"]]
    kpath = CACHE / f"{name}.keys.json"
    if path.is_file() and kpath.is_file() and json.loads(kpath.read_text()) == keys:
        return np.load(path)
    seed = _seed_caches()
    out = np.zeros((len(df), 384), np.float32)
    missing = [i for i, k in enumerate(keys) if k not in seed]
    for i, k in enumerate(keys):
        if k in seed:
            out[i] = seed[k]
    print(f"[{name}] {len(df) - len(missing)} cached vectors reused, {len(missing)} to embed", flush=True)
    if missing:
        if encoder is None:
            from cx_nlp.encoder import ensure_encoder
            from cx_nlp.encoder.backends import TorchEncoder
            encoder = TorchEncoder(ensure_encoder(), max_tokens=256)
        t0 = time.perf_counter()
        step = 256
        for j in range(0, len(missing), step):
            idx = missing[j:j + step]
            out[idx] = encoder.encode(df["text"].iloc[idx].tolist())
            done = min(j + step, len(missing))
            print(f"  [{name}] {done}/{len(missing)} {done / (time.perf_counter() - t0):.1f} texts/s", flush=True)
    np.save(path, out)
    kpath.write_text(json.dumps(keys))
    return out


# ------------------------------------------------------------------------------------------- metrics
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", re.UNICODE)


def _doc_sets(texts: list[str], langs: list[str]) -> list[set[str]]:
    """Each text as a set of its lowercased words and their lemmas (so both methods' keywords are found)."""
    from cx_nlp.themes.terms import lemmatize_word

    out = []
    for t, lang in zip(texts, langs):
        words = {w.lower() for w in _WORD.findall(t)}
        out.append(words | {lemmatize_word(w, lang) for w in words})
    return out


def npmi(topics: list[list[str]], docs: list[set[str]], top: int = 10) -> float:
    """Mean NPMI of keyword pairs (document co-occurrence); a phrase counts when all its words occur."""
    n = len(docs)
    cache: dict[str, np.ndarray] = {}

    def vec(term: str) -> np.ndarray:
        if term not in cache:
            parts = term.lower().split()
            cache[term] = np.fromiter((all(p in d for p in parts) for d in docs), bool, count=n)
        return cache[term]

    scores = []
    for kw in topics:
        kw = [k for k in kw if k][:top]
        vals = []
        for a in range(len(kw)):
            for b in range(a + 1, len(kw)):
                va, vb = vec(kw[a]), vec(kw[b])
                pa, pb, pab = va.mean(), vb.mean(), (va & vb).mean()
                if pa == 0 or pb == 0:
                    continue
                if pab == 0:
                    vals.append(-1.0)
                    continue
                if pab == 1:
                    vals.append(1.0)
                    continue
                vals.append(float(np.log(pab / (pa * pb)) / -np.log(pab)))
        if vals:
            scores.append(float(np.mean(vals)))
    return float(np.mean(scores)) if scores else float("nan")


def diversity(topics: list[list[str]], top: int = 10) -> float:
    words = [w for kw in topics for k in kw[:top] for w in k.lower().split()[:1] or [k]]
    return len(set(words)) / len(words) if words else float("nan")


def translation_agreement(ids: pd.Series, labels: np.ndarray) -> tuple[float, int]:
    """M-ABSA holds each en sentence and its ru translation (ids ``..._en:...`` / ``..._ru:...``): the share of
    pairs both in this half that land in the same theme (an outlier bucket is no theme), and the pair count."""
    key = ids.str.replace("_en:", "_xx:", regex=False).str.replace("_ru:", "_xx:", regex=False)
    lang = np.where(ids.str.contains("_en:", regex=False), "en", np.where(ids.str.contains("_ru:", regex=False), "ru", ""))
    t = pd.DataFrame({"k": key.to_numpy(), "lang": lang, "lab": np.asarray(labels)})
    piv = t[t["lang"] != ""].pivot_table(index="k", columns="lang", values="lab", aggfunc="first").dropna()
    if piv.empty or not {"en", "ru"} <= set(piv.columns):
        return float("nan"), 0
    same = (piv["en"] == piv["ru"]) & (piv["en"] >= 0)
    return float(same.mean()), int(len(piv))


def score(labels: np.ndarray, gold: np.ndarray, topics: list[list[str]], docs: list[set[str]]) -> dict:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    labels = np.asarray(labels)
    inn = labels >= 0
    return {
        "nmi": normalized_mutual_info_score(gold, labels),
        "ari": adjusted_rand_score(gold, labels),
        "nmi_in": normalized_mutual_info_score(gold[inn], labels[inn]) if inn.sum() > 1 else float("nan"),
        "npmi": npmi(topics, docs),
        "diversity": diversity(topics),
        "outliers": float((~inn).mean()),
        "n_themes": int(len(set(labels[inn].tolist()))),
    }


# ------------------------------------------------------------------------------------------- methods
def _rss_peak_mb() -> float:
    """Peak RSS since the last ``_reset_peak()`` (Linux VmHWM; ru_maxrss can carry the parent's peak)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return _rss_peak_mb()


def _space_without(corpus: str | None, texts: list[str], ids=()):
    """The bundled theme-space recipe fitted on the cached pool minus what ``excluding`` keeps out."""
    from cx_nlp.training.theme_space import excluding, fit_theme_space

    pool = pd.read_parquet(CACHE / "space_pool.parquet")
    emb = np.load(CACHE / "space_pool.npy")
    return fit_theme_space(pool, emb, excluding(pool, corpus, texts, ids))


def loo_space(dataset: str, texts: list[str]):
    """The bundled theme-space recipe trained without ``dataset``'s corpus, a corpus sharing its sentences, or
    any of its texts (both halves): what a user's unseen domain gets."""
    return _space_without(CORPUS[dataset], texts)


def rows_space(evaluated: pd.DataFrame):
    """The bundled recipe trained on every corpus but without the evaluated rows, texts equal to them, and
    their reviews' other sentences and translation twins: the shipped space meeting a held-out split of a
    corpus it was trained on (the official test splits held back from ``../shared/data``)."""
    return _space_without(None, evaluated["text"].tolist(), evaluated["id"].tolist())


def space_pool() -> None:
    """The theme-space training pool and its vectors (cached like the data sets)."""
    from cx_nlp.training.theme_space import topic_pool

    if not (CACHE / "space_pool.parquet").is_file() or not (CACHE / "space_pool.npy").is_file():
        pool = topic_pool(_data_dir())
        embeddings_for("space_pool", pool)
        pool.to_parquet(CACHE / "space_pool.parquet")


def fit_ours(texts, langs, emb, params: dict):
    from cx_nlp import ThemeModel

    import scipy.optimize  # noqa: F401  (imports are not the fit: BERTopic's are loaded before its fit too)
    import sklearn.cluster  # noqa: F401
    import sklearn.decomposition  # noqa: F401

    tm = ThemeModel(**params)
    _reset_peak()
    before = _current_rss_mb()
    t0 = time.perf_counter()
    tm.fit(texts, embeddings=emb, langs=langs)
    labels = np.asarray(tm.labels_)
    secs = time.perf_counter() - t0
    topics = [t.keywords[:10] for t in tm.themes_]
    return labels, topics, secs, max(0.0, _rss_peak_mb() - before)


def fit_bertopic(texts, langs, emb, params: dict):
    from bertopic import BERTopic

    model = BERTopic(**params)
    _reset_peak()
    before = _current_rss_mb()
    t0 = time.perf_counter()
    labels, _ = model.fit_transform(texts, embeddings=emb)
    secs = time.perf_counter() - t0
    topics = [[w for w, _ in (model.get_topic(t) or [])][:10] for t in sorted(set(labels)) if t != -1]
    return np.asarray(labels), topics, secs, max(0.0, _rss_peak_mb() - before)


def worker(args) -> None:
    df = pd.read_parquet(CACHE / f"{args.dataset}.parquet")
    emb = np.load(CACHE / f"{args.dataset}.npy")
    keep = part_of(df["id"], args.part)
    df, emb = df[keep].reset_index(drop=True), emb[keep]
    params = json.loads(args.params or "{}")
    name = args.worker if not params else f"{args.worker}{params}"
    if args.worker == "ours" and "space" not in params:
        full = pd.read_parquet(CACHE / f"{args.dataset}.parquet")
        params["space"] = loo_space(args.dataset, full["text"].tolist())
    elif args.worker == "ours-rows":
        params["space"] = rows_space(df)
    elif args.worker == "ours-nospace":
        params["space"] = None
    fn = fit_ours if args.worker.startswith("ours") else fit_bertopic
    labels, topics, secs, peak = fn(df["text"].tolist(), df["lang"].tolist(), emb, params)
    docs = _doc_sets(df["text"].tolist(), df["lang"].tolist())
    out = score(labels, df["label"].to_numpy(), topics, docs)
    if args.dataset.startswith("m_absa"):  # cross-lingual: does a sentence's translation get its theme?
        out["translation_agreement"], out["translation_pairs"] = translation_agreement(df["id"], labels)
    out.update(dataset=args.dataset, method=name,
               fit_s=secs, peak_mb=peak, n=len(df), n_gold=int(df["label"].nunique()),
               topics=[t[:5] for t in topics[:8]])
    print("RESULT " + json.dumps(out, ensure_ascii=False), flush=True)


def _mean_runs(runs: list[dict]) -> dict:
    out = dict(runs[0])
    for k, v in runs[0].items():
        if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in ("n", "n_gold"):
            out[k] = float(np.nanmean([r[k] for r in runs]))
    out["runs"] = len(runs)
    out["nmi_runs"] = [round(r["nmi"], 4) for r in runs]
    return out


def run_child(method: str, dataset: str, part: str, params: dict | None = None, python: str | None = None) -> dict | None:
    cmd = [python or sys.executable, str(Path(__file__).resolve()), "--worker", method, "--dataset", dataset,
           "--part", part]
    if params:
        cmd += ["--params", json.dumps(params)]
    p = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "TOKENIZERS_PARALLELISM": "false"})
    for line in p.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    sys.stderr.write(f"[{dataset}/{method}] failed:\n{p.stderr[-3000:]}\n")
    return None


def scale(n: int, dim: int = 384, n_topics: int = 150) -> None:
    """Synthetic scale check: n sentence vectors in a disk memmap (as the CLI streams them), fit, report."""
    from cx_nlp import ThemeModel

    rng = np.random.default_rng(0)
    path = CACHE / f"scale_{n}.f32"
    CACHE.mkdir(parents=True, exist_ok=True)
    words = [f"w{chr(97 + i % 26)}{chr(97 + (i // 26) % 26)}" for i in range(n_topics * 4)]
    topic = rng.integers(0, n_topics, n)
    if not path.is_file():
        centres = rng.normal(size=(n_topics, dim)).astype(np.float32)
        mm = np.memmap(path, dtype=np.float32, mode="w+", shape=(n, dim))
        for i in range(0, n, 100_000):
            t = topic[i:i + 100_000]
            v = centres[t] + 0.9 * rng.normal(size=(len(t), dim)).astype(np.float32)
            mm[i:i + len(t)] = v / np.linalg.norm(v, axis=1, keepdims=True)
        mm.flush()
        del mm
    emb = np.memmap(path, dtype=np.float32, mode="r", shape=(n, dim))
    texts = [f"{words[4 * t]} {words[4 * t + 1]} and {words[4 * t + 2]} {i % 97}" for i, t in enumerate(topic.tolist())]
    _reset_peak()
    before = _current_rss_mb()
    t0 = time.perf_counter()
    # synthetic vectors are not the encoder's: the theme space (learned on e5 embeddings) does not apply
    tm = ThemeModel(progress=True, space=None).fit(texts, embeddings=emb, langs="en")
    secs = time.perf_counter() - t0
    from sklearn.metrics import normalized_mutual_info_score

    print(f"scale n={n}: fit {secs:.0f}s, peak RSS {_rss_peak_mb():.0f} MB (+{_rss_peak_mb() - before:.0f} MB over the "
          f"texts and imports), themes {len(tm.themes_)}, outliers {tm.outlier_share_:.1%}, "
          f"NMI {normalized_mutual_info_score(topic, tm.labels_):.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--methods", default="ours,ours-rows,bertopic")
    ap.add_argument("--part", default="eval", choices=["eval", "tune", "all"])
    ap.add_argument("--cap", type=int, default=2400, help="texts per dataset before the tune/eval split")
    ap.add_argument("--bertopic-runs", type=int, default=3, help="BERTopic fits per set (their metrics are averaged)")
    ap.add_argument("--params", default=None, help="JSON parameters for ThemeModel (ours) in a sweep")
    ap.add_argument("--embed-only", action="store_true")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--scale", type=int, default=None, help="synthetic scale check with N sentence vectors")
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--dataset", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args)
    if args.scale:
        return scale(args.scale)
    names = [d for d in args.datasets.split(",") if d]
    for name in names:  # data + embeddings first (cached)
        if not (CACHE / f"{name}.parquet").is_file() or not (CACHE / f"{name}.npy").is_file():
            df = build_dataset(name, args.cap)
            embeddings_for(name, df)
            df.to_parquet(CACHE / f"{name}.parquet")
    space_pool()
    if args.embed_only:
        return
    methods = [m for m in args.methods.split(",") if m]
    if "bertopic" in methods:
        import importlib.util

        if importlib.util.find_spec("bertopic") is None:  # not imported here: the children import it
            print("BERTopic is not installed in this interpreter: run this script with artifacts/bench_env/bin/python "
                  "(see the module docstring); BERTopic rows are skipped.", file=sys.stderr)
            methods.remove("bertopic")
    rows = []
    for name in names:
        for m in methods:
            params = json.loads(args.params) if (args.params and m == "ours") else None
            # BERTopic's UMAP is unseeded by default: its NMI moves by a few hundredths between runs, so it
            # is the mean of several runs (ours is deterministic)
            runs = [r for r in (run_child(m, name, args.part, params) for _ in range(args.bertopic_runs if m == "bertopic" else 1)) if r]
            r = _mean_runs(runs) if runs else None
            if r:
                rows.append(r)
                print(f"{name:15s} {m:9s} NMI {r['nmi']:.3f} ARI {r['ari']:.3f} nmi_in {r['nmi_in']:.3f} "
                      f"NPMI {r['npmi']:.3f} div {r['diversity']:.2f} out {r['outliers']:.1%} k {r['n_themes']} "
                      f"{r['fit_s']:.1f}s {r['peak_mb']:.0f}MB", flush=True)
    if not rows:
        return
    table = pd.DataFrame(rows)
    cols = ["dataset", "method", "n", "n_gold", "n_themes", "nmi", "ari", "nmi_in", "npmi", "diversity", "outliers",
            "fit_s", "peak_mb"]
    print()
    print(table[cols].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if {"ours", "bertopic"} <= set(table["method"]):
        piv = table.pivot(index="dataset", columns="method", values="nmi")
        ours = [c for c in piv.columns if c.startswith("ours")]
        for c in ours:
            piv[f"{c} / BERTopic"] = piv[c] / piv["bertopic"]
        print("\nNMI and ratio to BERTopic")
        print(piv.to_string(float_format=lambda v: f"{v:.3f}"))
        for c in ours:
            r = piv[f"{c} / BERTopic"]
            print(f"{c}: mean ratio {r.mean():.3f}, min ratio {r.min():.3f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
