"""Training learns from truth: a few epochs on scripted dialogues already hear who speaks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from designkit.core import Session
from designkit.perception.audio.turn_taking import TurnTakingModel
from designkit.testing import scripted_audio
from designkit.training.dialogues import Dialogue, DialogueSet
from designkit.training.pause_scoring import Pause, TurnTruth, auc, truth_speech_mask
from designkit.training.train import TrainConfig, fit


def dialogue(seed: int, duration_s: float = 30.0) -> Dialogue:
    rng = np.random.default_rng(seed)
    t, user, pauses = 0.5, [], []
    while t < duration_s - 6:
        length = rng.uniform(1.0, 3.0)
        user.append((t, t + length))
        t += length
        hold = bool(rng.random() < 0.5)
        gap = rng.uniform(0.3, 1.5) if hold else rng.uniform(2.5, 4.0)
        pauses.append(Pause(t, t + gap, shift=not hold))
        t += gap
    pauses[-1] = Pause(pauses[-1].start, math.inf, shift=True)
    truth = TurnTruth(duration_s, tuple(user), tuple(pauses), tuple(a + 0.6 for a, _ in user))
    return Dialogue(f"scripted-{seed}", scripted_audio(user, duration_s, seed=seed), truth)


@pytest.mark.slow
def test_a_short_training_run_learns_voice_activity_and_lowers_the_loss() -> None:
    train = [dialogue(s) for s in range(8)]
    config = TrainConfig(train=DialogueSet(8, 0, ("en-us",), (None,)), held_out=DialogueSet(1, 100, ("en-us",), (None,)),
                         epochs=6, batch=8, crop_s=6.0,
                         threads=1)
    net, log = fit(config, train, device="cpu")
    assert log["loss_per_epoch"][-1] < log["loss_per_epoch"][0]
    assert log["parameters"] == sum(p.numel() for p in net.parameters())
    held_out = dialogue(100)
    turns = list(Session.from_array(held_out.audio, chunk_s=1.0).microturns())
    heard = TurnTakingModel(net=net, device="cpu").replay(turns)["vad_now"]
    assert auc(heard, truth_speech_mask(held_out.truth, len(turns))) > 0.9
