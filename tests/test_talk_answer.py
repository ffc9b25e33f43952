"""The agent talks back: it hears the question, answers with the model's words at the turn end, and
what it does while the answer is being written is the designer's `thinking` knob (silence, or one
filler when the answer is late). The transcript says what it heard, why it spoke and the prompt."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from designkit.core import Engine, Session
from designkit.core.beside import Beside, arrivals_in, results_in
from designkit.core.decisions import Action, Reason
from designkit.core.session import Consent
from designkit.core.streams import SAMPLE_RATE
from designkit.log import read_log, replay_to_log
from designkit.log.why import WhyTracker
from designkit.perception.audio.silero import SileroVAD
from designkit.policy import Policy
from designkit.proposers.answer import NOT_HEARD, Answer, AnswerWriter, Steps
from designkit.proposers.answer_proposer import AnswerProposer
from designkit.proposers.llm.persona import Persona
from designkit.proposers.llm.stub import StubModel
from designkit.proposers.pause import PauseProposer
from designkit.render import tts

QUESTIONS = ("how long should I boil an egg", "what can I cook with rice")
# One part each: no clause end or joining word after the third word (the first part would end there).
ANSWERS = {"egg": "Seven minutes gives a soft egg.", "rice": "Beans and lime suit rice well."}
KEEP_ALL = Consent(given_at=0.0, keep=frozenset({"signals", "transcript"}))


class KnownWords:
    """Hears a scripted question: the one whose spoken length is nearest the audio's (no model)."""

    def __init__(self, texts: tuple[str, ...]) -> None:
        self.lengths = {t: tts.synthesize(t).samples.size / SAMPLE_RATE for t in texts}

    def transcribe(self, audio: np.ndarray) -> str:
        seconds = audio.size / SAMPLE_RATE - 0.6  # the pre-roll and the VAD's hangover
        return min(self.lengths, key=lambda t: abs(self.lengths[t] - seconds))


@pytest.fixture(scope="module")
def asked() -> tuple[Session, KnownWords]:
    pieces = [np.zeros(int(0.6 * SAMPLE_RATE), np.float32)]
    for text in QUESTIONS:
        pieces += [tts.synthesize(text).samples.astype(np.float32), np.zeros(5 * SAMPLE_RATE, np.float32)]
    return Session.from_array(np.concatenate(pieces), chunk_s=0.2, name="asked"), KnownWords(QUESTIONS)


def talk_engine(ears: KnownWords, policy: Policy, *, delay: int = 1, **beside: object) -> tuple[Engine, Beside]:
    state: dict[str, Engine] = {}
    writer = AnswerWriter(ears, StubModel(ANSWERS), SileroVAD(), persona=Persona("You are a cooking assistant."),
                          consent=lambda: state["engine"].state.consent)
    slow = Beside(writer, delay=delay, **beside)  # type: ignore[arg-type]
    engine = Engine([SileroVAD(), slow], policy, proposer=AnswerProposer(writer, PauseProposer(sure_after_s=0.4)),
                    consent=KEEP_ALL)
    state["engine"] = engine
    return engine, slow


POLICY = Policy(confidence=0.5, pause_s=0.4, min_gap_s=1.0)


def spoken(records: list) -> list[tuple[int, str, str]]:
    return [(r.index, r.decision.reason.value, r.decision.content) for r in records if r.decision.action.is_voiced]


def test_it_answers_each_question_with_the_models_words_at_the_turn_end(asked) -> None:
    session, ears = asked
    engine, _ = talk_engine(ears, POLICY)
    records = engine.replay(session)
    said = spoken(records)
    assert [content for _, _, content in said] == [ANSWERS["egg"], ANSWERS["rice"]]
    assert {reason for _, reason, _ in said} == {Reason.TURN_END.value}
    # Why did it say that: the logged answer holds what it heard and the prompt it answered.
    logged = results_in([e for r in records for e in r.events], "answer")
    first = logged[min(logged)]
    assert first["heard"] == QUESTIONS[0] and first["text"] == ANSWERS["egg"]
    assert first["prompt"].startswith("system: You are a cooking assistant.")
    assert first["prompt"].splitlines()[-1] == f"user: {QUESTIONS[0]}"
    second = [logged[k] for k in sorted(logged) if logged[k].get("part", 0) == 0][-1]  # not a "no more" part
    assert f"user: {QUESTIONS[0]}" in second["prompt"] and f"assistant: {ANSWERS['egg']}" in second["prompt"]


def test_an_answer_logged_by_an_earlier_version_loads_and_logs_the_same_keys_again() -> None:
    logged = {"turn": 2, "text": "Boil it.", "model": "stub", "duration_s": 0.8, "words_ms": 12.3,
              "llm_ms": 45.6, "voice_ms": 7.8, "words": 5, "heard": "how long do I boil it", "prompt": "p",
              "error": "voice: boom", "part": 1, "more": True}
    answer = Answer.from_dict(logged)
    assert answer.steps.work_ms == pytest.approx(12.3 + 45.6 + 7.8)
    assert answer.to_dict(keep_text=True) == logged
    assert list(answer.to_dict(keep_text=True)) == list(logged)  # the same columns in the same order
    quiet = Answer.from_dict({"turn": 0, "text": "Hi."})  # what a log without timings held
    assert quiet.steps == Steps() and quiet.words == 0


def test_silent_thinking_waits_quietly_for_a_late_answer(asked) -> None:
    session, ears = asked
    engine, _ = talk_engine(ears, POLICY.replace(thinking="silent"), delay=6)
    records = engine.replay(session)
    said = spoken(records)
    assert [content for _, _, content in said] == [ANSWERS["egg"], ANSWERS["rice"]]
    thinking = [r.index for r in records if r.decision.reason is Reason.THINKING]
    assert thinking and all(not r.agent_speaking for r in records if r.index in thinking)
    assert said[0][0] == max(k for k in thinking if k < said[0][0] + 1) + 1  # it thinks until the answer


def test_a_filler_after_400_ms_comes_before_every_late_answer_and_only_once(asked) -> None:
    session, ears = asked
    engine, _ = talk_engine(ears, POLICY.replace(thinking="filler", thinking_after_s=0.4), delay=8)
    records = engine.replay(session)
    said = spoken(records)
    reasons = [reason for _, reason, _ in said]
    assert reasons == [Reason.THINKING_FILLER.value, Reason.TURN_END.value] * 2
    assert [content for _, _, content in said][1::2] == [ANSWERS["egg"], ANSWERS["rice"]]
    for _, _, word in said[0::2]:
        assert word in ("hmm", "let me see")
    # An answer that is ready in time needs no filler.
    engine, _ = talk_engine(ears, POLICY.replace(thinking="filler", thinking_after_s=0.4), delay=1)
    assert [reason for _, reason, _ in spoken(engine.replay(session))] == [Reason.TURN_END.value] * 2


def test_live_with_a_worker_that_keeps_up_equals_the_replay_of_its_log(asked) -> None:
    session, ears = asked
    engine, slow = talk_engine(ears, POLICY.replace(thinking="filler", thinking_after_s=0.4))
    live = engine.step_through(session, between=lambda: slow.wait(10.0))
    events = [e for r in live for e in r.events]
    again, _ = talk_engine(ears, POLICY.replace(thinking="filler", thinking_after_s=0.4),
                           arrivals=arrivals_in(events, "answer"), results=results_in(events, "answer"))
    replayed = again.replay(session)
    assert [r.decision for r in replayed] == [r.decision for r in live]
    assert [c for _, _, c in spoken(live)] == [ANSWERS["egg"], ANSWERS["rice"]]


def test_without_transcript_consent_the_log_keeps_no_words_and_silence_is_asked_again(asked) -> None:
    session, ears = asked
    engine, _ = talk_engine(ears, POLICY)
    engine._initial_consent = Consent(given_at=0.0, keep=frozenset({"signals"}))
    records = engine.replay(session)
    logged = results_in([e for r in records for e in r.events], "answer")
    assert logged and all("heard" not in d and "prompt" not in d for d in logged.values())
    assert NOT_HEARD.endswith("?")
    assert spoken(records)[0][1] == Reason.TURN_END.value and all(
        r.decision.action is not Action.INTERRUPT for r in records)


def test_the_conversation_agent_talks_back_when_asked_and_says_with_what() -> None:
    from designkit.agents import conversation

    agent = conversation.build(talk=True, model=StubModel(ANSWERS))
    assert "whisper-tiny.en" in agent.listening and "answers with stub" in agent.listening
    assert agent.engine.policy.thinking.value == "filler"
    question = tts.synthesize(QUESTIONS[0]).samples.astype(np.float32)
    audio = np.concatenate([np.zeros(SAMPLE_RATE // 2, np.float32), question, np.zeros(3 * SAMPLE_RATE, np.float32)])
    records = agent.engine.replay(Session.from_array(audio, chunk_s=0.2, name="egg"))
    assert [c for _, reason, c in spoken(records) if reason == Reason.TURN_END.value] == [ANSWERS["egg"]]
    scripted = conversation.build(talk=False)
    assert "answers with its scripted lines" in scripted.listening and "whisper" not in scripted.listening
    assert scripted.warm is None and [p.name for p in scripted.engine.perceivers] == ["silero_vad", "turn_taking"]


class Unreachable:
    """A language model that must not be asked: a replay from a log uses the logged answers."""

    name = "stub"

    def __init__(self) -> None:
        self.asked = 0

    def load(self) -> None:
        return None

    def stream(self, messages: object, *, max_tokens: int) -> Iterator[str]:
        self.asked += 1
        raise RuntimeError("the replay asked the model again")


def test_a_kept_talking_session_replays_from_its_logged_answers_without_the_model(asked) -> None:
    """Live, the worker hears and answers beside the loop; the replay of the kept session with its
    log's events gives the live decisions and signals, and never asks the model."""
    from designkit.agents import conversation
    from designkit.log import SessionLog
    from designkit.log.schema import make_header

    session, _ = asked
    agent = conversation.build(model=StubModel(ANSWERS))  # talking by default when it can
    assert "answers with stub" in agent.listening
    slow = next(p for p in agent.engine.perceivers if isinstance(p, Beside))
    live = []
    for turn in session.microturns():
        agent.engine.step(turn)
        live.append(agent.engine.last_record)
        slow.wait(60.0)
    assert [c for _, reason, c in spoken(live) if reason == Reason.TURN_END.value] == [ANSWERS["egg"],
                                                                                      ANSWERS["rice"]]
    log = SessionLog.from_records(make_header(agent.engine, name="kept"), live)
    unreachable = Unreachable()
    again = conversation.build(model=unreachable)
    replayed = again.replay(session, log.events())
    assert [r.decision for r in replayed] == [r.decision for r in live]
    assert [r.signals for r in replayed] == [r.signals for r in live]
    assert unreachable.asked == 0


LONG = {"egg": "Seven minutes gives a soft egg. Then cool it in cold water. Peel it while warm.",
        "rice": "Beans and lime suit rice well."}


@pytest.fixture(scope="module")
def asked_slowly(asked) -> tuple[Session, KnownWords]:
    """The same questions with 9 s of silence after each: time for a three-sentence answer."""
    pieces = [np.zeros(int(0.6 * SAMPLE_RATE), np.float32)]
    for text in QUESTIONS:
        pieces += [tts.synthesize(text).samples.astype(np.float32), np.zeros(9 * SAMPLE_RATE, np.float32)]
    return Session.from_array(np.concatenate(pieces), chunk_s=0.2, name="asked slowly"), asked[1]


def long_engine(ears: KnownWords, policy: Policy, **beside: object) -> tuple[Engine, Beside]:
    state: dict[str, Engine] = {}
    writer = AnswerWriter(ears, StubModel(LONG), SileroVAD(), consent=lambda: state["engine"].state.consent)
    slow = Beside(writer, **beside)  # type: ignore[arg-type]
    engine = Engine([SileroVAD(), slow], policy, proposer=AnswerProposer(writer, PauseProposer(sure_after_s=0.4)),
                    consent=KEEP_ALL)
    state["engine"] = engine
    return engine, slow


def test_a_longer_answer_is_said_sentence_by_sentence_each_as_the_one_before_ends(asked_slowly) -> None:
    session, ears = asked_slowly
    engine, _ = long_engine(ears, POLICY)
    records = engine.replay(session)
    said = spoken(records)
    assert [c for _, _, c in said] == ["Seven minutes gives a soft egg.", "Then cool it in cold water.",
                                       "Peel it while warm.", LONG["rice"]]
    # each next sentence starts in the microturn the one before it ends: no gap, no overlap
    for (k, _, _), (k_next, _, _) in pairwise(said[:3]):
        assert k_next == k + int(np.ceil(records[k].decision.duration_s / 0.2 - 1e-9))
        assert all(r.agent_speaking for r in records[k + 1:k_next])
    # The first part takes the floor at the turn end; the next ones go on with it.
    assert [reason for _, reason, _ in said] == [Reason.TURN_END.value] + [Reason.GOES_ON.value] * 2 + \
        [Reason.TURN_END.value]


def test_the_cached_replay_of_a_talking_session_decides_as_the_engine_did(asked_slowly) -> None:
    """The slider-redraw path (the policy's fast paths, no context) says the parts and counts the
    budget as `decide` does: the same decisions from the same proposals, with a tight budget."""
    from designkit.core.cached import CachedInputs

    session, ears = asked_slowly
    for gap in range(1, 11):  # the minimum gap counts from the answer's last part, in both paths
        policy = POLICY.replace(budget_per_min=2.0, min_gap_s=float(gap))
        records = long_engine(ears, policy, delay=3)[0].replay(session)
        assert Reason.GOES_ON in {r.decision.reason for r in records}
        inputs = CachedInputs.make({"vad": [r.signals["vad"] for r in records]}, [r.proposal for r in records])
        fast = Engine((), policy, dt=0.2).replay_cached(inputs)
        assert list(fast.decisions) == [r.decision for r in records], gap


def test_the_attention_budget_counts_an_answer_once_however_many_parts_it_has(asked_slowly) -> None:
    """Two answers a minute: the three-sentence answer to the egg leaves room for the rice one."""
    session, ears = asked_slowly
    records = long_engine(ears, POLICY.replace(budget_per_min=2.0))[0].replay(session)
    assert [c for _, _, c in spoken(records)][-1] == LONG["rice"]
    assert Reason.BUDGET_EXHAUSTED not in {r.decision.reason for r in records}
    # One more answer would break it: a budget of one lets only the egg's answer (all of it) through.
    once = spoken(long_engine(ears, POLICY.replace(budget_per_min=1.0))[0].replay(session))
    assert [c for _, _, c in once] == ["Seven minutes gives a soft egg.", "Then cool it in cold water.",
                                       "Peel it while warm."]


def test_talking_over_the_answer_stops_the_rest_of_it(asked) -> None:
    """The person asks about the egg and, as the first sentence ends, asks about rice: the egg's
    later sentences are never said; the rice gets its answer."""
    session, ears = asked
    question = tts.synthesize(QUESTIONS[0]).samples.astype(np.float32)
    rice = tts.synthesize(QUESTIONS[1]).samples.astype(np.float32)
    engine, _ = long_engine(ears, POLICY)
    # when does the first sentence start? Talk over it 0.6 s later.
    first_said = spoken(engine.replay(session))[0][0]
    silence = np.zeros(int(0.6 * SAMPLE_RATE), np.float32)
    over_at = int(((first_said + 1) * 0.2 + 0.6) * SAMPLE_RATE)
    audio = np.concatenate([silence, question, np.zeros(5 * SAMPLE_RATE, np.float32)])
    audio = np.concatenate([audio[:over_at], rice, np.zeros(5 * SAMPLE_RATE, np.float32)])
    records = engine.replay(Session.from_array(audio, chunk_s=0.2, name="over"))
    said = [c for _, _, c in spoken(records)]
    assert said[0] == "Seven minutes gives a soft egg." and said[-1] == LONG["rice"]
    assert "Then cool it in cold water." not in said and "Peel it while warm." not in said
    assert any(r.decision.reason is Reason.USER_BARGE_IN for r in records)


def test_live_sentence_by_sentence_equals_the_replay_of_its_log(asked_slowly) -> None:
    session, ears = asked_slowly
    engine, slow = long_engine(ears, POLICY)
    live = engine.step_through(session, between=lambda: slow.wait(10.0))
    events = [e for r in live for e in r.events]
    logged = results_in(events, "answer")
    assert sorted(d.get("part", 0) for d in logged.values() if d["text"]) == [0, 0, 1, 2]
    again, _ = long_engine(ears, POLICY, arrivals=arrivals_in(events, "answer"), results=logged)
    assert [r.decision for r in again.replay(session)] == [r.decision for r in live]
    assert len(spoken(live)) == 4


def test_each_sentence_is_rendered_once_the_live_voice_says_what_the_worker_rendered() -> None:
    from designkit.proposers.answer import AnswerJob

    rendered: list[str] = []

    def voice(text: str) -> np.ndarray:
        rendered.append(text)
        return np.zeros(int(0.05 * SAMPLE_RATE * len(text.split())), np.float32)

    writer = AnswerWriter(KnownWords(QUESTIONS), StubModel(LONG), SileroVAD(), voice=voice)
    first = writer.work(AnswerJob(0, np.zeros(SAMPLE_RATE * 2, np.float32)))
    assert first.more and first.duration_s == pytest.approx(0.05 * len(first.text.split()))
    assert writer.synthesize(first.text).size == int(0.05 * SAMPLE_RATE * len(first.text.split()))
    assert rendered == [first.text]  # said through the writer: not rendered again
    writer.synthesize("hmm")  # a line it did not write is rendered when said
    assert rendered == [first.text, "hmm"]


def test_a_first_phrase_is_voiced_as_going_on_and_the_rest_of_its_sentence_follows() -> None:
    """"The best book" is said first, voiced with a comma (a phrase that goes on, not a full stop);
    the log and the transcript keep the words as written, and the next part is the rest of the sentence."""
    from designkit.proposers.answer import AnswerJob, MoreJob

    rendered: list[str] = []

    def voice(text: str) -> np.ndarray:
        rendered.append(text)
        return np.zeros(int(0.05 * SAMPLE_RATE * len(text.split())), np.float32)

    line = "The best book to read on holiday is a classic. Take it along."
    book = {"egg": line, "rice": line}
    writer = AnswerWriter(KnownWords(QUESTIONS), StubModel(book), SileroVAD(), voice=voice)
    first = writer.work(AnswerJob(0, np.zeros(SAMPLE_RATE * 2, np.float32)))
    second = writer.work(MoreJob(0, 1))
    third = writer.work(MoreJob(0, 2))
    assert (first.text, second.text, third.text) == ("The best book", "to read on holiday is a classic.",
                                                     "Take it along.")
    assert rendered == ["The best book,", "to read on holiday is a classic.", "Take it along."]
    assert writer.synthesize(first.text).size == int(0.05 * SAMPLE_RATE * 3)  # said as it was rendered


def test_a_job_for_a_pause_the_person_talked_through_is_given_up_without_a_word() -> None:
    """Live, a cut inside a turn (a short pause) is given up once the person goes on: nothing is
    written or rendered for it, so the worker is free for the pause that ends the turn."""
    from designkit.proposers.answer import AnswerJob

    rendered: list[str] = []
    asked: list[str] = []

    class Counting(StubModel):
        def stream(self, messages, *, max_tokens):  # type: ignore[no-untyped-def]
            asked.append(messages[-1].content)
            return super().stream(messages, max_tokens=max_tokens)

    writer = AnswerWriter(KnownWords(QUESTIONS), Counting(ANSWERS), SileroVAD(),
                          voice=lambda text: rendered.append(text) or np.zeros(800, np.float32))
    writer.cutter.spoke_at = 12  # the person spoke in microturn 12, after the pause in microturn 10
    given_up = writer.work(AnswerJob(0, np.zeros(SAMPLE_RATE * 2, np.float32), cut_at=10))
    assert given_up.text == "" and not given_up.more and asked == [] and rendered == []
    writer.land(given_up, 10)
    assert writer.first_part(99) is None
    kept = writer.work(AnswerJob(0, np.zeros(SAMPLE_RATE * 2, np.float32), cut_at=12))  # the pause after it
    assert kept.text in ANSWERS.values() and len(asked) == 1 and rendered == [kept.text]


# -- why did it say that ------------------------------------------------------------------------
def test_the_transcript_says_what_it_heard_why_it_answered_and_the_prompt(asked, tmp_path: Path) -> None:
    session, ears = asked
    engine, _ = talk_engine(ears, POLICY)
    replay_to_log(engine, session, tmp_path / "talk.parquet")
    lines = read_log(tmp_path / "talk.parquet").transcript().splitlines()
    said = next(i for i, line in enumerate(lines) if "“Seven minutes gives a soft egg.”" in line)
    assert lines[said + 1].strip().startswith("why: speaks: the person finished (sure ")
    assert lines[said + 2].strip() == f"heard: “{QUESTIONS[0]}”"
    assert lines[said + 3].strip() == "prompt (stub): system: You are a cooking assistant. " + \
        lines[said + 3].split("You are a cooking assistant. ", 1)[1]
    assert any(line.strip() == f"user: {QUESTIONS[0]}" for line in lines[said + 3:said + 12])


def test_without_transcript_consent_it_says_why_but_not_the_words(asked, tmp_path: Path) -> None:
    session, ears = asked
    engine, _ = talk_engine(ears, POLICY)
    engine._initial_consent = Consent(given_at=0.0, keep=frozenset({"signals"}))
    replay_to_log(engine, session, tmp_path / "quiet.parquet")
    text = read_log(tmp_path / "quiet.parquet").transcript()
    assert "why: speaks: the person finished" in text
    assert "heard:" not in text and "prompt" not in text and QUESTIONS[0] not in text


def test_the_live_hover_explains_each_utterance_as_it_is_said(asked) -> None:
    """What the live session sends with each microturn's point (`point["why"]`), step by step."""
    session, ears = asked
    engine, _ = talk_engine(ears, POLICY)
    tracker, hovers = WhyTracker(), []
    for record in engine.replay(session):
        d = record.decision
        why = tracker.step(action=d.action.value, reason=d.reason.value, confidence=d.confidence,
                           content=d.content, events=record.events)
        if why is not None:
            hovers.append(why.to_dict())
    assert [h["heard"] for h in hovers] == list(QUESTIONS)
    assert all(h["label"] == "speaks: the person finished" and 0.5 <= h["confidence"] <= 1 for h in hovers)
    assert hovers[1]["prompt"].endswith(f"user: {QUESTIONS[1]}") and hovers[1]["model"] == "stub"
