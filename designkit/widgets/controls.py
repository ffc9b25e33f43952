"""The knobs a designer turns while talking: policy sliders, mute, push-to-talk, the script.

Every change goes through the live session, applies at the next microturn and is logged there:
policy knobs through `Engine.set_policy` (a "policy" event), everything else as an event in the
stream ("control"), so a replay of the session sees the same events. A Wizard-of-Oz operator
works from a screen of its own (`WizardConsole`), never from the participant's page; in code,
`LiveSession.wizard(...)` does what a console's action does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as w

from designkit.policy import Policy
from designkit.study.knob_controls import CONTROLLABLE, described, knob_control

if TYPE_CHECKING:
    from designkit.widgets.live import LiveSession

# The knobs a designer turns while talking, in the order shown: the main four first, then every
# other knob a control can turn (pause, sure turn end, yield, false interruption and what follows
# it, gap, budget, ...), so a knob declared on `Policy` is live without touching this file.
# Ranges, units, plain labels and hints: `Policy.KNOBS`.
FIRST = ("initiative", "style", "confidence", "context")
LIVE_KNOBS = (*FIRST, *(name for name in CONTROLLABLE if name not in FIRST))


class Controls(w.VBox):  # type: ignore[misc]
    """Sliders and toggles wired to one `LiveSession`."""

    def __init__(self, session: LiveSession, **kwargs: Any) -> None:
        self.session = session
        policy = session.policy if isinstance(session.policy, Policy) else Policy()
        layout = w.Layout(width="360px")
        self.knobs = {name: knob_control(name, getattr(policy, name), layout=layout) for name in LIVE_KNOBS}
        for knob, control in self.knobs.items():
            control.observe(lambda change, knob=knob: session.set_knob(knob, change["new"]), "value")
        self.initiative, self.style = self.knobs["initiative"], self.knobs["style"]
        self.confidence, self.context = self.knobs["confidence"], self.knobs["context"]
        self.mute = w.ToggleButton(description="mute mic", icon="microphone-slash")
        self.quiet = w.ToggleButton(description="quiet mode", icon="moon")
        self.ptt = w.ToggleButton(description="push-to-talk", icon="hand-paper")
        self.mute.observe(lambda c: session.set_control("muted", c["new"]), "value")
        self.quiet.observe(lambda c: session.set_control("quiet", c["new"]), "value")
        self.ptt.observe(lambda c: session.set_control("push_to_talk", c["new"]), "value")
        self.script = script_editor(session)
        super().__init__(
            [w.HTML("<b>policy</b>"), *(described(name, control) for name, control in self.knobs.items()),
             w.HBox([self.mute, self.quiet, self.ptt]),
             *([w.HTML("<b>what the agent says</b> (one line per row, said in turn; {said} = the model's words)"),
                self.script] if self.script.children else [])],
            **kwargs,
        )
        self.add_class("dk-controls")


def script_editor(session: LiveSession) -> w.VBox:
    """One text box per intent of the session's script; an edit applies at the next microturn."""
    boxes = []
    for intent, lines in session.script.lines.items():
        box = w.Textarea(value="\n".join(lines), description=intent, continuous_update=False,
                         layout=w.Layout(width="420px", height=f"{min(6, len(lines) + 1) * 20}px"),
                         style={"description_width": "80px"})
        box.add_class(f"dk-script-{intent}")

        def edited(change: dict[str, Any], intent: str = intent) -> None:
            lines = [line for line in str(change["new"]).splitlines() if line.strip()]
            if lines:
                session.set_script(intent, lines)

        box.observe(edited, "value")
        boxes.append(box)
    return w.VBox(boxes)
