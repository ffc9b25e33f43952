"""Operator ("wizard of Oz") buttons: they override the policy, with reason `wizard`."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from designkit.core.context import EventKind
from designkit.core.decisions import BACKCHANNEL_S, TURN_S, Action, Decision, Reason
from designkit.core.streams import Event
from designkit.errors import choice

SILENT_HOLD_S = 10.0  # how long "stay silent" holds the agent back when the button does not say


class OperatorAction(str, Enum):
    """An operator's button, logged as a `wizard` event's `action`."""

    SPEAK = "speak"              # say a line now (`content`, `duration_s`)
    SILENT = "silent"            # stop and hold back for `hold_s` seconds
    BACKCHANNEL = "backchannel"  # a short "mm-hm" now
    STOP = "stop"                # stop what is being said

    @property
    def label(self) -> str:
        """The button's plain words."""
        return OPERATOR_LABELS[self]

    @classmethod
    def parse(cls, value: object) -> OperatorAction:
        return choice(cls, value, "wizard action")


OPERATOR_LABELS: dict[OperatorAction, str] = {
    OperatorAction.SPEAK: "speak now", OperatorAction.SILENT: "stay silent",
    OperatorAction.BACKCHANNEL: "backchannel", OperatorAction.STOP: "stop",
}


def wizard_override(events: Iterable[Event], decision: Decision, agent_speaking: bool, end: float,
                    silent_until: float) -> tuple[Decision, float]:
    """Operator buttons override the policy, with reason `wizard`: returns the decision and until
    when the operator's "silent" holds the agent back. An action it does not know is an
    `InputError` (the engine logs it as a fault and goes on)."""
    for event in events:
        if event.kind != EventKind.WIZARD:
            continue
        data = event.data
        action = OperatorAction.parse(data.get("action", ""))
        content = str(data.get("content", ""))
        if action is OperatorAction.SPEAK:
            return Decision(Action.SPEAK, Reason.WIZARD, 1.0, content, float(data.get("duration_s", TURN_S))), 0.0
        if action is OperatorAction.BACKCHANNEL:
            return (Decision(Action.BACKCHANNEL, Reason.WIZARD, 1.0, content or "mm-hm",
                             float(data.get("duration_s", BACKCHANNEL_S))), 0.0)
        stop = Decision(Action.YIELD if agent_speaking else Action.SILENT, Reason.WIZARD)
        if action is OperatorAction.STOP:
            return stop, silent_until
        return stop, end + float(data.get("hold_s", SILENT_HOLD_S))
    if decision.action.is_intervention and end <= silent_until:
        return Decision(Action.SILENT, Reason.WIZARD), silent_until
    return decision, silent_until
