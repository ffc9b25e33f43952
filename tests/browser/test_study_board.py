"""A study's session chart in real Chromium, offline, in JupyterLab and in Voilà: a live Vega view
(hovering a point shows its tooltip, a brush filters the table and the per-policy chart), and
clicking a session point draws its two timelines and plays it (the audio element loads the mixed
WAV), with zero console errors. Screenshots go to test-artifacts/board/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import board_page as bp
import harness
import offline
import pytest

from designkit.study.publish import write_template


def shot(page: Any, artifacts: Path, name: str) -> None:
    folder = artifacts / "board"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def exercise_board(page: Any, artifacts: Path, where: str) -> None:
    """Hover, brush, click: what a person does with the chart; asserts what they would see."""
    bp.wait_points(page)
    shot(page, artifacts, f"{where}-open")
    # Hover a point: vega-tooltip shows the session and its condition, in plain words.
    tip = bp.hover_a_point(page)
    assert "session" in tip and "condition" in tip, tip
    shot(page, artifacts, f"{where}-tooltip")
    # Brush from the plot's left edge to just past the first point: the table (computed in Python) follows.
    count = page.inner_text(".dk-board-count")
    assert bp.brush_the_first_points(page) != count
    shot(page, artifacts, f"{where}-brushed")
    bp.clear_the_brush(page)
    # Click a session: its timelines are drawn and its audio is loaded and plays.
    audio = bp.open_a_session(page)
    assert audio["src"].startswith("blob:") and audio["duration"] > 1, audio
    assert "What changed" in page.inner_text(".dk-board-changes")
    shot(page, artifacts, f"{where}-session")


def test_study_board_in_jupyterlab_offline(lab: Any, page: Any, artifacts: Path) -> None:
    bp.board_folder(lab.root / "board")
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
    notebook = bp.board_folder(tmp_path / "app")
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
