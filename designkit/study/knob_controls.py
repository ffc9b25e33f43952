"""One ipywidgets control per policy knob, built from the knob's declaration (`Policy.KNOBS`).

The explorer and the live controls both build their sliders and dropdowns here, so a knob's
range, step, unit and plain labels are read from one place.
"""

from __future__ import annotations

from typing import Any

from designkit.errors import InputError
from designkit.policy.knobs import Control, Knob
from designkit.policy.spec import KNOBS

# Knobs a slider or a dropdown can turn: numbers and choices that cannot be switched off.
TURNABLE = tuple(name for name, k in KNOBS.items() if k.control in (Control.SLIDER, Control.WHOLE, Control.CHOICE)
                 and not k.off)


def turnable(names: Any, what: str) -> tuple[str, ...]:
    """`names` when each is a knob a control can turn, else an `InputError` listing those."""
    names = tuple(names)
    unknown = [n for n in names if n not in TURNABLE]
    if unknown:
        raise InputError(what, expected=f"names from {list(TURNABLE)}", got=unknown)
    return names


def knob_control(name: str, value: Any, *, continuous_update: bool = True, **options: Any) -> Any:
    """The control for knob `name` set to `value` (a field's value: an enum member, a number):
    a dropdown of plain labels, or a slider over the declared range in the declared step, with
    the knob's label (and unit) as its description and its hint as a tooltip. `continuous_update`
    applies to sliders; `options` go to the ipywidgets constructor (layout, style)."""
    import ipywidgets as w

    knob: Knob = KNOBS[turnable((name,), "knob")[0]]
    described = {"description": knob.label + (f" ({knob.unit})" if knob.unit else ""), "tooltip": knob.hint, "style": {"description_width": "initial"}, **options}
    if knob.control is Control.CHOICE:
        return w.Dropdown(options=knob.options, value=getattr(value, "value", value), **described)
    if knob.control is Control.WHOLE:
        return w.IntSlider(value=int(value), min=int(knob.low), max=int(knob.high), step=int(knob.step),
                           continuous_update=continuous_update, **described)
    return w.FloatSlider(value=float(value), min=knob.low, max=knob.high, step=knob.step,
                         continuous_update=continuous_update, readout_format=".2f", **described)
