"""The report's charts as PNG files (Matplotlib), for slides and e-mails where HTML does not travel.

Uses ``matplotlib.figure.Figure`` directly (no pyplot), so no GUI backend or global state is touched.
Note: Matplotlib does not shape Arabic script, so Persian/Arabic segment labels render unjoined.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..batch.flatten import SENTIMENTS
from .charts import EMOTION_COLORS, SENTIMENT_COLORS


def _figure(height: float = 3.2, width: float = 7.0):
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("PNG charts need matplotlib: pip install matplotlib") from exc
    fig = Figure(figsize=(width, height), dpi=120, layout="constrained")
    return fig, fig.add_subplot()


def _style(ax, title: str) -> None:
    ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="both", color="#eceff1", linewidth=0.8)
    ax.set_axisbelow(True)


def _net_color(v) -> str:
    v = v or 0
    return SENTIMENT_COLORS["positive"] if v > 0 else SENTIMENT_COLORS["negative"] if v < 0 else SENTIMENT_COLORS["neutral"]


def _short(s: Any, n: int = 28) -> str:
    s = str(s)
    return s if len(s) <= n else s[:n - 1] + "…"


def write_pngs(agg: dict[str, Any], folder: str | Path) -> list[Path]:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def save(fig, name: str) -> None:
        path = out / name
        tmp = out / f".{name}.tmp.png"
        fig.savefig(tmp, format="png", metadata={"Software": None})
        tmp.replace(path)
        written.append(path)

    if agg["kpis"]["scored"]:
        rows = agg["sentiment"]
        fig, ax = _figure()
        ax.bar([r["label"] for r in rows], [r["share"] for r in rows],
               color=[SENTIMENT_COLORS[r["label"]] for r in rows])
        ax.set_ylabel("% of scored texts")
        _style(ax, "Sentiment distribution")
        save(fig, "sentiment.png")

    if agg["emotions"]:
        rows = sorted(agg["emotions"], key=lambda r: (r["share"], r["mean"]))
        fig, ax = _figure()
        ax.barh([r["name"] for r in rows], [r["share"] for r in rows],
                color=[EMOTION_COLORS.get(r["name"], "#607d8b") for r in rows])
        ax.set_xlabel("% of texts above threshold")
        _style(ax, "Emotion mix")
        save(fig, "emotions.png")

    if agg["touchpoints"]:
        rows = sorted(agg["touchpoints"], key=lambda r: r["net"] or 0)
        fig, ax = _figure(height=max(2.6, 0.35 * len(rows) + 1))
        ax.barh([_short(r["name"]) for r in rows], [r["net"] or 0 for r in rows],
                color=[_net_color(r["net"]) for r in rows])
        ax.set_xlim(-100, 100)
        ax.set_xlabel("net sentiment")
        _style(ax, "Net sentiment per touchpoint")
        save(fig, "touchpoints.png")

    if agg.get("journey"):
        rows = agg["journey"]
        fig, ax = _figure()
        names = [_short(r["stage"], 14) for r in rows]
        bottom = [0] * len(rows)
        for s in SENTIMENTS:
            vals = [r[s] for r in rows]
            ax.bar(names, vals, bottom=bottom, color=SENTIMENT_COLORS[s], label=s)
            bottom = [b + v for b, v in zip(bottom, vals)]
        ax.set_ylabel("touchpoint mentions")
        ax.tick_params(axis="x", labelsize=8, rotation=20)
        ax.legend(fontsize=8, frameon=False)
        _style(ax, "Journey map")
        save(fig, "journey.png")

    if agg.get("drivers"):
        rows = sorted(agg["drivers"], key=lambda r: -(r["impact"] or 0))
        fig, ax = _figure(height=max(2.6, 0.35 * len(rows) + 1))
        ax.barh([_short(r["touchpoint"]) for r in rows], [r["impact"] or 0 for r in rows],
                color=[_net_color(r["impact"]) for r in rows])
        ax.set_xlabel(f"effect on mean {_short(agg['columns']['score'])}")
        _style(ax, f"What drives {_short(agg['columns']['score'])}")
        save(fig, "drivers.png")

    if agg["languages"]:
        rows = agg["languages"]
        fig, ax = _figure()
        ax.bar([_short(r["lang"], 10) for r in rows], [r["count"] for r in rows], color="#5c6bc0")
        ax.set_ylabel("texts")
        _style(ax, "Languages")
        save(fig, "languages.png")

    trend = agg.get("trend")
    if trend and trend["points"]:
        pts = trend["points"]
        fig, ax = _figure()
        x = list(range(len(pts)))
        ax2 = ax.twinx()
        ax2.bar(x, [p["count"] for p in pts], color="#cfd8dc")
        ax2.set_ylabel(f"texts per {trend['period']}")
        ax.plot(x, [p["net"] for p in pts], color="#37474f", marker="o", linewidth=2)
        ax.set_zorder(ax2.get_zorder() + 1)
        ax.patch.set_visible(False)
        ax.set_ylim(-100, 100)
        ax.set_ylabel("net sentiment")
        step = max(1, len(pts) // 8)
        ax.set_xticks(x[::step], [p["date"] for p in pts][::step], rotation=30, ha="right", fontsize=8)
        _style(ax, "Sentiment over time")
        save(fig, "trend.png")

    if agg.get("segments"):
        rows = list(reversed(agg["segments"]))
        fig, ax = _figure(height=max(2.6, 0.35 * len(rows) + 1))
        names = [_short(r["segment"]) for r in rows]
        ax.barh(names, [-(r["negative"] or 0) for r in rows], color=SENTIMENT_COLORS["negative"], label="% negative")
        ax.barh(names, [r["positive"] or 0 for r in rows], color=SENTIMENT_COLORS["positive"], label="% positive")
        ax.set_xlim(-100, 100)
        ax.legend(loc="lower right", fontsize=8, frameon=False)
        _style(ax, f"By {_short(agg['columns']['segment'])}")
        save(fig, "segments.png")

    score = agg.get("score")
    if score and any(r["mean"] is not None for r in score):
        fig, ax = _figure()
        ax.bar([r["label"] for r in score], [r["mean"] or 0 for r in score],
               color=[SENTIMENT_COLORS[r["label"]] for r in score])
        ax.set_ylabel(f"mean {_short(agg['columns']['score'])}")
        _style(ax, f"Mean {_short(agg['columns']['score'])} by sentiment")
        save(fig, "score_by_sentiment.png")
    return written
