"""Your own recordings in study.json: `{"recordings": "FOLDER"}` beside the study file runs like a
generated set, travels with the published app, and says clearly what is missing."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from designkit import scenarios
from designkit.errors import InputError
from designkit.scenarios.recorded import write_labels
from designkit.study import ScenarioSet, Study, run
from designkit.study.publish import write_app
from designkit.study.runner import scenario_truths
from designkit.study.sessions import session_run

GRID = {"style": ["wait_for_pause", "barge_in"]}
METRICS = ("task_success", "attention_cost", "response_latency_s")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A study folder whose `my-sessions/` holds two generated dialogues as audio + labels.csv."""
    root = tmp_path / "mine"
    for scenario in scenarios.get("dialogue-basic", n=2, progress=False):
        saved = scenarios.save_scenario(scenario, root / "my-sessions" / scenario.name)
        write_labels(scenario.truth, saved / "labels.csv")
    Study(name="mine", scenarios=({"recordings": "my-sessions"},), grid=GRID, metrics=METRICS).save(root / "study.json")
    (root / "mine.ipynb").write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return root


def test_recordings_score_like_the_sessions_they_were_made_from(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # opened from elsewhere: the folder is found beside study.json
    own = Study.load(folder / "study.json")
    assert own.to_dict()["scenarios"] == [{"recordings": "my-sessions"}]
    generated = own.replace(scenarios=(ScenarioSet("dialogue-basic", n=2),))
    names = [name for _, _, name, _, _ in scenario_truths(own)]
    assert names == sorted(s.name for s in scenarios.get("dialogue-basic", n=2, progress=False))
    mine = run(own, progress=False, cache=False).summary().set_index(["policy", "metric"])["mean"]
    theirs = run(generated, progress=False, cache=False).summary().set_index(["policy", "metric"])["mean"]
    np.testing.assert_allclose(mine.sort_index().to_numpy(), theirs.sort_index().to_numpy(), atol=0.02)
    # The board plays a recording's own audio beside its timeline.
    heard = session_run(own, scenario=names[1], policy="style=barge_in")
    [source] = [s for s in scenarios.get("dialogue-basic", n=2, progress=False) if s.name == names[1]]
    np.testing.assert_allclose(heard.audio, source.audio, atol=2 / 32768)  # through a 16-bit WAV


def test_editing_a_label_changes_only_that_sessions_key(folder: Path) -> None:
    before = [digest for *_, digest, _ in scenario_truths(Study.load(folder))]
    labels = sorted((folder / "my-sessions").glob("*/labels.csv"))[0]
    labels.write_text(labels.read_text() + "1.0,1.0,turn_end\n")
    after = [digest for *_, digest, _ in scenario_truths(Study.load(folder))]
    assert before[0] != after[0] and before[1] == after[1]


def test_the_app_carries_the_recordings(folder: Path, tmp_path: Path) -> None:
    notebook = write_app(folder, tmp_path / "app")
    assert sorted(p.name for p in (notebook.parent / "my-sessions").iterdir()) == \
        sorted(p.name for p in (folder / "my-sessions").iterdir())
    assert len(Study.load(notebook.parent).scenarios[0].files()) == 2


@pytest.mark.parametrize(("entry", "message"), [
    ({"recordings": "nowhere"}, "nowhere does not exist"),
    ({"recordings": "empty"}, "none in"),
    ({"recordings": "x", "n": 3}, "only {'recordings': 'FOLDER'}"),
    ({"recordings": ""}, "a folder name"),
])
def test_a_wrong_recordings_entry_says_what_is_wrong(tmp_path: Path, entry: dict, message: str) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "study.json").write_text(json.dumps({"kind": "study", "name": "x", "scenarios": [entry]}))
    with pytest.raises(InputError, match=message.replace("{", r"\{").replace("}", r"\}")):
        Study.load(tmp_path / "study.json")
