"""While talking, a designer can turn every knob that changes the agent's timing, each with a plain
label, its unit and a one-line hint; no control shows a code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ipywidgets as w
import pytest
from live_comm import dummy_comm

from designkit.policy import Policy
from designkit.policy.knobs import Control
from designkit.policy.spec import KNOBS
from designkit.widgets import LiveSession
from designkit.widgets.controls import Controls

# Every knob that changes when the agent speaks or stops (docs/glossary.md explains each).
TIMING = ("pause_s", "sure_confidence", "yield_microturns", "false_interruption_s", "after_false_interruption",
          "min_gap_s", "budget_per_min")
CODE = re.compile(r"\w_\w|\w:\w")  # wait_for_pause, silent:min_gap


@pytest.fixture
def controls(tmp_path: Path) -> Iterator[Controls]:
    with dummy_comm():
        session = LiveSession(log_dir=tmp_path)
        yield Controls(session)
        session.close()


def texts(widget: Any) -> Iterator[str]:
    """Every piece of text a person reads on a widget and its children: descriptions, button
    labels, the options of dropdowns, tooltips and HTML."""
    for name in ("description", "tooltip", "placeholder"):
        value = getattr(widget, name, None)
        if isinstance(value, str) and value:
            yield value
    if isinstance(widget, w.HTML | w.Label):
        yield re.sub(r"<[^>]+>|\{[^}]*\}", "", str(widget.value))
    labels = getattr(widget, "_options_labels", None)
    if labels:
        yield from labels
    for child in getattr(widget, "children", ()):
        yield from texts(child)


@pytest.mark.parametrize("knob", TIMING)
def test_every_timing_knob_has_a_live_control_with_a_plain_label_unit_and_hint(controls: Controls, knob: str) -> None:
    declared = KNOBS[knob]
    control = controls.knobs[knob]
    assert control.description.startswith(declared.label)
    if declared.unit:
        assert f"({declared.unit})" in control.description
    assert not CODE.search(control.description)
    shown = " ".join(texts(controls))
    assert declared.hint in shown  # the hint is on the page, not only in a tooltip
    if declared.control is Control.CHOICE:
        assert list(control._options_labels) == [c.label for c in declared.choices]


def test_turning_each_timing_control_changes_the_live_policy(controls: Controls) -> None:
    session = controls.session
    controls.knobs["pause_s"].value = 1.2
    controls.knobs["yield_microturns"].value = 3
    controls.knobs["false_interruption_s"].value = 0.3
    controls.knobs["after_false_interruption"].value = "drop"
    controls.knobs["min_gap_s"].value = 4.0
    controls.knobs["budget_per_min"].value = 3.0
    controls.knobs["sure_confidence"].value = 0.8
    policy = session.policy
    assert (policy.pause_s, policy.yield_microturns, policy.false_interruption_s) == (1.2, 3, 0.3)
    assert policy.after_false_interruption.value == "drop"
    assert (policy.min_gap_s, policy.budget_per_min, policy.sure_confidence) == (4.0, 3.0, 0.8)
    # Switched off again, a sure turn end waits the pause like any other.
    controls.knobs["sure_confidence"].switch.value = False
    assert session.policy.sure_confidence is None
    assert controls.knobs["sure_confidence"].slider.disabled
    assert [c["policy"]["pause_s"] for c in session.policy_changes][-1] == 1.2


def test_no_live_control_shows_a_code(controls: Controls) -> None:
    shown = [text for text in texts(controls) if CODE.search(text)]
    assert shown == []


def test_every_knob_a_control_can_turn_is_live(controls: Controls) -> None:
    turnable = [n for n, k in KNOBS.items() if k.control in (Control.SLIDER, Control.WHOLE, Control.CHOICE)]
    assert sorted(controls.knobs) == sorted(turnable)
    assert all(isinstance(getattr(Policy(), n), (int, float, str, type(None))) for n in turnable)


def test_showing_the_controls_leaves_a_policy_off_the_slider_grid_as_it_is(tmp_path: Path) -> None:
    # The conversation agent's sure turn end is 0.93; its slider steps by 0.05 by default. A browser
    # snaps a slider's value to its step and sends it back, which changed the agent's policy to 0.95.
    from designkit.study.knob_controls import slider_step

    policy = Policy(style="wait_for_pause", sure_confidence=0.93, budget_per_min=20.0, pause_s=0.4)
    with dummy_comm():
        session = LiveSession(log_dir=tmp_path)
        session.set_policy(policy)
        changes = len(session.policy_changes)
        controls = Controls(session)
        slider = controls.knobs["sure_confidence"].slider
        assert slider.value == 0.93 and slider.step == pytest.approx(0.01) and slider.readout_format == ".2f"
        assert slider_step(KNOBS["pause_s"], 0.4) == KNOBS["pause_s"].step  # on the grid: the declared step
        # What a browser sends back for 20 on a 0.5-step slider starting at 0.5 changes nothing.
        controls.knobs["budget_per_min"].value = 19.999999999999996
        controls.knobs["sure_confidence"].value = 0.93
        assert len(session.policy_changes) == changes
        assert session.policy.budget_per_min == 20.0 and session.policy.sure_confidence == 0.93
        controls.knobs["sure_confidence"].value = 0.95  # a real move is still a change
        assert session.policy.sure_confidence == 0.95 and len(session.policy_changes) == changes + 1
        session.close()
