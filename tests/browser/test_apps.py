"""Notebook 01 as an app (Voilà, designkit template) in real Chromium with a fake microphone: the
notebook's own instructions are hidden, the privacy line and what is logged are stated, and the
state line is live (it follows consent and the microturns instead of a print from load time)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import harness
import offline
import pytest

from designkit.study.publish import app_command

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "01-live-microturns.ipynb"


def test_notebook_01_reads_as_an_app(tmp_path: Path, page: Any, artifacts: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = tmp_path / NOTEBOOK.name
    shutil.copy2(NOTEBOOK, notebook)
    cmd, env, _ = app_command(notebook, port=0, share=tmp_path / "share")
    monkeypatch.setenv("JUPYTER_PATH", env["JUPYTER_PATH"])
    monkeypatch.setenv("DESIGNKIT_CACHE", str(tmp_path / "cache"))
    args = [a for a in cmd[cmd.index("--Voila.ip=127.0.0.1") + 1:]]
    blocked = offline.block_network(page)
    problems = offline.watch_problems(page)
    with harness.voila(notebook, tmp_path, extra_args=args) as server:
        page.goto(server.url, wait_until="domcontentloaded")
        page.wait_for_selector(".dk-live-summary", timeout=180_000)
        text = page.inner_text("body")
        assert "Waiting for you to click Allow" in text
        assert "Run the next cell" not in text and "close_session" not in text  # notebook-only cells hidden
        footer = page.inner_text(".dk-privacy")
        assert "nothing is captured before you click Allow" in footer and "Logged:" in footer
        page.wait_for_selector(".dk-allow:not([disabled]) >> visible=true", timeout=60_000)
        folder = artifacts / "apps"
        folder.mkdir(exist_ok=True)
        page.screenshot(path=str(folder / "01-before-allow.png"), full_page=True)
        page.click(".dk-allow >> visible=true")
        page.wait_for_function("() => /Live: [1-9][0-9]* microturns/.test("
                               "document.querySelector('.dk-live-summary').innerText)", timeout=60_000)
        first = page.inner_text(".dk-live-summary")
        page.wait_for_function("f => document.querySelector('.dk-live-summary').innerText !== f", arg=first,
                               timeout=30_000)
        page.screenshot(path=str(folder / "01-live.png"), full_page=True)
        page.click(".dk-revoke >> visible=true")
        page.wait_for_function("() => document.querySelector('.dk-live-summary').innerText.includes('Stopped')",
                               timeout=30_000)
    assert not blocked, blocked
    assert not problems, "\n".join(problems)
