"""Each metric on a timeline short enough to check by hand."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from designkit.errors import InputError
from designkit.metrics.attention import attention_cost
from designkit.metrics.cuespeak import cuespeak
from designkit.metrics.repcount import repcount
from designkit.metrics.silence import silence_outcome, silence_reasons
from designkit.metrics.stats import bootstrap_ci
from designkit.metrics.timespeak import timespeak
from designkit.metrics.turn_taking import (
    backchannel_rate,
    early_interruption_rate,
    interruptions_per_min,
    overlap_ratio,
    response_latencies,
    response_success_rate,
    yield_latencies,
)


def test_timespeak_matches_greedily_within_the_tolerance() -> None:
    # 6 <- 6.2 (0.2 s off), 12 <- 11.5 (0.5 s, on the edge), 18 and 24 missed; 13.0 and 30.0 are false starts.
    r = timespeak(targets=[6, 12, 18, 24], onsets=[6.2, 11.5, 13.0, 30.0], duration_s=60.0)
    assert (r.matched, r.hit_rate) == (2, 0.5)
    assert r.mean_abs_error_s == pytest.approx(0.35)
    assert r.p90_abs_error_s == pytest.approx(0.2 + 0.9 * 0.3)
    assert r.false_starts_per_min == pytest.approx(2.0)


def test_timespeak_edge_cases() -> None:
    none = timespeak(targets=[], onsets=[1.0], duration_s=30.0)
    assert math.isnan(none.hit_rate) and none.false_starts_per_min == pytest.approx(2.0)
    at_zero = timespeak(targets=[0.0], onsets=[0.0], duration_s=10.0)
    assert (at_zero.hit_rate, at_zero.mean_abs_error_s) == (1.0, 0.0)
    # One onset serves one target only.
    assert timespeak(targets=[5.0, 5.3], onsets=[5.1], duration_s=60).matched == 1


def test_cuespeak_hits_precision_recall_and_rude_hits() -> None:
    r = cuespeak(cues=[10, 20, 30], interventions=[9.0, 11.0, 12.0, 21.5, 40.0], user_speech=[(10.5, 11.5)])
    assert (r.hits, r.rude_hits, r.cues, r.interventions) == (2, 1, 3, 5)
    assert r.precision == pytest.approx(0.4)
    assert r.recall == pytest.approx(2 / 3)
    assert r.f1 == pytest.approx(0.5)
    assert r.median_latency_s == pytest.approx(1.25)


def test_cuespeak_with_intervals_and_edges() -> None:
    # An intervention starting before the user but running into their speech is rude.
    r = cuespeak(cues=[0.0], interventions=[(0.5, 2.0)], user_speech=[(1.0, 3.0)])
    assert (r.hits, r.rude_hits, r.median_latency_s) == (1, 1, 0.5)
    empty = cuespeak(cues=[5.0], interventions=[])
    assert empty.recall == 0.0 and math.isnan(empty.precision)
    # Cues 2 s apart: the first cue's window closes at the second, so 12.5 answers the second only.
    close = cuespeak(cues=[10.0, 12.0], interventions=[12.5], window=3.0)
    assert (close.hits, close.recall, close.median_latency_s) == (1, 0.5, 0.5)


def test_a_caption_over_the_user_is_not_a_rude_hit() -> None:
    # Two cues while the user talks (0-10 s): a voice at 1.2 s talks over them, a caption at 6.2 s does not.
    r = cuespeak(cues=[1.0, 6.0], interventions=[1.2, 6.2], user_speech=[(0.0, 10.0)], voiced=[True, False])
    assert (r.hits, r.rude_hits) == (2, 1)
    with pytest.raises(InputError, match="voiced"):
        cuespeak(cues=[1.0], interventions=[1.2], voiced=[True, False])


USER = [(0, 2), (3, 5), (8, 10)]
AGENT = [(2.4, 3.5), (4.0, 6.0), (10.3, 11.0)]


def test_own_turn_taking_measures() -> None:
    np.testing.assert_allclose(response_latencies(user_speech=USER, agent_speech=AGENT), [0.4, 0.3])
    np.testing.assert_allclose(yield_latencies(user_speech=USER, agent_speech=AGENT), [0.5])
    assert early_interruption_rate(user_speech=USER, agent_speech=AGENT) == pytest.approx(1 / 3)
    assert response_success_rate(user_speech=USER, agent_speech=AGENT) == pytest.approx(2 / 3)
    assert overlap_ratio(user_speech=USER, agent_speech=AGENT) == pytest.approx(1.5 / 3.8)
    assert backchannel_rate(backchannels=[1.0, 4.0, 7.0], duration_s=90.0) == pytest.approx(2.0)


def test_turn_taking_with_no_turns() -> None:
    assert math.isnan(early_interruption_rate(user_speech=[], agent_speech=AGENT))
    assert math.isnan(overlap_ratio(user_speech=USER, agent_speech=[]))
    assert response_latencies(user_speech=USER, agent_speech=[]).size == 0
    # Overlap at t = 0: both start together, the agent is not yielding to anyone.
    assert yield_latencies(user_speech=[(0, 1)], agent_speech=[(0, 2)]).size == 0


def test_interruptions_count_spoken_starts_while_the_user_talks() -> None:
    # The user speaks 1-3 s and 5-6 s. Onsets 0.5 (before), 1.0 (on the user's start: counts),
    # 2.9 (inside), 3.0 (on the user's end: the user has stopped), 5.5 (inside): 3 in 30 s = 6 a minute.
    user = [(1.0, 3.0), (5.0, 6.0)]
    assert interruptions_per_min(user_speech=user, onsets=[0.5, 1.0, 2.9, 3.0, 5.5], duration_s=30.0) == 6.0
    assert interruptions_per_min(user_speech=user, onsets=[5.5, 1.0], duration_s=60.0) == 2.0  # any order
    assert interruptions_per_min(user_speech=[], onsets=[1.0], duration_s=30.0) == 0.0
    assert interruptions_per_min(user_speech=user, onsets=[], duration_s=30.0) == 0.0
    with pytest.raises(InputError, match="duration_s"):
        interruptions_per_min(user_speech=user, onsets=[1.0], duration_s=0.0)


def test_silence_shares_by_reason_and_outcome() -> None:
    reasons = ["speak:turn_end", "silent:below_confidence", "silent:user_speaking", "silent:nothing_to_say",
               "silent:below_confidence"]
    shares = silence_reasons(proposed=[True, True, True, False, True], reasons=reasons)
    assert shares == {"silent:below_confidence": 0.5, "silent:user_speaking": 0.25}
    out = silence_outcome(withheld=[True, True, False, True], needed=[False, True, True, False], duration_s=120.0)
    assert out.withheld == 3
    assert out.deliberate_silence_precision == pytest.approx(2 / 3)
    assert (out.silence_regret, out.silence_regret_per_min) == (1, 0.5)
    assert math.isnan(silence_outcome(withheld=[False], needed=[True], duration_s=60).deliberate_silence_precision)


def test_attention_cost_per_minute() -> None:
    cost = attention_cost(interventions=["speak", "speak", "backchannel", "interrupt", "caption"],
                          overlap_s=2.0, interruptions=1, duration_s=120.0)
    assert cost == pytest.approx((1 + 1 + 0.2 + 1 + 0.4 + 0.5 * 2.0 + 2.0 * 1) / 2)
    custom = attention_cost(interventions=["speak"], overlap_s=0, interruptions=0, duration_s=60,
                            weights={"speak": 3.0})
    assert custom == 3.0
    # A study's weights may set the overlap and interruption weights too (by what they multiply).
    heavier = attention_cost(interventions=["speak"], overlap_s=2.0, interruptions=1, duration_s=60,
                             weights={"speak": 1.0, "overlap_s": 1.5, "interruptions": 0.0})
    assert heavier == pytest.approx(1 + 1.5 * 2.0 + 0.0 * 1)
    with pytest.raises(InputError, match="intervention kind"):
        attention_cost(interventions=["shout"], overlap_s=0, interruptions=0, duration_s=60)


def test_repcount_mae_and_obo() -> None:
    r = repcount(predicted=[10, 8, 12], true=[10, 10, 11])
    assert r.mae == pytest.approx((0 + 0.2 + 1 / 11) / 3)
    assert r.obo == pytest.approx(2 / 3)
    with pytest.raises(InputError):
        repcount(predicted=[1], true=[0])


def test_bootstrap_interval() -> None:
    assert bootstrap_ci([0.4]) == bootstrap_ci([0.4, float("nan")])
    constant = bootstrap_ci([2.0] * 10)
    assert (constant.mean, constant.low, constant.high) == (2.0, 2.0, 2.0)
    values = np.random.default_rng(0).normal(1.0, 0.5, 40)
    est = bootstrap_ci(values, seed=3)
    assert est.low < est.mean < est.high and est == bootstrap_ci(values, seed=3)
    wider = bootstrap_ci(values, seed=3, level=0.99)
    assert wider.low <= est.low and wider.high >= est.high
    assert math.isnan(bootstrap_ci([]).mean)


BAD = [(3.0, 1.0)]


@pytest.mark.parametrize("call", [
    lambda: cuespeak(cues=[1.0], interventions=BAD),
    lambda: response_latencies(user_speech=BAD, agent_speech=[]),
    lambda: yield_latencies(user_speech=[], agent_speech=BAD),
    lambda: overlap_ratio(user_speech=BAD, agent_speech=[(0, 1)]),
    lambda: early_interruption_rate(user_speech=BAD, agent_speech=[]),
    lambda: timespeak(targets=[float("nan")], onsets=[], duration_s=10),
])
def test_intervals_with_end_before_start_are_input_errors(call: Callable[[], Any]) -> None:
    with pytest.raises(InputError):
        call()
