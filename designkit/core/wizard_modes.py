"""Wizard-of-Oz modes: how much of the policy's say an operator keeps.

- `override` (the default): the policy runs; the operator's actions override it at any time.
- `veto`: each intervention the policy decides waits up to `veto_s` for the operator's `approve`
  or `deny` (a `wizard` event answering that microturn's index); the agent stays silent while it
  waits. An answer in time decides; without one, the designer's `on_timeout` does, at the first
  microturn whose end reaches the deadline. One proposal waits at a time; later ones meanwhile
  are withheld.
- `full`: the policy starts nothing; only the operator does. The policy's yield rule still stops
  the agent when the person talks over it (a safety the operator keeps; the operator can always
  hold or stop the agent too).

Modes change through `wizard` events (`action: "mode"`), so a replay of a kept session walks the
same modes at the same microturns; the deadline is on the session timeline, not the wall clock.
Pure: no I/O, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from designkit.core.context import EventKind
from designkit.core.decisions import Decision, Reason
from designkit.core.streams import Event
from designkit.core.wizard import NOT_DECIDING, OperatorAction
from designkit.errors import InputError, choice

VETO_S = 1.5  # how long a proposal waits for the operator by default


class WizardMode(str, Enum):
    """How much the policy does on its own while an operator watches."""

    OVERRIDE = "override"
    VETO = "veto"
    FULL = "full"


class OnTimeout(str, Enum):
    """What a vetoable proposal becomes when the operator does not answer in time."""

    APPROVE = "approve"
    DENY = "deny"


@dataclass(frozen=True, slots=True)
class Waiting:
    """A proposal of the policy waiting for the operator: decided at microturn `index`, until
    `until` seconds on the session timeline."""

    decision: Decision
    index: int
    until: float


@dataclass(frozen=True, slots=True)
class ModeState:
    """The mode, its settings, and the proposal waiting for an answer (if any)."""

    mode: WizardMode = WizardMode.OVERRIDE
    veto_s: float = VETO_S
    on_timeout: OnTimeout = OnTimeout.DENY
    waiting: Waiting | None = None

    def __post_init__(self) -> None:
        if not (isinstance(self.veto_s, (int, float)) and math.isfinite(self.veto_s) and self.veto_s >= 0):
            raise InputError("veto_s", expected="seconds >= 0", got=self.veto_s)

    @property
    def policy_alone(self) -> bool:
        """True when the policy's decisions pass unchanged (override mode, nothing waiting): the
        engine's fast replay paths may skip this gate."""
        return self.mode is WizardMode.OVERRIDE and self.waiting is None

    def to_dict(self) -> dict[str, Any]:
        """The settings as a `mode` event's data carries them (`from_data` reads them back)."""
        return {"mode": self.mode.value, "veto_ms": self.veto_s * 1000, "on_timeout": self.on_timeout.value}

    @classmethod
    def from_data(cls, data: Mapping[str, Any], before: ModeState | None = None) -> ModeState:
        """The state a `mode` event's data asks for (fields it leaves out stay as `before`)."""
        before = before if before is not None else ModeState()
        mode = choice(WizardMode, data.get("mode", before.mode.value), "wizard mode")
        timeout = choice(OnTimeout, data.get("on_timeout", before.on_timeout.value), "wizard on_timeout")
        veto_s = float(data["veto_ms"]) / 1000 if "veto_ms" in data else before.veto_s
        keep = before.waiting if mode is WizardMode.VETO else None
        return cls(mode, veto_s, timeout, keep)


OVERRIDE = ModeState()
# Operator actions that decide the microturn themselves (`wizard_override`): a waiting proposal
# is answered by them.
_ACTING = frozenset(a.value for a in OperatorAction if a not in NOT_DECIDING and a is not OperatorAction.RELEASE)


def mode_gate(state: ModeState, events: Iterable[Event], decision: Decision, index: int,
              end: float) -> tuple[Decision, ModeState]:
    """The policy's decision at microturn `index` (ending at `end`) after the mode: mode switches
    and veto answers among `events` first, then the waiting proposal's deadline, then the mode's
    rule for a new intervention. The operator's own actions come after this (`wizard_override`)."""
    answered: Decision | None = None
    for event in events:
        if event.kind != EventKind.WIZARD:
            continue
        action = event.data.get("action")
        if action == OperatorAction.MODE.value:
            state = ModeState.from_data(event.data, state)
        elif action in _ACTING and state.waiting is not None:  # the operator answered by acting
            state = ModeState(state.mode, state.veto_s, state.on_timeout, None)
        elif action == OperatorAction.APPROVE.value or action == OperatorAction.DENY.value:
            waiting = state.waiting
            if waiting is not None and int(event.data.get("answers", -1)) == waiting.index:
                approve = action == OperatorAction.APPROVE.value
                answered = (_replace_reason(waiting.decision, Reason.WIZARD) if approve
                            else Decision.silent(Reason.WIZARD))
                state = ModeState(state.mode, state.veto_s, state.on_timeout, None)
    if answered is not None:
        return answered, state
    waiting = state.waiting
    if waiting is not None and end + 1e-9 >= waiting.until:
        state = ModeState(state.mode, state.veto_s, state.on_timeout, None)
        if state.on_timeout is OnTimeout.APPROVE:
            return waiting.decision, state
        return Decision.silent(Reason.WIZARD), state
    if not decision.action.is_intervention or state.mode is WizardMode.OVERRIDE:
        return decision, state
    if state.mode is WizardMode.VETO and state.waiting is None:
        state = ModeState(state.mode, state.veto_s, state.on_timeout, Waiting(decision, index, end + state.veto_s))
    return Decision.silent(Reason.WIZARD), state


def _replace_reason(decision: Decision, reason: Reason) -> Decision:
    return Decision(decision.action, reason, decision.confidence, decision.content, decision.duration_s)
