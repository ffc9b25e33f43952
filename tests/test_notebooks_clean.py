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
        assert cell["execution_count"] is None, f"{where}: an execution count from an old run"
        if CHECKED not in tags:
            assert cell["outputs"] == [], f"{where}: an output nothing checks (stale once the code changes)"
            continue
        assert cell["outputs"], f"{where}: tagged {CHECKED} but has no output to check"
        for output in cell["outputs"]:
            text = "".join(output.get("text", "")) + "".join(output.get("data", {}).get("text/plain", ""))
            assert output.get("name") != "stderr", f"{where}: stderr in a kept output"
            assert not re.search(r"\w*Warning\b", text), f"{where}: a warning in a kept output"
