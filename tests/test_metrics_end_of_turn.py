"""End-of-turn curves, eot-bench style, on a hand-made set of pauses."""

from __future__ import annotations

import math

import numpy as np
import pytest

from designkit.errors import InputError
from designkit.metrics.end_of_turn import eot_curve, latest_fire, markdown


def test_false_cutoffs_and_delays_by_hand() -> None:
    # Four holds: the detector would still fire after 0.2, 0.5, 1.0 s of silence, and never in the last.
    # Two turn ends: it fires after 0.3 s in the first (and later), never in the second.
    curve = eot_curve(hold_fires=[0.2, 0.5, 1.0, -math.inf], shift_fires=[[0.3, 0.4, 0.5], []],
                      delays_s=[0.1, 0.3, 0.6, 1.2])
    assert curve.false_cutoff == (0.75, 0.5, 0.25, 0.0)
    assert curve.at(0.3) == 0.5 and curve.at(0.6) == 0.25
    assert curve.delay_for(0.25) == 0.6 and curve.delay_for(0.05) == 1.2
    assert curve.caught == (0.5, 0.5, 0.0, 0.0)
    with pytest.raises(InputError, match="delay_s"):
        curve.at(0.45)
    assert math.isnan(eot_curve(hold_fires=[5.0], shift_fires=[], delays_s=[1.0]).delay_for(0.05))


def test_latest_fire_reads_one_pause() -> None:
    silence = np.array([0.0, 0.1, 0.2, 0.3, 0.4])
    fires = np.array([False, True, False, True, False])
    assert latest_fire(silence_s=silence, fires=fires, start=0, stop=5) == pytest.approx(0.3)
    assert latest_fire(silence_s=silence, fires=fires, start=4, stop=5) == -math.inf


def test_the_table_reads_as_eot_bench_does() -> None:
    text = markdown([{"detector": "timeout", "false_cutoff_300ms": 0.5, "false_cutoff_600ms": 0.25,
                      "delay_at_5pct_s": math.nan, "delay_at_10pct_s": 1.2, "turn_ends_caught_at_5pct": math.nan}])
    assert "| timeout | 50.0 % | 25.0 % | > 3000 ms | 1200 ms | – |" in text
