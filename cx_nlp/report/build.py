"""Render a scored table into ONE self-contained HTML report (and optionally PNG charts).

Self-contained means no CDN and no network: Plotly's JavaScript is inlined once, chart data travels as
JSON inside the page. User text reaches the page only through Jinja2 autoescaping (tables) or through a
JSON block whose ``<``, ``>`` and ``&`` are \\u-escaped, so a review containing ``</script>`` stays data.
"""
from __future__ import annotations

import json
import math
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from .. import __version__
from ..io.readers import read_table
from ..io.writers import check_not_input
from .aggregate import aggregate
from .charts import build_charts

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _finite(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def safe_json(obj: Any) -> Markup:
    """JSON that is inert inside <script>: no '<', '>' or '&' survives, nor JS line separators."""
    text = json.dumps(_finite(obj), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for ch, esc in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return Markup(text)


_PLOTLY_JS: str | None = None


def plotly_js() -> Markup:
    global _PLOTLY_JS
    if _PLOTLY_JS is None:
        try:
            from plotly.offline import get_plotlyjs
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("the HTML report needs plotly: pip install plotly") from exc
        # Plotly's bundle has no "</script" today; escaping keeps the page intact if a release adds one.
        _PLOTLY_JS = get_plotlyjs().replace("</script", "<\\/script")
    return Markup(_PLOTLY_JS)


def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)


def render_html(agg: dict[str, Any], title: str, source: str) -> str:
    charts = build_charts(agg)
    template = _environment().get_template("report.html.j2")
    return template.render(
        title=title, source=source, version=__version__,
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        kpis=agg["kpis"], notes=agg["notes"], touchpoints=agg["touchpoints"], segments=agg["segments"],
        columns=agg["columns"], quotes=agg["quotes"], charts=charts,
        drivers=agg.get("drivers") or [], signals=agg.get("signals") or [], themes=agg.get("themes"),
        plotly_js=plotly_js(), data_json=safe_json({"charts": charts}),
    )


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_report(scored: str | Path | pd.DataFrame, output_html: str | Path, date_col: str | None = None,
                 segment_col: str | None = None, score_col: str | None = None, png_dir: str | Path | None = None,
                 text_col: str | None = None, title: str = "Customer feedback report",
                 themes: str | Path | dict | None = None) -> dict[str, Any]:
    """Write the HTML report (and PNGs into ``png_dir``); returns {"html", "pngs", "aggregates"}.

    ``themes``: the folder (or its themes.json) written by ``cx-nlp themes`` on the same export."""
    out = Path(output_html)
    if isinstance(scored, pd.DataFrame):
        df, source = scored, "DataFrame"
    else:
        check_not_input(out, scored)
        df, source = read_table(scored, detect_text=False).read(), Path(scored).name
    agg = aggregate(df, date_col=date_col, segment_col=segment_col, score_col=score_col, text_col=text_col,
                    themes=themes)
    out.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(out, render_html(agg, title=title, source=source))
    pngs: list[Path] = []
    if png_dir is not None:
        from .png import write_pngs
        pngs = write_pngs(agg, png_dir)
    return {"html": out, "pngs": pngs, "aggregates": agg}
