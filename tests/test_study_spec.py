"""Study specs: immutable, round-trip, and bad input named before any work starts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from designkit.errors import InputError
from designkit.policy import CueSpeak, Policy, TimeSpeak
from designkit.proposers.simulated import PERFECT, ModelQuality
from designkit.study import METRICS, ScenarioSet, Study


def small(**changes: object) -> Study:
    base = Study(name="small", scenarios=(ScenarioSet("dialogue-basic", n=2),),
                 grid={"confidence": [0.5, 0.8]}, metrics=("task_success", "attention_cost"))
    return base.replace(**changes) if changes else base


def test_round_trip_through_json(tmp_path: Path) -> None:
    study = Study(
        name="everything", title="All fields", question="Does it round-trip?",
        scenarios=(ScenarioSet("breathing-6s", n=3, seed=4), "dialogue-basic"),
        variants=(("schedule", Policy(initiative=0.0, schedules=(TimeSpeak(every_s=6.0, start_s=2.5),))),
                  ("cue", Policy(cues=(CueSpeak("code_switch", interrupt=True),), budget_per_min=float("inf")))),
        grid={"style": ["barge_in", "wait_for_pause"]},
        qualities={"perfect": PERFECT, "poor": ModelQuality(miss_rate=0.3)},
        metrics=("timespeak_hit_rate", "share:silent:below_confidence"), repetitions=2, seed=7,
        weights={"speak": 1.0, "caption": 0.2}, model_moments=("targets",), targets_from="reps")
    assert Study.from_dict(json.loads(study.to_json())) == study
    assert Study.load(study.save(tmp_path / "s" / "study.json")) == study
    assert Study.load(tmp_path / "s") == study


def test_grid_crosses_every_variant_and_names_them() -> None:
    study = small(variants=(("calm", Policy(confidence=0.7)), ("eager", Policy(confidence=0.3))),
                  grid={"style": ["barge_in", "ask_first"], "context": ["public"]})
    names = list(study.policies())
    assert names == ["calm, style=barge_in, context=public", "calm, style=ask_first, context=public",
                     "eager, style=barge_in, context=public", "eager, style=ask_first, context=public"]
    assert study.policies()["eager, style=ask_first, context=public"] == Policy(
        confidence=0.3, style="ask_first", context="public")


def test_replace_leaves_the_original_alone() -> None:
    study = small()
    other = study.replace(repetitions=3)
    assert study.repetitions == 1 and other.repetitions == 3
    assert study.digest() != other.digest()


@pytest.mark.parametrize(("change", "named"), [
    ({"scenarios": ("dialogue-basci",)}, "dialogue-basic"),
    ({"grid": {"confidance": [0.5]}}, "confidence"),
    ({"metrics": ("task_sucess",)}, "task_success"),
    ({"model_moments": ("turn-ends",)}, "turn_ends"),
])
def test_unknown_names_list_the_valid_choices(change: dict[str, object], named: str) -> None:
    with pytest.raises(InputError) as err:
        small(**change)
    assert named in str(err.value)


def test_bad_knob_value_fails_when_the_spec_is_made() -> None:
    with pytest.raises(InputError, match="style"):
        small(grid={"style": ["shout"]})
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        small(grid={"confidence": [1.5]})


def test_bad_files_say_what_is_wrong(tmp_path: Path) -> None:
    (tmp_path / "study.json").write_text("{not json")
    with pytest.raises(InputError, match="valid JSON"):
        Study.load(tmp_path)
    (tmp_path / "study.json").write_text(json.dumps({"name": "x", "scenarios": ["dialogue-basic"], "colour": 1}))
    with pytest.raises(InputError, match="colour"):
        Study.load(tmp_path)
    with pytest.raises(InputError, match=r"study\.json"):
        Study.load(tmp_path / "missing")


def test_every_listed_metric_is_known() -> None:
    assert "task_success" in METRICS and "share:silent:quiet_mode" in METRICS


def test_committed_studies_load() -> None:
    root = Path(__file__).resolve().parents[1] / "studies"
    folders = sorted(p for p in root.iterdir() if (p / "study.json").is_file())
    assert len(folders) >= 5
    for folder in folders:
        study = Study.load(folder)
        assert study.name == folder.name
        assert len(list(folder.glob("*.ipynb"))) == 1
