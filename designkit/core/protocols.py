"""The shapes the engine plugs together: perceivers, proposers, deciders (policies) and record sinks.

Composition, not inheritance: anything with these methods works.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from designkit.core.context import Context, StepRecord
from designkit.core.decisions import Decision, Proposal
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

    `designkit.policy.Policy` (the designer's spec) is the usual one; anything with these
    methods works (e.g. `SpeakAfterSilence`)."""

    def decide(self, proposal: Proposal, context: Context) -> Decision: ...

    def to_dict(self) -> dict[str, Any]: ...


@runtime_checkable
class RecordSink(Protocol):
    """Where the engine puts each microturn's record (a session log writer, a list)."""

    def append(self, record: StepRecord) -> None: ...


Policy = Decider  # the earlier name of the protocol; `designkit.policy.Policy` is the spec
