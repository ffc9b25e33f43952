"""At the person's turn end the answer speaks next. A heard question hands the turn over: with a
turn-taking model that stays unsure, the answer to words that asked a question ("…?") is said at
the policy's pause, an answer to words that did not waits for the model, and a designer can turn it
off or set how sure a question counts. No backchannel comes between the turn end and the answer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_talk_answer import ANSWERS, POLICY, QUESTIONS, KnownWords

from designkit.core import Engine, Session
from designkit.core.beside import Beside, arrivals_in, results_in
from designkit.core.context import Context
from designkit.core.decisions import NOTHING, Action, Proposal, Reason
from designkit.core.session import Consent
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError
from designkit.log import read_log, replay_to_log
from designkit.perception.audio.silero import SileroVAD
from designkit.perception.language.words import is_question
from designkit.proposers.answer import Answer, AnswerWriter
from designkit.proposers.answer_proposer import QUESTION_CONFIDENCE, AnswerProposer
from designkit.proposers.llm.persona import Persona
from designkit.proposers.llm.stub import StubModel
from designkit.render import tts

UNSURE = 0.3  # the turn-taking model's confidence: below the policy's 0.5, so alone it never answers


class Unsure:
    """A turn-end model that is never sure: a wish to answer at 0.3 whenever the person is silent."""

    def reset(self) -> None:
        return None

    def propose(self, context: Context) -> Proposal:
        return NOTHING if context.user_speaking else Proposal(Action.SPEAK, confidence=UNSURE, urgency=UNSURE)


class Nodding(Unsure):
    """Backchannels (0.8) while the person speaks and in the first 0.6 s of each pause, as the
    turn-taking model's backchannel head does at the end of a question."""

    def propose(self, context: Context) -> Proposal:
        if context.user_speaking or context.user_silence_s <= 0.6:
            return Proposal(Action.BACKCHANNEL, confidence=0.8, urgency=0.8, content="mm-hm", duration_s=0.4)
        return super().propose(context)


class Hears(KnownWords):
    """Hears the scripted question (`KnownWords`) with `ending` after it: "?", "." or nothing."""

    def __init__(self, ending: str) -> None:
        super().__init__(QUESTIONS)
        self.ending = ending

    def transcribe(self, audio: np.ndarray) -> str:
        return super().transcribe(audio) + self.ending


@pytest.fixture(scope="module")
def session() -> Session:
    pieces = [np.zeros(int(0.6 * SAMPLE_RATE), np.float32)]
    for text in QUESTIONS:
        pieces += [tts.synthesize(text).samples.astype(np.float32), np.zeros(5 * SAMPLE_RATE, np.float32)]
    return Session.from_array(np.concatenate(pieces), chunk_s=0.2, name="asked")


def engine_hearing(ending: str, *, keep: frozenset[str] = frozenset({"signals", "transcript"}),
                   inner: Unsure | None = None, **options: object) -> tuple[Engine, Beside]:
    holder: dict[str, Engine] = {}
    writer = AnswerWriter(Hears(ending), StubModel(ANSWERS), SileroVAD(), persona=Persona("You are a cook."),
                          consent=lambda: holder["engine"].state.consent)
    beside: dict[str, object] = {k: options.pop(k) for k in ("arrivals", "results") if k in options}
    slow = Beside(writer, **beside)  # type: ignore[arg-type]
    engine = Engine([SileroVAD(), slow], POLICY, proposer=AnswerProposer(writer, inner or Unsure(), **options),  # type: ignore[arg-type]
                    consent=Consent(given_at=0.0, keep=keep))
    holder["engine"] = engine
    return engine, slow


def answers(records: list) -> list[tuple[int, str, float]]:
    return [(r.index, r.decision.content, r.decision.confidence) for r in records
            if r.decision.action.is_voiced and r.decision.reason is Reason.TURN_END]


def test_the_answer_to_a_heard_question_is_said_at_the_pause_though_the_model_is_unsure(session) -> None:
    records = engine_hearing("?")[0].replay(session)
    said = answers(records)
    assert [text for _, text, _ in said] == [ANSWERS["egg"], ANSWERS["rice"]]
    assert all(sure == pytest.approx(QUESTION_CONFIDENCE) for _, _, sure in said)
    landed = {e.data["result"]["text"]: r.index for r in records for e in r.events
              if e.kind == "arrival" and e.data.get("perceiver") == "answer" and e.data["result"].get("text")}
    for index, text, _ in said:  # said once it landed and the pause was over, not held for the model
        assert landed[text] <= index
        assert {r.decision.reason for r in records[landed[text]:index]} <= {Reason.WAITING_FOR_PAUSE}


def test_words_that_ask_nothing_wait_for_the_model_and_off_means_the_model_alone(session) -> None:
    assert answers(engine_hearing(".")[0].replay(session)) == []
    assert answers(engine_hearing("")[0].replay(session)) == []
    assert answers(engine_hearing("?", question_confidence=None)[0].replay(session)) == []
    # A question counts as sure as the designer says: below the policy's threshold it does not answer.
    assert answers(engine_hearing("?", question_confidence=0.4)[0].replay(session)) == []
    assert [sure for *_, sure in answers(engine_hearing("?", question_confidence=0.7)[0].replay(session))] == \
        pytest.approx([0.7, 0.7])


def test_a_question_counts_in_a_replay_of_a_log_that_kept_no_words(session) -> None:
    quiet = frozenset({"signals"})
    engine, slow = engine_hearing("?", keep=quiet)
    live = engine.step_through(session, between=lambda: slow.wait(10.0))
    events = [e for r in live for e in r.events]
    logged = results_in(events, "answer")
    assert all("heard" not in d for d in logged.values())
    assert [d.get("asked") for d in logged.values() if d["text"] in ANSWERS.values()] == [True, True]
    again, _ = engine_hearing("", keep=quiet, arrivals=arrivals_in(events, "answer"),
                              results=results_in(events, "answer"))
    assert [r.decision for r in again.replay(session)] == [r.decision for r in live]
    assert len(answers(live)) == 2


def test_the_transcript_says_it_heard_a_question(session, tmp_path: Path) -> None:
    for keep, heard in ((frozenset({"signals", "transcript"}), True), (frozenset({"signals"}), False)):
        path = tmp_path / f"{len(keep)}.parquet"
        replay_to_log(engine_hearing("?", keep=keep)[0], session, path)
        lines = read_log(path).transcript().splitlines()
        said = next(i for i, line in enumerate(lines) if f"“{ANSWERS['egg']}”" in line)
        assert lines[said + 1].strip() == f"why: speaks: the person finished (sure {QUESTION_CONFIDENCE:.2f}, " \
                                          "heard a question)"
        assert (f"heard: “{QUESTIONS[0]}?”" in lines[said + 2]) is heard


def test_is_question_and_a_bad_setting_is_refused_by_name() -> None:
    assert is_question("What is a good book to read?") and is_question("Is it “ready?” ")
    assert not is_question("Tell me a story.") and not is_question("") and not is_question("why? I wonder")
    assert Answer.from_dict({"turn": 0, "text": "Hi.", "asked": True}).to_dict(keep_text=False)["asked"] is True
    assert "asked" not in Answer.from_dict({"turn": 0, "text": "Hi."}).to_dict(keep_text=False)
    for bad in (1.5, -0.1, "high", True):
        with pytest.raises(InputError, match="question_confidence"):
            AnswerProposer(None, Unsure(), question_confidence=bad)  # type: ignore[arg-type]


# -- no backchannel between the turn end and the answer --------------------------------------------
def test_no_backchannel_from_the_pause_to_the_answer_but_one_while_the_person_speaks(session) -> None:
    records = engine_hearing("?", inner=Nodding())[0].replay(session)
    said = answers(records)
    assert [text for _, text, _ in said] == [ANSWERS["egg"], ANSWERS["rice"]]
    nods = [r.index for r in records if r.decision.action is Action.BACKCHANNEL]
    assert nods and all(records[i].user_speaking for i in nods)  # while the person speaks, as before
    for index, _, _ in said:
        pause = max(r.index for r in records[:index] if r.user_speaking) + 1
        assert not any(pause <= i < index for i in nods)


def test_a_backchannel_less_likely_than_the_turn_end_waits_for_the_answer(session) -> None:
    proposer = engine_hearing("?", inner=Nodding())[0].proposer
    proposer.reset()

    def wish(eot: float, *, speaking: bool = True) -> Action:
        context = Context(index=3, t=0.6, dt=0.2, signals={"eot": eot}, user_speaking=speaking,
                          user_silence_s=0.0 if speaking else 0.2, user_spoke_since_agent=True)
        return proposer.propose(context).action

    assert wish(0.2) is Action.BACKCHANNEL
    assert wish(float("nan")) is Action.BACKCHANNEL  # no turn-end signal: the backchannel stands
    assert wish(0.8) is Action.SILENT  # the turn is likelier ending: no "mm-hm" over its last words
    assert wish(0.2, speaking=False) is not Action.BACKCHANNEL  # paused: the thinking knob's moment
