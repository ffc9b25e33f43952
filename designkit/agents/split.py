"""A perceiver split for `Beside` (`core/beside.py`): a cheap part on the loop, a slow part in the
worker. The split is named and writes the columns of the perceiver it wraps, and resetting it
resets that perceiver; each agent's subclass says what the job, the work and the landing are."""

from __future__ import annotations

from typing import Any


class Split:
    """The parts every split shares: `perceiver`, its `name` and `columns`, and `reset`."""

    def __init__(self, perceiver: Any) -> None:
        self.perceiver = perceiver
        self.name = perceiver.name
        self.columns = tuple(perceiver.columns)
        self.reset()

    def reset(self) -> None:
        self.perceiver.reset()
