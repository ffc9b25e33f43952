"""The user's words: Whisper tiny.en hears espeak-ng speech word for word, beside the loop, and
the words land on the microturn in which they were ready; the log keeps their text only when the
person's consent keeps `transcript`."""

from __future__ import annotations

import numpy as np
import pytest

from designkit.core import Engine, Session
from designkit.core.beside import Beside, arrivals_in, results_in
from designkit.core.session import Consent
from designkit.core.streams import SAMPLE_RATE
from designkit.perception.audio.silero import SileroVAD
from designkit.perception.language.whisper import repeats_itself, window_words
from designkit.perception.language.words import Words, WordsBeside, keeps_transcript
from designkit.policy import Policy
from designkit.render import tts

SENTENCES = ("what time does the shop open today", "please turn on the kitchen light")


def word_error_rate(truth: str, heard: str) -> float:
    a, b = truth.lower().split(), heard.lower().replace(",", "").replace(".", "").replace("?", "").split()
    d = np.arange(len(b) + 1)
    for i, word in enumerate(a, 1):
        prev, d[0] = d.copy(), i
        for j, other in enumerate(b, 1):
            d[j] = min(prev[j] + 1, d[j - 1] + 1, prev[j - 1] + (word != other))
    return float(d[-1]) / max(1, len(a))


@pytest.fixture(scope="module")
def words() -> Words:
    recognizer = Words()
    recognizer.load()
    return recognizer


def spoken_session(texts: tuple[str, ...], gap_s: float = 1.6) -> tuple[Session, list[tuple[float, float]]]:
    pieces, turns, t = [np.zeros(int(0.6 * SAMPLE_RATE), np.float32)], [], 0.6
    for text in texts:
        speech = tts.synthesize(text).samples.astype(np.float32)
        pieces += [speech, np.zeros(int(gap_s * SAMPLE_RATE), np.float32)]
        turns.append((t, t + speech.size / SAMPLE_RATE))
        t += speech.size / SAMPLE_RATE + gap_s
    return Session.from_array(np.concatenate(pieces), chunk_s=0.2, name="words"), turns


def test_whisper_hears_espeak_sentences_word_for_word(words: Words) -> None:
    for text in SENTENCES:
        assert word_error_rate(text, words.transcribe(tts.synthesize(text).samples.astype(np.float32))) <= 0.2


def test_a_short_turn_is_read_in_a_short_window_and_a_long_one_in_the_whole_window(words: Words) -> None:
    """A turn of a few seconds is read in a 10 s window (the same words as Whisper's 30 s one);
    one longer than the short window holds is left to the whole window."""
    for text in SENTENCES:
        audio = tts.synthesize(text).samples.astype(np.float32)
        short = window_words(words._model, audio)
        assert short is not None and word_error_rate(text, short) <= 0.2
    with tts.fresh_voices():  # espeak-ng's server carries state: the same samples whatever spoke before
        long = tts.synthesize(" ".join(SENTENCES * 3)).samples.astype(np.float32)
    assert long.size > 7 * SAMPLE_RATE and window_words(words._model, long) is None
    assert word_error_rate(" ".join(SENTENCES * 3), words.transcribe(long)) <= 0.2


def test_words_that_repeat_themselves_are_read_again_in_the_whole_window() -> None:
    assert repeats_itself("Where did you park the car? Where did you park the car? Where did")
    assert repeats_itself("park the car park the car park the car")
    assert not repeats_itself("What time does the shop open today?")
    assert not repeats_itself("no, no, I said no")  # two-word echoes are speech, not a runaway


def test_each_turn_is_heard_after_its_pause_and_replay_holds_what_live_held(words: Words) -> None:
    session, turns = spoken_session(SENTENCES)
    slow = WordsBeside(words, SileroVAD(), consent=lambda: Consent(given_at=0.0, keep=frozenset({"signals", "transcript"})))
    beside = Beside(slow)
    live = Engine([beside], Policy())
    records = []
    for turn in session.microturns():
        live.step(turn)
        records.append(live.last_record)
        beside.wait(30.0)  # the worker keeps up: each result lands in the next microturn
    events = [e for r in records if r is not None for e in r.events]
    heard = results_in(events, "words")
    assert [h["turn"] for h in heard.values()] == [0, 1]
    for (describes, data), text, (_, end) in zip(sorted(heard.items()), SENTENCES, turns, strict=True):
        assert describes * 0.2 >= end  # cut at the pause after the turn, never before it ends
        assert word_error_rate(text, data["text"]) <= 0.2
    # A replay that reads the arrivals and results from the live log lands the same words at the same microturns.
    again = Engine([Beside(WordsBeside(words, SileroVAD()), arrivals=arrivals_in(events, "words"),
                           results=heard)], Policy())
    replayed = again.replay(session)
    assert [r.signals["words"] for r in replayed] == [r.signals["words"] for r in records if r is not None]


def test_the_log_keeps_the_words_only_with_transcript_consent(words: Words) -> None:
    session, _ = spoken_session(SENTENCES[:1])
    for keep, logged in ((frozenset({"signals"}), False), (frozenset({"signals", "transcript"}), True)):
        consent = Consent(given_at=0.0, keep=keep)
        assert keeps_transcript(consent) is logged
        engine = Engine([Beside(WordsBeside(words, SileroVAD(), consent=lambda c=consent: c), delay=1)], Policy())
        records = engine.replay(session)
        data = next(iter(results_in([e for r in records for e in r.events], "words").values()))
        assert ("text" in data) is logged and data["words"] >= 5
