"""Answers in words: hear the user's turn, write an answer with a language model, offer it to the policy.

Two halves, like every slow model in the kit (`core/beside.py`):

- `AnswerWriter` runs beside the loop. On the loop it keeps the user's turn (`TurnCutter`); at
  each pause the VAD declares it hands the turn so far to the worker, which transcribes it
  (Whisper tiny.en), asks the language model with the persona and the conversation so far, reads
  the stream up to the first whole sentence and renders it with the live voice. The answer lands
  on the microturn in which it is ready, logged with the microturn it describes (and, when the
  consent keeps `transcript`, with the words heard and the prompt), so a replay holds what live
  held. Starting at the pause, not at the policy's decision, overlaps the work with the policy's
  wait for a turn end. An answer about a pause after which the user spoke again is stale and dropped.
- `AnswerProposer` turns the landed answer into proposals: at a turn end whose answer is not
  ready it offers a wish to answer (`THINKING_SOURCE`: the policy's `thinking` knob decides what
  the agent does meanwhile); once the answer is ready it offers the sentence (`ANSWER_SOURCE`),
  with the turn end's confidence. Backchannels of the inner proposer pass through.

    writer = AnswerWriter(Words(), GGUFModel(), SileroVAD(), persona=Persona("You are a cook."))
    engine = Engine([SileroVAD(), TurnTakingModel(), Beside(writer)], policy,
                    proposer=AnswerProposer(writer, TurnTakingProposer()))
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit.core.context import Context
from designkit.core.decisions import NOTHING, Action, Proposal
from designkit.core.microturns import Microturn
from designkit.core.protocols import Proposer
from designkit.core.session import OFFLINE_CONSENT, Consent
from designkit.core.streams import SAMPLE_RATE
from designkit.perception.language.words import Recognizer, TurnAudio, TurnCutter, keeps_transcript
from designkit.policy.thinking import ANSWER_SOURCE, THINKING_SOURCE
from designkit.proposers.llm.chat import LanguageModel
from designkit.proposers.llm.persona import Persona, prompt_text
from designkit.proposers.llm.sentences import first_sentence

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]
MAX_TOKENS = 48
# Said when nothing was heard or the model failed: a question back, not an apology.
NOT_HEARD = "Could you say that again?"
SECONDS_PER_CHAR = 0.065  # a length estimate when no voice renders the answer (espeak-ng, 175 wpm)


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer: what was heard, what the agent will say, the prompt, and how long each step took."""

    turn: int
    heard: str
    text: str
    prompt: str = ""
    model: str = ""
    duration_s: float = 0.0
    words_ms: float = 0.0
    llm_ms: float = 0.0
    voice_ms: float = 0.0
    error: str = ""

    @property
    def work_ms(self) -> float:
        return self.words_ms + self.llm_ms + self.voice_ms

    def to_dict(self, *, keep_text: bool) -> dict[str, Any]:
        """As logged: the words heard and the prompt only when the consent keeps `transcript`."""
        out: dict[str, Any] = {"turn": self.turn, "text": self.text, "model": self.model,
                               "duration_s": round(self.duration_s, 3), "words_ms": round(self.words_ms, 1),
                               "llm_ms": round(self.llm_ms, 1), "voice_ms": round(self.voice_ms, 1),
                               "words": len(self.heard.split())}
        if keep_text:
            out.update(heard=self.heard, prompt=self.prompt)
        if self.error:
            out["error"] = self.error
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Answer:
        return cls(int(data["turn"]), str(data.get("heard", "")), str(data["text"]), str(data.get("prompt", "")),
                   str(data.get("model", "")), float(data.get("duration_s", 0.0)), float(data.get("words_ms", 0.0)),
                   float(data.get("llm_ms", 0.0)), float(data.get("voice_ms", 0.0)), str(data.get("error", "")))


@dataclass(frozen=True, slots=True)
class AnswerJob:
    turn: int
    audio: FloatArray


@dataclass(frozen=True, slots=True)
class Landed:
    """An answer as it landed: the microturn it arrived in and the one it describes (the pause)."""

    arrived: int
    describes: int
    answer: Answer


class AnswerWriter:
    """A `SlowPerceiver` that hears the user's turn and writes the answer (see the module docstring).

    `voice(text)` renders a sentence to 16 kHz samples in the worker (so the microturn that says it
    finds it rendered, when it is the live voice's cached synthesis); without one the answer's
    length is estimated. `consent()` says what the log may keep. Columns: `words` (words heard in
    the current turn) and `answer_ready` (1 while an answer to the current turn is ready).
    """

    def __init__(self, recognizer: Recognizer, model: LanguageModel, vad: Any, *, persona: Persona | None = None,
                 voice: Callable[[str], FloatArray] | None = None, max_tokens: int = MAX_TOKENS,
                 consent: Callable[[], Consent] = lambda: OFFLINE_CONSENT) -> None:
        self.recognizer = recognizer
        self.model = model
        self.persona = persona or Persona()
        self.voice = voice
        self.max_tokens = max_tokens
        self.consent = consent
        self.cutter = TurnCutter(vad)
        self.name = "answer"
        self.columns = ("words", "answer_ready")
        self.reset()

    def reset(self) -> None:
        self.cutter.reset()
        self.landed: list[Landed] = []
        self._index = -1
        # What the worker heard and answered per turn, in the order it worked (the same order live
        # and in a replay that recomputes): the conversation so far for the next prompt.
        self._written: dict[int, tuple[str, str]] = {}

    # -- on the loop -------------------------------------------------------------------------
    def job(self, microturn: Microturn) -> AnswerJob | None:
        self._index = microturn.index
        cut: TurnAudio | None = self.cutter.step(microturn)
        if cut is None:
            return None
        return AnswerJob(cut.turn, cut.audio)

    def history(self, *, before_turn: int) -> tuple[tuple[str, str], ...]:
        """(heard, answered) of earlier turns, the last answer the worker wrote for each."""
        return tuple(pair for turn, pair in sorted(self._written.items()) if turn < before_turn)

    def land(self, result: Answer, describes: int) -> None:
        if self.cutter.spoke_at > describes:
            return  # the user went on after that pause: a newer answer will come
        self.landed.append(Landed(self._index, describes, result))

    def values(self) -> Mapping[str, float]:
        latest = self.landed[-1].answer if self.landed else None
        current = latest is not None and latest.turn == self.cutter.turn
        return {"words": float(len(latest.heard.split())) if current and latest else 0.0,
                "answer_ready": float(current)}

    def latest(self, index: int) -> Landed | None:
        """The last answer that had landed by the end of microturn `index`."""
        for landed in reversed(self.landed):
            if landed.arrived <= index:
                return landed
        return None

    def encode(self, result: Answer) -> dict[str, Any]:
        return result.to_dict(keep_text=keeps_transcript(self.consent()))

    def decode(self, data: Mapping[str, Any]) -> Answer:
        return Answer.from_dict(data)

    # -- in the worker -----------------------------------------------------------------------
    def work(self, job: AnswerJob) -> Answer:
        started = time.perf_counter()
        heard, text, prompt, error = "", "", "", ""
        try:
            heard = self.recognizer.transcribe(job.audio)
        except Exception as exc:  # an answer that says it did not hear, not a dead session
            logger.exception("transcribing turn %d failed", job.turn)
            error = f"words: {exc!r}"
        heard_at = time.perf_counter()
        if heard.strip():
            messages = self.persona.messages(history=self.history(before_turn=job.turn), heard=heard)
            prompt = prompt_text(messages)
            try:
                text = first_sentence(self.model.stream(messages, max_tokens=self.max_tokens),
                                      max_words=self.persona.max_words)
            except Exception as exc:
                logger.exception("the language model failed on turn %d", job.turn)
                error = f"model: {exc!r}"
        written_at = time.perf_counter()
        if heard.strip() and text:
            self._written[job.turn] = (heard, text)
        text = text or NOT_HEARD
        duration = SECONDS_PER_CHAR * len(text) + 0.3
        if self.voice is not None:
            try:
                duration = float(np.asarray(self.voice(text)).size) / SAMPLE_RATE
            except Exception as exc:
                logger.exception("rendering the answer failed")
                error = error or f"voice: {exc!r}"
        done = time.perf_counter()
        return Answer(job.turn, heard, text, prompt, self.model.name, round(duration, 3),
                      (heard_at - started) * 1000, (written_at - heard_at) * 1000, (done - written_at) * 1000, error)


@dataclass(slots=True)
class AnswerProposer:
    """Offers the writer's answers at turn ends (see the module docstring); `inner` finds the turn ends.

    `inner` is a turn-end proposer (`TurnTakingProposer`): its `SPEAK` proposals mark a turn end
    and give the confidence; its backchannels pass through. The confidence of a turn end is held
    while the user stays silent, so an answer that lands after a thinking sound is still offered.
    """

    writer: AnswerWriter
    inner: Proposer
    eot_column: str = "eot"
    _confidence: float = field(default=0.0, repr=False)
    _answered_turn: int = field(default=-1, repr=False)
    _spoke_at: int = field(default=-1, repr=False)
    _answered_spoke_at: int = field(default=-1, repr=False)
    _offered: int | None = field(default=None, repr=False)

    def reset(self) -> None:
        self.inner.reset()
        self._confidence = 0.0
        self._answered_turn = -1
        self._spoke_at = -1
        self._answered_spoke_at = -1
        self._offered = None

    def propose(self, context: Context) -> Proposal:
        # An answer is used up once the policy let the agent say it (an intervention at the end of
        # the last microturn); a withheld one is offered again. Then nothing more until the user speaks.
        if self._offered is not None and context.since_intervention_s <= context.dt + 1e-9:
            self._answered_turn = max(self._answered_turn, self._offered)
            self._answered_spoke_at = self._spoke_at
        self._offered = None
        if context.user_speaking:
            self._confidence = 0.0
            self._spoke_at = context.index
        wish = self.inner.propose(context)
        if context.agent_speaking or wish.action is Action.BACKCHANNEL:
            return NOTHING if context.agent_speaking else wish
        if context.user_speaking or self._spoke_at <= self._answered_spoke_at:
            return NOTHING  # the person has the floor, or nothing was said since the last answer
        # How sure the turn ended: the inner proposer's turn end, or (after a backchannel, when the
        # inner proposer waits for new speech) the turn-end signal itself; held while the user is silent.
        eot = context.signals.get(self.eot_column, 0.0)
        self._confidence = max(self._confidence, wish.confidence if wish.action is Action.SPEAK else 0.0,
                               min(1.0, eot) if eot == eot else 0.0)
        if self._confidence <= 0.0 or (wish.action is not Action.SPEAK and self._confidence < 1e-9):
            return NOTHING
        # Ready: the latest answer landed by now, for a turn not yet answered, about a pause after
        # which the user did not speak again.
        landed = self.writer.latest(context.index)
        if landed is not None and landed.answer.turn > self._answered_turn and landed.describes >= self._spoke_at:
            self._offered = landed.answer.turn
            return Proposal(Action.SPEAK, confidence=self._confidence, urgency=self._confidence,
                            content=landed.answer.text, duration_s=max(0.2, landed.answer.duration_s),
                            source=ANSWER_SOURCE)
        return Proposal(Action.SPEAK, confidence=self._confidence, urgency=self._confidence, source=THINKING_SOURCE)
