"""Scenario parameters in a study file: set, validated with the valid names listed, generated,
and listed with their valid values by `designkit scenarios list -v`."""

from __future__ import annotations

import inspect
from dataclasses import fields

import pytest

from designkit.cli import main
from designkit.errors import InputError
from designkit.scenarios.dialogue import DialogueParams
from designkit.scenarios.params import PARAMS
from designkit.study import ScenarioSet, Study


def test_the_listed_params_are_the_ones_each_generator_takes() -> None:
    from designkit.scenarios import exercise, language

    assert set(PARAMS["dialogue"]) == {f.name for f in fields(DialogueParams)}
    taken = {
        "exercise": {"exercise", *inspect.signature(exercise.render_workout).parameters} - {"seed"},
        "visual_cues": set(inspect.signature(exercise.render_cues).parameters) - {"seed"},
        "learner": set(inspect.signature(language.generate_learner).parameters) - {"seed"},
    }
    for kind, names in taken.items():
        assert set(PARAMS[kind]) == names, kind
    for name, (_, default) in PARAMS["dialogue"].items():
        assert getattr(DialogueParams(), name) == default


def test_study_json_sets_scenario_params_and_round_trips() -> None:
    study = Study.from_dict({"name": "p", "scenarios": [{"set": "dialogue-basic", "n": 1, "params": {"duration_s": 20.0}}]})
    chosen = study.scenarios[0]
    assert dict(chosen.params) == {"duration_s": 20.0}
    assert Study.from_dict(study.to_dict()) == study
    made = chosen.load()
    assert abs(made[0].truth.duration - 20.0) < 0.05
    with pytest.raises(InputError, match="snr_db") as error:
        ScenarioSet.parse({"set": "dialogue-basic", "params": {"snr": 5}})
    assert "scenarios list -v" in str(error.value)


def test_scenarios_list_verbose_shows_valid_values(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios", "list", "-v"]) == 0
    out = capsys.readouterr().out
    assert "snr_db" in out and "focused | stressed | public" in out and "period_s" in out
