"""A published report a designer can forward, read in real Chromium at a laptop's 1280 x 800: no
sideways scroll, no chart text cut or leaving its chart, no two labels on top of each other, every
chart with alternative text, conditions and metrics in words, the audit in sentences with its JSON
linked. (The `readable` benchmark measures the Voilà app the same way.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import readable_page

from designkit.study.new import new_study
from designkit.study.publish import publish


def test_the_published_report_reads_well_on_a_laptop(tmp_path: Path, browser: Any, artifacts: Path) -> None:
    folder = new_study(tmp_path / "my-study")
    spec = json.loads((folder / "study.json").read_text())
    spec["scenarios"][0]["n"] = 3
    (folder / "study.json").write_text(json.dumps(spec))
    done = publish(folder, audit_sessions=True)
    page = browser.new_page(viewport=readable_page.LAPTOP)
    try:
        page.goto(done.report.as_uri())
        page.screenshot(path=str(artifacts / "report-laptop.png"), full_page=True)
        assert readable_page.measure(page) == {"overflow": [], "clipped": [], "overlapping": [], "without_alt": []}
        text = page.inner_text("body")
        assert "may interrupt, confidence threshold 0.5" in text and "turns answered" in text
        assert "style=barge_in" not in text and "task_success" not in text and "nan" not in text
        assert "Explore" not in text  # the explorer needs a kernel: the report leaves it out
        assert page.locator("#audit a[href='audit.json']").count() == 1 and '"policies"' not in text
        assert page.locator("svg[role=img][aria-label]").count() >= 4
    finally:
        page.close()


CHART = ('<svg width="300" height="120" aria-label="a chart"><text x="10" y="20">first label</text>'
         '<text x="10" y="110">last label</text></svg>')


def test_a_chart_below_the_fold_of_a_scrolling_panel_is_not_cut_but_a_hiding_box_cuts_it(browser: Any) -> None:
    page = browser.new_page(viewport=readable_page.LAPTOP)
    # a Voilà page: the cells scroll in a panel as tall as the window, the chart further down
    page.set_content(f'<div style="height:800px;overflow:auto"><div style="height:900px"></div>{CHART}</div>')
    assert readable_page.measure(page)["clipped"] == []
    page.set_content(f'<div style="height:60px;overflow:hidden">{CHART}</div>')
    clipped = readable_page.measure(page)["clipped"]
    assert len(clipped) == 1 and '"last label" leaves its chart' in clipped[0] and "overflow-y hidden" in clipped[0]
    page.close()
