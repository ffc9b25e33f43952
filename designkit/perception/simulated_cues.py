"""Simulated cue detectors of set quality, and the perceiver that plays detected cues into the engine.

`SimulatedDetector` takes any cue source (a scenario's true cue times, or a real detector's
events) and delays, drops and adds cues at set rates, deterministic from a seed, so a study can
ask "how good must the detector be before the policy works?". `DetectedCues` plays such cues
into the engine as `cue_<name>` columns (`designkit.proposers.cues.CueProposer` proposes to
speak when one fires).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from designkit.core.context import EventKind
from designkit.core.microturns import Microturn
from designkit.core.streams import Event
from designkit.errors import InputError
from designkit.perception.vision.cues import cue_event


def _unit(what: str, value: float) -> float:
    if not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise InputError(what, expected="a number in [0, 1]", got=value)
    return float(value)


def _cue_pairs(cues: Iterable[Event | tuple[str, float]]) -> list[tuple[str, float]]:
    pairs = []
    for cue in cues:
        if isinstance(cue, Event):
            pairs.append((str(cue.data.get("name", cue.kind)), cue.t))
        else:
            name, t = cue
            pairs.append((str(name), float(t)))
    return pairs


@dataclass(frozen=True, slots=True)
class SimulatedDetector:
    """A detector of known quality: `latency_s` (+ uniform jitter), `miss_rate`, false alarms per minute.

    False alarms take the names of the cues given (or `false_alarm_names`), at uniform times.
    """

    latency_s: float = 0.3
    jitter_s: float = 0.1
    miss_rate: float = 0.0
    false_alarms_per_min: float = 0.0
    seed: int = 0
    false_alarm_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _unit("miss_rate", self.miss_rate)
        for name in ("latency_s", "jitter_s", "false_alarms_per_min"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise InputError(f"detector {name}", expected="a finite number >= 0", got=value)

    def detect(self, cues: Iterable[Event | tuple[str, float]], *, duration_s: float) -> list[Event]:
        """The cue events this detector would emit for the true (or upstream) `cues`, in time order."""
        if not duration_s > 0:
            raise InputError("detector duration_s", expected="seconds > 0", got=duration_s)
        rng = np.random.default_rng(self.seed)
        pairs = _cue_pairs(cues)
        out: list[Event] = []
        for name, t in pairs:
            if rng.random() < self.miss_rate:
                continue
            delay = self.latency_s + float(rng.uniform(0.0, self.jitter_s))
            if t + delay < duration_s:
                out.append(cue_event(name, t + delay, onset=t, simulated="hit"))
        names = self.false_alarm_names or tuple(sorted({n for n, _ in pairs})) or (EventKind.CUE.value,)
        count = int(rng.poisson(self.false_alarms_per_min * duration_s / 60.0))
        for t in sorted(rng.uniform(0.0, duration_s, size=count)):
            out.append(cue_event(names[int(rng.integers(len(names)))], float(t), simulated="false_alarm"))
        return sorted(out, key=lambda e: e.t)


@dataclass(slots=True)
class DetectedCues:
    """A perceiver that plays a list of cue events into `cue_<name>` columns (1 in the microturn)."""

    cues: Sequence[Event]
    names: tuple[str, ...]
    name: str = "detected_cues"
    columns: tuple[str, ...] = field(init=False)
    _times: dict[str, npt.NDArray[np.float64]] = field(init=False)

    def __post_init__(self) -> None:
        self.columns = tuple(f"cue_{n}" for n in self.names)
        self._times = {n: np.array(sorted(e.t for e in self.cues if e.data.get("name") == n))
                       for n in self.names}

    def reset(self) -> None:
        return None

    def step(self, microturn: Microturn) -> Mapping[str, float]:
        out = {}
        for n in self.names:
            times = self._times[n]
            hit = np.any((times >= microturn.start) & (times < microturn.end)) if times.size else False
            out[f"cue_{n}"] = 1.0 if hit else 0.0
        return out

    def replay(self, microturns: Sequence[Microturn]) -> Mapping[str, npt.NDArray[np.float64]]:
        rows = [self.step(m) for m in microturns]
        return {c: np.array([r[c] for r in rows], dtype=np.float64) for c in self.columns}
