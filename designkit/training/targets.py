"""Training targets for the turn-taking model, from a scenario's ground truth, one row per 50 ms step.

Step i ends at t = (i + 1) * step_s. Columns follow `vap.HEADS`:
- `vap_200ms`..`vap_800ms`: share of (t, t+0.2], (t+0.2, t+0.4], ... in which the user speaks;
- `eot`: 1 in a pause that ends the user's turn (shift), 0 in a pause inside it (hold); only
  the first `pause_horizon_s` of each pause is labelled (the mask is 0 elsewhere);
- `bc`: 1 within `bc_window_s` after a backchannel opportunity;
- `vad_now`: the user speaks more than half of the step.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from designkit.perception.audio.turn_taking import HEADS
from designkit.training.pause_scoring import TurnTruth

BINS_S = 0.2


def speech_share(truth: TurnTruth, starts: npt.NDArray[np.floating[Any]],
                 ends: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.float64]:
    """Share of each window [start, end] in which the user speaks (0 beyond the recording)."""
    knots_t = [0.0]
    knots_s = [0.0]
    for a, b in sorted(truth.user):
        knots_t += [a, b]
        knots_s += [knots_s[-1], knots_s[-1] + (b - a)]
    cumulative = np.interp(ends, knots_t, knots_s) - np.interp(starts, knots_t, knots_s)
    share: npt.NDArray[np.float64] = cumulative / np.maximum(ends - starts, 1e-9)
    return share


def targets(truth: TurnTruth, steps: int, *, step_s: float = 0.05, pause_horizon_s: float = 3.0,
            bc_window_s: float = 0.4) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """(targets, mask), each (steps, len(HEADS)) float32."""
    t = (np.arange(steps) + 1) * step_s
    y = np.zeros((steps, len(HEADS)), np.float32)
    mask = np.ones((steps, len(HEADS)), np.float32)
    for j in range(4):
        y[:, j] = speech_share(truth, t + j * BINS_S, t + (j + 1) * BINS_S)
    y[:, HEADS.index("vad_now")] = speech_share(truth, t - step_s, t) > 0.5
    eot = HEADS.index("eot")
    mask[:, eot] = 0.0
    for pause in truth.pauses:
        inside = (t > pause.start) & (t <= min(pause.end, pause.start + pause_horizon_s))
        mask[inside, eot] = 1.0
        y[inside, eot] = float(pause.shift)
    bc = HEADS.index("bc")
    for moment in truth.backchannels:
        y[(t >= moment) & (t <= moment + bc_window_s), bc] = 1.0
    return y, mask
