"""A live session's side of a Wizard-of-Oz operator: the events it logs, and what the
participant's page shows of them.

An operator action (from a `WizardConsole` through the session's `WizardDesk`, or from code with
`LiveSession.wizard`) is a `wizard` event of the microturn being filled; a spoken line is rendered
first, so the decision knows how long it lasts.

The participant must not see the operator. In a session open to a console, every point the
participant's page draws shows a wizard decision as the agent's own: the decision by its action's
plain label ("speaks", "stays quiet"), coloured like the agent's ordinary decisions of that action,
and no `wizard` event in the events lane. The session log and the console keep the truth (reason
`wizard`, each operator event with its reaction time).
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from designkit.core.context import EventKind
from designkit.core.decisions import ACTION_LABELS, Action, Reason
from designkit.core.engine import Engine
from designkit.core.streams import Event
from designkit.core.wizard import OperatorAction
from designkit.render.agent_voice import AgentVoice
from designkit.widgets.voice_out import warm_lines
from designkit.widgets.wizard_desk import WizardDesk, WizardSettings

if TYPE_CHECKING:
    from designkit.core.microturns import MicroturnFramer

VOICED = frozenset({OperatorAction.SPEAK, OperatorAction.INTERRUPT})
# On the participant's page a wizard decision takes the colour of the agent's usual decision of that
# action (so the strip reads like any other session); its key is the action's name.
LOOKS_LIKE: dict[Action, Reason] = {
    Action.SPEAK: Reason.TURN_END, Action.BACKCHANNEL: Reason.BACKCHANNEL_OPPORTUNITY,
    Action.INTERRUPT: Reason.BARGE_IN, Action.YIELD: Reason.STOP_REQUESTED, Action.SILENT: Reason.NOTHING_TO_SAY,
    Action.CONTINUE: Reason.SPEAKING, Action.CAPTION: Reason.CAPTION_INSTEAD, Action.ASK: Reason.ASK_FIRST,
}


def operator_event(action: OperatorAction | str, data: dict[str, Any], *, t: float,
                   voice: AgentVoice | None) -> Event:
    """The `wizard` event of an operator action at session time `t`; a voiced line without a
    `duration_s` is rendered now (with `voice`), so the decision knows how long it lasts."""
    action = OperatorAction.parse(action)
    content = str(data.get("content", ""))
    if action in VOICED and content and "duration_s" not in data and voice is not None:
        data = {**data, "duration_s": round(voice.prepare(content).duration_s, 3)}
    return Event(t=t, kind=EventKind.WIZARD, data={"action": action.value, **data})


def participant_point(point: dict[str, Any]) -> dict[str, Any]:
    """A timeline point as the participant's page may show it: a wizard decision as the agent's
    own (its action's key and plain label, in the point and in any part of it that names the
    reason, such as the hover's "why"), and no operator event."""
    events = point.get("events") or []
    if point.get("reason") != Reason.WIZARD.value and EventKind.WIZARD.value not in events:
        return point
    action = Action(point["action"])
    shown = {key: _as_agents_own(value, action) if isinstance(value, dict) else value
             for key, value in _as_agents_own(point, action).items()}
    shown["events"] = [kind for kind in events if kind != EventKind.WIZARD.value]
    return shown


def _as_agents_own(part: dict[str, Any], action: Action) -> dict[str, Any]:
    if part.get("reason") != Reason.WIZARD.value:
        return part
    return {**part, "reason": action.value, "label": ACTION_LABELS[action]}


def participant_colours(table: dict[str, Any]) -> dict[str, Any]:
    """The live widget's colour table for a participant's page: no operator reason or label, and
    each action's key (what `participant_point` shows a wizard decision as) with its colour and label."""
    shown = copy.deepcopy(table)
    reasons, labels = shown.setdefault("reasons", {}), shown.setdefault("labels", {})
    reasons.pop(Reason.WIZARD.value, None)
    labels.pop(Reason.WIZARD.value, None)
    for action, like in LOOKS_LIKE.items():
        reasons[action.value] = reasons.get(like.value, reasons.get(action.value))
        labels[action.value] = ACTION_LABELS[action]
    return shown


class OperatorSide:
    """The operator's part of `LiveSession` (one of its bases, so that live.py keeps to the loop
    from the browser to the engine and back): open the session to a console, log an operator
    action, and what a `WizardDesk` needs of its session (`wizard_desk.OperatedSession`)."""

    # Set by LiveSession: its name, title, colour table and consent state (traits), engine, lock,
    # voice, framer and desk.
    name: str
    title: str
    colours: dict[str, Any]
    consent: str
    engine: Engine
    desk: WizardDesk | None
    _lock: threading.RLock
    _voice: AgentVoice | None
    _framer: MicroturnFramer
    _last_chunk_at: float

    if TYPE_CHECKING:
        def _event_time(self) -> float: ...

        def _push_event(self, event: Event) -> None: ...

    def open_to_wizard(self, settings: WizardSettings | None = None) -> WizardDesk:
        """Let a `WizardConsole` on another page of this Jupyter server attach to this session
        (by `settings.room`, default this session's name); see `designkit.widgets.wizard_desk`."""
        if self.desk is None:
            self.desk = WizardDesk(self, settings or WizardSettings())
            self.colours = participant_colours(self.colours)  # the participant's page shows no operator
        return self.desk

    def wizard(self, action: OperatorAction | str, **data: Any) -> None:
        """An operator action (`OperatorAction`: "speak", "interrupt", "backchannel", "stop", "hold",
        ...), a `wizard` event of the microturn being filled (the programmatic operator)."""
        action = OperatorAction.parse(action)
        with self._lock:
            self._push_event(operator_event(action, data, t=self._event_time(), voice=self._voice))

    def session_time(self) -> float:
        """Now on the session timeline, as the kernel sees it: the audio received so far plus the
        time since its last chunk arrived (no page's clock is read)."""
        since = time.monotonic() - self._last_chunk_at if self.consent == "given" else 0.0
        return float(self._framer.audio_end) + max(0.0, since)

    def prepare_lines(self, lines: Sequence[str]) -> None:
        """Render lines in the agent's voice now, so saying one costs nothing inside a microturn."""
        with self._lock:  # the voice is not shared between threads
            warm_lines(self._voice, lines)

    def _close_desk(self) -> dict[str, Any]:
        """Close the operator's line; what it saw, for recording.json ({} without one)."""
        if self.desk is None:
            return {}
        self.desk.close()
        return {"wizard": self.desk.facts()}
