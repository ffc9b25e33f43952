"""Generated dialogues become turn-taking truth: every hold and turn end a pause, nothing else."""

from __future__ import annotations

import math

from designkit.scenarios import ScenarioSpec, generate
from designkit.training.dialogues import HELD_OUT, TRAIN, truth_of


def test_holds_and_turn_ends_become_pauses_of_the_right_kind() -> None:
    scenario = generate(ScenarioSpec("dialogue", 5, {"duration_s": 30.0, "voice": "en+f3"}))
    truth = truth_of(scenario.truth)
    holds = [p for p in truth.pauses if not p.shift]
    shifts = [p for p in truth.pauses if p.shift]
    assert len(holds) == len(scenario.truth.holds) and len(shifts) == len(scenario.truth.turn_ends)
    for pause, (start, end) in zip(holds, scenario.truth.holds, strict=True):
        assert pause.start == start and math.isclose(pause.end, end, abs_tol=0.01)
    for pause in shifts:
        assert pause.end > pause.start
    assert truth.user == tuple(scenario.truth.user_intervals)
    assert truth.backchannels == tuple(sorted(scenario.truth.backchannel_opportunities))


def test_the_held_out_set_shares_no_voice_snr_or_seed_with_training() -> None:
    assert not set(TRAIN.voices) & set(HELD_OUT.voices)
    assert not set(TRAIN.snrs) & set(HELD_OUT.snrs)
    train_seeds = {TRAIN.first_seed + 1000 * v + k for v in range(len(TRAIN.variants())) for k in range(TRAIN.per_variant)}
    held_seeds = {HELD_OUT.first_seed + 1000 * v + k for v in range(len(HELD_OUT.variants()))
                  for k in range(HELD_OUT.per_variant)}
    assert not train_seeds & held_seeds
