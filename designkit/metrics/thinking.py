"""Talking back: how long the person waits for the answer's first word, how long the agent thinks, and
how many thinking sounds ("hmm", "let me think") it makes per answer (docs/design.md, "Talking back").

An *answered turn end* is the end of a stretch of the person's speech followed by an answer (an
agent `speak` that is not a holding line) before the person speaks again; the answer is the first
such one. Ends the person spoke on from before any answer (a pause inside a turn) are not answered.

    talk = talk_back(user_speech=[(0.0, 2.0)], answers=[2.8], thinking_at=[2.4, 2.6], sounds=1)
    talk.first_word_s      # [0.8]: the answer began 0.8 s after the last word
    talk.thinking_s        # [0.4]: the policy wanted to answer at 2.4 s, the words came at 2.8 s
    talk.fillers_per_answer  # 1.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from designkit.metrics.intervals import FloatArray

EPS = 1e-9


@dataclass(frozen=True, slots=True)
class TalkBack:
    """Per answered turn end: when the person stopped, when the answer began, how long the agent thought."""

    turn_ends: FloatArray
    answers: FloatArray
    thinking_s: FloatArray
    fillers_per_answer: float

    @property
    def first_word_s(self) -> FloatArray:
        """Time to first word: the answer's onset minus the end of the person's turn, per answered turn."""
        latency: FloatArray = self.answers - self.turn_ends
        return latency


def answered_turn_ends(*, user_speech: FloatArray | Sequence[tuple[float, float]],
                       answers: FloatArray | Sequence[float]) -> tuple[FloatArray, FloatArray]:
    """Each end of the person's speech the agent answered before the person spoke again, and that
    answer's onset (the first answer at or after the end). Seconds, in time order."""
    user = np.asarray(user_speech, dtype=np.float64).reshape(-1, 2)
    onsets = np.sort(np.asarray(answers, dtype=np.float64).reshape(-1))
    if not len(user) or not len(onsets):
        return np.zeros(0), np.zeros(0)
    user = user[np.argsort(user[:, 0], kind="stable")]
    ends = user[:, 1]
    next_start = np.append(user[1:, 0], math.inf)
    k = np.searchsorted(onsets, ends - EPS, side="left")
    has = k < len(onsets)
    first = np.where(has, onsets[np.minimum(k, len(onsets) - 1)], math.inf)
    answered = has & (first < next_start - EPS)
    return ends[answered], first[answered]


def talk_back(*, user_speech: FloatArray | Sequence[tuple[float, float]], answers: FloatArray | Sequence[float],
              thinking_at: FloatArray | Sequence[float], sounds: int) -> TalkBack:
    """The talking-back measures of one session (docs/design.md, "Talking back").

    `answers`: onsets of the agent's answers (seconds); `thinking_at`: when each microturn the policy
    spent thinking would have taken effect (the end of a microturn whose reason is `silent:thinking`,
    `backchannel:thinking` or `speak:thinking`); `sounds`: thinking sounds made (fillers,
    backchannels and holding lines said while thinking). Time spent thinking, per answered turn end:
    the answer's onset minus the first thinking moment between the turn end and the answer (0 when
    the words were ready as soon as the policy wanted to answer). Fillers per answer: `sounds` over
    the answered turn ends (NaN without any)."""
    ends, onsets = answered_turn_ends(user_speech=user_speech, answers=answers)
    thinking = np.sort(np.asarray(thinking_at, dtype=np.float64).reshape(-1))
    k = np.searchsorted(thinking, ends - EPS, side="left")
    began = thinking[np.minimum(k, len(thinking) - 1)] if len(thinking) else np.full(len(ends), math.inf)
    thought = (k < len(thinking)) & (began < onsets - EPS)
    thinking_s = np.where(thought, onsets - began, 0.0) if len(ends) else np.zeros(0)
    per_answer = sounds / len(ends) if len(ends) else math.nan
    return TalkBack(ends, onsets, np.asarray(thinking_s, dtype=np.float64), per_answer)
