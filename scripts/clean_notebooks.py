"""Keep the notebooks in the repository clean (run before committing a notebook; a test checks it).

- `# NBVAL_…` comment markers become cell tags (`nbval-check-output`, …), so readers never see them;
- outputs are kept only in cells tagged `nbval-check-output`: `make test` compares those with a fresh
  run on every test, so they cannot go stale; every other output is stripped, because nothing would
  notice it going stale (a table from an older model, a frozen progress bar);
- execution counts and per-run metadata go; every cell gets an id.

    python scripts/clean_notebooks.py notebooks/*.ipynb studies/*/*.ipynb
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

MARKERS = {"NBVAL_CHECK_OUTPUT": "nbval-check-output", "NBVAL_IGNORE_OUTPUT": "nbval-ignore-output",
           "NBVAL_SKIP": "nbval-skip", "NBVAL_RAISES_EXCEPTION": "nbval-raises-exception"}
CHECKED = "nbval-check-output"
RUN_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")


def clean_cell(cell: dict, index: int, path: Path) -> dict:
    lines = cell["source"].splitlines(keepends=True) if isinstance(cell["source"], str) else list(cell["source"])
    tags = list(cell.get("metadata", {}).get("tags", []))
    kept = []
    for line in lines:
        marker = line.strip().lstrip("#").strip()
        if line.strip().startswith("#") and marker in MARKERS:
            if MARKERS[marker] not in tags:
                tags.append(MARKERS[marker])
            continue
        kept.append(line)
    if kept:
        kept[-1] = kept[-1].rstrip("\n")
    cell["source"] = kept
    metadata = {k: v for k, v in cell.get("metadata", {}).items() if k not in RUN_METADATA and k != "tags"}
    if tags:
        metadata["tags"] = tags
    cell["metadata"] = metadata
    if "id" not in cell:
        cell["id"] = hashlib.sha1(f"{path.name}:{index}".encode()).hexdigest()[:8]
    if cell["cell_type"] == "code":
        cell["execution_count"] = None
        if CHECKED not in tags:
            cell["outputs"] = []
        elif cell["outputs"]:
            # nbval refuses a cell that has outputs but no execution count ("unrun reference"):
            # a checked cell keeps a count, the same stable number in every notebook.
            cell["execution_count"] = 1
            for output in cell["outputs"]:
                if "execution_count" in output:
                    output["execution_count"] = 1
                output.get("metadata", {}).pop("execution", None)
    return cell


def clean(path: Path) -> bool:
    """Clean one notebook in place; True when it changed."""
    before = path.read_text(encoding="utf-8")
    nb = json.loads(before)
    nb["cells"] = [clean_cell(c, i, path) for i, c in enumerate(nb["cells"])]
    nb["nbformat"], nb["nbformat_minor"] = 4, max(5, int(nb.get("nbformat_minor", 5)))
    # "designkit" holds what the app shows (e.g. its privacy line): content, not run metadata.
    nb["metadata"] = {k: v for k, v in nb.get("metadata", {}).items() if k in ("kernelspec", "language_info", "designkit")}
    if "language_info" in nb["metadata"]:
        nb["metadata"]["language_info"] = {"name": "python"}
    after = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    if after != before:
        path.write_text(after, encoding="utf-8")
    return after != before


if __name__ == "__main__":
    changed = [p for p in map(Path, sys.argv[1:]) if clean(p)]
    print("\n".join(f"cleaned {p}" for p in changed) or "already clean")
