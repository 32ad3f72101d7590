"""The ``cx-nlp`` command line: thin wrappers that parse, call the library and print."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Multilingual customer-feedback analysis: sentiment, emotions, touchpoints, themes.")
console = Console()
err = Console(stderr=True)


def _analyzer(model: Optional[Path], encoder: Optional[Path]):
    from .analyzer import Analyzer
    from .errors import CxError

    try:
        return Analyzer.load(model, encoder=encoder)
    except CxError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2)


def _bar(p: float, width: int = 12) -> str:
    n = int(round(p * width))
    return "█" * n + "·" * (width - n)


def _print_result(d: dict, thresholds: dict[str, float]) -> None:
    if d["status"] != "ok":
        console.print(f"[yellow]status {d['status']}[/yellow]: {d['status_message']}")
        return
    s = d["sentiment"]
    colour = {"negative": "red", "neutral": "white", "positive": "green"}[s["label"]]
    console.print(f"[bold]{d['lang']}[/bold]  sentiment [{colour}]{s['label']}[/{colour}] ({s['score']:.2f})  "
                  + "  ".join(f"{k} {v:.2f}" for k, v in s["scores"].items()))
    emo = Table(title="emotions", show_header=True, header_style="bold")
    emo.add_column("emotion")
    emo.add_column("p", justify="right")
    emo.add_column("")
    for k, v in sorted(d["emotions"].items(), key=lambda kv: -kv[1]):
        mark = " ◀" if v >= thresholds.get(k, 0.5) else ""
        emo.add_row(k, f"{v:.2f}", _bar(v) + mark)
    console.print(emo)
    if d.get("touchpoints"):
        tp = Table(title="touchpoints", header_style="bold")
        for col in ("touchpoint", "score", "sentiment", "stage"):
            tp.add_column(col)
        for t in d["touchpoints"]:
            tp.add_row(t["name"], f"{t['score']:.2f}", str(t.get("sentiment", "")), str(t.get("stage", "")))
        console.print(tp)
    sent = Table(title="sentences", header_style="bold")
    # Labels and scores on two lines, one touchpoint per line kept whole, and no index column (the offsets
    # name the sentence): the text column folds instead. In an 80-column terminal the one-line cells cut
    # "delivery_logistics" in two.
    names = [t["name"] for x in d["sentences"] for t in x.get("touchpoints", [])]
    for col in ("offsets", "text", "sentiment", "top emotion"):
        sent.add_column(col, overflow="fold", ratio=1 if col == "text" else None)
    sent.add_column("touchpoints", overflow="fold", min_width=max(map(len, names), default=len("touchpoints")))
    for x in d["sentences"]:
        top = max(x["emotions"].items(), key=lambda kv: kv[1]) if x["emotions"] else ("", 0)
        sent.add_row(f"{x['start']}-{x['end']}", x["text"], f"{x['sentiment']['label']}\n{x['sentiment']['score']:.2f}",
                     f"{top[0]}\n{top[1]:.2f}", "\n".join(t["name"] for t in x.get("touchpoints", [])))
    console.print(sent)


@app.command()
def analyze(
    text: Optional[str] = typer.Argument(None, help="Text to analyse (omit with --file)."),
    file: Optional[Path] = typer.Option(None, "--file", "-f", help="A UTF-8 text file, one text per line."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (one object, or JSON lines with --file)."),
    lang: Optional[str] = typer.Option(None, help="Skip language detection and use this ISO code."),
    model: Optional[Path] = typer.Option(None, help="A model folder (default: the bundled model)."),
    encoder: Optional[Path] = typer.Option(None, help="A Hugging Face encoder folder to use instead of e5."),
):
    """Analyse one text (or each line of a file) and print sentiment, emotions and sentences."""
    if (text is None) == (file is None):
        err.print("[red]give either TEXT or --file[/red]")
        raise typer.Exit(2)
    texts = [text] if text is not None else file.read_text(encoding="utf-8", errors="replace").splitlines()
    an = _analyzer(model, encoder)
    results = an.predict(texts, lang=lang)
    for r in results:
        d = r.to_dict()
        if as_json:
            sys.stdout.write(json.dumps(d, ensure_ascii=False) + "\n")
        else:
            _print_result(d, an.emotion_thresholds)


@app.command()
def info(model: Optional[Path] = typer.Option(None, help="A model folder (default: the bundled model).")):
    """Show the model, encoder cache and versions."""
    from . import __version__
    from .encoder import encoder_dir
    from .model_folder import read_manifest
    from .paths import default_model_dir

    folder = model or default_model_dir()
    m = read_manifest(folder)
    console.print(f"cx_nlp {__version__}\nmodel {folder} ({m.get('name')}, heads {m.get('heads')})\n"
                  f"encoder cache {encoder_dir()} ({'built' if (encoder_dir() / 'cx_nlp_build.json').exists() else 'not built yet'})")


@app.command()
def score(
    input: Path = typer.Argument(..., help="CSV/TSV/XLSX/JSONL/Parquet export with a text column."),
    output: Path = typer.Option(..., "--output", "-o", help="Scored file; format chosen by extension."),
    text_col: Optional[str] = typer.Option(None, help="Text column (detected when omitted)."),
    id_col: Optional[str] = typer.Option(None, help="Id column, carried into the sentence table."),
    sentences: Optional[Path] = typer.Option(None, "--sentences", help="Also write a sentence-level table here."),
    chunk_rows: int = typer.Option(2000, help="Rows per streamed chunk (memory stays flat)."),
    resume: bool = typer.Option(False, help="Continue a killed run from its checkpointed chunks."),
    model: Optional[Path] = typer.Option(None, help="A model folder (default: the bundled model)."),
    backend: Optional[str] = typer.Option(None, help="auto (default: int8 ONNX when installed and verified, else torch) | onnx | torch; env CX_NLP_BACKEND"),
    workers: Annotated[int, typer.Option(min=1, help="Worker processes, each loading the model once "
                                          "(same output bytes as 1).")] = 1,
    engine: Annotated[str, typer.Option(help="local (this machine) | ray (Ray Data; pip install 'cx-nlp\\[ray]')")] = "local",
    ray_address: Annotated[Optional[str], typer.Option(help="Ray cluster address (default: $RAY_ADDRESS or a local Ray).")] = None,
    date_col: Annotated[Optional[str], typer.Option(help="Date column, kept in the output for trends in the report.")] = None,
    score_col: Annotated[Optional[str], typer.Option(help="Rating/NPS column, kept for the report.")] = None,
    segment_col: Annotated[Optional[str], typer.Option(help="Segment column (channel, tier...), kept for the report.")] = None,
    report_html: Annotated[Optional[Path], typer.Option("--report", help="Also write the HTML report here, "
                                                        "using the date/score/segment columns.")] = None,
):
    """Score every row of a review export: one output row per input row, same order, columns kept.

    Exit status: 0 when the run finished (rows that could not be scored are counted in the summary),
    2 for a usage/input/model error, 1 when the run itself failed (resume it with --resume).
    """
    from .batch.engines import AnalyzerSpec
    from .batch.score import score_file
    from .errors import CxError

    # A recipe, not a loaded model: the file and columns are checked first, then this process (1 worker)
    # or each worker process / Ray actor loads the model once.
    an = AnalyzerSpec(model=str(model) if model else None, backend=backend)
    try:
        summary = score_file(input, output, an, text_col=text_col, id_col=id_col, chunk_rows=chunk_rows,
                             sentences_out=sentences, resume=resume, progress=True, workers=workers,
                             engine=engine, date_col=date_col, score_col=score_col, segment_col=segment_col,
                             ray_address=ray_address)
    except (CxError, ValueError, TypeError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2)
    except KeyboardInterrupt:
        err.print("[yellow]interrupted: finished chunks are checkpointed; rerun with --resume[/yellow]")
        raise typer.Exit(130)
    except Exception as exc:  # noqa: BLE001 - the run failed (a worker died...): say so, exit 1
        err.print(f"[red]the run failed: {type(exc).__name__}: {exc}[/red]\n"
                  "finished chunks are checkpointed; rerun the same command with --resume")
        raise typer.Exit(1)
    _print_summary(summary)
    failed = ", ".join(f"{k} {v}" for k, v in summary["failed"].items()) or "none"
    err.print(f"{summary['rows']} rows: {summary['ok']} ok; not scored: {failed}; "
              f"{summary['rows_per_s']} rows/s")
    if report_html is not None:
        report(output, report_html, date_col=date_col, segment_col=segment_col, score_col=score_col, png_dir=None,
               themes_dir=None)


@app.command()
def transcripts(
    input: Path = typer.Argument(..., help="Chats/call transcripts: .txt with speaker prefixes, .json turn lists, "
                                 "a CSV/XLSX/JSONL/Parquet of turns (conversation, speaker, text, time) or a folder."),
    output: Path = typer.Option(..., "--output", "-o", help="Conversation-level table; format by extension."),
    turns: Optional[Path] = typer.Option(None, "--turns", help="Turn-level table (default: OUTPUT with .turns)."),
    conversation_col: Optional[str] = typer.Option(None, help="Conversation id column of a turn table (detected)."),
    speaker_col: Optional[str] = typer.Option(None, help="Speaker column of a turn table (detected)."),
    text_col: Optional[str] = typer.Option(None, help="Turn text column (detected)."),
    time_col: Optional[str] = typer.Option(None, help="Time column of a turn table (detected)."),
    first_speaker: str = typer.Option("customer", help="Role of an unknown speaker who talks first when no "
                                      "label or greeting tells: customer (chats) | agent (calls)."),
    model: Optional[Path] = typer.Option(None, help="A model folder (default: the bundled model)."),
    backend: Optional[str] = typer.Option(None, help="auto (default) | onnx | torch; env CX_NLP_BACKEND"),
):
    """Score every turn of support chats / calls and summarise each conversation (trajectory, escalations, resolution)."""
    from .batch.engines import AnalyzerSpec
    from .batch.transcripts import transcripts_file
    from .errors import CxError

    try:
        summary = transcripts_file(input, output, AnalyzerSpec(model=str(model) if model else None, backend=backend),
                                   turns_out=turns, conversation_col=conversation_col, speaker_col=speaker_col,
                                   text_col=text_col, time_col=time_col, first_speaker=first_speaker, progress=True)
    except (CxError, ValueError, TypeError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2)
    _print_summary(summary)


def _print_summary(summary: dict) -> None:
    t = Table(title="scoring summary", header_style="bold")
    t.add_column("what")
    t.add_column("value", justify="right")
    for k, v in summary.items():
        t.add_row(str(k), json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else str(v))
    err.print(t)


@app.command()
def report(
    scored: Path = typer.Argument(..., help="A file written by `cx-nlp score`."),
    output: Path = typer.Option(Path("report.html"), "--output", "-o", help="The HTML report to write."),
    date_col: Optional[str] = typer.Option(None, help="Date column for trends (detected when omitted)."),
    segment_col: Optional[str] = typer.Option(None, help="Column to compare segments by (e.g. channel)."),
    score_col: Optional[str] = typer.Option(None, help="Rating/NPS column to relate to sentiment."),
    png_dir: Optional[Path] = typer.Option(None, help="Also write every chart as PNG (for slides)."),
    themes_dir: Optional[Path] = typer.Option(None, "--themes", help="Folder (or themes.json) written by "
                                              "`cx-nlp themes` on the same export: adds the themes section."),
):
    """Write a self-contained HTML report (works offline) from a scored file."""
    from .errors import CxError
    from .report.build import build_report

    try:
        build_report(scored, output, date_col=date_col, segment_col=segment_col, score_col=score_col, png_dir=png_dir,
                     themes=themes_dir)
    except CxError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2)
    err.print(f"report written to {output}")


@app.command()
def themes(
    input: Path = typer.Argument(..., help="CSV/TSV/XLSX/JSONL/Parquet export with a text column."),
    out_dir: Path = typer.Option(..., "--output", "-o", help="Folder for themes.json, sentences.csv, documents.csv, "
                                 "themes.yaml, model/ and overview.html/png."),
    text_col: Optional[str] = typer.Option(None, help="Text column (detected when omitted)."),
    id_col: Optional[str] = typer.Option(None, help="Id column, carried into the tables."),
    date_col: Optional[str] = typer.Option(None, help="Date column: theme trends per month."),
    score_col: Optional[str] = typer.Option(None, help="Rating/NPS column: each theme's impact on it (with 95% CI)."),
    theme_file: Optional[Path] = typer.Option(None, help="An edited themes.yaml from an earlier run (rename, merge, "
                                              "split, drop, seeds)."),
    clusterer: str = typer.Option("hdbscan", help="hdbscan | kmeans"),
    n_clusters: Optional[int] = typer.Option(None, help="Number of themes for --clusterer kmeans."),
    min_cluster_size: Optional[int] = typer.Option(None, help="Smallest theme (default: 0.5% of the sentences)."),
    display_lang: Optional[str] = typer.Option(None, help="Language of theme names (default: the dominant one)."),
    space: str = typer.Option("auto", help="Where themes are clustered: auto (the bundled theme space, learned from "
                              "labelled aspect and intent data) | none (the embedding as it is) | PATH to a "
                              "theme_space.safetensors or its folder."),
    max_rows: Optional[int] = typer.Option(None, help="Only the first N rows."),
    model: Optional[Path] = typer.Option(None, help="A model folder (default: the bundled model)."),
):
    """Find the recurring themes of a review export (sentence level, across languages)."""
    from .errors import CxError
    from .themes.run import themes_file

    try:
        summary = themes_file(input, out_dir, text_col=text_col, id_col=id_col, date_col=date_col, score_col=score_col,
                              theme_file=theme_file, model=model, max_rows=max_rows, log=lambda m: err.print(m),
                              clusterer=clusterer, n_clusters=n_clusters, min_cluster_size=min_cluster_size,
                              display_lang=display_lang, space=space)
    except (CxError, ValueError, TypeError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2)
    _print_summary(summary)
    err.print(f"themes written to {out_dir}")


@app.command()
def demo(out: Path = typer.Option(Path("out"), help="Folder for the scored file and the report."),
         sample: Optional[Path] = typer.Option(None, help="Another export with the sample's columns (review_id, "
                                               "date, rating, channel, review_text); default data/sample_reviews.csv.")):
    """Score the bundled sample export, find its themes and write the HTML report (README command 1)."""
    from .paths import PACKAGE_DIR

    sample = sample or PACKAGE_DIR.parent / "data" / "sample_reviews.csv"
    if not sample.is_file():
        err.print(f"[red]sample data not found at {sample} (run from a source checkout)[/red]")
        raise typer.Exit(2)
    out.mkdir(parents=True, exist_ok=True)
    scored = out / f"{sample.stem}.scored.csv"
    score(sample, scored, text_col="review_text", id_col="review_id", sentences=out / "sample_sentences.parquet",
          chunk_rows=1000, resume=False, model=None, backend=None)
    from .errors import CxError
    from .themes.run import themes_file

    themes_dir: Path | None = out / "themes"
    try:
        themes_file(sample, themes_dir, text_col="review_text", id_col="review_id", date_col="date", score_col="rating",
                    log=lambda m: err.print(m))
    except CxError as exc:  # the report is still worth writing without its themes section
        err.print(f"[yellow]themes skipped: {exc}[/yellow]")
        themes_dir = None
    report(scored, out / "report.html", date_col="date", segment_col="channel", score_col="rating", png_dir=None,
           themes_dir=themes_dir)
    import pandas as pd

    df = pd.read_csv(scored, dtype=str, keep_default_na=False)
    ok = df[df["cx_status"] == "ok"]
    console.print(f"\n[bold]{len(df)} reviews scored[/bold] ({len(ok)} ok); sentiment: "
                  + ", ".join(f"{k} {v}" for k, v in ok["cx_sentiment"].value_counts().items()))
    console.print("examples:")
    for _, row in ok.head(5).iterrows():
        console.print(f"  [{row['cx_lang']}] {row['cx_sentiment']:8s} {row['cx_touchpoints'][:60]:60s} "
                      f"{row['review_text'][:70]}", markup=False, highlight=False)
    console.print(f"scored file: {scored}\nthemes: {themes_dir}\nreport: {out / 'report.html'}")


@app.command()
def train(
    data: Path = typer.Argument(..., help="Labeled CSV/TSV/XLSX/JSONL/Parquet file or a `datasets` folder."),
    output: Path = typer.Option(..., "--output", "-o", help="Model folder to write (Analyzer.load reads it)."),
    text_col: Optional[str] = typer.Option(None, help="Text column (detected when omitted)."),
    label_col: Optional[str] = typer.Option(None, help="Label column (label/topic/category/rating/... when omitted)."),
    valid: Optional[Path] = typer.Option(None, help="A separate validation file (same columns)."),
    split_col: Optional[str] = typer.Option(None, help="Column with train/valid/test values."),
    lang_col: Optional[str] = typer.Option(None, help="Language column (detected per text when omitted)."),
    head: Optional[str] = typer.Option(None, "--head", help="Head name (default: the label column's name)."),
    label_kind: str = typer.Option("auto", help="auto | single | multi | rating | nps | sentiment"),
    label_sep: Optional[str] = typer.Option(None, help="Delimiter of multi-label strings (detected when omitted)."),
    mode: str = typer.Option("auto", help="auto | frozen | lora | full (auto: frozen without a GPU)."),
    inputs: str = typer.Option("auto", help="What the head reads: auto (whichever scores higher on an inner split "
                               "of the training rows) | embedding (the last layer's mean) | features (plus the "
                               "middle-layer means the default sentiment head reads)."),
    default_heads: bool = typer.Option(True, "--default-heads/--no-default-heads",
                                       help="Copy the default sentiment/emotion/touchpoint heads (frozen mode)."),
    valid_fraction: float = typer.Option(0.15, help="Stratified validation share when no split is given."),
    seed: int = typer.Option(13, help="Random seed (same data + seed -> identical weights)."),
    class_weight: str = typer.Option("balanced", help="balanced | sqrt | none"),
    epochs: Optional[int] = typer.Option(None, help="LoRA/full epochs (default 3/2)."),
    max_length: int = typer.Option(128, help="LoRA/full: tokens per training text."),
    batch_size: int = typer.Option(16, help="LoRA/full batch size."),
    resume: bool = typer.Option(False, help="Continue a killed run (cached embeddings, LoRA checkpoints)."),
    overwrite: bool = typer.Option(False, help="Replace an existing output folder."),
    keep_cache: bool = typer.Option(False, help="Keep <output>/.cache (embeddings, checkpoints) after success."),
    task: str = typer.Option("head", help="head (a new or replaced head, any label set) | touchpoint (labels are "
                             "touchpoint ids, 'a;b' or 'a:negative;b:positive'; retrains the touchpoint detector)"),
    taxonomy: Optional[Path] = typer.Option(None, help="With --task touchpoint: your taxonomy YAML (default: the "
                                            "base model's)."),
):
    """Train a head on your own labels (any label set), or the touchpoint detector, and write a model folder."""
    from .errors import CxError
    from .training.api import train as run_train

    try:
        res = run_train(data, output, text_col=text_col, label_col=label_col, valid=valid, split_col=split_col,
                        lang_col=lang_col, head_name=head, label_kind=label_kind, label_sep=label_sep, mode=mode, inputs=inputs,
                        keep_default_heads=default_heads, valid_fraction=valid_fraction, seed=seed,
                        class_weight=class_weight, epochs=epochs, max_length=max_length, batch_size=batch_size,
                        resume=resume, overwrite=overwrite, keep_cache=keep_cache, progress=True, task=task,
                        taxonomy=taxonomy)
    except (CxError, ValueError) as exc:
        err.print(f"[red]{exc}[/red]", markup=False)
        raise typer.Exit(2)
    if task == "touchpoint":
        v = res.metrics["valid"]
        console.print(f"validation: top-1 {v['top1_accuracy']} (n={v['n_single']} single-touchpoint rows), "
                      f"micro-F1 {v['micro_f1']}, macro-F1 {v['macro_f1']}, about-none right {v['none_accuracy']}")
    else:
        _print_eval(res.metrics["valid"], f"validation: head {res.head!r} ({res.kind}-label, mode {res.mode})")
    console.print(f"model folder: {res.path}  ({res.seconds:.0f} s)")


def _print_eval(rep: dict, title: str) -> None:
    t = Table(title=title, header_style="bold")
    for col in ("language", "n", "macro-F1", "accuracy", "ECE"):
        t.add_column(col, justify="right" if col != "language" else "left")
    for g, r in [("all", rep["overall"])] + list(rep["by_lang"].items()):
        t.add_row(g, str(r["n"]), f"{r['macro_f1']:.3f}", f"{r['accuracy']:.3f}", f"{r['ece']:.3f}")
    console.print(t)


@app.command("eval")
def eval_cmd(
    model: Path = typer.Argument(..., help="A model folder (models/default for the bundled one)."),
    data: Path = typer.Argument(..., help="Labeled CSV/TSV/XLSX/JSONL/Parquet file or a `datasets` folder."),
    text_col: Optional[str] = typer.Option(None, help="Text column (detected when omitted)."),
    label_col: Optional[str] = typer.Option(None, help="Label column (the trained one when omitted)."),
    lang_col: Optional[str] = typer.Option(None, help="Language column (detected per text when omitted)."),
    head: Optional[str] = typer.Option(None, "--head", help="Head to evaluate (default: matched to the labels)."),
    label_kind: str = typer.Option("auto", help="auto | single | multi | rating | nps | sentiment"),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Also write the full report as JSON here."),
):
    """Evaluate a model on labeled data: macro-F1, accuracy, ECE and confusion matrix per language."""
    from .errors import CxError
    from .training.api import evaluate

    try:
        rep = evaluate(model, data, text_col=text_col, label_col=label_col, lang_col=lang_col, head=head,
                       label_kind=label_kind, json_out=json_out, progress=True)
    except (CxError, ValueError) as exc:
        err.print(f"[red]{exc}[/red]", markup=False)
        raise typer.Exit(2)
    _print_eval(rep, f"head {rep['head']!r} on {rep['n']} rows (column {rep['label_col']!r}, {rep['label_source']})")
    o = rep["overall"]
    if rep["kind"] == "single":
        console.print("confusion (rows gold, columns predicted): " + ", ".join(o["labels"]))
        for lab, row in zip(o["labels"], o["confusion"]):
            console.print(f"  {lab:>16s} {row}", markup=False, highlight=False)
    if json_out:
        console.print(f"JSON report: {json_out}")


def main() -> None:  # pragma: no cover - console entry point
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
