"""The knobs a designer turns while talking: policy sliders, mute, push-to-talk, Wizard-of-Oz.

Every change goes through the live session, applies at the next microturn and is logged there:
policy knobs through `Engine.set_policy` (a "policy" event), everything else as an event in the
stream ("control" or "wizard"), so a replay of the session sees the same events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as w

from designkit.policy import Mode, Policy, Style

if TYPE_CHECKING:
    from designkit.widgets.live import LiveSession

WIZARD_ACTIONS = ("speak", "silent", "backchannel", "stop")


class Controls(w.VBox):  # type: ignore[misc]
    """Sliders, toggles and operator buttons wired to one `LiveSession`."""

    def __init__(self, session: LiveSession, **kwargs: Any) -> None:
        self.session = session
        policy = session.policy if isinstance(session.policy, Policy) else Policy()
        layout = w.Layout(width="320px")
        style = {"description_width": "110px"}
        self.initiative = w.FloatSlider(value=policy.initiative, min=0.0, max=1.0, step=0.05,
                                        description="initiative", layout=layout, style=style)
        self.style = w.Dropdown(options=[s.value for s in Style], value=policy.style.value,
                                description="interruption", layout=layout, style=style)
        self.confidence = w.FloatSlider(value=policy.confidence, min=0.0, max=1.0, step=0.05,
                                        description="confidence", layout=layout, style=style)
        self.context = w.Dropdown(options=[m.value for m in Mode], value=policy.context.value,
                                  description="context", layout=layout, style=style)
        for control, knob in ((self.initiative, "initiative"), (self.style, "style"),
                              (self.confidence, "confidence"), (self.context, "context")):
            control.observe(lambda change, knob=knob: session.set_knob(knob, change["new"]), "value")
        self.mute = w.ToggleButton(description="mute mic", icon="microphone-slash")
        self.quiet = w.ToggleButton(description="quiet mode", icon="moon")
        self.ptt = w.ToggleButton(description="push-to-talk", icon="hand-paper")
        self.mute.observe(lambda c: session.set_control("muted", c["new"]), "value")
        self.quiet.observe(lambda c: session.set_control("quiet", c["new"]), "value")
        self.ptt.observe(lambda c: session.set_control("push_to_talk", c["new"]), "value")
        self.line = w.Text(value="Let me think about that for a moment.", description="says",
                           layout=w.Layout(width="420px"), style={"description_width": "40px"})
        labels = {"speak": "speak now", "silent": "stay silent", "backchannel": "backchannel", "stop": "stop"}
        self.wizard = {}
        for action in WIZARD_ACTIONS:
            button = w.Button(description=labels[action], tooltip=f"Wizard-of-Oz: {labels[action]}")
            button.add_class(f"dk-wizard-{action}")
            button.on_click(lambda _b, action=action: self._wizard(action))
            self.wizard[action] = button
        super().__init__(
            [w.HTML("<b>policy</b>"), self.initiative, self.style, self.confidence, self.context,
             w.HBox([self.mute, self.quiet, self.ptt]),
             w.HTML("<b>operator</b>"), w.HBox(list(self.wizard.values())), self.line],
            **kwargs,
        )
        self.add_class("dk-controls")

    def _wizard(self, action: str) -> None:
        if action == "speak" and self.line.value.strip():
            self.session.wizard(action, content=self.line.value.strip())
        else:
            self.session.wizard(action)
