"""The knobs a designer turns while talking: policy sliders, mute, push-to-talk, Wizard-of-Oz.

Every change goes through the live session, applies at the next microturn and is logged there:
policy knobs through `Engine.set_policy` (a "policy" event), everything else as an event in the
stream ("control" or "wizard"), so a replay of the session sees the same events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as w

from designkit.core.wizard import OperatorAction
from designkit.policy import Policy
from designkit.study.knob_controls import knob_control

if TYPE_CHECKING:
    from designkit.widgets.live import LiveSession

# The knobs a designer turns while talking, in the order shown (ranges and labels: `Policy.KNOBS`).
LIVE_KNOBS = ("initiative", "style", "confidence", "context")


class Controls(w.VBox):  # type: ignore[misc]
    """Sliders, toggles and operator buttons wired to one `LiveSession`."""

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
        self.line = w.Text(value="Let me think about that for a moment.", description="says",
                           layout=w.Layout(width="420px"), style={"description_width": "40px"})
        self.wizard = {}
        for action in OperatorAction:
            button = w.Button(description=action.label, tooltip=f"Wizard-of-Oz: {action.label}")
            button.add_class(f"dk-wizard-{action.value}")
            button.on_click(lambda _b, action=action: self._wizard(action))
            self.wizard[action.value] = button
        self.script = script_editor(session)
        super().__init__(
            [w.HTML("<b>policy</b>"), *self.knobs.values(),
             w.HBox([self.mute, self.quiet, self.ptt]),
             w.HTML("<b>operator</b>"), w.HBox(list(self.wizard.values())), self.line,
             *([w.HTML("<b>what the agent says</b> (one line per row, said in turn; {said} = the model's words)"),
                self.script] if self.script.children else [])],
            **kwargs,
        )
        self.add_class("dk-controls")

    def _wizard(self, action: OperatorAction) -> None:
        if action is OperatorAction.SPEAK and self.line.value.strip():
            self.session.wizard(action, content=self.line.value.strip())
        else:
            self.session.wizard(action)


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
