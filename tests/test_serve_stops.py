"""`designkit serve` ends its Voilà server and the kernels it started on SIGTERM and on Ctrl-C
(SIGINT): the port is free again and no process of it is left."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from designkit.study.publish import voila_settings, write_template

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")]

APP = {
    "cells": [{"cell_type": "code", "execution_count": None, "id": "c", "metadata": {}, "outputs": [],
               "source": "print('served')"}],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Whether a new server could listen on `port` (servers set SO_REUSEADDR: the closed
    connections of the old one may linger in TIME_WAIT)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def published_app(root: Path) -> Path:
    """The smallest folder `designkit serve` accepts: what `publish` writes, minus the study run."""
    root.mkdir()
    (root / "app.ipynb").write_text(json.dumps(APP))
    write_template(root / "share")
    (root / "voila.json").write_text(json.dumps(voila_settings()))
    return root


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_serve_leaves_nothing_behind(tmp_path: Path, signum: signal.Signals) -> None:
    app, port = published_app(tmp_path / "app"), free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_DATA_DIR": str(tmp_path / "data")}
    serve = subprocess.Popen([sys.executable, "-m", "designkit.cli", "serve", str(app), "--port", str(port)],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        page = ""
        while time.monotonic() < deadline and serve.poll() is None:
            try:  # rendering the app starts a kernel, a grandchild of `designkit serve`
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60).read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert "served" in page, serve.stdout.read().decode() if serve.poll() is not None else "no page"
        family = psutil.Process(serve.pid).children(recursive=True)
        assert len(family) >= 2, "expected Voilà and its kernel"  # the test must see what it checks
        serve.send_signal(signum)
        assert serve.wait(timeout=30) == 0
        _, alive = psutil.wait_procs(family, timeout=15)
        assert not alive, [p.cmdline() for p in alive]
        assert port_is_free(port)
    finally:
        if serve.poll() is None:
            serve.kill()
        serve.wait()
        if serve.stdout is not None:
            serve.stdout.close()
