"""The shapes the engine plugs together: perceivers, proposers, deciders (policies) and record sinks.

Composition, not inheritance: anything with these methods works.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from designkit.core.context import Context, StepRecord
from designkit.core.decisions import Decision, Proposal
from designkit.core.interaction import InteractionModel
from designkit.core.microturns import Microturn


@runtime_checkable
class Perceiver(Protocol):
    """Turns microturns into named signal columns, one value per microturn.

    `replay(turns)` must return exactly what `reset()` then `step()` on each turn returns; it
    exists so replays can vectorise or batch on a GPU.
    """

    name: str
    columns: tuple[str, ...]

    def reset(self) -> None: ...

    def step(self, microturn: Microturn) -> Mapping[str, float]: ...

    def replay(self, microturns: Sequence[Microturn]) -> Mapping[str, npt.NDArray[np.float64]]: ...


@runtime_checkable
class Proposer(Protocol):
    """Says what the model would like to do this microturn, from signals and context."""

    def reset(self) -> None: ...

    def propose(self, context: Context) -> Proposal: ...


@runtime_checkable
class Decider(Protocol):
    """What the engine asks to decide: proposal + context -> decision with a reason. Pure.

    `designkit.policy.Policy` (the designer's spec) is the usual one. A decider needs `decide`
    and `to_dict`; the other methods are optional fast paths that `Engine.replay_cached` (the
    slider-redraw path) takes to decide without building a context. Each default here says "no
    shortcut: ask `decide`", and each docstring states the property of `decide` that a decider
    overriding it promises. Subclass `Decider` to have the defaults (`Policy`, `SpeakAfterSilence`
    do); an object that only has `decide` and `to_dict` is replayed by `decide` alone.

    A fast path is taken only with the `decide` it was written beside (`fast_paths`): a subclass
    that overrides `decide` and not a fast path is replayed without that fast path, so an
    inherited shortcut never stands in for a `decide` it does not describe.
    """

    __slots__ = ()

    def decide(self, proposal: Proposal, context: Context) -> Decision: ...

    def to_dict(self) -> dict[str, Any]: ...

    # -- optional fast paths (defaults: no shortcut) ------------------------------------------
    def idle(self, user_speaking: bool, end: float, dt: float) -> Decision | None:
        """What `decide` returns for an empty proposal in the microturn ending at `end` whatever
        else the context holds, given that the agent is silent, no event arrived, no operator rule
        applies and nothing cut off can resume (the user did not just stop); None: ask `decide`."""
        return None

    @property
    def without_targets(self) -> bool:
        """True promises two things: `idle` gives the same decision for the same `user_speaking`
        at any `end`, so a quiet stretch is decided at once; and for a silent agent `decide` is
        `after_cut` (when something was cut off and the user is silent) and else `answer`."""
        return False

    def speaking(self, user_speaking: bool, user_speech_s: float, agent_speech_s: float,
                 agent_remaining_s: float, dt: float) -> Decision | None:
        """What `decide` returns while the agent speaks, whatever the proposal and the rest of the
        context (no event, no operator rule); None: ask `decide`."""
        return None

    @property
    def silent_user_speaking_is_monotone(self) -> bool:
        """True promises: with the user silent, `speaking` depends only on `agent_remaining_s`,
        and a decision it gives for some time left is the very same object for any longer time
        left, so a stretch of the agent's utterance is decided at once."""
        return False

    def after_cut(self, user_silence_s: float, since_cut_s: float, user_last_speech_s: float,
                  cut_remaining_s: float, dt: float) -> Decision | None:
        """Asked only when `without_targets`, for a silent agent with the user silent and
        something cut off: what `decide` returns when it resumes or drops the cut utterance, else
        None (then `answer` decides). Promises None later than the microturn right after the
        user stops. Default: None."""
        return None

    def answer(self, proposal: Proposal, user_speaking: bool, user_silence_s: float,
               interventions_last_minute: int, since_intervention_s: float) -> Decision | None:
        """Asked only when `without_targets`, for a silent agent once `after_cut` gave None: what
        `decide` returns from the proposal, the user's turn and the budget alone; None: ask
        `decide`."""
        return None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Remember, per fast path, the `decide` in effect where it was declared (`fast_paths`).
        declared = dict(getattr(cls, "_fast_paths_for", {}))  # (the parent's, inherited)
        own = vars(cls)
        for name in FAST_PATHS:
            if name in own:
                declared[name] = cls.decide
        cls._fast_paths_for = declared  # type: ignore[attr-defined]


FAST_PATHS = ("idle", "without_targets", "speaking", "silent_user_speaking_is_monotone", "after_cut", "answer")


@dataclass(frozen=True, slots=True)
class FastPaths:
    """The fast paths `Engine.replay_cached` may take for one decider (see `Decider`): its own
    methods where they hold for its `decide`, None (and False) where it has no shortcut."""

    idle: Callable[[bool, float, float], Decision | None] | None = None
    without_targets: bool = False
    speaking: Callable[[bool, float, float, float, float], Decision | None] | None = None
    silent_user_speaking_is_monotone: bool = False
    after_cut: Callable[[float, float, float, float, float], Decision | None] | None = None
    answer: Callable[[Proposal, bool, float, int, float], Decision | None] | None = None


NO_FAST_PATHS = FastPaths()


def fast_paths(decider: Decider) -> FastPaths:
    """The fast paths of `decider` that describe the `decide` it has: those a `Decider` subclass
    declared beside that `decide` (in the same class, or in a parent whose `decide` it keeps)."""
    cls = type(decider)
    if Decider not in cls.__mro__:
        return NO_FAST_PATHS
    declared, decide = cls._fast_paths_for, cls.decide  # type: ignore[attr-defined]
    return FastPaths(*(getattr(decider, name) if declared.get(name) is decide else getattr(NO_FAST_PATHS, name)
                       for name in FAST_PATHS))


@runtime_checkable
class RecordSink(Protocol):
    """Where the engine puts each microturn's record (a session log writer, a list)."""

    def append(self, record: StepRecord) -> None: ...


Policy = Decider  # the earlier name of the protocol; `designkit.policy.Policy` is the spec


__all__ = ["FAST_PATHS", "NO_FAST_PATHS", "Decider", "FastPaths", "InteractionModel", "Perceiver", "Policy", "Proposer", "RecordSink",
           "fast_paths"]
