"""The explorer: a knob moves, every session is re-decided, the chart's numbers follow."""

from __future__ import annotations

import numpy as np
import pytest

from designkit.errors import InputError
from designkit.policy import Policy
from designkit.study import Explorer, ScenarioSet, Study
from designkit.study.compare import run_sessions
from designkit.study.explorer import CURRENT, DATASET
from designkit.study.prepare import prepare, synthetic_dialogues


def current(spec: dict) -> dict:  # type: ignore[type-arg]
    return {r["metric"]: r["mean"] for r in spec["datasets"][DATASET] if r["kind"] == CURRENT}


def test_moving_a_knob_re_decides_every_session() -> None:
    truths = synthetic_dialogues(4, duration_s=30.0)
    explorer = Explorer(truths, metrics=("task_success", "attention_cost"), workers=1,
                        reference={"calm": Policy(confidence=0.9)})
    before = current(explorer.spec)
    after = current(explorer.set(confidence=0.95, style="barge_in"))
    assert before != after
    expected = run_sessions(Policy(confidence=0.95, style="barge_in"),
                            [prepare(t, seed=i) for i, t in enumerate(truths)])
    assert after["attention_cost"] == pytest.approx(expected["attention_cost"].mean())
    reference = [r for r in explorer.spec["datasets"][DATASET] if r["policy"] == "calm"]
    assert len(reference) == 2


def test_the_widget_controls_drive_the_chart() -> None:
    explorer = Explorer(synthetic_dialogues(3, duration_s=30.0), knobs=("confidence", "context"), workers=1)
    widget = explorer.widget
    chart_before = explorer._chart.value
    assert "<svg" in chart_before
    explorer._controls["context"].value = "do_not_disturb"
    assert explorer.policy.context.value == "do_not_disturb"
    assert current(explorer.spec)["attention_cost"] == 0.0
    assert explorer._chart.value != chart_before
    assert "do_not_disturb" in explorer._status.value
    assert widget is explorer.widget


def test_worker_processes_give_the_same_numbers() -> None:
    truths = synthetic_dialogues(4, duration_s=30.0)
    one = Explorer(truths, workers=1)
    two = Explorer(truths, workers=2)
    try:
        for c in (0.3, 0.8):
            a, b = one.set(confidence=c), two.set(confidence=c)
            assert a["datasets"] == b["datasets"]
        np.testing.assert_allclose(one.table.to_numpy(), two.table.to_numpy())
    finally:
        two.close()


def test_from_study_uses_its_sessions_and_variants() -> None:
    study = Study(name="ex", scenarios=(ScenarioSet("dialogue-basic", n=2),), grid={"context": ["focused", "public"]},
                  metrics=("attention_cost",))
    explorer = Explorer.from_study(study)
    assert explorer.knobs == ("context",)
    assert {r["policy"] for r in explorer.spec["datasets"][DATASET]} == {"context=focused", "context=public", CURRENT}


def test_unknown_knob_or_metric_is_refused() -> None:
    truths = synthetic_dialogues(1, duration_s=10.0)
    with pytest.raises(InputError, match="confidence"):
        Explorer(truths, knobs=("confidance",))
    with pytest.raises(InputError, match="task_success"):
        Explorer(truths, metrics=("succes",))
