"""The agent's voice: known duration before playback, microturn pieces, and a stop that holds."""

from __future__ import annotations

import numpy as np
import pytest

from designkit.core.decisions import Action, Decision, Reason
from designkit.errors import InputError
from designkit.render import tts
from designkit.render.agent_voice import AgentVoice, Utterance, espeak_synthesize


class Counting:
    """The real espeak-ng synthesiser, counting how often it is asked."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.inner = espeak_synthesize()

    def __call__(self, text: str) -> np.ndarray:
        self.calls.append(text)
        return self.inner(text)


def test_duration_is_known_before_playback_and_pieces_add_up_to_the_utterance() -> None:
    voice = AgentVoice()
    utterance = voice.prepare("Shall we take a short break now?")
    assert utterance.duration_s == pytest.approx(utterance.audio.size / 16_000) and utterance.duration_s > 0.5
    voice.say(utterance)
    pieces = []
    while voice.speaking:
        pieces.append(voice.pull())
    assert all(p.size == 3200 for p in pieces)
    assert len(pieces) == int(np.ceil(utterance.audio.size / 3200))
    played = np.concatenate(pieces)
    assert np.array_equal(played[: utterance.audio.size], utterance.audio)
    assert not played[utterance.audio.size :].any()
    assert voice.sent_samples == utterance.audio.size


def test_a_yield_stops_the_voice_within_one_microturn() -> None:
    voice = AgentVoice()
    voice.apply(Decision(Action.SPEAK, Reason.TURN_END, 0.9, "Here is a rather long answer to your question."))
    first = voice.pull()
    assert first.any() and voice.speaking
    voice.apply(Decision(Action.YIELD, Reason.USER_BARGE_IN))
    assert not voice.speaking and not voice.pull().any()


def test_continue_keeps_talking_and_silence_while_speaking_stops() -> None:
    voice = AgentVoice()
    voice.apply(Decision(Action.SPEAK, Reason.TURN_END, 0.9, "One moment, I am still talking here."))
    voice.pull()
    left = voice.remaining_s
    voice.apply(Decision(Action.CONTINUE, Reason.SPEAKING))
    assert voice.remaining_s == left
    voice.apply(Decision.silent(Reason.FAULT))
    assert not voice.speaking


def test_backchannel_clips_are_rendered_once_and_reused() -> None:
    synth = Counting()
    voice = AgentVoice(synthesize=synth)
    voice.warm()
    assert synth.calls == ["mm-hm", "yeah", "right"]
    for _ in range(3):
        voice.apply(Decision(Action.BACKCHANNEL, Reason.BACKCHANNEL_OPPORTUNITY, 0.7, "yeah", 0.4))
        voice.stop()
    voice.apply(Decision(Action.BACKCHANNEL, Reason.BACKCHANNEL_OPPORTUNITY, 0.7, "", 0.4))
    assert synth.calls == ["mm-hm", "yeah", "right"]
    assert voice.remaining_s == pytest.approx(voice.clip("mm-hm").duration_s)


def test_smaller_pieces_stop_sooner() -> None:
    voice = AgentVoice(piece_s=0.05)
    voice.say("Counting slowly to ten.")
    assert voice.pull().size == 800


def test_a_chosen_speaker_voice_is_used() -> None:
    slow = AgentVoice(speaker=tts.Voice(rate=100)).prepare("a slow sentence for you")
    fast = AgentVoice(speaker=tts.Voice(rate=300)).prepare("a slow sentence for you")
    assert slow.duration_s > fast.duration_s


def test_bad_input_is_refused() -> None:
    with pytest.raises(InputError, match="some words"):
        AgentVoice().prepare("   ")
    with pytest.raises(InputError, match="whole number of samples"):
        AgentVoice(piece_s=0.00001)
    with pytest.raises(InputError, match="float32"):
        Utterance("x", np.zeros(10, np.float64))  # type: ignore[arg-type]
