"""A study's session chart in real Chromium, offline, in JupyterLab and in Voilà: a live Vega view
(hovering a point shows its tooltip, a brush filters the table and the per-policy chart), and
clicking a session point draws its two timelines and plays it (the audio element loads the mixed
WAV), with zero console errors. Screenshots go to test-artifacts/board/."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import harness
import offline
import pytest

from designkit.study.publish import write_template

STUDY = Path(__file__).resolve().parents[2] / "studies" / "quiet-modes" / "study.json"
SOURCE = ("from designkit.study import Study, run, show\n"
          "from designkit.study.board import StudyBoard\n"
          "show.enable()\n"
          "study = Study.load('study.json')\n"
          "board = StudyBoard(study, run(study, progress=False))\n"
          "board\n")
POINTS = ".dk-board-sessions g.mark-symbol path"


def shot(page: Any, artifacts: Path, name: str) -> None:
    folder = artifacts / "board"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def board_folder(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy2(STUDY, root / "study.json")
    offline.notebook(root / "board.ipynb", [SOURCE])
    return root / "board.ipynb"


def exercise_board(page: Any, artifacts: Path, where: str) -> None:
    """Hover, brush, click: what a person does with the chart; asserts what they would see."""
    page.wait_for_selector(POINTS, timeout=240_000)
    shot(page, artifacts, f"{where}-open")
    # Hover a point: vega-tooltip shows the session and its condition, in plain words.
    page.locator(POINTS).first.hover(force=True)
    page.wait_for_selector("#vg-tooltip-element.visible", timeout=10_000)
    tip = page.inner_text("#vg-tooltip-element")
    assert "session" in tip and "condition" in tip, tip
    shot(page, artifacts, f"{where}-tooltip")
    # Brush from the plot's left edge to just past the first point: the table (computed in Python) follows.
    count = page.inner_text(".dk-board-count")
    box = page.locator(".dk-board-sessions svg.marks g.mark-rect.role-frame path, "
                       ".dk-board-sessions svg.marks path.background").first.bounding_box()
    point = page.locator(POINTS).first.bounding_box()
    assert box is not None and point is not None
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.down()
    page.mouse.move(point["x"] + point["width"] + 3, box["y"] + box["height"] - 5, steps=8)
    page.mouse.up()
    page.wait_for_function("c => { const t = document.querySelector('.dk-board-count').innerText;"
                           " return t !== c && !t.startsWith('0 '); }", arg=count, timeout=30_000)
    assert page.inner_text(".dk-board-count") != count
    shot(page, artifacts, f"{where}-brushed")
    page.mouse.dblclick(box["x"] + box["width"] - 3, box["y"] + 3)  # clears the brush
    # Click a session: its timelines are drawn and its audio is loaded and plays.
    page.locator(POINTS).nth(2).click(force=True)
    page.wait_for_selector(".dk-board-opened", timeout=120_000)
    page.wait_for_selector(".dk-board-ab svg.marks g.mark-rect path", timeout=60_000)
    page.wait_for_function("() => { const a = document.querySelector('.dk-board-player audio, audio.dk-board-player');"
                           " return a && a.readyState >= 2 && a.duration > 1; }", timeout=60_000)
    audio = page.evaluate("() => { const a = document.querySelector('.dk-board-player audio, audio.dk-board-player');"
                          " return {src: a.src, duration: a.duration, paused: a.paused}; }")
    assert audio["src"].startswith("blob:") and audio["duration"] > 1, audio
    assert "What changed" in page.inner_text(".dk-board-changes")
    page.locator(".dk-board-ab").scroll_into_view_if_needed()
    shot(page, artifacts, f"{where}-session")


def test_study_board_in_jupyterlab_offline(lab: Any, page: Any, artifacts: Path) -> None:
    board_folder(lab.root / "board")
    blocked = offline.block_network(page)
    problems = offline.watch_problems(page)
    page.goto(f"{lab.url}/lab/tree/board/board.ipynb?reset")
    harness.run_all_cells(page)
    exercise_board(page, artifacts, "lab")
    assert not blocked, blocked
    assert not problems, "\n".join(problems)


def test_study_board_in_voila_offline(tmp_path: Path, page: Any, artifacts: Path,
                                      voila_app: Callable[..., harness.Server],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = board_folder(tmp_path / "app")
    write_template(tmp_path / "app" / "share")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "app" / "share" / "jupyter"))
    (tmp_path / "app" / "voila.json").write_text(
        '{"VoilaConfiguration": {"template": "designkit", "theme": "light",'
        ' "extension_denylist": ["@jupyter-notebook/lab-extension"]}}')
    blocked = offline.block_network(page)
    problems = offline.watch_problems(page)
    server = voila_app(notebook)
    page.goto(server.url, wait_until="domcontentloaded")
    exercise_board(page, artifacts, "voila")
    assert not blocked, blocked
    assert not problems, "\n".join(problems)
