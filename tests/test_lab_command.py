"""`designkit lab`: JupyterLab on 127.0.0.1 opening the first notebook, in a folder of the user's own
when the notebooks come from the wheel; stopped cleanly by SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from designkit.commands import lab


def test_the_command_binds_127_0_0_1_and_opens_the_first_notebook(tmp_path: Path) -> None:
    cmd = lab.lab_command(tmp_path, port=8899, browser=False)
    assert "--ServerApp.ip=127.0.0.1" in cmd and "--ServerApp.port=8899" in cmd and "--no-browser" in cmd
    assert "--ServerApp.default_url=/lab/tree/notebooks/00-start-here.ipynb" in cmd
    assert f"--ServerApp.root_dir={tmp_path}" in cmd


def test_a_new_folder_gets_a_copy_of_the_notebooks_studies_and_docs(tmp_path: Path) -> None:
    folder = lab.workspace(tmp_path / "mine")
    assert (folder / lab.FIRST_NOTEBOOK).is_file()
    assert (folder / "studies" / "quiet-modes" / "study.json").is_file()
    assert (folder / "docs" / "glossary.md").is_file()  # the notebooks' glossary links resolve
    (folder / lab.FIRST_NOTEBOOK).write_text("my edits")
    assert lab.workspace(folder) == folder and (folder / lab.FIRST_NOTEBOOK).read_text() == "my edits"


def test_in_a_checkout_the_notebooks_open_in_place(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(root)
    assert lab.workspace(None) == root
    monkeypatch.chdir(tmp_path)  # elsewhere, an editable install still opens its checkout
    assert lab.workspace(None) == root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_lab_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")}
    process = subprocess.Popen([sys.executable, "-m", "designkit.cli", "lab", "--no-browser", "--port", str(port),
                                "--dir", str(tmp_path / "w")], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline, status = time.monotonic() + 90, 0
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status = urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10).status
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        with socket.socket() as s:
            # Free again for the next server (which, like every server, sets SO_REUSEADDR: the
            # closed connections of this one may linger in TIME_WAIT for a minute).
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
