"""The learning path ends somewhere: the README's path opens the notebooks in file order, each
notebook says which step it is, and every notebook ends with a "Next" section that says what it
showed and names a file to open next that exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted([*ROOT.glob("notebooks/**/*.ipynb"), *ROOT.glob("studies/*/*.ipynb")])
NOTEBOOKS = [p for p in NOTEBOOKS if ".ipynb_checkpoints" not in p.parts and "published" not in p.parts]
PATH_ROW = re.compile(r"^\| (\d+) \| `([^`]+)`", re.M)


def learning_path() -> list[tuple[int, str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## The learning path"):]
    table = table[:table.index("\n## ")]
    return [(int(n), opened) for n, opened in PATH_ROW.findall(table)]


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_the_learning_path_opens_the_notebooks_in_file_order() -> None:
    steps = learning_path()
    assert [n for n, _ in steps] == list(range(1, len(steps) + 1))
    notebooks = [opened for _, opened in steps if opened.endswith(".ipynb")]
    assert notebooks == sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("notebooks/*.ipynb"))


def test_each_notebook_of_the_path_says_its_step() -> None:
    steps = learning_path()
    for n, opened in steps:
        if opened.endswith(".ipynb"):
            heading = "".join(cells(ROOT / opened)[0]["source"])
            assert f"Learning path, step {n} of {len(steps)}" in heading, opened


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_notebook_ends_with_what_to_open_next(notebook: Path) -> None:
    last = cells(notebook)[-1]
    text = "".join(last["source"])
    assert last["cell_type"] == "markdown" and text.startswith("## Next"), "ends on code, not a Next section"
    assert "showed" in text, "the Next section does not say what the notebook showed"
    named = re.findall(r"`((?:notebooks|studies|docs)/[^`]+)`", text)
    assert named, "the Next section names no file to open"
    for opened in named:
        assert (ROOT / opened).exists(), f"Next names {opened}, which does not exist"


def test_no_notebook_repeats_a_cell() -> None:
    for notebook in NOTEBOOKS:
        sources = ["".join(c["source"]).strip() for c in cells(notebook) if "".join(c["source"]).strip()]
        repeated = {s[:60] for s in sources if sources.count(s) > 1}
        assert not repeated, f"{notebook.name} repeats {repeated}"
