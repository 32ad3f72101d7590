"""The ``cx-nlp`` command line: thin wrappers that parse, call the library and print."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional

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
    for col in ("#", "offsets", "text", "sentiment", "top emotion", "touchpoints"):
        sent.add_column(col, overflow="fold")
    for i, x in enumerate(d["sentences"]):
        top = max(x["emotions"].items(), key=lambda kv: kv[1]) if x["emotions"] else ("", 0)
        sent.add_row(str(i), f"{x['start']}-{x['end']}", x["text"], f"{x['sentiment']['label']} {x['sentiment']['score']:.2f}",
                     f"{top[0]} {top[1]:.2f}", ", ".join(t["name"] for t in x.get("touchpoints", [])))
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


def main() -> None:  # pragma: no cover - console entry point
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
