"""A person's own study without reading code: `designkit study new` -> run -> publish -> serve."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from designkit.cli import main
from designkit.errors import InputError
from designkit.study import Study
from designkit.study.new import NOTEBOOK_ONLY, new_study
from designkit.study.publish import voila_command


def test_new_study_writes_a_valid_spec_and_a_generic_notebook(tmp_path: Path) -> None:
    folder = new_study(tmp_path / "my-study")
    study = Study.load(folder / "study.json")
    assert study.name == "my-study" and len(study.policies()) == 4
    nb = json.loads((folder / "my-study.ipynb").read_text())
    sources = "".join("".join(c["source"]) for c in nb["cells"])
    assert 'Study.load("study.json")' in sources
    # Generic: nothing names a variant, a scenario set or a metric of this particular study.
    assert "style=" not in sources and "dialogue-basic" not in sources
    assert any(NOTEBOOK_ONLY in c["metadata"].get("tags", []) for c in nb["cells"])
    with pytest.raises(InputError, match="force"):
        new_study(folder)
    with pytest.raises(InputError, match="study name"):
        new_study(tmp_path / "bad name!")


def wait_http(url: str, process: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "voila exited"
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(url)


@pytest.mark.slow
def test_new_run_publish_serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
                               ) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["study", "new", "my-study"]) == 0
    spec = json.loads(Path("my-study/study.json").read_text())
    spec["scenarios"][0]["n"] = 3  # a person edits study.json, not code
    spec["grid"] = {"context": ["focused", "public"]}
    Path("my-study/study.json").write_text(json.dumps(spec))
    assert main(["study", "run", "my-study"]) == 0
    assert Path("my-study/results.parquet").is_file()
    assert main(["publish", "my-study"]) == 0
    app = Path("my-study/published")
    report = (app / "report.html").read_text()
    assert "Conclusion." in report and "<svg" in report
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    cmd, env, cwd = voila_command(app, port=port)
    with (tmp_path / "voila.log").open("wb") as out:
        process = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/voila/static/voila.js", process)
        with urllib.request.urlopen(url, timeout=300) as response:  # Voilà runs the notebook to answer
            page = response.read().decode()
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert "Conclusion." in page and "in public" in page  # the condition in plain words, not its code
    assert "dk-privacy" in page and "no person was recorded" in page
    assert "To change this study" not in page  # the notebook-only cell is hidden in the app
    assert "Traceback" not in page
