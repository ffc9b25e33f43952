"""A new study folder that works without reading code: `designkit study new NAME`.

    designkit study new my-study          # my-study/study.json + my-study/my-study.ipynb
    # then, in JupyterLab, open my-study/my-study.ipynb and run it: its study editor changes, runs,
    # publishes and serves the study by clicking (or, in a terminal:)
    designkit study run my-study && designkit publish my-study && designkit serve my-study

The notebook is generic: it reads whatever `study.json` holds (title, question, metrics,
variants, qualities) and shows its table, its charts (live and offline), a conclusion computed
from its own numbers, the session board (click a session to hear it) and the explorer (whose
"save as variant" writes back into `study.json`). Cells that only make sense in a notebook are
tagged `notebook-only`; the published app hides them.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from designkit.errors import InputError

NOTEBOOK_ONLY = "notebook-only"
LIVE_ONLY = "live-only"  # needs a kernel (the explorer): in the app, not in the static report

INTRO = """\
from IPython.display import Markdown, display

from designkit.metrics.units import METRIC_INFO, metric_label
from designkit.study import Explorer, Study, charts, run, show
from designkit.study.board import StudyBoard
from designkit.study.labels import results_table, variant_label

show.enable()  # live charts offline; SVG in the static report
study = Study.load("study.json")
display(Markdown(f"# {study.title or study.name}\\n\\n{study.question}"))
results = run(study, progress=False)
summary = results.summary()
metrics = list(study.metrics)
display(Markdown(f"{len(study.policies())} conditions, each on the same {results.frame['scenario'].nunique()} "
                 f"generated sessions; measured: {', '.join(metric_label(m) for m in metrics)}."))
"""
HOWTO = """\
**To change this study, use the study editor** (run the cell below, then click): add, rename and remove
conditions, move their knobs, pick scenario sets, recordings and metrics, change the attention-cost weights,
run it, read the conclusion check, publish and serve it. Each change is saved to `study.json` beside this
notebook, which you may still edit by hand. This cell and the editor are hidden in the published app.
"""
EDIT = """\
from designkit.widgets import StudyEditor

StudyEditor("study.json")
"""
TABLE = """\
results_table(summary, metrics=metrics)
"""
CHARTS = """\
x, y = (metrics[1], metrics[0]) if len(metrics) > 1 else (metrics[0], metrics[0])
charts.tradeoff(summary, x=x, y=y)
"""
SILENCE = """\
charts.silence_breakdown(results)
"""
CONCLUSION = """\
mean = summary.groupby(["policy", "metric"], sort=False)["mean"].mean()
first = metrics[0]
best = max(study.policies(), key=lambda p: mean.get((p, first), float("-inf")))
parts = [f"**{variant_label(best)}** has the highest mean {metric_label(first)} ({mean[(best, first)]:.2f})"]
if "attention_cost" in metrics:
    calm = min(study.policies(), key=lambda p: mean.get((p, "attention_cost"), float("inf")))
    parts.append(f"**{variant_label(calm)}** costs the least attention "
                 f"({mean[(calm, 'attention_cost')]:.2f} {METRIC_INFO['attention_cost'].unit})")
display(Markdown("**Conclusion.** " + "; ".join(parts) + "."))
"""
BOARD = """\
StudyBoard(study, results)
"""
EXPLORE = """\
Explorer.from_study(study, path="study.json")
"""


def starter_spec(name: str) -> dict[str, Any]:
    """A small study that runs in seconds: two interruption styles x two confidence thresholds on
    eight one-minute dialogues."""
    return {
        "kind": "study", "version": 1, "name": name, "title": name.replace("-", " ").capitalize(),
        "question": "Which way of taking the floor answers the user without costing their attention?",
        "scenarios": [{"set": "dialogue-basic", "n": 8, "seed": 0}],
        "metrics": ["task_success", "attention_cost", "response_latency_s"],
        "variants": [],
        "grid": {"style": ["barge_in", "wait_for_pause"], "confidence": [0.5, 0.7]},
    }


def _cell(kind: str, source: str, *, tags: tuple[str, ...] = ()) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": kind, "metadata": {"tags": list(tags)} if tags else {},
                            "source": source.splitlines(keepends=True)}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def generic_notebook() -> dict[str, Any]:
    """The notebook that renders any `study.json` beside it."""
    cells = [
        _cell("code", INTRO),
        _cell("markdown", HOWTO, tags=(NOTEBOOK_ONLY,)),
        _cell("code", EDIT, tags=(NOTEBOOK_ONLY,)),
        _cell("markdown", "## Results (mean [95% CI] over sessions)"),
        _cell("code", TABLE),
        _cell("code", CHARTS),
        _cell("code", SILENCE),
        _cell("code", CONCLUSION),
        _cell("markdown", "## Sessions\nEach point is one session under one condition."),
        _cell("markdown", "Drag over points to select sessions; click one to see its timeline next to another "
                          "condition's and hear it with the agent's voice.", tags=(LIVE_ONLY,)),
        _cell("code", BOARD),
        _cell("markdown", "## Explore\nMove the knobs; name a setting you like and save it as a variant.",
              tags=(LIVE_ONLY,)),
        _cell("code", EXPLORE, tags=(LIVE_ONLY,)),
    ]
    for i, cell in enumerate(cells):
        cell["id"] = f"study-{i}"
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                        "name": "python3"},
                                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def new_study(path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Create a study folder (study.json + a generic notebook named after it); returns the folder."""
    from designkit.study.spec import Study

    folder = Path(path)
    name = folder.name
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise InputError("study name", expected="letters, digits, '-', '_' or '.' (a folder name)", got=repr(name))
    if (folder / "study.json").exists() and not force:
        raise InputError("study folder", expected="a folder without a study.json", got=str(folder),
                         fix="choose another name, or pass --force to overwrite")
    folder.mkdir(parents=True, exist_ok=True)
    spec = Study.from_dict(starter_spec(name))  # validated before anything is written
    spec.save(folder / "study.json")
    for old in folder.glob("*.ipynb"):
        if force:
            old.unlink()
    (folder / f"{name}.ipynb").write_text(json.dumps(generic_notebook(), indent=1) + "\n")
    return folder
