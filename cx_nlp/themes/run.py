"""``cx-nlp themes INPUT -o DIR``: score a review export, find its themes, write what the report uses.

One encoder pass: the Analyzer segments and embeds every text once; its sentence vectors are streamed to
a float32 memmap in ``DIR/.cache`` (constant memory for millions of sentences) and the same vectors feed
``ThemeModel.fit``. Output folder:

- ``themes.json``: themes (id, name, keywords per language, examples, parent, touchpoints) with their
  aggregates (volume, net sentiment, emotion mix, trend over ``--date-col``, impact on ``--score-col``,
  quotes), the parent themes and run facts;
- ``sentences.csv``: one row per sentence (row, offsets, text, theme id and name, similarity, sentiment);
- ``documents.csv``: one row per input row (row, id, dominant theme, all themes);
- ``themes.yaml``: the editable theme file for the next run (``--theme-file``); ``model/``: the fitted model;
- ``overview.html`` and ``overview.png``: a one-page look at the themes.
"""
from __future__ import annotations

import html
import json
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..errors import CxError

__all__ = ["themes_file", "encode_results"]


def encode_results(an, texts: list, lang: str | None = None):
    """Results and their sentence vectors from ONE encoder pass (falls back to two on an unknown Analyzer)."""
    try:
        docs = an._prepare(texts, lang=lang)
        feats, piece_of, pieces = an._encode_features(docs)
        results = an._score(texts, docs, feats, piece_of, pieces)
        rows = [piece_of[d] for d, r in enumerate(results) if r.status == "ok" and d in piece_of]
        vecs = feats[np.concatenate(rows), :an.encoder.dim] if rows else np.zeros((0, an.encoder.dim), np.float32)
    except AttributeError:  # pragma: no cover - an Analyzer without the internal steps
        from ..text import normalize

        results = an.predict(texts, lang=lang)
        sents = [s.text for r in results if r.status == "ok" for s in r.sentences]
        vecs = an.encoder.encode([normalize(s) for s in sents]) if sents else np.zeros((0, an.encoder.dim), np.float32)
    return results, np.asarray(vecs, dtype=np.float32)


def themes_file(input: str | Path, out_dir: str | Path, text_col: str | None = None, id_col: str | None = None,
                date_col: str | None = None, score_col: str | None = None, theme_file: str | Path | None = None,
                model: str | Path | None = None, chunk_rows: int = 2000, max_rows: int | None = None,
                progress: bool = True, log: Callable[[str], None] | None = None, **theme_params) -> dict[str, Any]:
    from ..analyzer import Analyzer
    from ..io.readers import read_table, require_text_column
    from .aggregate import theme_aggregates
    from .model import ThemeModel

    say = log or (lambda m: None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cache = out / ".cache"
    cache.mkdir(exist_ok=True)
    reader = read_table(input, text_col=text_col, chunksize=chunk_rows)
    tcol = require_text_column(reader)
    for name, col in (("--id-col", id_col), ("--date-col", date_col), ("--score-col", score_col)):
        if col is not None and col not in reader.columns:
            raise CxError("E403", f"{Path(input).name}: no column {col!r} ({name}); the columns are {reader.columns}")
    t0 = time.perf_counter()
    an = Analyzer.load(model) if model else Analyzer.load()
    texts: list[Any] = []
    ids: list[Any] = []
    dates: list[Any] = []
    scores: list[Any] = []
    langs: list[str | None] = []
    spans: list[list[tuple[int, int]]] = []
    s_sent: list[str | None] = []
    s_emo: list[dict | None] = []
    s_tp: list[list[str]] = []
    emb_path = cache / "sentence_embeddings.f32"
    n_sent = 0
    dim = None
    fh = open(emb_path, "wb")
    bar = None
    if progress:
        try:
            from tqdm.auto import tqdm

            bar = tqdm(total=reader.estimate_rows(), desc="scoring + embedding", unit="row")
        except ImportError:  # pragma: no cover
            bar = None
    try:
        for chunk in reader:
            if max_rows is not None and len(texts) >= max_rows:
                break
            if max_rows is not None:
                chunk = chunk.iloc[: max_rows - len(texts)]
            items = [None if (isinstance(v, float) and np.isnan(v)) else v for v in chunk[tcol].tolist()]
            results, vecs = encode_results(an, items)
            dim = vecs.shape[1] if len(vecs) else dim
            fh.write(np.ascontiguousarray(vecs, dtype=np.float32).tobytes())
            n_sent += len(vecs)
            for k, r in enumerate(results):
                texts.append(items[k] if isinstance(items[k], str) else "")
                langs.append(r.lang)
                spans.append([(s.start, s.end) for s in r.sentences] if r.status == "ok" else [])
                for s in (r.sentences if r.status == "ok" else []):
                    s_sent.append((s.sentiment or {}).get("label"))
                    s_emo.append(s.emotions)
                    s_tp.append([t["name"] for t in (s.touchpoints or [])[:1]])
            ids.extend(chunk[id_col].tolist() if id_col else range(len(ids), len(ids) + len(chunk)))
            dates.extend(chunk[date_col].tolist() if date_col else [])
            scores.extend(chunk[score_col].tolist() if score_col else [])
            if bar is not None:
                bar.update(len(chunk))
    finally:
        fh.close()
        if bar is not None:
            bar.close()
    if n_sent == 0:
        raise CxError("E404", f"{Path(input).name}: no scorable text in column {tcol!r}")
    emb = np.memmap(emb_path, dtype=np.float32, mode="r", shape=(n_sent, dim))
    t_enc = time.perf_counter() - t0
    say(f"{len(texts)} rows, {n_sent} sentences embedded in {t_enc:.0f}s; finding themes")
    # stable ids: the model of an earlier run (next to the edited theme file, or in DIR) is the reference
    reference = None
    for cand in ([Path(theme_file).parent / "model"] if theme_file else []) + [out / "model"]:
        if (cand / "themes.json").is_file() and (cand / "themes.safetensors").is_file():
            reference = cand
            break
    tm = ThemeModel(theme_file=theme_file, reference=reference, encoder=an, progress=progress, **theme_params)
    tm.fit(texts, embeddings=emb, sentences=spans, langs=langs, touchpoints=s_tp)
    doc_of = tm.unit_doc_
    agg = theme_aggregates(tm.sentence_labels_, doc_of, len(texts), sentiment=s_sent, emotions=s_emo,
                           sentence_text=[texts[d][a:b] for d, sp in enumerate(spans) for a, b in sp],
                           similarity=tm.sentence_similarities_, dates=dates if date_col else None,
                           scores=scores if score_col else None)
    themes = []
    for t in tm.themes_:
        d = t.to_dict()
        d.update(agg.get(t.id, {}))
        themes.append(d)
    summary = {"input": str(input), "rows": len(texts), "sentences": int(n_sent), "themes": len(tm.themes_),
               "parents": len(tm.parents_), "outlier_share": round(tm.outlier_share_, 4),
               "display_lang": tm.display_lang_, "seconds": round(time.perf_counter() - t0, 1)}
    doc = {"summary": summary, "columns": {"text": tcol, "id": id_col, "date": date_col, "score": score_col},
           "themes": themes, "parents": tm.parents_}
    (out / "themes.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1, default=_json_default),
                                     encoding="utf-8")
    _write_tables(out, tm, texts, ids, spans, s_sent)
    tm.save(out / "model")
    tm.write_theme_file(out / "themes.yaml")
    write_overview(out, doc)
    del emb
    try:
        emb_path.unlink()
        cache.rmdir()        # only when empty: a user's own files there are never touched
    except OSError:
        pass
    return summary


def _json_default(v: Any):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    return str(v)


def _write_tables(out: Path, tm, texts, ids, spans, s_sent) -> None:
    import pandas as pd

    from ..io.writers import defuse_frame

    names = tm.theme_names_
    rows = []
    k = 0
    for d, sp in enumerate(spans):
        for a, b in sp:
            t = int(tm.sentence_labels_[k])
            rows.append({"row": d, "id": ids[d], "start": a, "end": b, "sentence": texts[d][a:b], "theme_id": t,
                         "theme": names.get(t, ""), "similarity": round(float(tm.sentence_similarities_[k]), 4),
                         "sentiment": s_sent[k]})
            k += 1
    defuse_frame(pd.DataFrame(rows)).to_csv(out / "sentences.csv", index=False)
    per_doc: dict[int, dict[int, float]] = {}
    for d, t, s in zip(tm.unit_doc_.tolist(), tm.sentence_labels_.tolist(), tm.sentence_similarities_.tolist()):
        if t >= 0:
            per_doc.setdefault(d, {})
            per_doc[d][t] = per_doc[d].get(t, 0.0) + max(s, 1e-6)
    docs = []
    for d in range(len(texts)):
        allt = [t for t, _ in sorted(per_doc.get(d, {}).items(), key=lambda kv: (-kv[1], kv[0]))]
        dom = int(tm.labels_[d])
        docs.append({"row": d, "id": ids[d], "theme_id": dom, "theme": names.get(dom, ""),
                     "all_theme_ids": ";".join(map(str, allt)), "all_themes": "; ".join(names[t] for t in allt)})
    defuse_frame(pd.DataFrame(docs)).to_csv(out / "documents.csv", index=False)


def write_overview(out: Path, doc: dict) -> None:
    """overview.png (volume bars coloured by net sentiment) and overview.html (escaped, self-contained)."""
    themes = doc["themes"][:25]
    png_ok = False
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(9, 0.38 * max(len(themes), 3) + 1.2), dpi=110)
        names = [t["name"][:48] for t in themes][::-1]
        vols = [t.get("sentences", t["size"]) for t in themes][::-1]
        nets = [(t.get("net_sentiment") or 0) for t in themes][::-1]
        cmap = plt.get_cmap("RdYlGn")
        ax.barh(names, vols, color=[cmap((n + 100) / 200) for n in nets], edgecolor="#555", linewidth=0.4)
        for y, (v, n) in enumerate(zip(vols, nets)):
            ax.text(v, y, f"  {n:+.0f}", va="center", fontsize=8)
        ax.set_xlabel("sentences (label: net sentiment, -100..100)")
        ax.set_title(f"Themes: {doc['summary']['rows']} texts, {doc['summary']['sentences']} sentences")
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        fig.savefig(out / "overview.png")
        plt.close(fig)
        png_ok = True
    except Exception:  # pragma: no cover - no matplotlib / font problems never fail the run
        png_ok = False
    e = html.escape
    rows = []
    for t in doc["themes"]:
        imp = t.get("impact")
        imp_s = (f"{imp['diff']:+.2f} [{imp['diff_ci95'][0]:+.2f}, {imp['diff_ci95'][1]:+.2f}]" if imp else "")
        quotes = "".join(f"<li>{e(q['text'])}</li>" for q in t.get("quotes", [])[:2])
        tps = ", ".join(tp["name"] for tp in t.get("touchpoints", []))
        rows.append(
            f"<tr><td>{t['id']}</td><td><b>{e(t['name'])}</b><br><small>{e(', '.join(t['keywords'][:8]))}</small></td>"
            f"<td>{t.get('sentences', t['size'])}</td><td>{t.get('texts', t.get('docs', ''))}</td>"
            f"<td>{'' if t.get('net_sentiment') is None else format(t['net_sentiment'], '+.0f')}</td>"
            f"<td>{e(imp_s)}</td><td>{e(tps)}</td><td><ul>{quotes}</ul></td></tr>")
    parents = "".join(f"<li><b>{e(p['name'])}</b> ({p['size']} sentences; themes {e(', '.join(map(str, p['themes'])))}"
                      f"{'; ' + e(', '.join(tp['name'] for tp in p['touchpoints'])) if p.get('touchpoints') else ''})</li>"
                      for p in doc["parents"])
    s = doc["summary"]
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>Themes overview</title>
<style>body{{font:14px system-ui,sans-serif;margin:24px;color:#222}}table{{border-collapse:collapse}}
td,th{{border-bottom:1px solid #ddd;padding:6px 8px;vertical-align:top;text-align:left}}small{{color:#666}}
ul{{margin:0;padding-left:18px}}</style></head><body>
<h1>Themes overview</h1>
<p>{s['rows']} texts, {s['sentences']} sentences, {s['themes']} themes in {s['parents']} groups;
{100 * s['outlier_share']:.1f}% of sentences without a theme.</p>
{'<img src="overview.png" alt="theme volumes" style="max-width:100%">' if png_ok else ''}
<h2>Groups</h2><ul>{parents}</ul>
<h2>Themes</h2><table><tr><th>id</th><th>theme</th><th>sentences</th><th>texts</th><th>net sentiment</th>
<th>score impact (95% CI)</th><th>touchpoints</th><th>quotes</th></tr>{''.join(rows)}</table>
</body></html>"""
    (out / "overview.html").write_text(page, encoding="utf-8")
