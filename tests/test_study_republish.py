"""Publishing again, as a designer iterating does: publish, change a knob, publish again, serve.
The app shows the new results, the earlier audit logs are replaced (not refused as "append-only"),
and `designkit serve --publish` on a study published before comes up."""

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

import pytest

from designkit.cli import main
from designkit.study import ScenarioSet, Study

pytestmark = pytest.mark.slow

NOTEBOOK = {
    "cells": [{"cell_type": "code", "execution_count": None, "id": "c", "metadata": {}, "outputs": [],
               "source": "from designkit.study import Study, run\n"
                         "results = run(Study.load('study.json'), progress=False)\n"
                         "print('conditions:', ', '.join(sorted(results.frame.policy.unique())))"}],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def save(folder: Path, contexts: list[str]) -> None:
    Study(name="iterate", scenarios=(ScenarioSet("dialogue-basic", n=1),), grid={"context": contexts},
          metrics=("attention_cost",)).save(folder / "study.json")


def audited(folder: Path) -> tuple[list[str], list[str]]:
    audit = json.loads((folder / "published" / "audit.json").read_text())
    logs = sorted(p.name for p in (folder / "published" / "logs").iterdir() if not p.name.endswith(".json"))
    return [s["variant"] for s in audit["sessions"]], logs


@pytest.fixture
def study(tmp_path: Path) -> Path:
    folder = tmp_path / "iterate"
    folder.mkdir()
    save(folder, ["focused", "public"])
    (folder / "iterate.ipynb").write_text(json.dumps(NOTEBOOK))
    return folder


def test_publishing_twice_in_a_row_replaces_the_earlier_publication(study: Path) -> None:
    assert main(["publish", str(study), "--no-execute"]) == 0
    assert audited(study) == (["context=focused", "context=public"], ["00-context=focused", "01-context=public"])
    save(study, ["focused", "do_not_disturb"])
    assert main(["publish", str(study), "--no-execute"]) == 0
    assert audited(study) == (["context=focused", "context=do_not_disturb"],
                              ["00-context=focused", "01-context=do_not_disturb"])
    assert main(["publish", str(study), "--no-execute"]) == 0  # again, unchanged
    assert not [p for p in (study / "published").iterdir() if p.name.startswith(".")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_serve_publish_on_a_study_published_before_shows_the_new_results(study: Path, tmp_path: Path) -> None:
    assert main(["publish", str(study), "--no-execute"]) == 0
    save(study, ["focused", "do_not_disturb"])
    port = free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_DATA_DIR": str(tmp_path / "data")}
    serve = subprocess.Popen([sys.executable, "-m", "designkit.cli", "serve", str(study), "--publish",
                              "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    page = ""
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and serve.poll() is None:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=120).read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert serve.poll() is None, serve.stdout.read().decode() if serve.stdout else ""
    finally:
        if serve.poll() is None:
            serve.send_signal(signal.SIGTERM)
            serve.wait(timeout=60)
        if serve.stdout is not None:
            serve.stdout.close()
    assert "conditions: context=do_not_disturb, context=focused" in page
    assert (study / "published" / "report.html").is_file()
