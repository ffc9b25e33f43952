"""A simulated model built from ground truth: "what if the model were this good?".

This is a design tool, not a model. Given the moments a scenario says the agent should act
(turn ends, backchannel openings, cues), `SimulatedProposer` proposes them the way an imperfect
model would: it misses some (`miss_rate`), proposes at wrong times (`false_alarms_per_min`),
is late or early (`jitter_s`), and reports confidences drawn from Beta distributions (hits
around `hit_confidence`, false alarms around `false_alarm_confidence`). With a seed it is fully
deterministic, and its proposals depend only on time, so a replay can compute them once and
run many policies over them (`proposals()`).

`designkit.perception.truth_vad.TruthVAD` is the matching perceiver.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from designkit.core.context import Context
from designkit.core.decisions import NOTHING, Action, Proposal
from designkit.errors import InputError, choice

_ACTIONS = (Action.SPEAK, Action.BACKCHANNEL, Action.INTERRUPT, Action.CAPTION, Action.ASK)


@dataclass(frozen=True, slots=True)
class Moment:
    """A time the agent should act, from ground truth: what, for how long, and why (`source`)."""

    t: float
    action: Action = Action.SPEAK
    content: str = ""
    duration_s: float = 1.5
    source: str = "turn_end"

    def __post_init__(self) -> None:
        if not isinstance(self.t, (int, float)) or not math.isfinite(self.t) or self.t < 0:
            raise InputError("moment time", expected="seconds >= 0", got=self.t)
        object.__setattr__(self, "action", choice(Action, self.action, "moment action", _ACTIONS))


@dataclass(frozen=True, slots=True)
class ModelQuality:
    """How good the simulated model is. Defaults: a decent but imperfect turn-taking model."""

    miss_rate: float = 0.1
    false_alarms_per_min: float = 1.0
    jitter_s: float = 0.2
    hit_confidence: float = 0.75
    false_alarm_confidence: float = 0.45
    confidence_spread: float = 0.15
    hold_s: float = 0.6

    def __post_init__(self) -> None:
        for name in ("miss_rate", "hit_confidence", "false_alarm_confidence"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise InputError(name, expected="a number in [0, 1]", got=value)
        for name in ("false_alarms_per_min", "jitter_s", "hold_s"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise InputError(name, expected="a number >= 0", got=value)
        if not 0.0 < self.confidence_spread < 0.5:
            raise InputError("confidence_spread", expected="a number in (0, 0.5)", got=self.confidence_spread)


PERFECT = ModelQuality(miss_rate=0.0, false_alarms_per_min=0.0, jitter_s=0.0, hit_confidence=0.95,
                       confidence_spread=0.01)


def _beta(rng: np.random.Generator, mean: float, spread: float) -> float:
    """A confidence in [0, 1] with the given mean and standard deviation (Beta distribution)."""
    mean = min(max(mean, 1e-3), 1 - 1e-3)
    var = min(spread**2, mean * (1 - mean) * 0.99)
    k = mean * (1 - mean) / var - 1
    return float(rng.beta(mean * k, (1 - mean) * k))


class SimulatedProposer:
    """Proposes the truth's `moments` as a model of the given `quality` would, over `duration_s`.

    A proposal is held for `quality.hold_s` (repeated each microturn), so a policy that has to
    wait for a pause can still take it. Satisfies `designkit.core.Proposer`.
    """

    context_free = True  # proposals depend on time only: replays may cache them

    def __init__(self, moments: Sequence[Moment], *, duration_s: float,
                 quality: ModelQuality | None = None, dt: float = 0.2, seed: int = 0) -> None:
        if not math.isfinite(duration_s) or duration_s <= 0:
            raise InputError("duration_s", expected="seconds > 0", got=duration_s)
        self.moments = tuple(moments)
        self.quality = quality or ModelQuality()
        self.duration_s = float(duration_s)
        self.dt = float(dt)
        self.seed = seed
        self._by_index = self._simulate()

    def _simulate(self) -> dict[int, Proposal]:
        q = self.quality
        rng = np.random.default_rng(self.seed)
        n = max(1, math.ceil(self.duration_s / self.dt - 1e-9))
        hold = max(1, round(q.hold_s / self.dt))
        placed: list[tuple[float, Proposal]] = []
        for m in sorted(self.moments, key=lambda m: m.t):
            missed = rng.random() < q.miss_rate
            jitter = float(rng.normal(0.0, q.jitter_s)) if q.jitter_s > 0 else 0.0
            confidence = _beta(rng, q.hit_confidence, q.confidence_spread)
            if not missed:
                placed.append((m.t + jitter, Proposal(m.action, round(confidence, 4), 0.5, m.content,
                                                      m.duration_s, m.source)))
        count = rng.poisson(q.false_alarms_per_min * self.duration_s / 60.0)
        kinds = [m.action for m in self.moments] or [Action.SPEAK]
        for _ in range(count):
            t = float(rng.uniform(0.0, self.duration_s))
            action = kinds[int(rng.integers(len(kinds)))]
            confidence = _beta(rng, q.false_alarm_confidence, q.confidence_spread)
            duration = 0.4 if action is Action.BACKCHANNEL else 1.5
            placed.append((t, Proposal(action, round(confidence, 4), 0.2, "", duration, "false_alarm")))
        out: dict[int, Proposal] = {}
        # Earlier proposals win a microturn; a later one fills the microturns after it.
        for t, proposal in sorted(placed, key=lambda x: x[0]):
            first = max(0, math.floor(t / self.dt + 1e-9))
            for k in range(first, min(n, first + hold)):
                out.setdefault(k, proposal)
        return out

    def reset(self) -> None:
        return None

    def propose(self, context: Context) -> Proposal:
        return self._by_index.get(context.index, NOTHING)

    def proposals(self, n: int) -> list[Proposal]:
        """The proposal of each of the first `n` microturns (what `propose` returns there)."""
        get = self._by_index.get
        return [get(k, NOTHING) for k in range(n)]
