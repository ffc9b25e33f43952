"""How a person turns a policy knob, declared once on the `Policy` field it describes.

    confidence: float = field(default=0.6, metadata=knob(
        "confidence threshold", "Proposals less sure than this are withheld.",
        glossary="confidence threshold", unit="0–1", low=0.0, high=1.0, step=0.05))

The live controls (`widgets/controls.py`), the explorer (`study/explorer.py`), a study editor and
the glossary test all read these declarations (`knobs_of(Policy)`, `designkit.policy.KNOBS`); a
field without a complete one is an error when the declarations are read.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from enum import Enum
from types import MappingProxyType
from typing import Any

from designkit.errors import InputError

KNOB = "knob"  # the key of a field's metadata that holds its declaration


class Control(str, Enum):
    """What kind of control turns a knob."""

    SLIDER = "slider"  # a number from `low` to `high` in steps of `step`, in `unit`
    WHOLE = "whole"    # a whole number from `low` to `high`, in `unit`
    CHOICE = "choice"  # one of `choices`, each shown by its plain label
    TEXT = "text"      # a line of text
    RULES = "rules"    # a list of rules, each written as text (schedules, cue rules)


NUMERIC = frozenset({Control.SLIDER, Control.WHOLE})


@dataclass(frozen=True, slots=True)
class Choice:
    """One value of a choice knob and the words a person sees for it."""

    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Knob:
    """One knob as a person turns it: its control, range and step (numbers) or choices, its unit,
    a plain label, a one-line hint and the docs/glossary.md entry that explains it.

    `low`..`high` is the range a control offers; the field's validation may accept more (any
    `pause_s` >= 0). `off`: what None means, for a knob that may be switched off. `name` is the
    field's name, filled in when the declarations are read (`knobs_of`).
    """

    label: str
    hint: str
    glossary: str
    control: Control = Control.SLIDER
    unit: str = ""
    low: float = math.nan
    high: float = math.nan
    step: float = math.nan
    choices: tuple[Choice, ...] = ()
    off: str = ""
    name: str = ""

    def __post_init__(self) -> None:
        missing = self.problems()
        if missing:
            raise InputError(f"knob {self.label or self.name or '(unnamed)'}",
                             expected="a complete declaration", got="; ".join(missing))

    def problems(self) -> list[str]:
        """What this declaration lacks (empty when complete)."""
        out = [f"no {part}" for part in ("label", "hint", "glossary") if not getattr(self, part).strip()]
        if len(self.hint.splitlines()) > 1:
            out.append("a hint of more than one line")
        if self.control in NUMERIC:
            if not self.unit:
                out.append("no unit")
            if not (self.low < self.high and self.step > 0):
                out.append(f"no range (low {self.low}, high {self.high}, step {self.step})")
            elif self.control is Control.WHOLE and not all(float(v).is_integer()
                                                            for v in (self.low, self.high, self.step)):
                out.append("a whole-number knob with a fractional range or step")
        elif self.control is Control.CHOICE:
            if len(self.choices) < 2:
                out.append("fewer than two choices")
            if any(not c.label.strip() or (c.label == c.value and "_" in c.value) for c in self.choices):
                out.append("a choice without a plain label")
        return out

    def label_of(self, value: Any) -> str:
        """The plain label of one of this knob's choices (the value as text for other knobs)."""
        code = getattr(value, "value", value)
        for c in self.choices:
            if c.value == code:
                return c.label
        return str(code)

    @property
    def options(self) -> list[tuple[str, str]]:
        """(plain label, value) pairs, as a dropdown takes them."""
        return [(c.label, c.value) for c in self.choices]


def knob(label: str, hint: str, *, glossary: str, control: Control = Control.SLIDER, unit: str = "",
         low: float = math.nan, high: float = math.nan, step: float = math.nan,
         choices: tuple[Choice, ...] = (), off: str = "") -> Mapping[str, Knob]:
    """A field's metadata that declares its knob: `field(default=..., metadata=knob(...))`."""
    return MappingProxyType({KNOB: Knob(label, hint, glossary, control, unit, low, high, step, choices, off)})


def choices(kind: type[Enum], labels: Mapping[Any, str]) -> tuple[Choice, ...]:
    """The choices of an enum knob, one plain label per member (every member needs one)."""
    unlabelled = [m.value for m in kind if m not in labels]
    if unlabelled:
        raise InputError(f"choices of {kind.__name__}", expected="a plain label for every member",
                         got=f"none for {unlabelled}")
    return tuple(Choice(str(m.value), labels[m]) for m in kind)


def knobs_of(spec: type) -> dict[str, Knob]:
    """Every knob of a spec dataclass (its fields not starting with `_`), in field order, each
    with its name; an `InputError` names a field without a declaration."""
    out = {}
    for f in fields(spec):
        if f.name.startswith("_"):
            continue
        declared = f.metadata.get(KNOB)
        if not isinstance(declared, Knob):
            raise InputError(f"{spec.__name__}.{f.name}", expected="a knob declaration",
                             got="none", fix="declare it: field(default=..., metadata=knob(label, hint, ...))")
        out[f.name] = replace(declared, name=f.name)
    return out


def same_knob(a: Any, b: Any) -> bool:
    """True when two values of one knob are the same setting: numbers equal up to float noise
    (a slider's 19.999999999999996 is 20), anything else equal."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)
