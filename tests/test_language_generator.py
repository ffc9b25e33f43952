"""The language-learner generator: espeak-ng voices, a switch mid-utterance, controls without one."""

from __future__ import annotations

import numpy as np
import pytest

from designkit import scenarios
from designkit.errors import InputError
from designkit.scenarios.language import SAMPLE_RATE, generate_learner
from designkit.scenarios.spec import ScenarioSpec


def test_same_seed_same_session() -> None:
    a = generate_learner(seed=3, utterances=3)
    b = generate_learner(seed=3, utterances=3)
    assert np.array_equal(a.audio, b.audio) and a.utterances == b.utterances


def test_switch_times_sit_inside_their_utterances_on_the_audio() -> None:
    session = generate_learner(seed=5, utterances=6, switch_share=0.5)
    assert session.switch_times
    for u in session.utterances:
        segment = session.audio[int(u.start * SAMPLE_RATE): int(u.end * SAMPLE_RATE)]
        assert np.abs(segment).max() > 0.05  # speech is where the truth says
        if u.switch_t is not None:
            assert u.start + 0.3 < u.switch_t < u.end - 0.3
            assert u.second is not None and u.second != u.first == session.target
            # the first word of the other language starts right at the switch: sound follows it
            after = session.audio[int(u.switch_t * SAMPLE_RATE): int((u.switch_t + 0.1) * SAMPLE_RATE)]
            assert np.abs(after).max() > 0.02


def test_controls_never_switch() -> None:
    session = generate_learner(seed=2, utterances=4, switch_share=0.0)
    assert session.switch_times == ()
    assert all(u.second is None for u in session.utterances)


def test_bad_parameters_and_missing_espeak(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InputError, match="two or more"):
        generate_learner(seed=0, languages=("en", "xx"))
    with pytest.raises(InputError, match="switch_share"):
        generate_learner(seed=0, switch_share=2.0)
    from designkit.scenarios import language

    language._say_cached.cache_clear()
    monkeypatch.setenv("DESIGNKIT_ESPEAK_LIBRARY", "/nowhere/libespeak-ng.so")
    with pytest.raises(InputError, match=r"espeak-ng: expected the espeak-ng library.*/nowhere.*designkit\[sound\]"):
        generate_learner(seed=99, utterances=1)
    language._say_cached.cache_clear()


def test_named_sets_give_code_switch_cues() -> None:
    assert {"learner-basic", "learner-controls"} <= set(scenarios.sets())
    scenario = scenarios.generate(ScenarioSpec("learner", seed=4, params={"utterances": 4, "switch_share": 1.0}))
    assert len(scenario.truth.cue_times("code_switch")) == 4
    assert scenario.truth.context == ("learner", scenario.truth.user_speech[0].lang.split(">")[0])
