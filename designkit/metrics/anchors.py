"""What a metric must score for the three anchor agents (docs/design.md, "Sanity anchors").

Each metric's declaration in `designkit.metrics.catalogue` carries `Anchors`: for the oracle,
the never-speaking and the always-speaking agent, an expectation worked out from `Facts` (the
truth, the oracle's plan, the session's length). An expectation is a number, a `(low, high)`
range, or NaN ("does not apply": the metric must come out NaN). `designkit.sanity` runs the
agents through the engine and checks every metric against these.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields

import numpy as np

from designkit.core.decisions import Action
from designkit.errors import InputError
from designkit.metrics.truth import SessionTruth

NAN = math.nan


@dataclass(frozen=True, slots=True)
class Planned:
    """One thing the oracle does: in microturn `k`, `action` for `duration_s`, because of `source`."""

    k: int
    action: Action
    duration_s: float
    source: str  # turn_end, backchannel, target, cue


@dataclass(frozen=True, slots=True)
class Facts:
    """What the anchors are worked out from: the truth, the oracle's plan, the session length."""

    truth: SessionTruth
    plan: tuple[Planned, ...]
    n: int
    dt: float
    sources: Mapping[str, int] = field(default_factory=dict)

    @property
    def minutes(self) -> float:
        return self.n * self.dt / 60.0

    def count(self, *sources: str) -> int:
        return sum(self.sources.get(s, 0) for s in sources)

    @property
    def acts(self) -> int:
        return len(self.plan)

    @property
    def voiced(self) -> int:
        return sum(p.action.is_voiced for p in self.plan)

    def has(self, part: str) -> bool:
        """Whether the truth has any `part`: "user_speech", "respond_at", "targets", "cues"..."""
        return len(getattr(self.truth, part)) > 0


Expected = float | tuple[float, float]
Expect = Callable[[Facts], Expected]  # a value (NaN: "does not apply") or a (low, high) range


@dataclass(frozen=True, slots=True)
class Anchors:
    """What one metric must score for each anchor agent."""

    oracle: Expect
    never: Expect
    always: Expect

    def __post_init__(self) -> None:
        missing = [f.name for f in fields(self) if not callable(getattr(self, f.name))]
        if missing:
            raise InputError("anchors", expected="an expectation (a function of Facts) for every agent",
                             got=f"none for {missing}")

    def by_agent(self) -> dict[str, Expect]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


AGENTS = tuple(f.name for f in fields(Anchors))


def when(cond: bool, value: Expected) -> Expected:
    """`value` where the metric applies, NaN where it does not."""
    return value if cond else NAN


def never_applies(f: Facts) -> float:
    return NAN


def zero(f: Facts) -> float:
    return 0.0


def every_microturn_per_min(f: Facts) -> float:
    """The always-agent acts in every microturn."""
    return 60.0 / f.dt


def always_overlap(f: Facts) -> float:
    """Seconds of user speech while the always-talker talks / its talk seconds."""
    start, end = f.dt, (f.n + 1) * f.dt
    u = f.truth.user_speech
    both = float(np.clip(np.minimum(u[:, 1], end) - np.maximum(u[:, 0], start), 0, None).sum()) if len(u) else 0.0
    return both / (end - start)


def always_yield(f: Facts) -> float:
    onsets = f.truth.user_speech[:, 0] if f.has("user_speech") else np.zeros(0)
    end = (f.n + 1) * f.dt
    inside = onsets[(onsets > f.dt + 1e-9) & (onsets < end - 1e-9)]
    return float((end - inside).mean()) if len(inside) else NAN


def always_early(f: Facts) -> float:
    u = f.truth.user_speech
    if not len(u):
        return NAN
    return float(np.mean((u[:, 0] <= f.dt + 1e-9) & (f.dt < u[:, 1] - 0.5)))


def always_timespeak_hits(f: Facts) -> float:
    targets = f.truth.targets
    return (float(np.any(np.abs(targets - f.dt) <= 0.5 + 1e-9)) / max(1, len(targets))) if len(targets) else NAN


def always_rude(f: Facts) -> float:
    u = f.truth.user_speech
    hits = np.ceil(f.truth.cues / f.dt - 1e-9) * f.dt
    hits = np.maximum(hits, f.dt)
    rude = sum(bool(np.any((u[:, 0] <= h + 1e-9) & (u[:, 1] > h))) for h in hits.tolist()) if len(u) else 0
    return float(rude) if f.has("cues") else NAN


def share_anchors(reason: str) -> Anchors:
    """Share of proposals withheld for `reason`: only the never-agent withholds, always in quiet mode."""
    mine = reason == "silent:quiet_mode"
    return Anchors(oracle=lambda f: when(f.acts > 0, 0.0),
                   never=lambda f: when(f.acts > 0, 1.0 if mine else 0.0),
                   always=lambda f: when(f.acts > 0, 0.0))
