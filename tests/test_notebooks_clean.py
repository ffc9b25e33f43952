"""The notebooks in the repository are clean: no visible test markers, no stale outputs (only the
outputs `make test` re-checks are kept), no warnings in what is kept, an id on every cell."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted([*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("studies/*/*.ipynb")])
CHECKED = "nbval-check-output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_clean(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        where = f"{path.name} cell {i}"
        source = "".join(cell["source"])
        assert "NBVAL_" not in source, f"{where}: a visible test marker; make it a cell tag (scripts/clean_notebooks.py)"
        assert cell.get("id"), f"{where}: no cell id"
        if cell["cell_type"] != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        if CHECKED not in tags:
            assert cell["execution_count"] is None, f"{where}: an execution count from an old run"
            assert cell["outputs"] == [], f"{where}: an output nothing checks (stale once the code changes)"
            continue
        assert cell["outputs"], f"{where}: tagged {CHECKED} but has no output to check"
        assert cell["execution_count"] == 1, f"{where}: nbval checks only a cell with an execution count"
        for output in cell["outputs"]:
            text = "".join(output.get("text", "")) + "".join(output.get("data", {}).get("text/plain", ""))
            assert output.get("name") != "stderr", f"{where}: stderr in a kept output"
            assert not re.search(r"\w*Warning\b", text), f"{where}: a warning in a kept output"


@pytest.mark.slow
def test_the_notebook_run_fails_a_cell_that_prints_a_warning(tmp_path: Path) -> None:
    """scripts/nbcheck.py (used by `make test`'s notebook run) turns a printed warning into a failure."""
    import os
    import subprocess
    import sys

    def notebook(name: str, source: str) -> Path:
        path = tmp_path / name
        path.write_text(json.dumps({
            "cells": [{"cell_type": "code", "execution_count": None, "id": "a", "metadata": {}, "outputs": [],
                       "source": source}],
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}))
        return path

    noisy = notebook("noisy.ipynb", "import warnings\nwarnings.warn('the old way', FutureWarning)\nprint('done')")
    quiet = notebook("quiet.ipynb", "print('a progress bar is fine: 100%')")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "scripts"), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "nbcheck",
                          "--nbval-lax", str(noisy), str(quiet)], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=300)
    assert "1 failed, 1 passed" in run.stdout, run.stdout
    assert "printed a warning" in run.stdout and "FutureWarning: the old way" in run.stdout
