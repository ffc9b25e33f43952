"""Spoken language ID and code-switch cues with the packaged Whisper weights (offline)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from designkit.core.microturns import frame_session
from designkit.core.session import Consent
from designkit.core.streams import AudioChunk
from designkit.errors import InputError
from designkit.perception.language import LanguageID, LanguagePerceiver, transcribe_en, whisper_base_dir
from designkit.scenarios.language import generate_learner, say

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def lid() -> Iterator[LanguageID]:
    yield LanguageID()


def _turns(audio: np.ndarray) -> list:  # type: ignore[type-arg]
    chunks = [AudioChunk(t0=i / 16000, samples=audio[i:i + 3200]) for i in range(0, audio.size, 3200)]
    return list(frame_session(chunks))


def test_the_split_weights_join_once_into_the_cache() -> None:
    folder = whisper_base_dir()
    assert (folder / "model.bin").stat().st_size > 140_000_000
    assert whisper_base_dir() == folder
    assert {"config.json", "tokenizer.json", "vocabulary.txt"} <= {p.name for p in folder.iterdir()}


def test_probabilities_cover_the_candidates(lid: LanguageID) -> None:
    probs = lid.probabilities(say("quiero pedir un café con leche", "es"))
    assert set(probs) == {"en", "es", "fr", "de"}
    assert abs(sum(probs.values()) - 1.0) < 1e-6
    assert max(probs, key=probs.get) == "es"  # type: ignore[arg-type]


def test_too_short_or_wrong_audio_is_refused(lid: LanguageID) -> None:
    with pytest.raises(InputError, match=r"at least 0\.5 s"):
        lid.probabilities(np.zeros(4000, dtype=np.float32))
    with pytest.raises(InputError, match="float32"):
        lid.probabilities(np.zeros(16000, dtype=np.int16))
    with pytest.raises(InputError, match="languages"):
        LanguageID(["en"])


def test_a_learner_slipping_into_another_language_is_flagged_soon_after(lid: LanguageID) -> None:
    session = generate_learner(seed=7, utterances=4, switch_share=1.0)
    perceiver = LanguagePerceiver(lid, expected=session.target)
    columns = perceiver.replay(_turns(session.audio))
    detected = [e.t for e in perceiver.switch_events()]
    hits = [t for t in session.switch_times if any(0 <= d - t <= 2.0 for d in detected)]
    assert len(hits) >= 3  # of 4 switches, each flagged within 2 s
    assert columns["cue_code_switch"].sum() == len(detected)
    assert all(e.data["from"] == session.target for e in perceiver.switch_events())


def test_stepping_gives_what_replay_gives(lid: LanguageID) -> None:
    session = generate_learner(seed=3, utterances=2, switch_share=1.0)
    turns = _turns(session.audio)
    replayed = LanguagePerceiver(lid, expected=session.target).replay(turns)
    stepper = LanguagePerceiver(lid, expected=session.target, deterministic=True)
    stepped = [stepper.step(t) for t in turns]
    stepper.close()
    for column in ("lang", "lang_conf", "cue_code_switch"):
        np.testing.assert_array_equal(np.array([r[column] for r in stepped]), replayed[column])


def test_words_only_with_consent_for_text() -> None:
    audio = say("I would like to order a coffee please", "en")
    assert transcribe_en(audio, consent=Consent(given_at=0.0)) is None
    words = transcribe_en(audio, consent=Consent(given_at=0.0, keep=frozenset({"signals", "text"})))
    assert words is not None and "coffee" in words.lower()
