"""Notebook 01 as a Voilà app, offline, in real Chromium: it renders its live widget with zero
console errors, zero page errors and no request leaving the machine."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import harness

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def test_notebook_01_in_voila_has_no_console_errors_offline(
        tmp_path: Path, artifacts: Path, page: Any, voila_app: Callable[[Path], harness.Server]) -> None:
    source = next(NOTEBOOKS.glob("01-*.ipynb"))
    notebook = tmp_path / source.name
    shutil.copyfile(source, notebook)
    problems = harness.watch_offline(page)
    server = voila_app(notebook)
    page.goto(server.url, wait_until="domcontentloaded")
    try:
        harness.wait_allow(page, timeout_ms=180_000)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nVoilà said:\n{server.log()[-3000:]}") from exc
    page.wait_for_load_state("networkidle", timeout=60_000)
    folder = artifacts / "voila"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / "01-voila-offline.png"), full_page=True)
    assert not problems, "\n".join(problems)
