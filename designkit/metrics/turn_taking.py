"""Turn-taking on interval timelines: designkit's own measures.

Response latency, yield latency, early interruption, overlap ratio and backchannel rate take
user and agent speech intervals. Full-Duplex-Bench compatible scoring is in
`designkit.metrics.fdbench`.
"""

from __future__ import annotations

import logging
import math

import numpy as np

from designkit.metrics.intervals import (
    FloatArray,
    IntervalsLike,
    TimesLike,
    as_intervals,
    as_times,
    check_duration,
    inside,
    overlap_seconds,
    total,
)

logger = logging.getLogger(__name__)

# --- designkit's own -------------------------------------------------------------------------
EARLY_MARGIN_S = 0.5


def response_latencies(*, user_speech: IntervalsLike, agent_speech: IntervalsLike) -> FloatArray:
    """Agent onset - user offset at each user turn end the agent answered (docs/design.md,
    "Turn-taking, on interval timelines").

    An answer is the first agent onset at or after the user's offset and before the user's next
    onset; turn ends with no answer contribute nothing.
    """
    user = as_intervals("user_speech", user_speech)
    onsets = as_intervals("agent_speech", agent_speech)[:, 0]
    out: list[float] = []
    for i, (_, end) in enumerate(user.tolist()):
        nxt = user[i + 1, 0] if i + 1 < len(user) else math.inf
        k = int(np.searchsorted(onsets, end - 1e-9, side="left"))
        if k < len(onsets) and onsets[k] < nxt:
            out.append(float(onsets[k]) - end)
    return np.asarray(out, dtype=np.float64)


def yield_latencies(*, user_speech: IntervalsLike, agent_speech: IntervalsLike) -> FloatArray:
    """For each user onset while the agent was speaking (a barge-in): agent offset - user onset."""
    user = as_intervals("user_speech", user_speech)
    agent = as_intervals("agent_speech", agent_speech)
    out: list[float] = []
    for onset in user[:, 0].tolist():
        during = (agent[:, 0] < onset - 1e-9) & (agent[:, 1] > onset + 1e-9)
        if np.any(during):
            out.append(float(agent[during, 1].max()) - onset)
    return np.asarray(out, dtype=np.float64)


def early_interruption_rate(*, user_speech: IntervalsLike, agent_speech: IntervalsLike,
                            margin_s: float = EARLY_MARGIN_S) -> float:
    """Share of user turns in which the agent started more than `margin_s` (0.5 s) before the
    turn's end, after FD-Bench (Peng et al., 2025, early-interruption rate). NaN with no turns."""
    user = as_intervals("user_speech", user_speech)
    onsets = as_intervals("agent_speech", agent_speech)[:, 0]
    if len(user) == 0:
        return math.nan
    early = sum(bool(np.any((onsets >= s) & (onsets < e - margin_s))) for s, e in user.tolist())
    return early / len(user)


def response_success_rate(*, user_speech: IntervalsLike, agent_speech: IntervalsLike,
                          max_latency_s: float = 2.0, margin_s: float = EARLY_MARGIN_S) -> float:
    """Share of user turns answered within `max_latency_s` of their end without an early
    interruption, after FD-Bench (Peng et al., 2025, success rate). NaN with no turns."""
    user = as_intervals("user_speech", user_speech)
    onsets = as_intervals("agent_speech", agent_speech)[:, 0]
    if len(user) == 0:
        return math.nan
    ok = 0
    for i, (s, e) in enumerate(user.tolist()):
        nxt = user[i + 1, 0] if i + 1 < len(user) else math.inf
        early = np.any((onsets >= s) & (onsets < e - margin_s))
        answered = np.any((onsets >= e - margin_s) & (onsets <= e + max_latency_s) & (onsets < nxt))
        ok += int(answered and not early)
    return ok / len(user)


def overlap_ratio(*, user_speech: IntervalsLike, agent_speech: IntervalsLike) -> float:
    """Seconds both speak / seconds the agent speaks (NaN when the agent never speaks)."""
    user = as_intervals("user_speech", user_speech)
    agent = as_intervals("agent_speech", agent_speech)
    spoken = total(agent)
    return overlap_seconds(user, agent) / spoken if spoken > 0 else math.nan


def interruptions_per_min(*, user_speech: IntervalsLike, onsets: TimesLike, duration_s: float) -> float:
    """Spoken interventions (backchannels included) whose onset falls while the user speaks
    (start <= t < end), per minute of `duration_s`: the interruptions of user speech that attention
    cost charges (docs/design.md, "Attention cost"). 0 when the user never speaks."""
    user = as_intervals("user_speech", user_speech)
    starts = as_times("onsets", onsets)
    return int(inside(starts, user).sum()) / (check_duration(duration_s) / 60.0)


def false_interruptions_per_min(*, user_speech: IntervalsLike, agent_turns: IntervalsLike,
                                duration_s: float) -> float:
    """Agent turns (not backchannels) that started where the person had not finished, per minute
    of `duration_s`: the onset falls while the user speaks (start <= t < end), or in a pause the
    user went on from before the turn was over (a user onset strictly inside the turn): the agent
    took a pause for a turn end. The session metric beside "It interrupted me" in studies with
    people (docs/people.md). 0 when the agent never takes a turn."""
    user = as_intervals("user_speech", user_speech)
    turns = as_intervals("agent_turns", agent_turns)
    minutes = check_duration(duration_s) / 60.0
    if not len(turns):
        return 0.0
    over = inside(turns[:, 0], user)
    starts = user[:, 0]
    went_on = ((starts[None, :] > turns[:, :1]) & (starts[None, :] < turns[:, 1:])).any(axis=1)
    return int((over | went_on).sum()) / minutes


def backchannel_rate(*, backchannels: TimesLike, duration_s: float) -> float:
    """Backchannel onsets per minute."""
    return len(as_times("backchannels", backchannels)) / (check_duration(duration_s) / 60.0)


__all__ = [
    "backchannel_rate", "early_interruption_rate", "false_interruptions_per_min", "interruptions_per_min",
    "overlap_ratio", "response_latencies", "response_success_rate", "yield_latencies",
]
