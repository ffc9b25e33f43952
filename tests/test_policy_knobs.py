"""Every policy knob is declared once, on its `Policy` field: how a person turns it (control, range,
step, unit), in plain words (label, hint, choice labels), with a glossary entry; the live controls
and the explorer build their controls from that declaration."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from enum import Enum
from pathlib import Path

import pytest

from designkit.errors import InputError
from designkit.policy import KNOBS, Control, Knob, Policy
from designkit.policy.knobs import KNOB, choices, knob, knobs_of

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
FIELDS = [f for f in fields(Policy) if not f.name.startswith("_")]


def entry(term: str) -> str:
    """The text of the glossary entry `### term` (one of its comma-separated names)."""
    parts = re.split(r"^### ", GLOSSARY, flags=re.M)
    for part in parts[1:]:
        heading, _, body = part.partition("\n")
        if term.lower() in {t.strip().lower() for t in heading.split(",")}:
            return body
    raise AssertionError(f"docs/glossary.md has no '### {term}'")


@pytest.mark.parametrize("spec_field", FIELDS, ids=lambda f: f.name)
def test_every_policy_field_declares_its_knob_completely(spec_field) -> None:  # type: ignore[no-untyped-def]
    declared = spec_field.metadata.get(KNOB)
    assert isinstance(declared, Knob), f"Policy.{spec_field.name} has no knob(...) declaration"
    assert declared.problems() == []
    knob_ = KNOBS[spec_field.name]
    assert knob_.name == spec_field.name
    default = getattr(Policy(), spec_field.name)
    if knob_.control in (Control.SLIDER, Control.WHOLE) and default is not None:
        assert knob_.low <= default <= knob_.high, "the default lies in the control's range"
    if knob_.control is Control.CHOICE:
        kind = type(default)
        assert issubclass(kind, Enum) and [c.value for c in knob_.choices] == [m.value for m in kind]
        assert all(c.label != c.value or "_" not in c.value for c in knob_.choices)
    if default is None:
        assert knob_.off, "a knob that may be None says what None means"


@pytest.mark.parametrize("name", list(KNOBS))
def test_every_knob_has_a_glossary_entry_that_names_its_field(name: str) -> None:
    assert f"`{name}`" in entry(KNOBS[name].glossary)


def test_a_field_without_a_declaration_or_with_an_incomplete_one_is_refused() -> None:
    @dataclass(frozen=True)
    class Spec:
        calm: float = field(default=0.5, metadata=knob("calm", "How calm.", glossary="calm", unit="0–1",
                                                          low=0.0, high=1.0, step=0.1))
        thinking: str = "silent"

    with pytest.raises(InputError, match=r"Spec.thinking.*declare it"):
        knobs_of(Spec)
    with pytest.raises(InputError, match="no unit"):
        knob("pause", "How long.", glossary="pause", low=0.0, high=2.0, step=0.1)
    with pytest.raises(InputError, match="no hint"):
        knob("pause", " ", glossary="pause", unit="s", low=0.0, high=2.0, step=0.1)
    with pytest.raises(InputError, match="no range"):
        knob("pause", "How long.", glossary="pause", unit="s", low=2.0, high=0.0, step=0.1)

    class Mood(str, Enum):
        CALM = "calm"
        BUSY = "busy_day"

    with pytest.raises(InputError, match="busy_day"):
        choices(Mood, {Mood.CALM: "calm"})


def test_choices_show_plain_words_and_keep_their_codes() -> None:
    style = KNOBS["style"]
    assert ("waits for a pause", "wait_for_pause") in style.options
    assert style.label_of(Policy().style) == "waits for a pause"


def test_the_live_controls_and_the_explorer_build_controls_from_the_declarations() -> None:
    from designkit.study.knob_controls import TURNABLE, knob_control

    assert {"confidence", "initiative", "pause_s", "style", "context", "yield_microturns"} <= set(TURNABLE)
    assert "sure_confidence" not in TURNABLE  # may be off: a slider cannot say so
    slider = knob_control("pause_s", 0.6)
    declared = KNOBS["pause_s"]
    assert (slider.min, slider.max, slider.step) == (declared.low, declared.high, declared.step)
    assert slider.description == "pause before a turn (s)" and slider.tooltip == declared.hint
    dropdown = knob_control("style", Policy().style)
    assert dropdown.value == "wait_for_pause" and dropdown.label == "waits for a pause"
    with pytest.raises(InputError, match="confidence"):
        knob_control("confidance", 0.5)
