"""The shapes the engine plugs together: perceivers, proposers, policies and record sinks.

Composition, not inheritance: anything with these methods works.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from designkit.core.decisions import Decision, Proposal
from designkit.core.microturns import Microturn

if TYPE_CHECKING:
    from designkit.core.engine import Context, StepRecord


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
class Policy(Protocol):
    """The designer's object: proposal + context -> decision with a reason. Pure."""

    def decide(self, proposal: Proposal, context: Context) -> Decision: ...

    def to_dict(self) -> dict[str, Any]: ...


@runtime_checkable
class RecordSink(Protocol):
    """Where the engine puts each microturn's record (a session log writer, a list)."""

    def append(self, record: StepRecord) -> None: ...
