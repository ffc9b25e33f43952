"""One ipywidgets control per policy knob, built from the knob's declaration (`Policy.KNOBS`).

The explorer and the live controls both build their sliders and dropdowns here, so a knob's
range, step, unit and plain labels are read from one place.
"""

from __future__ import annotations

import functools
from typing import Any

from designkit.errors import InputError
from designkit.policy.knobs import Control, Knob
from designkit.policy.spec import KNOBS

# Knobs a slider or a dropdown can turn: numbers and choices that cannot be switched off.
TURNABLE = tuple(name for name, k in KNOBS.items() if k.control in (Control.SLIDER, Control.WHOLE, Control.CHOICE)
                 and not k.off)
# Every knob a control can turn, those that can be switched off (a tick box beside a slider) too:
# the live controls and the study editor show all of them.
CONTROLLABLE = tuple(name for name, k in KNOBS.items() if k.control in (Control.SLIDER, Control.WHOLE, Control.CHOICE))


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

    if name in CONTROLLABLE and KNOBS[name].off:
        return Switchable(name, value, continuous_update=continuous_update, **options)
    knob: Knob = KNOBS[turnable((name,), "knob")[0]]
    described = {"description": knob.label + (f" ({knob.unit})" if knob.unit else ""), "tooltip": knob.hint, "style": {"description_width": "initial"}, **options}
    if knob.control is Control.CHOICE:
        return w.Dropdown(options=knob.options, value=getattr(value, "value", value), **described)
    if knob.control is Control.WHOLE:
        return w.IntSlider(value=int(value), min=int(knob.low), max=int(knob.high), step=int(knob.step),
                           continuous_update=continuous_update, **described)
    # A value beyond the offered range (an unlimited budget) starts the slider at its end.
    start = min(max(float(value), knob.low), knob.high)
    return w.FloatSlider(value=start, min=knob.low, max=knob.high, step=slider_step(knob, start),
                         continuous_update=continuous_update, readout_format=readout(knob, start), **described)


def slider_step(knob: Knob, value: float) -> float:
    """The knob's declared step, or a finer one (a fifth, a tenth, ... down to 0.001) on whose grid
    `value` lies. The browser snaps a slider's value to its step and sends the snapped value
    back: a policy set to 0.93 on a 0.05 slider would become 0.95 the moment the controls show."""
    step = float(knob.step)
    for finer in (step, step / 5, step / 10, step / 50, step / 100, 0.001):
        if abs((value - knob.low) / finer - round((value - knob.low) / finer)) < 1e-6:
            return finer
    return 0.001


def readout(knob: Knob, value: float) -> str:
    """Decimals enough to show `value` as set (0.93 on a 0.05 slider reads 0.93, not 0.9)."""
    step = slider_step(knob, value)
    return ".3f" if step < 0.01 - 1e-12 else ".2f"


def described(name: str, control: Any) -> Any:
    """`control` with its knob's one-line hint written under it (not only as a tooltip)."""
    import ipywidgets as w

    hint = w.HTML(f"<span class='dk-knob-hint' style='color:#555;font-size:12px'>{KNOBS[name].hint}</span>",
                  layout=w.Layout(margin="-4px 0 6px 8px"))
    box = w.VBox([control, hint])
    box.add_class(f"dk-knob-{name}")
    return box


def Switchable(name: str, value: Any, *, continuous_update: bool = True, **options: Any) -> Any:
    """The control of a knob that may be switched off (None): a tick box and a slider. Its `value`
    is the slider's value while ticked, None while not; observe it like any control's value."""
    return _switchable_class()(name, value, continuous_update=continuous_update, **options)


@functools.cache
def _switchable_class() -> type:
    import ipywidgets as w  # (the live extra: made on first use, so the study layer imports without it)
    import traitlets as t

    class SwitchableKnob(w.HBox):  # type: ignore[misc]
        value = t.Any(None)

        def __init__(self, name: str, value: Any, *, continuous_update: bool, **options: Any) -> None:
            knob = KNOBS[name]
            on = value is not None
            self.switch = w.Checkbox(value=on, description=knob.label + (f" ({knob.unit})" if knob.unit else ""),
                                     tooltip=knob.off, indent=False, style={"description_width": "initial"},
                                     layout=w.Layout(width="auto"))
            start = float(value) if on else (knob.low + knob.high) / 2
            self.slider = w.FloatSlider(value=start, min=knob.low, max=knob.high, step=slider_step(knob, start),
                                        continuous_update=continuous_update, readout_format=readout(knob, start),
                                        disabled=not on, tooltip=knob.hint, layout=w.Layout(width="180px"))
            self.off_note = w.HTML(f"<span style='color:#555;font-size:12px'>{knob.off}</span>")
            self.off_note.layout.display = "none" if on else ""
            super().__init__([self.switch, self.slider, self.off_note], **options)
            self.value = float(start) if on else None
            self.switch.observe(self._sync, "value")
            self.slider.observe(self._sync, "value")
            self.observe(self._show, "value")

        @property
        def description(self) -> str:
            return str(self.switch.description)

        def _sync(self, _change: Any) -> None:
            self.value = float(self.slider.value) if self.switch.value else None

        def _show(self, change: Any) -> None:
            on = change["new"] is not None
            if self.switch.value != on:
                self.switch.value = on
            if on and self.slider.value != change["new"]:
                self.slider.value = change["new"]
            self.slider.disabled = not on
            self.off_note.layout.display = "none" if on else ""

    return SwitchableKnob
