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
    # A live view: the first rows are in its spec, each move sends only the new rows.
    assert explorer._view.spec["datasets"][DATASET] == explorer.spec["datasets"][DATASET]
    explorer._controls["context"].value = "do_not_disturb"
    assert explorer.policy.context.value == "do_not_disturb"
    assert current(explorer.spec)["attention_cost"] == 0.0
    update = explorer._view._py_to_js_updates
    assert update[0]["name"] == DATASET and update[0]["value"] == explorer.spec["datasets"][DATASET]
    assert "do not disturb" in explorer._status.value  # in words, as is a value it never had
    assert "time to answer</b> never answered aloud" in explorer._status.value
    assert widget is explorer.widget
    # Once the page's view is up (it reports its time zone), the current rows are sent again, so a
    # move made while the page was still drawing is not lost.
    sent = update[0]["seq"]
    explorer._view.local_tz = "UTC"
    again = explorer._view._py_to_js_updates[0]
    assert again["seq"] > sent and again["value"] == explorer.spec["datasets"][DATASET]


def test_a_static_report_gets_an_svg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESIGNKIT_STATIC_CHARTS", "1")
    explorer = Explorer(synthetic_dialogues(2, duration_s=20.0), knobs=("confidence",), workers=1)
    assert explorer.widget is not None
    before = explorer._chart.value
    assert "<svg" in before
    explorer.set(confidence=0.95)
    assert explorer._chart.value != before


def test_saved_knobs_become_a_variant_of_the_study(tmp_path) -> None:  # type: ignore[no-untyped-def]
    study = Study(name="ex", scenarios=(ScenarioSet("dialogue-basic", n=2),), grid={"context": ["focused", "public"]},
                  metrics=("attention_cost",))
    path = study.save(tmp_path / "study.json")
    explorer = Explorer.from_study(study, path=path)
    assert explorer.widget is not None
    explorer._controls["context"].value = "stressed"
    explorer._name.value = "my stressed"
    explorer._on_save()
    assert "saved my stressed" in explorer._status.value
    assert "my stressed" in {r["policy"] for r in explorer.spec["datasets"][DATASET]}
    saved = Study.load(path)
    # The grid still crosses the base; the saved knobs run as they are, after the grid's variants.
    assert list(saved.policies()) == ["context=focused", "context=public", "my stressed"]
    assert saved.policies()["my stressed"] == explorer.policy
    assert Study.from_dict(saved.to_dict()) == saved
    with pytest.raises(InputError, match="name"):
        explorer.save_variant(" ")


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


def test_a_condition_named_by_two_knobs_gets_a_line_each_and_a_row_tall_enough() -> None:
    """A name such as "waits for a pause, confidence threshold 0.5" was cut to "…thresho…" at 200 px."""
    explorer = Explorer(synthetic_dialogues(2, duration_s=20.0), metrics=("task_success",), workers=1,
                        reference={"style=wait_for_pause, confidence=0.5": Policy(confidence=0.5)})
    spec = explorer.spec
    names = {r["condition"] for r in spec["datasets"][DATASET]}
    assert "waits for a pause, confidence threshold 0.5" in names
    layer = spec["spec"]
    axis = layer["layer"][0]["encoding"]["y"]["axis"]
    assert axis["labelExpr"] == "split(datum.label, ', ')"
    assert layer["height"]["step"] >= 2 * 13  # two lines of 11 px type


def test_the_status_line_names_the_knobs_in_words() -> None:
    explorer = Explorer(synthetic_dialogues(2, duration_s=20.0), knobs=("confidence", "style"),
                        metrics=("task_success",), workers=1)
    explorer.set(confidence=0.25, style="barge_in")
    status = explorer.status()
    assert "confidence threshold 0.25, may interrupt" in status and "=" not in status.split("&rarr;")[0].split(">")[1]
