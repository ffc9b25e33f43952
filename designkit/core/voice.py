"""The agent's voice on the session timeline, and what each decision does to it.

A pure rule with no state of its own: every way the engine walks a session steps through it.
"""

from __future__ import annotations

from typing import NamedTuple

from designkit.core.decisions import Action, Decision


class VoiceTimeline(NamedTuple):
    """The agent's voice on the session timeline: when it started and stops, and what the last
    stop cut off (seconds of the utterance left unsaid, and when)."""

    onset: float | None = None
    until: float = 0.0
    cut_remaining_s: float = 0.0
    cut_at: float | None = None


def keeps_voice(decision: Decision, agent_speaking: bool) -> bool:
    """True when `decision` leaves the voice as it was: it goes on (CONTINUE), or a silence while
    the agent is quiet. The engine skips `voice_after` for these (most microturns)."""
    return decision.action is Action.CONTINUE or (not agent_speaking and not decision.action.is_intervention)


def voice_after(voice: VoiceTimeline, decision: Decision, agent_speaking: bool, end: float) -> VoiceTimeline:
    """The voice once `decision`, taken at the end of a microturn, takes effect there.

    Voiced interventions (re)start the voice; any other intervention only clears the last cut;
    yielding, or any silence while speaking (a fault, an operator stop), stops the voice now.
    """
    action = decision.action
    if action.is_intervention:
        if action.is_voiced:
            return VoiceTimeline(voice.onset if agent_speaking else end, end + decision.duration_s, 0.0, None)
        return VoiceTimeline(voice.onset, voice.until, 0.0, None)
    if keeps_voice(decision, agent_speaking):
        return voice
    if voice.until > end + 1e-9:
        return VoiceTimeline(voice.onset, end, voice.until - end, end)
    return VoiceTimeline(voice.onset, min(voice.until, end), voice.cut_remaining_s, voice.cut_at)
