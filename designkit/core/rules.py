"""The step rules the engine and the fast policy replay (`designkit.policy.replay`) share:
what a decision does to the agent's voice, how operator buttons override the policy, and which
events a context remembers. Pure functions: no state of their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from designkit.core.decisions import Action, Decision, Reason
from designkit.core.streams import Event
from designkit.errors import InputError

WIZARD_KIND = "wizard"


class VoiceTimeline(NamedTuple):
    """The agent's voice on the session timeline: when it started and stops, and what the last
    stop cut off (seconds of the utterance left unsaid, and when)."""

    onset: float | None = None
    until: float = 0.0
    cut_remaining_s: float = 0.0
    cut_at: float | None = None


def voice_after(voice: VoiceTimeline, decision: Decision, agent_speaking: bool, end: float) -> VoiceTimeline:
    """The voice once `decision`, taken at the end of a microturn, takes effect there.

    Voiced interventions (re)start the voice; any other intervention only clears the last cut;
    yielding, or any silence while speaking (a fault, an operator stop), stops the voice now.
    The engine and the fast policy replay both step through this one rule.
    """
    action = decision.action
    if action.is_intervention:
        if action.is_voiced:
            return VoiceTimeline(voice.onset if agent_speaking else end, end + decision.duration_s, 0.0, None)
        return VoiceTimeline(voice.onset, voice.until, 0.0, None)
    if action is Action.CONTINUE or not agent_speaking:
        return voice
    if voice.until > end + 1e-9:
        return VoiceTimeline(voice.onset, end, voice.until - end, end)
    return VoiceTimeline(voice.onset, min(voice.until, end), voice.cut_remaining_s, voice.cut_at)


def wizard_override(events: Iterable[Event], decision: Decision, agent_speaking: bool, end: float,
                    silent_until: float) -> tuple[Decision, float]:
    """Operator buttons override the policy, with reason `wizard`: returns the decision and until
    when the operator's "silent" holds the agent back."""
    for event in events:
        if event.kind != WIZARD_KIND:
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


def event_times_after(times: Mapping[str, float], events: Iterable[Event]) -> dict[str, float]:
    """`times` updated with `events`: key "kind", and "kind:name" when the event names itself."""
    out = dict(times)
    for event in events:
        out[event.kind] = event.t
        name = event.data.get("name")
        if name is not None:
            out[f"{event.kind}:{name}"] = event.t
    return out
