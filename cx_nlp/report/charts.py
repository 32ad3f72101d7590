"""Plotly figure specs (plain dicts) for the report's aggregates.

Plotly renders a subset of HTML inside labels (<b>, <a href>), so every label that can come from the
user's data (segment values, touchpoint names of a custom taxonomy) is HTML-escaped before it reaches a
figure: it then shows literally instead of being interpreted.
"""
from __future__ import annotations

import html
from typing import Any

from ..batch.flatten import SENTIMENTS

SENTIMENT_COLORS = {"negative": "#d64541", "neutral": "#9aa0a6", "positive": "#2e9d5b"}
EMOTION_COLORS = {"anger": "#e53935", "anticipation": "#fb8c00", "disgust": "#8e24aa", "fear": "#2e7d32",
                  "joy": "#f9c80e", "sadness": "#1e88e5", "surprise": "#00acc1", "trust": "#7cb342"}
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, Arial, sans-serif"


def label(value: Any) -> str:
    return html.escape(str(value), quote=False)


def _layout(**kw) -> dict[str, Any]:
    base = {"margin": {"l": 60, "r": 20, "t": 34, "b": 40}, "height": 320, "font": {"family": FONT, "size": 13},
            "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff", "showlegend": False,
            "xaxis": {"gridcolor": "#eceff1", "zerolinecolor": "#b0bec5"},
            "yaxis": {"gridcolor": "#eceff1", "zerolinecolor": "#b0bec5"}}
    for k, v in kw.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            base[k] = {**base[k], **v}
        else:
            base[k] = v
    return base


def _net_colors(values) -> list[str]:
    return [SENTIMENT_COLORS["positive"] if (v or 0) > 0 else SENTIMENT_COLORS["negative"] if (v or 0) < 0
            else SENTIMENT_COLORS["neutral"] for v in values]


def sentiment_chart(rows) -> dict[str, Any]:
    return {"data": [{"type": "bar", "x": [r["label"] for r in rows], "y": [r["share"] for r in rows],
                      "text": [f"{r['share']}% ({r['count']})" for r in rows], "textposition": "auto",
                      "marker": {"color": [SENTIMENT_COLORS[r["label"]] for r in rows]},
                      "hovertemplate": "%{x}: %{y}%<extra></extra>"}],
            "layout": _layout(yaxis={"title": {"text": "% of scored texts"}, "rangemode": "tozero"})}


def emotion_chart(rows) -> dict[str, Any]:
    rows = sorted(rows, key=lambda r: (r["share"], r["mean"]))
    return {"data": [{"type": "bar", "orientation": "h", "y": [r["name"] for r in rows],
                      "x": [r["share"] for r in rows], "customdata": [r["mean"] for r in rows],
                      "marker": {"color": [EMOTION_COLORS.get(r["name"], "#607d8b") for r in rows]},
                      "hovertemplate": "%{y}: %{x}% of texts (mean p %{customdata})<extra></extra>"}],
            "layout": _layout(margin={"l": 100}, xaxis={"title": {"text": "% of texts above threshold"}})}


def touchpoint_chart(rows) -> dict[str, Any]:
    rows = sorted(rows, key=lambda r: r["net"] if r["net"] is not None else 0)
    return {"data": [{"type": "bar", "orientation": "h", "y": [label(r["name"]) for r in rows],
                      "x": [r["net"] for r in rows], "customdata": [r["mentions"] for r in rows],
                      "marker": {"color": _net_colors(r["net"] for r in rows)},
                      "hovertemplate": "%{y}: net %{x} (%{customdata} mentions)<extra></extra>"}],
            "layout": _layout(margin={"l": 160}, height=max(260, 34 * len(rows) + 60),
                              xaxis={"title": {"text": "net sentiment"}, "range": [-100, 100]})}


def language_chart(rows) -> dict[str, Any]:
    # small slices (a few stray "es"/"tr" texts) would pile their labels up outside the ring: labels stay
    # inside, and those too small to hold one are left to the legend and the hover
    return {"data": [{"type": "pie", "hole": 0.45, "labels": [label(r["lang"]) for r in rows],
                      "values": [r["count"] for r in rows], "sort": False, "textinfo": "label+percent",
                      "textposition": "inside", "insidetextorientation": "horizontal",
                      "hovertemplate": "%{label}: %{value}<extra></extra>"}],
            "layout": _layout(showlegend=True, uniformtext={"minsize": 10, "mode": "hide"})}


def trend_chart(trend) -> dict[str, Any]:
    pts = trend["points"]
    x = [p["date"] for p in pts]
    return {"data": [
        {"type": "bar", "x": x, "y": [p["count"] for p in pts], "name": "texts", "yaxis": "y2",
         "marker": {"color": "#cfd8dc"}, "hovertemplate": "%{x}: %{y} texts<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "x": x, "y": [p["net"] for p in pts], "name": "net sentiment",
         "line": {"color": "#37474f", "width": 2}, "hovertemplate": "%{x}: net %{y}<extra></extra>"}],
        "layout": _layout(showlegend=True, legend={"orientation": "h", "y": 1.12},
                          yaxis={"title": {"text": "net sentiment"}, "range": [-100, 100]},
                          yaxis2={"overlaying": "y", "side": "right", "showgrid": False,
                                  "title": {"text": f"texts per {trend['period']}"}, "rangemode": "tozero"},
                          margin={"r": 60})}


def segment_chart(rows) -> dict[str, Any]:
    rows = list(reversed(rows))
    y = [label(r["segment"]) for r in rows]
    return {"data": [
        {"type": "bar", "orientation": "h", "y": y, "x": [-(r["negative"] or 0) for r in rows], "name": "% negative",
         "marker": {"color": SENTIMENT_COLORS["negative"]}, "customdata": [r["negative"] for r in rows],
         "hovertemplate": "%{y}: %{customdata}% negative<extra></extra>"},
        {"type": "bar", "orientation": "h", "y": y, "x": [r["positive"] or 0 for r in rows], "name": "% positive",
         "marker": {"color": SENTIMENT_COLORS["positive"]}, "hovertemplate": "%{y}: %{x}% positive<extra></extra>"}],
        "layout": _layout(barmode="relative", showlegend=True, legend={"orientation": "h", "y": 1.12},
                          margin={"l": 160}, height=max(260, 34 * len(rows) + 80),
                          xaxis={"title": {"text": "% negative  |  % positive"}, "range": [-100, 100]})}



def score_chart(rows, score_col: str) -> dict[str, Any]:
    return {"data": [{"type": "bar", "x": [r["label"] for r in rows], "y": [r["mean"] for r in rows],
                      "text": [f"{r['mean']} (n={r['count']})" if r["mean"] is not None else "" for r in rows],
                      "textposition": "auto", "marker": {"color": [SENTIMENT_COLORS[r["label"]] for r in rows]},
                      "hovertemplate": "%{x}: mean %{y}<extra></extra>"}],
            "layout": _layout(yaxis={"title": {"text": f"mean {label(score_col)}"}, "rangemode": "tozero"})}


def journey_chart(rows) -> dict[str, Any]:
    """Stages in journey order, mentions stacked by sentiment."""
    # Seven stage names side by side in a half-width card were tilted and cut ("delivery_o"); as rows, top
    # to bottom in journey order, they stay whole and read like the journey.
    stages = [label(r["stage"]).replace("_", " ") for r in rows]
    return {"data": [{"type": "bar", "orientation": "h", "name": s, "y": stages, "x": [r[s] for r in rows],
                      "marker": {"color": SENTIMENT_COLORS[s]},
                      "hovertemplate": "%{y}: %{x} " + s + " mentions<extra></extra>"} for s in SENTIMENTS],
            "layout": _layout(barmode="stack", xaxis={"title": {"text": "touchpoint mentions"}, "rangemode": "tozero"},
                              yaxis={"autorange": "reversed", "automargin": True}, showlegend=True)}


def driver_chart(rows, score_col: str) -> dict[str, Any]:
    """Net effect of each touchpoint on the mean score; the biggest drag at the top."""
    rows = sorted(rows, key=lambda r: -(r["impact"] or 0))
    return {"data": [{"type": "bar", "orientation": "h", "y": [label(r["touchpoint"]) for r in rows],
                      "x": [r["impact"] for r in rows], "marker": {"color": _net_colors([r["impact"] for r in rows])},
                      "hovertemplate": "%{y}: %{x:+.3f} on mean " + label(score_col) + "<extra></extra>"}],
            "layout": _layout(xaxis={"title": {"text": f"effect on mean {label(score_col)}"}}, yaxis={"automargin": True})}


def theme_chart(rows) -> dict[str, Any]:
    rows = sorted(rows, key=lambda r: r["texts"])
    # Plotly merges equal category labels: a cut name keeps the theme id so two themes never share a bar
    short = [r["name"] if len(r["name"]) <= 40 else f"{r['name'][:36]}… #{r['id']}" for r in rows]
    return {"data": [{"type": "bar", "orientation": "h", "y": [label(n) for n in short],
                      "x": [r["texts"] for r in rows], "customdata": [r["net"] for r in rows],
                      "marker": {"color": _net_colors([r["net"] for r in rows])},
                      "hovertemplate": "%{y}: %{x} texts, net %{customdata}<extra></extra>"}],
            "layout": _layout(xaxis={"title": {"text": "texts (colour: net sentiment)"}}, yaxis={"automargin": True})}


def build_charts(agg: dict[str, Any]) -> list[dict[str, Any]]:
    """[{id, title, data, layout}] for every aggregate that has data, in page order."""
    charts = []

    def add(cid: str, title: str, fig: dict[str, Any]) -> None:
        charts.append({"id": cid, "title": title, **fig})

    if agg["kpis"]["scored"]:
        add("chart-sentiment", "Sentiment distribution", sentiment_chart(agg["sentiment"]))
    if agg["emotions"]:
        add("chart-emotions", "Emotion mix", emotion_chart(agg["emotions"]))
    if agg["touchpoints"]:
        add("chart-touchpoints", "Net sentiment per touchpoint", touchpoint_chart(agg["touchpoints"]))
    if agg.get("journey"):
        add("chart-journey", "Journey map: touchpoint mentions per stage", journey_chart(agg["journey"]))
    if agg.get("drivers"):
        add("chart-drivers", f"What drives {agg['columns']['score']}", driver_chart(agg["drivers"], agg["columns"]["score"]))
    if agg.get("themes") and agg["themes"]["rows"]:
        add("chart-themes", "Top themes", theme_chart(agg["themes"]["rows"]))
    if agg["languages"]:
        add("chart-languages", "Languages", language_chart(agg["languages"]))
    if agg.get("trend") and agg["trend"]["points"]:
        add("chart-trend", "Sentiment over time", trend_chart(agg["trend"]))
    if agg.get("segments"):
        add("chart-segments", f"By {agg['columns']['segment']}", segment_chart(agg["segments"]))
    if agg.get("score") and any(r["mean"] is not None for r in agg["score"]):
        add("chart-score", f"Mean {agg['columns']['score']} by sentiment", score_chart(agg["score"], agg["columns"]["score"]))
    return charts
