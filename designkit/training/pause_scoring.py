"""How well a turn-end signal decides when to respond: shift vs hold at pauses, latency vs cut-ins.

Every method is reduced to one score per microturn (a probability, or 0/1 for a timeout) and
one rule: respond at the end of the first microturn of a pause whose score reaches the
threshold. Then, on ground truth:

- a *pause* starts when a user speech stretch ends; it is a **shift** when the user's turn ended
  there (the agent should respond) and a **hold** when the user goes on after it;
- **balanced accuracy** (decision deadline `deadline_s`, default 0.8 s, the longer of the two
  classic timeouts, rounded up to the next microturn end): a shift is right if the method
  responds by the deadline, a hold is right if it does not respond by the deadline;
  balanced accuracy = mean of the two recalls;
- **false cut-in rate**: share of holds where the method responded before the user resumed;
- **response latency**: mean time from the end of the user's turn to the response, at shifts
  (a method that has not responded `fallback_s` after the turn end is taken to respond then);
- **backchannel AUC**: ROC AUC of a per-microturn score against microturns holding a
  backchannel opportunity (Mann-Whitney statistic, ties count half).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from designkit.core.microturns import speech_mask
from designkit.errors import InputError

Scores = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Pause:
    """A silence after user speech: `end` is when the user speaks again (inf if never)."""

    start: float
    end: float
    shift: bool


@dataclass(frozen=True, slots=True)
class TurnTruth:
    """What turn-taking evaluation needs from a scenario's ground truth."""

    duration_s: float
    user: tuple[tuple[float, float], ...]
    pauses: tuple[Pause, ...]
    backchannels: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        for start, end in self.user:
            if not 0.0 <= start < end <= self.duration_s + 1e-6:
                raise InputError("user speech interval", expected=f"inside 0..{self.duration_s} s",
                                 got=(start, end))


@dataclass(frozen=True, slots=True)
class PauseOutcome:
    shift: bool
    response_s: float  # seconds after the pause start; inf = no response (before the horizon)
    resumed_s: float   # pause length (inf for a shift the user never ends)
    start: float = 0.0
    dt: float = 0.2

    def within(self, deadline_s: float) -> bool:
        """Responded by the first microturn end at or after `deadline_s` into the pause."""
        last = np.ceil((self.start + deadline_s) / self.dt - 1e-9) * self.dt
        return bool(self.response_s <= last - self.start + 1e-9)


def first_response(scores: Scores, pause: Pause, *, dt: float, threshold: float, horizon_s: float) -> float:
    """Seconds from the pause start to the first microturn end where scores >= threshold, or inf.

    Only microturns ending inside the pause (before the user resumes) and within `horizon_s` count.
    """
    first = int(np.floor(pause.start / dt + 1e-9))
    stop = min(pause.end, pause.start + horizon_s)
    for k in range(first, len(scores)):
        end = (k + 1) * dt
        if end > stop + 1e-9:
            break
        if end > pause.start + 1e-9 and scores[k] >= threshold:
            return end - pause.start
    return float("inf")


def outcomes(scores: Scores, truth: TurnTruth, *, dt: float = 0.2, threshold: float = 0.5,
             horizon_s: float = 3.0) -> list[PauseOutcome]:
    return [PauseOutcome(p.shift, first_response(scores, p, dt=dt, threshold=threshold, horizon_s=horizon_s),
                         p.end - p.start, p.start, dt) for p in truth.pauses]


@dataclass(frozen=True, slots=True)
class TurnScore:
    """One method's numbers on a set of sessions."""

    balanced_accuracy: float
    shift_recall: float
    hold_recall: float
    false_cut_in_rate: float
    latency_s: float
    shifts: int
    holds: int


def score(results: Sequence[PauseOutcome], *, deadline_s: float = 0.8, fallback_s: float = 3.0) -> TurnScore:
    """Balanced accuracy (respond within `deadline_s`), false cut-ins, mean latency at shifts."""
    shifts = [r for r in results if r.shift]
    holds = [r for r in results if not r.shift]
    if not shifts or not holds:
        raise InputError("pauses", expected="at least one shift and one hold", got=f"{len(shifts)} shifts, {len(holds)} holds")
    shift_recall = float(np.mean([r.within(deadline_s) for r in shifts]))
    hold_recall = float(np.mean([not r.within(deadline_s) for r in holds]))
    cut_ins = float(np.mean([r.response_s < r.resumed_s for r in holds]))
    latency = float(np.mean([min(r.response_s, fallback_s) for r in shifts]))
    return TurnScore((shift_recall + hold_recall) / 2, shift_recall, hold_recall, cut_ins, latency,
                     len(shifts), len(holds))


def auc(scores: Scores, labels: npt.NDArray[np.bool_]) -> float:
    """ROC AUC by the Mann-Whitney statistic (ties count half); NaN without both classes."""
    scores = np.asarray(scores, np.float64)
    labels = np.asarray(labels, bool)
    positives, negatives = scores[labels], scores[~labels]
    if positives.size == 0 or negatives.size == 0:
        return float("nan")
    order = np.argsort(np.concatenate([positives, negatives]), kind="mergesort")
    ranks = np.empty(order.size)
    values = np.concatenate([positives, negatives])[order]
    # average ranks over ties
    start = 0
    while start < values.size:
        stop = start
        while stop + 1 < values.size and values[stop + 1] == values[start]:
            stop += 1
        ranks[order[start : stop + 1]] = (start + stop) / 2 + 1
        start = stop + 1
    rank_sum = ranks[: positives.size].sum()
    return float((rank_sum - positives.size * (positives.size + 1) / 2) / (positives.size * negatives.size))


def backchannel_labels(truth: TurnTruth, n: int, *, dt: float = 0.2, window_s: float = 0.4) -> npt.NDArray[np.bool_]:
    """Microturns whose end lies within `window_s` after a backchannel opportunity."""
    ends = (np.arange(n) + 1) * dt
    labels = np.zeros(n, bool)
    for t in truth.backchannels:
        labels |= (ends >= t - 1e-9) & (ends <= t + window_s + 1e-9)
    return labels


def timeout_scores(speech: npt.NDArray[np.bool_], timeout_s: float, *, dt: float = 0.2) -> Scores:
    """1 once the user has been silent `timeout_s` (after having spoken), from a per-microturn
    speech mask; the classic fixed silence timeout."""
    out = np.zeros(len(speech))
    silent_since: float | None = None
    spoke = False
    for k, speaking in enumerate(speech):
        if speaking:
            spoke, silent_since = True, None
            continue
        if silent_since is None:
            silent_since = k * dt
        if spoke and (k + 1) * dt - silent_since >= timeout_s - 1e-9:
            out[k] = 1.0
    return out


def truth_speech_mask(truth: TurnTruth, n: int, *, dt: float = 0.2) -> npt.NDArray[np.bool_]:
    """The perfect VAD on the truth's user speech: `designkit.core.microturns.speech_mask`, the
    one rule studies (`TruthVAD`, prepared sessions) use too (speech when >= half the microturn)."""
    return speech_mask(truth.user, n, dt)


def oracle_timeout_scores(truth: TurnTruth, n: int, timeout_s: float, *, dt: float = 0.2) -> Scores:
    """1 at microturn ends where the truth says the user has been silent >= `timeout_s`: a fixed
    silence timeout behind a perfect VAD."""
    out = np.zeros(n)
    ends = (np.arange(n) + 1) * dt
    for pause in truth.pauses:
        out[(ends >= pause.start + timeout_s - 1e-9) & (ends < pause.end)] = 1.0
    return out
