"""Simulated detectors of set quality, and cue columns turned into proposals."""

from __future__ import annotations

import numpy as np
import pytest

from designkit.core.context import Context
from designkit.core.decisions import Action
from designkit.core.microturns import Microturn
from designkit.errors import InputError
from designkit.perception.simulated_cues import DetectedCues, SimulatedDetector
from designkit.proposers.cues import CueProposer

TRUTH = [("raise_hand", 2.0), ("raise_hand", 10.0), ("enter", 20.0)]


def test_a_perfect_detector_only_adds_latency() -> None:
    events = SimulatedDetector(latency_s=0.3, jitter_s=0.0).detect(TRUTH, duration_s=30.0)
    assert [(e.data["name"], round(e.t, 6)) for e in events] == [("raise_hand", 2.3), ("raise_hand", 10.3),
                                                                  ("enter", 20.3)]
    assert [e.data["onset"] for e in events] == [2.0, 10.0, 20.0]


def test_miss_and_false_alarm_rates_are_honoured() -> None:
    truth = [("cue", float(t)) for t in range(0, 6000, 6)]
    events = SimulatedDetector(miss_rate=0.3, false_alarms_per_min=2.0, seed=1).detect(truth, duration_s=6010.0)
    hits = sum(e.data["simulated"] == "hit" for e in events)
    false = sum(e.data["simulated"] == "false_alarm" for e in events)
    assert 0.65 < hits / len(truth) < 0.75
    assert 160 < false < 240  # about 2 per minute over 100 minutes
    assert SimulatedDetector(seed=1, miss_rate=0.3).detect(truth, duration_s=6010.0) == \
        SimulatedDetector(seed=1, miss_rate=0.3).detect(truth, duration_s=6010.0)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(InputError, match="miss_rate"):
        SimulatedDetector(miss_rate=1.5)
    with pytest.raises(InputError, match="latency_s"):
        SimulatedDetector(latency_s=-1)


def _turn(k: int) -> Microturn:
    return Microturn(index=k, dt=0.2, audio=np.zeros(3200, dtype=np.float32), coverage=1.0)


def test_detected_cues_become_speech_proposals() -> None:
    events = SimulatedDetector(latency_s=0.1, jitter_s=0.0).detect(TRUTH, duration_s=30.0)
    cues = DetectedCues(events, names=("raise_hand", "enter"))
    columns = cues.replay([_turn(k) for k in range(150)])
    assert np.flatnonzero(columns["cue_raise_hand"]).tolist() == [10, 50]
    assert np.flatnonzero(columns["cue_enter"]).tolist() == [100]
    proposer = CueProposer({"cue_raise_hand": "Yes? You raised your hand."})
    fired = proposer.propose(Context(index=10, t=2.0, dt=0.2, signals={"cue_raise_hand": 1.0}))
    assert fired.action is Action.SPEAK and fired.source == "cue:raise_hand"
    assert proposer.propose(Context(index=11, t=2.2, dt=0.2, signals={"cue_raise_hand": 0.0})).is_empty
