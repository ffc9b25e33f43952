"""Charts in real Chromium with the network cut (every request that leaves 127.0.0.1 aborted).

What a person would notice: every chart of the tutorial notebooks draws in JupyterLab (no "Error
loading script", a Vega view with marks), with nothing fetched from a CDN. The study notebooks'
charts are counted the same way in their Voilà apps (test_voila_studies.py), where each study
notebook runs once. Screenshots go to test-artifacts/charts/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import harness
import offline
import pytest

# Notebook -> the least number of charts it draws (a chart cell may draw a concatenation as one).
NOTEBOOKS = {
    "notebooks/00-start-here.ipynb": 1,
    "notebooks/02-scenarios.ipynb": 3,
    "notebooks/03-policies-and-metrics.ipynb": 2,
    "notebooks/04-the-model.ipynb": 2,
    "notebooks/05-vision-and-language.ipynb": 1,
}


def shot(page: Any, artifacts: Path, name: str) -> None:
    folder = artifacts / "charts"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("notebook", list(NOTEBOOKS))
def test_every_chart_draws_offline_in_jupyterlab(notebook: str, lab: Any, page: Any, artifacts: Path) -> None:
    lab.copy_in("notebooks")
    blocked = offline.block_network(page)
    problems = offline.watch_problems(page)
    page.goto(lab.notebook_url(notebook))
    harness.run_all_cells(page)
    done = page.wait_for_function(offline.RAN_ALL, timeout=480_000, polling=500).json_value()
    assert not done["errors"], f"{notebook} raised: {done['errors']}"
    name = Path(notebook).stem
    page.wait_for_function(f"() => document.querySelectorAll('{offline.DRAWN}').length >= {NOTEBOOKS[notebook]}",
                           timeout=60_000)
    drawn = page.evaluate("() => Array.from(document.querySelectorAll('.vega-embed'))"
                          ".filter(e => e.querySelector('svg.marks path, svg.marks text')).length")
    page.locator(".vega-embed").first.scroll_into_view_if_needed()
    shot(page, artifacts, name)
    text = offline.page_text(page)
    assert not [e for e in offline.LOAD_ERRORS if e in text], f"{notebook}: a chart failed to load"
    assert drawn >= NOTEBOOKS[notebook], f"{notebook}: {drawn} charts drawn, expected {NOTEBOOKS[notebook]}"
    # Nothing was asked of the network (a blocked request would be a chart or font from a CDN).
    assert not blocked, blocked
    assert not problems, "\n".join(problems)


def test_charts_draw_offline_in_notebook_7(lab: Any, page: Any, artifacts: Path) -> None:
    notebook = "notebooks/00-start-here.ipynb"
    lab.copy_in("notebooks")
    blocked = offline.block_network(page)
    problems = offline.watch_problems(page)
    page.goto(f"{lab.url}/notebooks/{notebook}")
    harness.run_all_cells(page)
    done = page.wait_for_function(offline.RAN_ALL, timeout=480_000, polling=500).json_value()
    assert not done["errors"], done["errors"]
    page.wait_for_selector(offline.DRAWN, timeout=60_000)
    page.locator(".vega-embed").first.scroll_into_view_if_needed()
    # Hovering a mark shows its tooltip: a live view, not a picture.
    page.locator(".vega-embed svg.marks g.mark-rect path").first.hover(force=True)
    page.wait_for_selector("#vg-tooltip-element.visible", timeout=10_000)
    shot(page, artifacts, "notebook7-00-start-here")
    assert not [e for e in offline.LOAD_ERRORS if e in offline.page_text(page)]
    assert not blocked, blocked
    # Notebook 7 itself reports two page errors on opening a notebook from a JupyterLab-configured
    # server (a file-browser command and a settings schema): they are not about charts.
    chart_problems = [p for p in problems if "filebrowser:open-path" not in p and "reading 'schema'" not in p]
    assert not chart_problems, "\n".join(chart_problems)
