"""What a session did, as plain arrays: from a replay, engine records or a session log.

Agent speech is rebuilt from the decisions with the engine's rules (a voiced intervention in
microturn k starts at its end and lasts `duration_s`; any non-CONTINUE decision while the agent
speaks stops it at that microturn's end), so logs and replays give the same intervals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit.core.cached import holds_of, numbered_runs
from designkit.core.context import StepRecord
from designkit.core.decisions import Action, Reason
from designkit.errors import InputError
from designkit.metrics.intervals import FloatArray

_ACTION_VALUE = {a: a.value for a in Action}
# Actions as small integers (the last code: a name the kit does not know), so "which microturns
# intervened / were voiced" is one table lookup over an array instead of string comparisons.
_CODE = {a.value: i for i, a in enumerate(Action)}  # (an Action member finds its value's code too)
_OTHER = len(_CODE)
_IS_INTERVENTION = np.array([a.is_intervention for a in Action] + [False])
_IS_VOICED = np.array([a.is_voiced for a in Action] + [False])
_CONTINUE = _CODE[Action.CONTINUE.value]
_BACKCHANNEL = _CODE[Action.BACKCHANNEL.value]
_REASON_VALUE = {r: r.value for r in Reason}
_GOES_ON = Reason.GOES_ON.value


@dataclass(frozen=True, slots=True)
class Timeline:
    """One session's decisions per microturn, and the proposals they answered."""

    dt: float
    actions: tuple[str, ...]
    reasons: tuple[str, ...]
    durations: FloatArray
    proposed: npt.NDArray[np.bool_]
    proposal_group: npt.NDArray[np.int64]  # consecutive microturns holding the same proposal; -1 none
    user_speaking: npt.NDArray[np.bool_]
    name: str = ""
    # `actions` as `_CODE`s; derived from `actions` unless given (a replay computes both at once).
    codes: npt.NDArray[np.int8] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.codes is None:
            codes = np.fromiter((_CODE.get(a, _OTHER) for a in self.actions), dtype=np.int8, count=len(self.actions))
            object.__setattr__(self, "codes", codes)

    @property
    def _codes(self) -> npt.NDArray[np.int8]:
        assert self.codes is not None  # set in __post_init__
        return self.codes

    @property
    def n(self) -> int:
        return len(self.actions)

    @property
    def duration_s(self) -> float:
        return self.n * self.dt

    def interventions(self) -> tuple[FloatArray, tuple[str, ...]]:
        """Times (end of the deciding microturn, when it takes effect) and kinds of interventions.
        An answer's next part (`speak:goes_on`) goes on with the same time on the floor: an answer
        is one intervention however many parts it is said in, as the attention budget counts it."""
        reasons = self.reasons
        idx = [k for k in np.flatnonzero(_IS_INTERVENTION[self._codes]).tolist() if reasons[k] != _GOES_ON]
        return (np.asarray(idx, dtype=np.float64) + 1.0) * self.dt, tuple(self.actions[k] for k in idx)

    def agent_speech(self, *, turns_only: bool = False) -> FloatArray:
        """Voiced agent intervals (seconds), by the engine's rules; `turns_only` leaves out
        stretches that began as a backchannel."""
        spans, backchannel = self.voice()
        return spans[~backchannel] if turns_only else spans

    def voice(self) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
        """Voiced agent intervals (seconds) by the engine's rules, and which began as a backchannel.

        Each voiced microturn k (re)starts the voice to `(k + 1) dt + duration`, cut at the end of
        the first later microturn that is neither CONTINUE nor voiced, if that comes before the
        next voiced one and the voice is still on there; a voiced microturn starts a new interval
        when the voice before it was off by its start. All voiced microturns at once."""
        dt = self.dt
        codes = self._codes
        is_voiced = _IS_VOICED[codes]
        at = np.flatnonzero(is_voiced)
        if len(at) == 0:
            return np.zeros((0, 2)), np.zeros(0, dtype=bool)
        stops = np.append(np.flatnonzero((codes != _CONTINUE) & ~is_voiced), len(codes))
        stop = stops[np.searchsorted(stops, at, side="right")]
        start, end = at * dt, (at + 1) * dt
        until = end + self.durations[at]
        following = np.append(at[1:], len(codes))
        cut = (stop < len(codes)) & (stop < following) & (until > stop * dt + 1e-9)
        until = np.where(cut, np.minimum(until, (stop + 1) * dt), until)
        first = np.flatnonzero(np.concatenate([[True], ~(until[:-1] > start[1:] + 1e-9)]))
        last = np.append(first[1:] - 1, len(at) - 1)
        return np.column_stack([end[first], until[last]]).astype(np.float64), codes[at[first]] == _BACKCHANNEL

    def user_speech(self) -> FloatArray:
        """User intervals as the engine saw them (microturn resolution)."""
        return runs(self.user_speaking, self.dt)

    def proposals(self) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
        """Each proposal's first time and whether the policy withheld it (no intervention while held)."""
        groups = self.proposal_group
        held = np.flatnonzero(groups >= 0)
        if held.size == 0:
            return np.zeros(0), np.zeros(0, dtype=bool)
        n_groups = int(groups[held].max()) + 1
        first = np.full(n_groups, len(groups), dtype=np.int64)
        np.minimum.at(first, groups[held], held)
        acted = np.zeros(n_groups, dtype=bool)
        moved = np.flatnonzero(_IS_INTERVENTION[self._codes])
        moved = moved[groups[moved] >= 0]
        acted[groups[moved]] = True
        return first.astype(np.float64) * self.dt, ~acted


def runs(flags: npt.NDArray[np.bool_], dt: float) -> FloatArray:
    """Runs of True as (start, end) seconds."""
    f = np.concatenate([[False], np.asarray(flags, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(f.astype(np.int8)))
    return (edges.reshape(-1, 2) * dt).astype(np.float64)


def _groups(keys: Sequence[Any], present: Sequence[bool]) -> npt.NDArray[np.int64]:
    """Proposal group of each microturn (-1 where none): a group is a run of microturns holding
    the same proposal (equal keys)."""
    return numbered_runs(np.array([a == b for a, b in pairwise(keys)], dtype=bool), np.asarray(present, dtype=bool))


def _from_replay(source: Any, name: str) -> Timeline:
    decisions = source.decisions
    actions = [d.action for d in decisions]
    holds = getattr(source, "holds", None)  # the proposals' groups, computed once for every policy
    if holds is None:
        holds = holds_of(source.proposals)
    return Timeline(float(source.dt), tuple(map(_ACTION_VALUE.__getitem__, actions)),
                    tuple([_REASON_VALUE[d.reason] for d in decisions]),
                    np.array([d.duration_s for d in decisions], dtype=np.float64), holds >= 0, holds,
                    np.asarray(source.user_speaking, dtype=bool), name,
                    np.array(list(map(_CODE.__getitem__, actions)), dtype=np.int8).reshape(-1))


def timeline_of(source: Any, *, name: str = "") -> Timeline:
    """A Timeline from a policy replay (`decisions`, `proposals`, `user_speaking`, `dt`), a list
    of engine `StepRecord`s, or a session log (anything with a `frame` DataFrame and a header)."""
    if isinstance(source, Timeline):
        return source
    if hasattr(source, "decisions") and hasattr(source, "proposals"):
        return _from_replay(source, name)
    if isinstance(source, Sequence) and (len(source) == 0 or isinstance(source[0], StepRecord)):
        records: Sequence[StepRecord] = source
        if not records:
            raise InputError("session", expected="at least one microturn", got="none")
        present = [not r.proposal.is_empty for r in records]
        return Timeline(records[0].dt, tuple(r.decision.action.value for r in records),
                        tuple(r.decision.reason.value for r in records),
                        np.array([r.decision.duration_s for r in records], dtype=np.float64),
                        np.array(present, dtype=bool), _groups([r.proposal for r in records], present),
                        np.array([r.user_speaking for r in records], dtype=bool), name)
    frame = getattr(source, "frame", None)
    if frame is not None:
        present = (frame["proposal_action"] != Action.SILENT.value).to_numpy()
        keys = list(zip(frame["proposal_action"], frame["proposal_confidence"], frame["proposal_source"],
                        frame["proposal_content"], strict=True))
        header = getattr(source, "header", {}) or {}
        return Timeline(float(header.get("dt", frame["dt"].iloc[0] if len(frame) else 0.2)),
                        tuple(frame["action"].astype(str)), tuple(frame["reason"].astype(str)),
                        frame["duration_s"].to_numpy(dtype=np.float64), present.astype(bool),
                        _groups(keys, present.tolist()), frame["user_speaking"].to_numpy(dtype=bool),
                        name or str(header.get("name", "")))
    raise InputError("session", expected="a policy replay, engine records or a session log",
                     got=type(source).__name__)
