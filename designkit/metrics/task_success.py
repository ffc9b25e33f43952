"""Task success: the share of real turn ends the agent answered, on time and without cutting in.

Which moments need an answer comes from the ground truth (its turn ends: the points where the
user hands the floor over, the questions), never from the user's speech segments: a pause
inside a turn (a hold) and a backchannel opening are not turns to answer. A designer reads it
as "answered 12 of 14 real turn ends".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from designkit.metrics.intervals import FloatArray, IntervalsLike, TimesLike, as_intervals, as_times

ANSWER_WINDOW_S = 2.0  # an answer starts at most this long after the turn end ...
ANTICIPATION_S = 0.5  # ... and at most this long before it (FD-Bench's early margin)


@dataclass(frozen=True, slots=True)
class TaskSuccess:
    """`answered` of `turns` real turn ends; `rate` = answered / turns (NaN with no turn ends)."""

    answered: int
    turns: int
    cut_in: int

    @property
    def rate(self) -> float:
        return self.answered / self.turns if self.turns else math.nan


def task_success(*, turn_ends: TimesLike, user_speech: IntervalsLike, voiced_onsets: TimesLike,
                 answers: TimesLike | None = None, max_latency_s: float = ANSWER_WINDOW_S,
                 margin_s: float = ANTICIPATION_S) -> TaskSuccess:
    """How many of the truth's turn ends the agent answered (docs/design.md, "Sanity anchors").

    A turn end `e` (from the truth) is answered when an answer starts in
    `[e - margin_s, e + max_latency_s]` and before the user speaks again, and the agent did not cut
    into that turn: no voiced onset (`voiced_onsets`: agent turns, backchannels left out) falls
    between the turn's first word and `e - margin_s`, pauses inside the turn (holds) included. `answers` are the
    onsets that count as an answer (default: `voiced_onsets`; pass captions too, since a caption
    answers in a quiet mode). After Full-Duplex-Bench's success rate (Peng et al., 2025), with the
    turns taken from the truth instead of every user segment.
    """
    ends = as_times("turn_ends", turn_ends)
    user = as_intervals("user_speech", user_speech)
    voiced = as_times("voiced_onsets", voiced_onsets)
    said = voiced if answers is None else as_times("answers", answers)
    onsets = user[:, 0]
    if len(ends) == 0:
        return TaskSuccess(0, 0, 0)
    # All turn ends at once; every array is sorted, so "is there one in [lo, hi)" is the first
    # one at or after lo, compared with hi.
    k = np.searchsorted(onsets, ends + 1e-9, side="left")
    nxt = np.append(onsets, math.inf)[k]  # the user's next onset after the turn end
    lo = ends - margin_s - 1e-9
    j = np.searchsorted(said, lo, side="left")
    first = np.append(said, math.inf)[j]
    in_window = (first <= ends + max_latency_s + 1e-9) & (first < nxt)
    previous = np.concatenate([[-math.inf], ends[:-1]])
    i = np.searchsorted(onsets, previous + 1e-9, side="right")
    begin = np.where(i < len(onsets), np.append(onsets, 0.0)[i], ends)  # the turn's first word
    v = np.searchsorted(voiced, begin - 1e-9, side="left")
    early = np.append(voiced, math.inf)[v] < lo
    cut_in = int(early.sum())
    answered = int((in_window & ~early).sum())
    return TaskSuccess(answered, len(ends), cut_in)


def turn_end_latencies(*, turn_ends: TimesLike, user_speech: IntervalsLike, voiced_onsets: TimesLike) -> FloatArray:
    """Response latency at each real turn end the agent answered (docs/design.md, "Turn-taking, on interval
    timelines"): the first agent
    onset at or after the turn end `e` and before the user speaks again, minus `e`. Turn ends come
    from the truth, so a pause inside a turn is never mistaken for one."""
    ends = as_times("turn_ends", turn_ends)
    onsets = as_intervals("user_speech", user_speech)[:, 0]
    agent = as_times("voiced_onsets", voiced_onsets)
    # All turn ends at once (every array is sorted): the user's next onset after each, and the
    # agent's first onset at or after it.
    nxt = np.append(onsets, math.inf)[np.searchsorted(onsets, ends + 1e-9, side="left")]
    first = np.append(agent, math.inf)[np.searchsorted(agent, ends - 1e-9, side="left")]
    answered = first < nxt
    return (first[answered] - ends[answered]).astype(np.float64)
