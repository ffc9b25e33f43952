"""Two notebooks in one JupyterLab talk live through one model host at once (real Chromium).

What a person would notice: each notebook's LiveSession shows its own decisions, each writes its
own log, and what one microphone says never shows up in the other session: the second tab keeps
its microphone muted, and its log stays silent while the first one hears the bursts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import harness
import pytest

from designkit.log import read_log

TURNS = 40


@pytest.fixture()
def host_url(tmp_path: Path) -> Iterator[str]:
    env = {**os.environ, "DESIGNKIT_CACHE": str(tmp_path / "cache")}
    process = subprocess.Popen([sys.executable, "-m", "designkit.cli", "host", "--port", "0", "--capacity", "4"],
                               stdout=subprocess.PIPE, text=True, env=env)
    try:
        line = process.stdout.readline() if process.stdout else ""
        assert line.startswith("designkit host: ws://"), line
        yield line.split()[2]
    finally:
        process.terminate()
        process.wait(timeout=30)


def _open(page: Any, lab: Any, name: str) -> None:
    page.goto(lab.notebook_url(name))
    harness.run_all_cells(page)
    harness.wait_allow(page)


def _the_log(log_dir: Path) -> Any:
    folders = [p for p in log_dir.iterdir() if p.is_dir()]
    assert len(folders) == 1, folders
    harness.wait_for(lambda: (folders[0] / "recording.json").is_file(), timeout=30, what="the log to close")
    return read_log(folders[0] / "log.parquet")


def test_two_notebooks_share_one_host_without_cross_talk(lab: Any, browser: Any, host_url: str,
                                                          artifacts: Path) -> None:
    folder = artifacts / "host"
    folder.mkdir(exist_ok=True)
    pages, dirs = [], []
    for name in ("talker", "listener"):
        log_dir = lab.root / f"logs-host-{name}"
        harness.live_notebook(lab.root / f"host-{name}.ipynb", log_dir=log_dir, camera=False, name=name,
                              voice=False, options=f"host={host_url!r}",
                              extra="session.muted = True\n" if name == "listener" else "")
        page = harness.new_page(browser)
        _open(page, lab, f"host-{name}.ipynb")
        pages.append(page)
        dirs.append(log_dir)
    for page in pages:
        page.click(".dk-allow >> visible=true")
    for page in pages:
        harness.wait_live(page, f"s.replies >= {TURNS}", timeout_ms=120_000)
    for page, name in zip(pages, ("talker", "listener"), strict=True):
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        page.click(".dk-revoke >> visible=true")
        harness.wait_live(page, "s.phase === 'revoked'")
    heard, quiet = (_the_log(d) for d in dirs)
    assert heard.header["name"] == "talker" and quiet.header["name"] == "listener"
    for log in (heard, quiet):
        assert len(log.frame) >= TURNS
        assert "vap_200ms" in log.signals  # the signals came from the host's audio stack
    assert heard.signal("vad")[5:].max() > 0.5  # the fake microphone's bursts
    assert quiet.signal("vad")[5:].max() < 0.1  # none of them reached the muted session
    for page in pages:
        page.close()
