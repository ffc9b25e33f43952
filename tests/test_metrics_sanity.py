"""Every metric scores its anchors (oracle, never-speak, always-speak) on every named scenario set.

Short variant: the first scenario of each set (all sets, so a generator change that breaks a
metric's meaning shows up here); `benchmarks/credible.py` runs more of each.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from designkit import sanity, scenarios
from designkit.core import Engine, Session
from designkit.metrics.catalogue import CATALOGUE
from designkit.metrics.task_success import task_success, turn_end_latencies
from designkit.metrics.turn_taking import response_success_rate
from designkit.metrics.view import SessionView
from designkit.perception.truth_vad import TruthVAD
from designkit.policy.anchors import AlwaysSpeak, FollowProposals, NeverSpeak
from designkit.study.spec import METRICS


@pytest.mark.parametrize("name", sorted(scenarios.sets()))
def test_every_metric_scores_its_anchors(name: str) -> None:
    scenario = scenarios.get(name, n=1, progress=False)[0]
    misses = sanity.check(scenario)
    assert not misses, "\n".join(str(m) for m in misses)


def test_every_metric_has_an_anchor_for_every_agent() -> None:
    table = sanity.anchors_for(METRICS)
    assert set(table) == set(METRICS)
    assert all(set(row) == set(sanity.AGENTS) for row in table.values())
    with pytest.raises(KeyError, match="my_metric"):
        sanity.anchors_for(["my_metric"])


def test_the_anchors_catch_the_old_task_success(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counting every user segment (holds included) as a turn to answer fails the oracle anchor."""
    scenario = scenarios.get("dialogue-basic", n=1, progress=False)[0]

    def per_segment(view: SessionView) -> float:  # the definition before truth-based turns
        return response_success_rate(user_speech=view.user, agent_speech=view.turns)

    declared = CATALOGUE["task_success"]
    monkeypatch.setitem(CATALOGUE, "task_success", replace(declared, compute=per_segment))
    misses = [m for m in sanity.check(scenario, metrics=["task_success"]) if m.agent == "oracle"]
    assert misses and misses[0].got < 0.8


def test_the_oracle_answers_every_turn_end_through_the_engine() -> None:
    scenario = scenarios.get("dialogue-basic", n=1, progress=False)[0]
    oracle = sanity.OracleProposer(scenario.truth)
    assert [p.source for p in oracle.plan].count("turn_end") == len(scenario.truth.turn_ends)
    session = Session.from_array(scenario.audio, chunk_s=1.0)
    vad = TruthVAD(scenario.truth.user_intervals)
    records = Engine([vad], FollowProposals(), proposer=oracle).replay(session)
    spoken = [r for r in records if r.decision.action.is_intervention]
    assert len(spoken) == len(oracle.plan)
    assert not any(r.decision.action.is_intervention for r in Engine([vad], NeverSpeak(), proposer=oracle).replay(session))
    assert all(r.decision.action.is_voiced for r in Engine([vad], AlwaysSpeak()).replay(session))


def test_task_success_counts_real_turn_ends_only() -> None:
    # One turn with a hold (0-2 s, pause, 2.8-4 s) ending at 4 s, a second turn 6-7 s ending at 7 s.
    user = [(0.0, 2.0), (2.8, 4.0), (6.0, 7.0)]
    polite = task_success(turn_ends=[4.0, 7.0], user_speech=user, voiced_onsets=[4.2, 7.4])
    assert (polite.answered, polite.turns, polite.cut_in, polite.rate) == (2, 2, 0, 1.0)
    # Talking into the hold (2.2 s) is a cut-in: the first turn is lost even though 4.2 answers it.
    rude = task_success(turn_ends=[4.0, 7.0], user_speech=user, voiced_onsets=[2.2, 4.2, 7.4])
    assert (rude.answered, rude.cut_in) == (1, 1)
    # The old per-segment rate counted the hold as a turn to answer: 2 of 3 at best.
    assert response_success_rate(user_speech=user, agent_speech=[(4.2, 5.0), (7.4, 8.0)]) == pytest.approx(2 / 3)
    # A caption answers (quiet modes) without being a voiced onset; late answers (> 2 s) do not count.
    quiet = task_success(turn_ends=[4.0, 7.0], user_speech=user, voiced_onsets=[], answers=[4.4, 9.5])
    assert (quiet.answered, quiet.rate) == (1, 0.5)
    assert math.isnan(task_success(turn_ends=[], user_speech=user, voiced_onsets=[1.0]).rate)
    lat = turn_end_latencies(turn_ends=[4.0, 7.0], user_speech=user, voiced_onsets=[2.2, 4.2, 7.4])
    np.testing.assert_allclose(lat, [0.2, 0.4])
