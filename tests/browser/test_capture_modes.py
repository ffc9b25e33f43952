"""The live widget's capture modes in real Chromium: "room" asks the browser for echo cancellation
and noise suppression, "measurement" for neither; the widget says which is on and the log keeps it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import harness
import pytest

from designkit.log.reader import read_log


@pytest.mark.parametrize(("mode", "on"), [("room", True), ("measurement", False)])
def test_capture_mode_sets_and_shows_the_browser_filters(voila_app: Any, page: Any, browser_work: Path,
                                                          artifacts: Path, mode: str, on: bool) -> None:
    root = browser_work / f"capture-{mode}"
    root.mkdir(exist_ok=True)
    log_dir = root / "logs"
    extra = f"session.capture = {mode!r}\n"
    server = voila_app(harness.live_notebook(root / f"capture-{mode}.ipynb", log_dir=log_dir, camera=False,
                                             voice=False, extra=extra))
    page.goto(server.url)
    harness.wait_allow(page)
    page.click(".dk-allow >> visible=true")
    harness.wait_live(page, "s.replies >= 5", timeout_ms=60_000)
    filters = harness.live_state(page, "s.filters")
    assert filters["echoCancellation"] is on and filters["noiseSuppression"] is on
    word = "on" if on else "off"
    note = page.inner_text(".dk-capture >> visible=true")
    assert note == f"{mode} mode: echo cancellation {word}, noise suppression {word}"
    (artifacts / "live").mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / "live" / f"capture-{mode}.png"), full_page=True)
    page.click(".dk-revoke >> visible=true")
    folder = next(p for p in log_dir.iterdir() if p.is_dir())
    harness.wait_for(lambda: (folder / "recording.json").is_file(), timeout=30, what="the log to close")
    header = read_log(folder / "log.parquet").header
    assert header["extra"]["capture"] == mode and header["extra"]["filters"]["noiseSuppression"] is on
