"""Answers in words: hear the user's turn, write an answer with a language model, offer it to the policy.

Two halves, like every slow model in the kit (`core/beside.py`):

- `AnswerWriter` runs beside the loop. On the loop it keeps the user's turn (`TurnCutter`); at
  each pause the VAD declares it hands the turn so far to the worker, which transcribes it
  (Whisper tiny.en), asks the language model with the persona and the conversation so far, reads
  the stream up to the first whole sentence (or, sooner, its first clause or phrase of
  `FIRST_PART_WORDS` words or more: "In a small garden," / "The best book,") and renders it with
  the live voice. The answer lands on the microturn in which it is ready; the model goes on
  writing, and once a part landed the loop asks for the next one (`MoreJob`), so each part lands,
  and is said, as soon as it exists and the one before it has been said. Each logged with the
  microturn it describes (and, when the consent keeps `transcript`, with the words heard and the
  prompt), so a replay holds what live held. Starting at the pause, not at the policy's decision,
  overlaps the work with the policy's wait for a turn end. An answer about a pause after which the
  user spoke again is stale and dropped.
- `AnswerProposer` (`designkit.proposers.answer_proposer`) offers the landed answers to the policy.

    writer = AnswerWriter(Words(), GGUFModel(), SileroVAD(), persona=Persona("You are a cook."))
    engine = Engine([SileroVAD(), TurnTakingModel(), Beside(writer)], policy,
                    proposer=AnswerProposer(writer, TurnTakingProposer()))
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit.core.microturns import Microturn
from designkit.core.session import OFFLINE_CONSENT, TRANSCRIPT, Consent
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError
from designkit.perception.language.words import (
    Recognizer,
    TurnAudio,
    TurnCutter,
    is_question,
    keeps_transcript,
)
from designkit.proposers.llm.chat import LanguageModel
from designkit.proposers.llm.persona import Persona, prompt_text
from designkit.proposers.llm.sentences import sentences

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]
MAX_TOKENS = 48
MAX_PARTS = 4  # parts said per answer at most: the first clause, the rest of its sentence, two more
# The first part said may end at a clause end, or before a joining word ("to", "for"), once it has at
# least this many words (llm/sentences.py): on 2 CPU cores the model writes a word in ~0.06 s.
FIRST_PART_WORDS = 3
RENDERED_KEPT = 8
# The VAD that cuts the person's turn for the answers declares a pause after 0.1 s of quiet (the
# policy's waits 0.2 s): the words and the model start ~0.1 s sooner, and a cut inside a turn is
# given up as soon as the person goes on.
CUT_HANGOVER_S = 0.1
# Said when nothing was heard or the model failed: a question back, not an apology.
NOT_HEARD = "Could you say that again?"
SECONDS_PER_CHAR = 0.065  # a length estimate when no voice renders the answer (espeak-ng, 175 wpm)


@dataclass(frozen=True, slots=True)
class Steps:
    """How long each step of an answer took: hearing the words, the model writing, the voice rendering.
    The field names are the logged keys, so the log and the class cannot drift apart."""

    words_ms: float = 0.0
    llm_ms: float = 0.0
    voice_ms: float = 0.0

    @property
    def work_ms(self) -> float:
        return self.words_ms + self.llm_ms + self.voice_ms

    def to_dict(self) -> dict[str, float]:
        return {f.name: round(getattr(self, f.name), 1) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Steps:
        return cls(**{f.name: float(data.get(f.name, 0.0)) for f in fields(cls)})


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """One answer: what was heard, what the agent will say, the prompt, and how long each step took.
    Keyword-only: with this many fields, a call by position would silently shift when one is added."""

    turn: int
    heard: str
    text: str
    prompt: str = ""
    model: str = ""
    duration_s: float = 0.0
    steps: Steps = Steps()
    error: str = ""
    part: int = 0  # the answer's part (its first clause or a sentence): 0 the first
    more: bool = False  # the model may have another part
    heard_words: int = -1  # how many words were heard (logged always; -1: count `heard`)
    asked: bool = False  # the words heard end in a question mark (logged always, unlike the words)

    @property
    def words(self) -> int:
        """Words heard: logged even where the consent does not keep them, so a replay's column is live's."""
        return self.heard_words if self.heard_words >= 0 else len(self.heard.split())

    def to_dict(self, *, keep_text: bool) -> dict[str, Any]:
        """As logged: the words heard and the prompt only when the consent keeps `transcript`."""
        out: dict[str, Any] = {"turn": self.turn, "text": self.text, "model": self.model,
                               "duration_s": round(self.duration_s, 3), **self.steps.to_dict(), "words": self.words}
        if keep_text:
            out.update(heard=self.heard, prompt=self.prompt)
        if self.error:
            out["error"] = self.error
        if self.part or self.more:
            out.update(part=self.part, more=self.more)
        if self.asked:
            out["asked"] = True
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Answer:
        return cls(turn=int(data["turn"]), heard=str(data.get("heard", "")), text=str(data["text"]),
                   prompt=str(data.get("prompt", "")), model=str(data.get("model", "")),
                   duration_s=float(data.get("duration_s", 0.0)), steps=Steps.from_dict(data),
                   error=str(data.get("error", "")), part=int(data.get("part", 0)),
                   more=bool(data.get("more", False)), heard_words=int(data.get("words", -1)),
                   asked=bool(data.get("asked", False)))


@dataclass(frozen=True, slots=True)
class AnswerJob:
    turn: int
    audio: FloatArray
    cut_at: int = -1  # the microturn of the pause: once the person spoke after it, the job is given up


@dataclass(frozen=True, slots=True)
class MoreJob:
    """The next sentence of the answer to `turn` (asked for once sentence `part - 1` landed)."""

    turn: int
    part: int


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

    keeps = (TRANSCRIPT,)  # what the consent is asked for (core.session.kept_text)

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
        # The last sentences rendered in the worker, so the live voice says them without rendering again.
        self._rendered: OrderedDict[str, FloatArray] = OrderedDict()
        self._rendered_lock = threading.Lock()
        self.name = "answer"
        self.columns = ("words", "answer_ready")
        self.reset()

    def reset(self) -> None:
        self.cutter.reset()
        self.landed: list[Landed] = []
        self._index = -1
        self._more: tuple[MoreJob, int] | None = None  # the next sentence to ask for, and its pause
        self._close_stream()
        # What the worker heard and answered per turn, in the order it worked (the same order live
        # and in a replay that recomputes): the conversation so far for the next prompt.
        self._written: dict[int, tuple[str, str]] = {}

    # -- on the loop -------------------------------------------------------------------------
    def job(self, microturn: Microturn) -> AnswerJob | MoreJob | None:
        self._index = microturn.index
        cut: TurnAudio | None = self.cutter.step(microturn)
        if cut is not None:
            self._more = None
            return AnswerJob(cut.turn, cut.audio, microturn.index)
        more, self._more = self._more, None
        if more is not None and self.cutter.spoke_at <= more[1]:
            return more[0]  # the person is still silent since the pause: the next sentence
        return None

    def history(self, *, before_turn: int) -> tuple[tuple[str, str], ...]:
        """(heard, answered) of earlier turns, the last answer the worker wrote for each."""
        return tuple(pair for turn, pair in sorted(self._written.items()) if turn < before_turn)

    def land(self, result: Answer, describes: int) -> None:
        if self.cutter.spoke_at > describes:
            return  # the user went on after that pause: a newer answer will come
        pause = describes if result.part == 0 else self._pause_of(result.turn, describes)
        if result.text:
            self.landed.append(Landed(self._index, describes, result))
        if result.more and result.part + 1 < MAX_PARTS:
            self._more = (MoreJob(result.turn, result.part + 1), pause)

    def _pause_of(self, turn: int, describes: int) -> int:
        first = next((x for x in reversed(self.landed) if x.answer.turn == turn and x.answer.part == 0), None)
        return first.describes if first is not None else describes

    def values(self) -> Mapping[str, float]:
        first = self.first_part(self._index)
        latest = first.answer if first is not None else None
        current = latest is not None and latest.turn == self.cutter.turn
        return {"words": float(latest.words) if current and latest else 0.0,
                "answer_ready": float(current)}

    def first_part(self, index: int) -> Landed | None:
        """The first sentence of the last answer that had landed by the end of microturn `index`."""
        for landed in reversed(self.landed):
            if landed.arrived <= index and landed.answer.part == 0:
                return landed
        return None

    def part(self, turn: int, part: int, index: int) -> Landed | None:
        """Sentence `part` of the answer to `turn`, if it had landed by the end of microturn `index`."""
        for landed in reversed(self.landed):
            if landed.arrived <= index and landed.answer.turn == turn and landed.answer.part == part:
                return landed
        return None

    def encode(self, result: Answer) -> dict[str, Any]:
        return result.to_dict(keep_text=keeps_transcript(self.consent()))

    def decode(self, data: Mapping[str, Any]) -> Answer:
        return Answer.from_dict(data)

    # -- in the worker -----------------------------------------------------------------------
    def _close_stream(self) -> None:
        stream = self.__dict__.get("_stream")
        if stream is not None:
            _, said, pieces = stream
            said.close()
            if isinstance(pieces, Generator):
                pieces.close()  # stops the model writing what nobody will say
        self._stream: tuple[int, Generator[str, None, None], Iterator[str]] | None = None

    def work(self, job: AnswerJob | MoreJob) -> Answer:
        if isinstance(job, MoreJob):
            return self._next_sentence(job)
        self._close_stream()
        started = time.perf_counter()
        heard, text, prompt, error = "", "", "", ""
        try:
            heard = self.recognizer.transcribe(job.audio)
        except Exception as exc:  # an answer that says it did not hear, not a dead session
            logger.exception("transcribing turn %d failed", job.turn)
            error = f"words: {exc!r}"
        heard_at = time.perf_counter()
        if heard.strip() and not self._given_up(job):
            messages = self.persona.messages(history=self.history(before_turn=job.turn), heard=heard)
            prompt = prompt_text(messages)
            try:
                pieces = self.model.stream(messages, max_tokens=self.max_tokens)
                said = sentences(self._while_wanted(pieces, job), first_clause_words=FIRST_PART_WORDS,
                                 first_phrase_words=FIRST_PART_WORDS)
                self._stream = (job.turn, said, pieces)
                text = self._cut(next(said, ""))
            except Exception as exc:
                logger.exception("the language model failed on turn %d", job.turn)
                error = f"model: {exc!r}"
                self._close_stream()
        written_at = time.perf_counter()
        if self._given_up(job):  # nothing to say, nothing to render: it would be dropped on landing
            self._close_stream()
            steps = Steps((heard_at - started) * 1000, (written_at - heard_at) * 1000)
            return Answer(turn=job.turn, heard="", text="", model=self.model.name, steps=steps,
                          heard_words=len(heard.split()))
        if heard.strip() and text:
            self._written[job.turn] = (heard, text)
        more = bool(text) and self._stream is not None
        text = text or NOT_HEARD
        duration, error = self._render(text, error, going_on=more)
        done = time.perf_counter()
        steps = Steps((heard_at - started) * 1000, (written_at - heard_at) * 1000, (done - written_at) * 1000)
        return Answer(turn=job.turn, heard=heard, text=text, prompt=prompt, model=self.model.name,
                      duration_s=round(duration, 3), steps=steps, error=error, more=more, asked=is_question(heard))

    def _given_up(self, job: AnswerJob) -> bool:
        """Whether the person spoke after the pause the job answers (live only: a replay works each
        job in its own microturn, before any later speech). The VAD beside the answers cuts at short
        pauses (`CUT_HANGOVER_S`), so some cuts fall inside a turn; giving their jobs up keeps the
        worker free for the pause that ends it."""
        return 0 <= job.cut_at < self.cutter.spoke_at

    def _while_wanted(self, pieces: Iterator[str], job: AnswerJob) -> Iterator[str]:
        for piece in pieces:
            if self._given_up(job):
                return
            yield piece

    def _next_sentence(self, job: MoreJob) -> Answer:
        started = time.perf_counter()
        text, error = "", ""
        if self._stream is not None and self._stream[0] == job.turn:
            try:
                text = self._cut(next(self._stream[1], ""))
            except Exception as exc:
                logger.exception("the language model failed on turn %d", job.turn)
                error = f"model: {exc!r}"
        if not text:
            self._close_stream()
            return Answer(turn=job.turn, heard="", text="", model=self.model.name, error=error, part=job.part)
        heard, said = self._written.get(job.turn, ("", ""))
        self._written[job.turn] = (heard, f"{said} {text}".strip())
        written_at = time.perf_counter()
        duration, error = self._render(text, error)
        steps = Steps(llm_ms=(written_at - started) * 1000, voice_ms=(time.perf_counter() - written_at) * 1000)
        return Answer(turn=job.turn, heard="", text=text, model=self.model.name, duration_s=round(duration, 3),
                      steps=steps, error=error, part=job.part, more=job.part + 1 < MAX_PARTS)

    def _cut(self, sentence: str) -> str:
        words = sentence.split()
        return " ".join(words[: self.persona.max_words]) if len(words) > self.persona.max_words else sentence

    def _render(self, text: str, error: str, *, going_on: bool = False) -> tuple[float, str]:
        """How long the voice takes to say `text` (rendered here, so the live voice finds it ready).
        A first part cut before its clause ends (`going_on`, "The best book") is voiced as a phrase
        that goes on ("The best book,"), not as a sentence that ends."""
        duration = SECONDS_PER_CHAR * len(text) + 0.3
        if self.voice is not None:
            spoken = f"{text}," if going_on and text[-1:].isalnum() else text
            try:
                audio = np.asarray(self.voice(spoken), dtype=np.float32)
                duration = float(audio.size) / SAMPLE_RATE
                with self._rendered_lock:
                    self._rendered[text] = audio
                    while len(self._rendered) > RENDERED_KEPT:
                        self._rendered.popitem(last=False)
            except Exception as exc:
                logger.exception("rendering the answer failed")
                error = error or f"voice: {exc!r}"
        return duration, error

    def synthesize(self, text: str) -> FloatArray:
        """The voice's samples for `text`: those rendered when the answer was written, else rendered now.
        The live voice says the answers through it, so an answer is rendered once."""
        with self._rendered_lock:
            audio = self._rendered.pop(text, None)
        if audio is not None:
            return audio
        if self.voice is None:
            raise InputError("answer voice", expected="a voice to render with", got=None,
                             fix="give AnswerWriter(voice=...) to say answers through it")
        return np.asarray(self.voice(text), dtype=np.float32)
