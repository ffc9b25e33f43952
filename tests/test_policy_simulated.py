"""The simulated model: "what if the model were this good?"."""

from __future__ import annotations

import pytest

from designkit.core import Proposer
from designkit.core.decisions import NOTHING, Action
from designkit.core.microturns import speech_mask
from designkit.errors import InputError
from designkit.perception.truth_vad import TruthVAD
from designkit.proposers.simulated import PERFECT, ModelQuality, Moment, SimulatedProposer

MOMENTS = [Moment(2.0, content="a"), Moment(6.1, Action.BACKCHANNEL, duration_s=0.4), Moment(9.0)]


def test_a_perfect_model_proposes_each_moment_on_time_and_nothing_else() -> None:
    sim = SimulatedProposer(MOMENTS, duration_s=12.0, quality=PERFECT)
    assert isinstance(sim, Proposer)
    proposals = sim.proposals(60)
    held = [k for k, p in enumerate(proposals) if p is not NOTHING]
    assert held == [10, 11, 12, 30, 31, 32, 45, 46, 47]  # each held 0.6 s from its microturn
    assert proposals[30].action is Action.BACKCHANNEL and proposals[10].content == "a"
    assert all(p.confidence > 0.9 for k, p in enumerate(proposals) if k in held)


def test_it_is_deterministic_per_seed_and_noisy_as_asked() -> None:
    quality = ModelQuality(miss_rate=0.5, false_alarms_per_min=30, jitter_s=0.5)
    many = [Moment(float(t)) for t in range(2, 600, 5)]
    a = SimulatedProposer(many, duration_s=600.0, quality=quality, seed=1).proposals(3000)
    assert a == SimulatedProposer(many, duration_s=600.0, quality=quality, seed=1).proposals(3000)
    assert a != SimulatedProposer(many, duration_s=600.0, quality=quality, seed=2).proposals(3000)
    sources = {id(p): p.source for p in a if p is not NOTHING}
    hits = sum(s == "turn_end" for s in sources.values())
    false_alarms = sum(s == "false_alarm" for s in sources.values())
    assert 0.35 * len(many) < hits < 0.65 * len(many)
    assert 200 < false_alarms < 400  # 30 per minute over 10 minutes
    never = SimulatedProposer(many, duration_s=600.0, quality=ModelQuality(miss_rate=1.0, false_alarms_per_min=0))
    assert all(p is NOTHING for p in never.proposals(3000))


def test_false_alarms_are_less_confident_than_hits_on_average() -> None:
    many = [Moment(float(t)) for t in range(2, 600, 5)]
    proposals = SimulatedProposer(many, duration_s=600.0, quality=ModelQuality(false_alarms_per_min=20), seed=3).proposals(3000)
    by_source: dict[str, list[float]] = {}
    for p in {id(p): p for p in proposals if p is not NOTHING}.values():
        by_source.setdefault(p.source, []).append(p.confidence)
    mean = {k: sum(v) / len(v) for k, v in by_source.items()}
    assert mean["turn_end"] == pytest.approx(0.75, abs=0.05)
    assert mean["false_alarm"] == pytest.approx(0.45, abs=0.05)


def test_truth_vad_marks_microturns_at_least_half_covered() -> None:
    assert speech_mask([(0.1, 0.5)], 4, 0.2).tolist() == [True, True, True, False]
    vad = TruthVAD([(0.1, 0.5)])
    import numpy as np

    from designkit.core import Microturn

    turns = [Microturn(index=k, dt=0.2, audio=np.zeros(3200, dtype=np.float32), coverage=1.0) for k in range(4)]
    assert vad.replay(turns)["vad"].tolist() == [1.0, 1.0, 1.0, 0.0]
    assert [vad.step(t)["vad"] for t in turns] == [1.0, 1.0, 1.0, 0.0]


def test_bad_quality_and_moments_are_input_errors() -> None:
    with pytest.raises(InputError):
        ModelQuality(miss_rate=1.5)
    with pytest.raises(InputError):
        Moment(-1.0)
    with pytest.raises(InputError):
        Moment(1.0, Action.YIELD)
    with pytest.raises(InputError):
        speech_mask([(2.0, 1.0)], 10, 0.2)
