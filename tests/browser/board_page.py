"""The study board in a page, as a person uses it: a folder with a study and a notebook that shows
its board, then hover a point, brush over points, clear the brush, open a session.

Shared by the board's browser test (tests/browser/test_study_board.py), which asserts what each
step shows, and scripts/screenshots.py, which photographs it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import offline

STUDY = Path(__file__).resolve().parents[2] / "studies" / "quiet-modes" / "study.json"
SOURCE = ("from designkit.study import Study, run, show\n"
          "from designkit.study.board import StudyBoard\n"
          "show.enable()\n"
          "study = Study.load('study.json')\n"
          "board = StudyBoard(study, run(study, progress=False))\n"
          "board\n")
POINTS = ".dk-board-sessions g.mark-symbol path"
PLOT = ".dk-board-sessions svg.marks g.mark-rect.role-frame path, .dk-board-sessions svg.marks path.background"
PLAYER = ".dk-board-player audio, audio.dk-board-player"


def board_folder(root: Path) -> Path:
    """`root` holding the quiet-modes study and `board.ipynb`, which runs it and shows its board."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy2(STUDY, root / "study.json")
    offline.notebook(root / "board.ipynb", [SOURCE])
    return root / "board.ipynb"


def wait_points(page: Any, *, timeout_ms: float = 240_000) -> None:
    """Wait for the sessions' chart to draw its points (the study runs first)."""
    page.wait_for_selector(POINTS, timeout=timeout_ms)


def hover_a_point(page: Any) -> str:
    """Hover the first point; returns its tooltip's text."""
    page.locator(POINTS).first.hover(force=True)
    page.wait_for_selector("#vg-tooltip-element.visible", timeout=10_000)
    return str(page.inner_text("#vg-tooltip-element"))


def plot_box(page: Any) -> dict[str, float]:
    box = page.locator(PLOT).first.bounding_box()
    assert box is not None, "the sessions' chart has no plot area"
    return dict(box)


def brush_the_first_points(page: Any) -> str:
    """Drag from the plot's left edge to just past the first point; returns the table's count
    line once it follows the brush."""
    count = page.inner_text(".dk-board-count")
    box, point = plot_box(page), page.locator(POINTS).first.bounding_box()
    assert point is not None
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.down()
    page.mouse.move(point["x"] + point["width"] + 3, box["y"] + box["height"] - 5, steps=8)
    page.mouse.up()
    page.wait_for_function("c => { const t = document.querySelector('.dk-board-count').innerText;"
                           " return t !== c && !t.startsWith('0 '); }", arg=count, timeout=30_000)
    return str(page.inner_text(".dk-board-count"))


def clear_the_brush(page: Any) -> None:
    box = plot_box(page)
    page.mouse.dblclick(box["x"] + box["width"] - 3, box["y"] + 3)


def open_a_session(page: Any, nth: int = 2) -> dict[str, Any]:
    """Click the `nth` point: wait for its two timelines and its loaded player; returns the
    player's src, duration and paused state."""
    page.locator(POINTS).nth(nth).click(force=True)
    page.wait_for_selector(".dk-board-opened", timeout=120_000)
    page.wait_for_selector(".dk-board-ab svg.marks g.mark-rect path", timeout=60_000)
    page.wait_for_function(f"() => {{ const a = document.querySelector('{PLAYER}');"
                           " return a && a.readyState >= 2 && a.duration > 1; }", timeout=60_000)
    audio: dict[str, Any] = page.evaluate(f"() => {{ const a = document.querySelector('{PLAYER}');"
                                          " return {src: a.src, duration: a.duration, paused: a.paused}; }")
    page.locator(".dk-board-ab").scroll_into_view_if_needed()
    return audio
