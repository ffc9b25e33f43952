"""Each study, published as a Voilà app, in real Chromium: it renders with no console errors and
nothing fetched from the network, every chart of the notebook draws (this is where each study
notebook runs in a browser), moving a knob redraws the chart, and screenshots go to
test-artifacts/studies/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import harness
import offline
import pytest

from designkit.study.publish import write_app

STUDIES = Path(__file__).resolve().parents[2] / "studies"
SLUGS = sorted(p.name for p in STUDIES.iterdir() if (p / "study.json").is_file())
# Studies with knobs to move (an Explorer); the others are reports, checked to render below.
KNOBBED = [slug for slug in SLUGS if "Explorer" in (STUDIES / slug / f"{slug}.ipynb").read_text()]
REPORTS = [slug for slug in SLUGS if slug not in KNOBBED]
CHART = ".dk-explorer-chart"
# The least number of charts each study's notebook draws (a concatenation draws as one).
LEAST_CHARTS = {slug: 1 if slug == "fd-scorecard" else 2 for slug in SLUGS}  # the scorecard: one chart


def shot(page: Any, artifacts: Path, name: str) -> Path:
    folder = artifacts / "studies"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def chart_svg(page: Any) -> str:
    return str(page.eval_on_selector(CHART, "e => e.innerHTML"))


def changed(page: Any, before: str, timeout_ms: float) -> bool:
    try:
        page.wait_for_function(f"b => document.querySelector('{CHART}').innerHTML !== b", arg=before,
                               timeout=timeout_ms)
        return True
    except Exception:
        return False


def move_a_knob(page: Any, before: str) -> str:
    """Move the first slider by keyboard, as a person would; with no slider, try the first
    dropdown's other options until one changes the chart. Returns what was moved."""
    handles = page.locator(".dk-explorer .noUi-handle")
    if handles.count():
        handle = handles.first
        handle.focus()
        handle.press("PageDown")  # one move of five steps: one redraw
        if not changed(page, before, 60_000):
            status = page.inner_text(".dk-explorer-status")
            page.screenshot(path="/tmp/dk-explorer-not-redrawn.png", full_page=True)
            raise AssertionError(f"moving the slider did not redraw the chart (status now: {status})")
        return "slider"
    select = page.locator(".dk-explorer select").first
    current = select.input_value()
    for option in reversed(select.locator("option").all_inner_texts()):
        if option != current:
            select.select_option(option)
            if changed(page, before, 20_000):
                return f"dropdown -> {option}"
    raise AssertionError("no option of the first dropdown changed the chart")


def see_the_conclusion(page: Any) -> None:
    """The study's conclusion is shown as prose, and no cell failed (a failed cell's traceback
    would also quote the notebook's "**Conclusion.**" source)."""
    page.locator(".jp-RenderedMarkdown strong", has_text="Conclusion.").first.wait_for(timeout=30_000)
    body = page.inner_text("body")
    for failure in ("Traceback (most recent call last)", "There was an error when executing cell"):
        assert failure not in body, body[body.find(failure) - 500 :][:3000]


def see_every_chart(page: Any, slug: str) -> None:
    """Every chart of the notebook draws: a Vega view with marks, none "Error loading script"."""
    least = LEAST_CHARTS[slug]
    page.wait_for_function(f"() => document.querySelectorAll('{offline.DRAWN}').length >= {least}",
                           timeout=120_000)
    drawn = page.evaluate("() => Array.from(document.querySelectorAll('.vega-embed'))"
                          ".filter(e => e.querySelector('svg.marks path, svg.marks text')).length")
    assert drawn >= least, f"{slug}: {drawn} charts drawn, expected {least}"
    text = offline.page_text(page)
    assert not [e for e in offline.LOAD_ERRORS if e in text], f"{slug}: a chart failed to load"


def open_app(slug: str, tmp_path: Path, artifacts: Path, page: Any, voila_app: Callable[[Path], harness.Server],
             monkeypatch: pytest.MonkeyPatch, *, ready: str, what: str) -> tuple[harness.Server, list[str]]:
    """Publish the study, serve it with Voilà, open it and wait for `ready` (the selector of `what`),
    then see its conclusion and every chart; returns the server and the page's problems (console
    errors, page errors, anything not local)."""
    notebook = write_app(STUDIES / slug, tmp_path / slug)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / slug / "share" / "jupyter"))
    problems = harness.watch_offline(page)
    server = voila_app(notebook)  # started in the app folder: its voila.json picks the template and theme
    # Voilà answers once the notebook has run: a whole study (or its agents), minutes on a busy 2-core machine.
    page.goto(server.url, wait_until="domcontentloaded", timeout=300_000)
    try:
        page.wait_for_selector(ready, timeout=240_000)
    except Exception as exc:
        shot(page, artifacts, f"{slug}-failed")
        raise AssertionError(f"{slug}: {what} did not appear; Voilà said:\n{server.log()[-3000:]}") from exc
    see_the_conclusion(page)
    see_every_chart(page, slug)
    shot(page, artifacts, f"{slug}-open")
    return server, problems


@pytest.mark.parametrize("slug", KNOBBED)
def test_study_app_renders_and_follows_its_knobs(slug: str, tmp_path: Path, artifacts: Path, page: Any,
                                                 voila_app: Callable[[Path], harness.Server],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    server, problems = open_app(slug, tmp_path, artifacts, page, voila_app, monkeypatch,
                                ready=f"{CHART} svg", what="the explorer chart")
    before = chart_svg(page)
    status_before = page.inner_text(".dk-explorer-status")
    try:
        how = move_a_knob(page, before)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\npage problems: {problems}\nVoila said:\n{server.log()[-3000:]}") from exc
    # The status line names the new setting once the redraw for it is done (on a busy machine the
    # chart can still be finishing its first drawing when the knob moves: wait for the status).
    try:
        page.wait_for_function("b => document.querySelector('.dk-explorer-status').innerText !== b",
                               arg=status_before, timeout=60_000)
    except Exception as exc:
        raise AssertionError(f"{how}: the status still says {status_before!r}") from exc
    shot(page, artifacts, f"{slug}-moved")
    explorer = page.locator(".dk-explorer")
    explorer.scroll_into_view_if_needed(timeout=60_000)
    explorer.screenshot(path=str(artifacts / "studies" / f"{slug}-explorer.png"), timeout=60_000)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("slug", REPORTS)
def test_report_study_app_renders_its_chart_and_conclusion(slug: str, tmp_path: Path, artifacts: Path, page: Any,
                                                           voila_app: Callable[[Path], harness.Server],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _, problems = open_app(slug, tmp_path, artifacts, page, voila_app, monkeypatch,  # runs its agents first
                           ready="svg.marks", what="a chart")
    assert not problems, "\n".join(problems)
