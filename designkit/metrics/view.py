"""One session as the metric declarations read it: the timeline and the truth, and what several
metrics share (the agent's voice, the interventions, the withheld proposals...), each worked out
the first time a metric asks for it.

A slider redraw asks for three metrics of ~30; with the shared values worked out on demand it
pays only for those three.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cached_property

import numpy as np

from designkit.core.decisions import Action, Reason
from designkit.metrics.cuespeak import CueSpeakResult, cuespeak
from designkit.metrics.intervals import FloatArray, inside
from designkit.metrics.silence import SilenceOutcome, silence_outcome, silence_reasons
from designkit.metrics.task_success import task_success
from designkit.metrics.thinking import TalkBack, talk_back
from designkit.metrics.timeline import Timeline
from designkit.metrics.timespeak import TimeSpeakResult, timespeak
from designkit.metrics.truth import CUE_WINDOW_S, NEEDED_TOL_S, SessionTruth

_VOICED_NAMES = [a.value for a in Action if a.is_voiced]
_THINKING_SOUNDS = (Reason.THINKING_FILLER.value, Reason.THINKING_LINE.value)
_THINKING = (Reason.THINKING.value, *_THINKING_SOUNDS)


class SessionView:
    """A session's timeline and truth, with the values metrics share computed once, on first use.

    `duration` (seconds, never 0) and `minutes` are set at once; every other attribute is worked
    out when a metric first reads it.
    """

    def __init__(self, timeline: Timeline, truth: SessionTruth, *,
                 weights: Mapping[str, float] | None = None) -> None:
        self.timeline = timeline
        self.truth = truth
        self.weights = weights
        self.duration = max(timeline.duration_s, 1e-9)
        self.minutes = self.duration / 60.0

    @cached_property
    def _voice(self) -> tuple[FloatArray, np.ndarray]:
        return self.timeline.voice()

    @property
    def agent(self) -> FloatArray:
        """When the agent's voice sounds (backchannels included), as intervals."""
        return self._voice[0]

    @cached_property
    def turns(self) -> FloatArray:
        """The agent's voice without the stretches that began as a backchannel."""
        agent, began_as_backchannel = self._voice
        turns: FloatArray = agent[~began_as_backchannel]
        return turns

    @cached_property
    def user(self) -> FloatArray:
        """The user's speech: the truth's when it has some, else what the timeline heard."""
        return self.truth.user_speech if len(self.truth.user_speech) else self.timeline.user_speech()

    @cached_property
    def _interventions(self) -> tuple[FloatArray, tuple[str, ...]]:
        return self.timeline.interventions()

    @property
    def times(self) -> FloatArray:
        """When each intervention started."""
        return self._interventions[0]

    @property
    def kinds(self) -> tuple[str, ...]:
        """Each intervention's action value."""
        return self._interventions[1]

    @cached_property
    def _named(self) -> np.ndarray:
        return np.asarray(self.kinds, dtype=str)  # the same names, compared as one array

    @cached_property
    def voiced(self) -> np.ndarray:
        """Which interventions had a voice (not captions)."""
        return np.isin(self._named, _VOICED_NAMES)

    @cached_property
    def captions(self) -> FloatArray:
        """When captions were shown."""
        return self.times[self._named == Action.CAPTION.value] if len(self.times) else np.zeros(0)

    @cached_property
    def turn_onsets(self) -> FloatArray:
        return self.turns[:, 0] if len(self.turns) else np.zeros(0)

    @cached_property
    def shares(self) -> dict[str, float]:
        """Share of microturns with a proposal withheld, per silent reason ({} without proposals)."""
        return silence_reasons(proposed=self.timeline.proposed, reasons=self.timeline.reasons)

    @cached_property
    def silence(self) -> SilenceOutcome | None:
        """Withheld proposals against the truth's needed moments (None without proposals)."""
        starts, withheld = self.timeline.proposals()
        if not len(starts):
            return None
        return silence_outcome(withheld=withheld, needed=needed(starts, self.truth), duration_s=self.duration)

    @cached_property
    def timespeak(self) -> TimeSpeakResult | None:
        """The agent's onsets (voice and captions) against the truth's targets (None without targets)."""
        if not len(self.truth.targets):
            return None
        onsets = self.agent[:, 0] if len(self.agent) else np.zeros(0)
        return timespeak(targets=self.truth.targets, onsets=np.sort(np.concatenate([onsets, self.captions])),
                         duration_s=self.duration)

    @cached_property
    def cuespeak(self) -> CueSpeakResult | None:
        """The interventions against the truth's cues (None without cues)."""
        if not len(self.truth.cues):
            return None
        return cuespeak(cues=self.truth.cues, interventions=self.times, user_speech=self.user, voiced=self.voiced)

    @cached_property
    def talk(self) -> TalkBack:
        """Answers (speaks that are not holding lines), the microturns spent thinking and the thinking sounds."""
        reasons = np.asarray(self.timeline.reasons, dtype=str)
        actions = np.asarray(self.timeline.actions, dtype=str)
        ends: FloatArray = (np.arange(len(reasons), dtype=np.float64) + 1.0) * self.timeline.dt
        sounds = np.isin(reasons, _THINKING_SOUNDS) & np.isin(actions, _VOICED_NAMES)
        answers = (actions == Action.SPEAK.value) & (reasons != Reason.THINKING_LINE.value)
        return talk_back(user_speech=self.user, answers=ends[answers], thinking_at=ends[np.isin(reasons, _THINKING)],
                         sounds=int(sounds.sum()))

    @cached_property
    def interruptions(self) -> int:
        """Voiced interventions that started while the user spoke."""
        return int((inside(self.times, self.user) & self.voiced).sum())


def needed(starts: FloatArray, truth: SessionTruth) -> np.ndarray:
    """Proposals the truth asks for: within `NEEDED_TOL_S` of a real turn end or a TimeSpeak target,
    or from `NEEDED_TOL_S` before a cue to `CUE_WINDOW_S` after it, and not where speaking is wrong. A backchannel opening is
    optional: withholding one is not a regret."""
    moments = np.sort(np.concatenate([truth.respond_at, truth.targets]))
    near = _near(starts, moments, NEEDED_TOL_S)
    if len(truth.cues):
        after = starts[:, None] - truth.cues[None, :]
        near |= np.any((after >= -NEEDED_TOL_S) & (after <= CUE_WINDOW_S + 1e-9), axis=1)
    return near & ~inside(starts, truth.should_not_speak)


def answered_share(view: SessionView) -> float:
    """Answered real turn ends (the truth's `respond_at`) / all of them; a caption answers too."""
    truth = view.truth
    if len(truth.respond_at) == 0:
        return math.nan
    onsets = view.turn_onsets
    return task_success(turn_ends=truth.respond_at, user_speech=view.user, voiced_onsets=onsets,
                        answers=np.sort(np.concatenate([onsets, view.captions]))).rate


def _near(times: FloatArray, moments: FloatArray, tol: float) -> np.ndarray:
    if len(moments) == 0:
        return np.zeros(len(times), dtype=bool)
    k = np.searchsorted(moments, times)
    left = np.abs(times - moments[np.clip(k - 1, 0, len(moments) - 1)])
    right = np.abs(moments[np.clip(k, 0, len(moments) - 1)] - times)
    return np.minimum(left, right) <= tol + 1e-9
