"""What `Engine.replay_cached` walks: a session's signals, proposals and events computed once.

When perception and the proposer do not depend on what the agent did (logged signals, the
simulated model), only the decisions change from one policy to the next. `CachedInputs` holds
everything else, so the slider-redraw path re-decides a session without perceiving it again;
`Replayed` is what one policy did over it, with what the metrics need.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from designkit.core.decisions import NOTHING, Action, Decision, Proposal, Reason
from designkit.core.streams import Event
from designkit.errors import InputError


@dataclass(frozen=True, slots=True)
class Replayed:
    """The decisions of one policy over one session, with what the metrics need."""

    dt: float
    decisions: tuple[Decision, ...]
    proposals: tuple[Proposal, ...]
    agent_speaking: npt.NDArray[np.bool_]
    user_speaking: npt.NDArray[np.bool_]
    holds: npt.NDArray[np.int64] | None = None  # CachedInputs.holds, when replayed from them

    @property
    def duration_s(self) -> float:
        return len(self.decisions) * self.dt


@dataclass(frozen=True, slots=True, eq=False)
class CachedInputs:
    """One session's cached inputs, one entry per microturn.

    `signals`: one array per column; `proposals`: what the model proposed; `events`: per
    microturn index (wizard, cue and consent events); `forced`: microturns the engine silenced
    before any policy had a say (a perception fault, a gap, no consent), with that reason;
    `proposed`: where the model proposed anything (replays decide the rest in stretches);
    `holds`: which proposal the model holds in each microturn, numbered from 0 (consecutive
    microturns with the same proposal object share a number; -1 where it proposes to stay silent).
    Every policy's replay shares these; the metrics group proposals by them.
    """

    signals: Mapping[str, npt.NDArray[np.float64]]
    proposals: tuple[Proposal, ...]
    dt: float = 0.2
    events: Mapping[int, tuple[Event, ...]] = field(default_factory=dict)
    forced: Mapping[int, Reason] = field(default_factory=dict)
    rows: tuple[Mapping[str, float], ...] = ()
    proposed: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))  # not NOTHING
    holds: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @classmethod
    def make(cls, signals: Mapping[str, npt.ArrayLike], proposals: Sequence[Proposal], *, dt: float = 0.2,
             events: Mapping[int, Sequence[Event]] | None = None,
             forced: Mapping[int, Reason] | None = None) -> CachedInputs:
        """Validated inputs: every signal column has one value per proposal."""
        columns = {c: np.asarray(v, dtype=np.float64) for c, v in signals.items()}
        n = len(proposals)
        for c, v in columns.items():
            if v.shape != (n,):
                raise InputError(f"signal '{c}'", expected=f"{n} values (one per proposal)", got=v.shape)
        names = tuple(columns)
        # Python floats up front, as `Engine.replay` does: the values `step` would see.
        values = zip(*(columns[c].tolist() for c in names), strict=True) if names else (() for _ in range(n))
        rows = tuple(dict(zip(names, r, strict=True)) for r in values)
        proposed = np.fromiter((p is not NOTHING for p in proposals), dtype=bool, count=n)
        return cls(columns, tuple(proposals), float(dt), {int(k): tuple(v) for k, v in (events or {}).items() if v},
                   {int(k): Reason(r) for k, r in (forced or {}).items()}, rows, proposed, holds_of(proposals))

    def __len__(self) -> int:
        return len(self.proposals)

    def user_speaking(self, vad_signal: str, threshold: float) -> npt.NDArray[np.bool_]:
        """Where the user speaks, as the engine sees it: `signals[vad_signal] >= threshold`."""
        vad = self.signals.get(vad_signal)
        return np.zeros(len(self), dtype=bool) if vad is None else vad >= threshold


def holds_of(proposals: Sequence[Proposal]) -> npt.NDArray[np.int64]:
    """Which proposal is held in each microturn (`CachedInputs.holds`): a new number wherever a
    proposal to act is not the very object of the microturn before; -1 where there is none."""
    acting = np.fromiter((p.action is not Action.SILENT for p in proposals), dtype=bool, count=len(proposals))
    same = np.fromiter((a is b for a, b in pairwise(proposals)), dtype=bool, count=max(0, len(proposals) - 1))
    return numbered_runs(same, acting)


def numbered_runs(same_as_previous: npt.NDArray[np.bool_], flags: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Runs of flagged items numbered from 0, -1 where not flagged; a flagged item starts a new run
    unless it is the same as the flagged one before it (`same_as_previous[k]` compares items k
    and k + 1)."""
    if len(flags) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = flags & ~np.concatenate([[False], same_as_previous.reshape(-1) & flags[:-1]])
    return np.where(flags, np.cumsum(starts) - 1, -1).astype(np.int64)
