"""Shift/hold scoring, latency, cut-ins and AUC on timelines short enough to check by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from designkit.errors import InputError
from designkit.perception.audio.turn_taking import HEADS
from designkit.perception.truth_vad import TruthVAD
from designkit.testing import scripted_session
from designkit.training.pause_scoring import (
    Pause,
    TurnTruth,
    auc,
    backchannel_labels,
    oracle_timeout_scores,
    outcomes,
    score,
    timeout_scores,
    truth_speech_mask,
)
from designkit.training.targets import speech_share, targets

# User: 0.2-1.0 s, pause 1.0-1.7 s (hold: resumes at 1.7), 1.7-2.5 s, then the turn ends (shift).
TRUTH = TurnTruth(duration_s=4.0, user=((0.2, 1.0), (1.7, 2.5)),
                  pauses=(Pause(1.0, 1.7, shift=False), Pause(2.5, math.inf, shift=True)),
                  backchannels=(0.8,))
N = 20  # microturns of 0.2 s


def test_a_timeout_of_half_a_second_cuts_into_a_0_7_s_hold_and_answers_the_shift_at_0_5_s() -> None:
    scores = oracle_timeout_scores(TRUTH, N, 0.5)
    # Microturn ends: 1.6 s is 0.6 s into the hold (>= 0.5, before 1.7) -> cut-in; shift: 3.0 s.
    assert np.flatnonzero(scores).tolist() == [7, 14, 15, 16, 17, 18, 19]
    hold, shift = outcomes(scores, TRUTH)
    assert hold.response_s == pytest.approx(0.6) and hold.resumed_s == pytest.approx(0.7)
    assert shift.response_s == pytest.approx(0.5)
    result = score([hold, shift])
    assert result.shift_recall == 1.0 and result.hold_recall == 0.0 and result.balanced_accuracy == 0.5
    assert result.false_cut_in_rate == 1.0 and result.latency_s == pytest.approx(0.5)


def test_a_0_8_s_timeout_waits_out_the_hold() -> None:
    result = score(outcomes(oracle_timeout_scores(TRUTH, N, 0.8), TRUTH))
    assert result.balanced_accuracy == 1.0 and result.false_cut_in_rate == 0.0
    assert result.latency_s == pytest.approx(0.9)  # first microturn end >= 2.5 + 0.8 is 3.4 s


def test_a_method_that_never_responds_gets_the_fallback_latency() -> None:
    result = score(outcomes(np.zeros(N), TRUTH), fallback_s=3.0)
    assert result.shift_recall == 0.0 and result.hold_recall == 1.0 and result.latency_s == 3.0


def test_scores_need_both_kinds_of_pause() -> None:
    with pytest.raises(InputError, match="at least one shift and one hold"):
        score(outcomes(np.zeros(N), TurnTruth(4.0, ((0.2, 1.0),), (Pause(1.0, math.inf, True),))))


def test_timeouts_on_a_vad_count_silence_from_the_first_silent_microturn() -> None:
    speech = np.array([False, True, True, False, False, False, True, False])
    assert timeout_scores(speech, 0.4).tolist() == [0, 0, 0, 0, 1, 1, 0, 0]


def test_auc_by_hand() -> None:
    assert auc(np.array([0.9, 0.8, 0.1, 0.2]), np.array([True, True, False, False])) == 1.0
    assert auc(np.array([0.5, 0.5]), np.array([True, False])) == 0.5
    # positives 0.3, 0.7 vs negatives 0.5: one of two pairs is right
    assert auc(np.array([0.3, 0.7, 0.5]), np.array([True, True, False])) == 0.5
    assert math.isnan(auc(np.array([0.1]), np.array([True])))


def test_backchannel_labels_and_speech_mask() -> None:
    labels = backchannel_labels(TRUTH, N)
    assert np.flatnonzero(labels).tolist() == [3, 4, 5]  # ends at 0.8, 1.0, 1.2 s
    mask = truth_speech_mask(TRUTH, N)
    assert np.flatnonzero(mask).tolist() == [1, 2, 3, 4, 8, 9, 10, 11, 12]  # 8 and 12 hold exactly half


def test_training_targets_by_hand() -> None:
    assert speech_share(TRUTH, np.array([0.0, 0.9]), np.array([0.4, 1.9])).tolist() == pytest.approx([0.5, 0.3])
    y, mask = targets(TRUTH, 80)  # 50 ms steps; step i ends at (i + 1) * 0.05
    eot = HEADS.index("eot")
    assert y[19, HEADS.index("vad_now")] == 1.0 and y[20, HEADS.index("vad_now")] == 0.0
    assert y[19, HEADS.index("vap_200ms")] == 0.0                 # 1.0-1.2 s: silence
    assert y[30, HEADS.index("vap_200ms")] == pytest.approx(0.25)  # (1.55, 1.75]: 50 ms of speech
    assert mask[19, eot] == 0.0 and mask[20, eot] == 1.0 and y[20, eot] == 0.0
    assert mask[33, eot] == 0.0                                    # 1.7 s: the user is back
    assert mask[50, eot] == 1.0 and y[50, eot] == 1.0              # 2.55 s: in the shift
    assert y[15, HEADS.index("bc")] == 1.0 and y[30, HEADS.index("bc")] == 0.0


def test_studies_and_model_scoring_share_one_perfect_vad() -> None:
    # A user speaking 0.1-0.5 s covers microturns 0 and 2 exactly half: one rule decides both,
    # whether a study's simulated session or the model's scoring asks.
    truth = TurnTruth(duration_s=0.8, user=((0.1, 0.5),), pauses=(), backchannels=())
    turns = list(scripted_session([], 0.8).microturns())
    study = TruthVAD(list(truth.user)).replay(turns)["vad"] >= 0.5
    assert truth_speech_mask(truth, 4).tolist() == study.tolist() == [True, True, True, False]
