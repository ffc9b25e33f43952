"""End-of-turn curves (eot-bench style) for the own model, Smart Turn and the timeout baselines.

    table = curves(load_net(), dialogues)              # detector -> EotCurve
    rows = summary(table)                              # false cut-offs at 300 / 600 ms, delay at 5 / 10 %

Detectors, each firing in a microturn of a pause (100 ms microturns, so 300 ms lies on the grid):
- `own model`: the turn-taking model's `eot` >= 0.5 while Silero VAD hears silence;
- `Smart Turn v3`: its `eot` >= 0.5 after Silero's offset (as in `card`);
- `Silero + timeout`: Silero VAD's silence alone (a plain endpointing timeout);
- `timeout (perfect VAD)`: the truth's silence alone.
The silence that counts is the time since Silero's offset (the truth's pause start for the
perfect-VAD timeout), as an agent would measure it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from designkit.core import Session
from designkit.metrics.end_of_turn import EotCurve, eot_curve, latest_fire
from designkit.metrics.end_of_turn import markdown as markdown
from designkit.perception.audio.silero import SileroVAD
from designkit.perception.audio.turn_taking import TurnTakingModel, TurnTakingNet

if TYPE_CHECKING:
    from designkit.training.dialogues import Dialogue

OWN, SMART_TURN, SILERO, PERFECT = "own model", "Smart Turn v3", "Silero + timeout", "timeout (perfect VAD)"
DT = 0.1
HORIZON_S = 3.0
THRESHOLD = 0.5


def _silence(silent: np.ndarray, dt: float) -> np.ndarray:
    """Seconds of silence at each microturn end (0 while speaking), counted from the offset."""
    out = np.zeros(len(silent))
    run = 0
    for k, quiet in enumerate(silent.tolist()):
        run = run + 1 if quiet else 0
        out[k] = run * dt
    return out


def _pauses(dialogue: Dialogue, n: int, dt: float) -> list[tuple[bool, int, int]]:
    """(shift, first microturn, stop microturn) of each labelled pause: microturns that end inside
    it, before the user resumes and within the horizon."""
    out = []
    for p in dialogue.truth.pauses:
        first = math.floor(p.start / dt + 1e-9)
        stop_t = min(p.end, p.start + HORIZON_S)
        stop = min(n, math.floor(stop_t / dt + 1e-9))
        out.append((p.shift, first, max(first, stop)))
    return out


def dialogue_fires(net: TurnTakingNet, dialogue: Dialogue, *, smart_turn: bool = True,
                   dt: float = DT) -> dict[str, tuple[list[float], list[list[float]]]]:
    """Per detector: the latest firing silence in each hold, and the firing silences in each shift."""
    turns = list(Session.from_array(dialogue.audio, chunk_s=10.0, dt=dt).microturns())
    n = len(turns)
    silent = SileroVAD().replay(turns)["vad"] < 0.5
    silence = _silence(silent, dt)
    ends = (np.arange(n) + 1) * dt
    truth_silence = np.zeros(n)
    for p in dialogue.truth.pauses:
        inside = (ends > p.start + 1e-9) & (ends <= p.end + 1e-9)
        truth_silence[inside] = ends[inside] - p.start
    detectors: dict[str, tuple[np.ndarray, np.ndarray]] = {
        OWN: (silence, silent & (TurnTakingModel(net=net, device="cpu").replay(turns)["eot"] >= THRESHOLD)),
        SILERO: (silence, silent),
        PERFECT: (truth_silence, truth_silence > 0),
    }
    if smart_turn:
        from designkit.perception.audio.smart_turn import SmartTurn

        st = SmartTurn()
        detectors[SMART_TURN] = (silence, silent & (np.asarray(st.replay(turns)["eot"]) >= THRESHOLD))
        st.close()
    out: dict[str, tuple[list[float], list[list[float]]]] = {}
    for name, (sil, fires) in detectors.items():
        holds: list[float] = []
        shifts: list[list[float]] = []
        for shift, first, stop in _pauses(dialogue, n, dt):
            if shift:
                shifts.append(sil[first:stop][fires[first:stop]].tolist())
            else:
                holds.append(latest_fire(silence_s=sil, fires=fires, start=first, stop=stop))
        out[name] = (holds, shifts)
    return out


def curves(net: TurnTakingNet, dialogues: Sequence[Dialogue], *, smart_turn: bool = True,
           dt: float = DT) -> dict[str, EotCurve]:
    """Each detector's curve over all pauses of `dialogues`."""
    pooled: dict[str, tuple[list[float], list[list[float]]]] = {}
    for dialogue in dialogues:
        for name, (holds, shifts) in dialogue_fires(net, dialogue, smart_turn=smart_turn, dt=dt).items():
            bucket = pooled.setdefault(name, ([], []))
            bucket[0].extend(holds)
            bucket[1].extend(shifts)
    return {name: eot_curve(hold_fires=h, shift_fires=s) for name, (h, s) in pooled.items()}


def summary(table: Mapping[str, EotCurve]) -> list[dict[str, Any]]:
    """One row per detector: false cut-off rate at 300 / 600 ms, delay (s) at 5 % / 10 % false
    cut-offs, and the share of real turn ends still caught at the 5 % delay."""
    rows = []
    for name, c in table.items():
        d5 = c.delay_for(0.05)
        rows.append({"detector": name, "false_cutoff_300ms": c.at(0.3), "false_cutoff_600ms": c.at(0.6),
                     "delay_at_5pct_s": d5, "delay_at_10pct_s": c.delay_for(0.10),
                     "turn_ends_caught_at_5pct": c.caught[c.delays_s.index(d5)] if math.isfinite(d5) else math.nan,
                     "holds": c.holds, "shifts": c.shifts})
    return rows


def points(table: Mapping[str, EotCurve]) -> list[dict[str, Any]]:
    """Long-form rows (detector, delay_s, false_cutoff, caught) for a chart."""
    return [{"detector": name, "delay_s": d, "false_cutoff": r, "caught": k}
            for name, c in table.items() for d, r, k in zip(c.delays_s, c.false_cutoff, c.caught, strict=True)]


__all__ = ["DT", "OWN", "PERFECT", "SILERO", "SMART_TURN", "curves", "dialogue_fires", "markdown", "points",
           "summary"]
