"""End-of-turn curves, as LiveKit's eot-bench reports them: false cut-offs against silence.

An end-of-turn detector decides, during a silence, whether the user has finished. Wired into an
agent it ends the turn once the silence has lasted `X` (the endpointing delay) and the detector
says "done". Inside a turn (a hold: the user pauses and goes on) that is a *false cut-off*: the
agent takes the floor from someone who was not finished. eot-bench reports the false cut-off
rate at 300 ms and 600 ms of silence, and the delay a detector needs to get down to 5 % and 10 %
false cut-offs (lower is better for both); a plain silence timeout is the baseline (docs/design.md,
"End of turn, eot-bench").

Inputs are per-microturn arrays; pure numpy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit.errors import InputError

FloatArray = npt.NDArray[np.float64]
DELAYS_S = tuple(round(0.1 * k, 1) for k in range(1, 31))  # 0.1 .. 3.0 s


@dataclass(frozen=True, slots=True)
class EotCurve:
    """False cut-off rate at each delay in `delays_s`, over `holds` pauses inside turns, and the
    share of real turn ends the detector ends within `horizon_s` at each delay (`caught`)."""

    delays_s: tuple[float, ...]
    false_cutoff: tuple[float, ...]
    caught: tuple[float, ...]
    holds: int
    shifts: int

    def at(self, delay_s: float) -> float:
        """False cut-off rate at `delay_s` of silence (a delay on the grid)."""
        i = int(np.argmin(np.abs(np.asarray(self.delays_s) - delay_s)))
        if abs(self.delays_s[i] - delay_s) > 1e-6:
            raise InputError("delay_s", expected=f"one of {list(self.delays_s)}", got=delay_s)
        return self.false_cutoff[i]

    def delay_for(self, rate: float) -> float:
        """The shortest delay whose false cut-off rate is <= `rate` (NaN if none on the grid)."""
        for d, r in zip(self.delays_s, self.false_cutoff, strict=True):
            if r <= rate + 1e-12:
                return d
        return math.nan


def latest_fire(*, silence_s: FloatArray, fires: npt.NDArray[np.bool_], start: int, stop: int) -> float:
    """The longest silence at which a detector still fires in microturns `start:stop` of one pause
    (-inf if it never fires there): at any delay up to this, it ends the turn in this pause."""
    s = np.asarray(silence_s[start:stop], dtype=np.float64)
    f = np.asarray(fires[start:stop], dtype=bool)
    return float(s[f].max()) if f.any() else -math.inf


def eot_curve(*, hold_fires: Sequence[float], shift_fires: Sequence[Sequence[float]],
              delays_s: Sequence[float] = DELAYS_S) -> EotCurve:
    """The curve from what a detector does in each pause.

    `hold_fires[i]`: the longest silence (s) at which the detector fires in hold i before the user
    resumes (`latest_fire`); a false cut-off at delay X happens when that is >= X.
    `shift_fires[j]`: the silences (s) at which it fires in real turn end j (within the horizon);
    the turn end is caught at delay X when one of them is >= X.
    """
    holds = np.asarray(list(hold_fires), dtype=np.float64)
    grid = tuple(float(d) for d in delays_s)
    if not grid or any(d <= 0 for d in grid):
        raise InputError("delays_s", expected="delays > 0", got=list(delays_s))
    fcr = tuple(float(np.mean(holds >= d - 1e-9)) if holds.size else math.nan for d in grid)
    latest = np.asarray([max(f, default=-math.inf) for f in shift_fires], dtype=np.float64)
    caught = tuple(float(np.mean(latest >= d - 1e-9)) if latest.size else math.nan for d in grid)
    return EotCurve(grid, fcr, caught, int(holds.size), int(latest.size))


def markdown(rows: Sequence[Mapping[str, Any]]) -> str:
    """The rows of `designkit.training.eot_bench.summary` as a Markdown table."""
    def pct(v: float) -> str:
        return "–" if not math.isfinite(v) else f"{100 * v:.1f} %"

    def ms(v: float) -> str:
        return "> 3000 ms" if not math.isfinite(v) else f"{1000 * v:.0f} ms"

    lines = ["| detector | false cut-offs at 300 ms | at 600 ms | delay for 5 % | delay for 10 % | "
             "turn ends caught at the 5 % delay |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['detector']} | {pct(r['false_cutoff_300ms'])} | {pct(r['false_cutoff_600ms'])} | "
                     f"{ms(r['delay_at_5pct_s'])} | {ms(r['delay_at_10pct_s'])} | {pct(r['turn_ends_caught_at_5pct'])} |")
    return "\n".join(lines)


__all__ = ["DELAYS_S", "EotCurve", "eot_curve", "latest_fire", "markdown"]
