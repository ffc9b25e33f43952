"""Operator ("wizard of Oz") buttons: they override the policy, with reason `wizard`."""

from __future__ import annotations

from collections.abc import Iterable

from designkit.core.context import EventKind
from designkit.core.decisions import Action, Decision, Reason
from designkit.core.streams import Event
from designkit.errors import InputError


def wizard_override(events: Iterable[Event], decision: Decision, agent_speaking: bool, end: float,
                    silent_until: float) -> tuple[Decision, float]:
    """Operator buttons override the policy, with reason `wizard`: returns the decision and until
    when the operator's "silent" holds the agent back."""
    for event in events:
        if event.kind != EventKind.WIZARD:
            continue
        action = str(event.data.get("action", ""))
        content = str(event.data.get("content", ""))
        if action == "speak":
            return Decision(Action.SPEAK, Reason.WIZARD, 1.0, content, float(event.data.get("duration_s", 1.5))), 0.0
        if action == "backchannel":
            return (Decision(Action.BACKCHANNEL, Reason.WIZARD, 1.0, content or "mm-hm",
                             float(event.data.get("duration_s", 0.4))), 0.0)
        if action == "stop":
            return Decision(Action.YIELD if agent_speaking else Action.SILENT, Reason.WIZARD), silent_until
        if action == "silent":
            return (Decision(Action.YIELD if agent_speaking else Action.SILENT, Reason.WIZARD),
                    end + float(event.data.get("hold_s", 10.0)))
        raise InputError("wizard action", expected="speak, silent, backchannel or stop", got=repr(action))
    if decision.action.is_intervention and end <= silent_until:
        return Decision(Action.SILENT, Reason.WIZARD), silent_until
    return decision, silent_until
