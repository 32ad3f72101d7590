"""The HTML report in a real headless browser: charts drawn, no console errors, no XSS, screenshot kept.

The screenshot lands in artifacts/report.png (gitignored) for a human look at the layout.
"""
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from cx_nlp.report import build_report

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
         "--virtual-time-budget=15000"]


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          text=True, timeout=180)


EMOTIONS = ["anger", "anticipation", "disgust", "fear", "joy", "sadness", "surprise", "trust"]
XSS = ["<script>alert(1)</script>", "</script><img src=x onerror=alert(1)>"]


def _scored(n=60) -> pd.DataFrame:
    labels = ["negative", "neutral", "positive"]
    rows = []
    for i in range(n):
        label = labels[i % 3]
        p = {s: 0.1 for s in labels}
        p[label] = 0.8
        rows.append({
            "review": f"{XSS[i % 2]} review {i}", "date": f"2024-{1 + i % 6:02d}-{1 + i % 28:02d}",
            "channel": ["web", "app", XSS[1]][i % 3], "rating": str(1 + i % 5),
            "cx_lang": ["en", "pl", "ru", "fa", "ro"][i % 5], "cx_status": "ok", "cx_sentiment": label,
            **{f"cx_p_{s}": v for s, v in p.items()},
            "cx_emotions": {"negative": "anger;sadness", "positive": "joy"}.get(label, ""),
            **{f"cx_{e}": 0.6 if e in ("anger", "joy") else 0.1 for e in EMOTIONS},
            "cx_touchpoints": "delivery_logistics:negative;staff_behaviour:positive" if i % 2 else "price_value:neutral",
        })
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is absent (apt-get install -y chromium)")
    d = tmp_path_factory.mktemp("browser")
    html = d / "report.html"
    themes = {"summary": {"outlier_share": 0.02}, "columns": {"score": "rating"}, "parents": [],
              "themes": [{"id": i, "name": f"{XSS[i % 2]} theme {i}", "keywords": ["late", XSS[0]], "texts": 10 + i,
                          "share_texts": 0.1, "net_sentiment": -50.0 + 20 * i, "emotions": {"anger": 0.5},
                          "impact": {"diff": -0.5, "diff_ci95": [-0.9, -0.1]},
                          "quotes": [{"text": XSS[1] + " quote"}]} for i in range(5)]}
    build_report(_scored(), html, segment_col="channel", score_col="rating", themes=themes)
    return d, html


def test_charts_render_without_console_errors(page):
    d, html = page
    proc = _chromium(d, "--enable-logging=stderr", "--v=0", "--dump-dom", html.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    # sentiment, emotions, touchpoints, journey, drivers, themes, languages, trend, segments, score
    assert dom.count('class="plot-container plotly"') == 10
    assert "main-svg" in dom
    console = [line for line in proc.stderr.splitlines()
               if "CONSOLE" in line or "Uncaught" in line or "Content Security Policy" in line]
    assert not console, "\n".join(console)
    # The payloads stayed text: no <img> element and no extra <script> came from the data.
    assert not re.search(r"<img[^>]*onerror", dom)


def test_screenshot_artifact(page):
    d, html = page
    artifacts = ROOT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    shot = d / "report.png"
    proc = _chromium(d, "--window-size=1280,3200", f"--screenshot={shot}", html.as_uri())
    assert proc.returncode == 0 and shot.exists(), proc.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000   # not a blank page
    shutil.copy(shot, artifacts / "report.png")
