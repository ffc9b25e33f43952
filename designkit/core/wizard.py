"""Operator ("wizard of Oz") actions: they override the policy, with reason `wizard`.

Each is a `wizard` event whose `action` is an `OperatorAction`. Those that decide (speak,
backchannel, interrupt, stop, silent, hold, release) act here, after the mode's gate
(`core/wizard_modes.py`, which reads `mode`, `approve` and `deny`); a `note` decides nothing
and is kept in the log with the others.
"""

from __future__ import annotations

import math
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
    STOP = "stop"                # stop what is being said (yield the floor)
    INTERRUPT = "interrupt"      # say a line now, even over the person (`content`, `duration_s`)
    HOLD = "hold"                # stop and stay silent until released
    RELEASE = "release"          # end a hold: the policy (or the mode) decides again
    NOTE = "note"                # a note for the log (`note`); the agent does nothing
    APPROVE = "approve"          # veto mode: let the waiting proposal (`answers`: its index) go
    DENY = "deny"                # veto mode: drop the waiting proposal
    MODE = "mode"                # switch the mode (`mode`, `veto_ms`, `on_timeout`)

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
    OperatorAction.INTERRUPT: "interrupt now", OperatorAction.HOLD: "hold",
    OperatorAction.RELEASE: "release", OperatorAction.NOTE: "note", OperatorAction.APPROVE: "approve",
    OperatorAction.DENY: "deny", OperatorAction.MODE: "switch mode",
}
# Actions the mode's gate reads, or that decide nothing: the override passes over them.
NOT_DECIDING = frozenset({OperatorAction.NOTE, OperatorAction.APPROVE, OperatorAction.DENY, OperatorAction.MODE})


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
        if action in NOT_DECIDING:
            if action is OperatorAction.MODE and data.get("release"):  # a fallback to the policy ends a hold
                silent_until = 0.0
            continue
        content = str(data.get("content", ""))
        if action is OperatorAction.SPEAK or action is OperatorAction.INTERRUPT:
            kind = Action.SPEAK if action is OperatorAction.SPEAK else Action.INTERRUPT
            return Decision(kind, Reason.WIZARD, 1.0, content, float(data.get("duration_s", TURN_S))), 0.0
        if action is OperatorAction.BACKCHANNEL:
            return (Decision(Action.BACKCHANNEL, Reason.WIZARD, 1.0, content or "mm-hm",
                             float(data.get("duration_s", BACKCHANNEL_S))), 0.0)
        if action is OperatorAction.RELEASE:
            silent_until = 0.0
            continue
        stop = Decision(Action.YIELD if agent_speaking else Action.SILENT, Reason.WIZARD)
        if action is OperatorAction.STOP:
            return stop, silent_until
        if action is OperatorAction.HOLD:
            return stop, math.inf
        return stop, end + float(data.get("hold_s", SILENT_HOLD_S))
    if decision.action.is_intervention and end <= silent_until:
        return Decision(Action.SILENT, Reason.WIZARD), silent_until
    return decision, silent_until
