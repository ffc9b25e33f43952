"""Benchmark `talkback`: the agent that hears words and answers them.

- `asr_wer`: word error rate of Whisper tiny.en over 20 held-out sentences voiced by the kit's
  voice (piper when installed, else espeak-ng; the line says which).
- `answers_on_persona`: share of 10 held-out questions (never used to write the persona or its
  examples) whose answer from the packaged SmolLM2-135M-Instruct is one English sentence of at
  most 25 words, on the question's topic (a keyword list beside each question) and free of
  assistant boilerplate.
- `thinking_policy_respected`: with "filler after 400 ms" every answer later than 400 ms after
  the turn end is preceded by a filler, and no earlier one is; with "silent" none is.
- `replay_equals_live`: a live run (worker beside the loop) and the replay of its log decide alike.
- `first_word_p50_s`, `first_word_p95_s`: live, in real Chromium + JupyterLab, the conversation
  agent with the real models hears spoken questions from a fake microphone (the kit's voice, known
  words, known turn ends; tests/browser/talk_live.py); from each question's turn end (the script's
  last voiced sample) to the first sample of the answer played on the page (fillers do not count).
  A question left unanswered counts as the whole wait before the next one. The line lists the
  exchanges (heard -> said, with timings), the box's load average and whether the kept session
  replays from its log to the live decisions.
- `roundtrip_p95_ms`: in the same run, an audio chunk sent by the page -> its decision back, with
  recognition and the model working beside the loop (the first second left out).
"""

from __future__ import annotations

import importlib.util
import math
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from designkit.core import Engine, Session
from designkit.core.beside import Beside, arrivals_in, results_in
from designkit.core.decisions import Reason
from designkit.core.session import Consent
from designkit.core.streams import SAMPLE_RATE
from designkit.perception.audio.silero import SileroVAD
from designkit.perception.language.words import Words
from designkit.policy import Policy
from designkit.proposers.answer import AnswerWriter
from designkit.proposers.answer_proposer import AnswerProposer
from designkit.proposers.llm.local_gguf import GGUFModel
from designkit.proposers.llm.persona import Persona
from designkit.proposers.llm.sentences import first_sentence, is_boilerplate
from designkit.proposers.llm.stub import StubModel
from designkit.proposers.pause import PauseProposer
from designkit.render import tts

HELD_OUT_SENTENCES = (
    "the train to the city leaves at nine", "can you open the window a little", "my sister lives near the sea",
    "we need more milk and some bread", "turn the music down please", "the meeting moved to friday afternoon",
    "i left my keys on the kitchen table", "how far is the nearest station", "it is going to rain tomorrow",
    "please send me the report tonight", "the children are playing in the garden", "where did you park the car",
    "i would like a cup of green tea", "the shop closes at six today", "call me when you get home",
    "this book is about the history of music", "the doctor will see you now", "we walked along the river",
    "put the boxes in the blue room", "what is the name of your dog",
)
# Held out from the persona and its examples; each with the words that put an answer on its topic.
PERSONA = Persona("You are a friendly cooking assistant.")
QUESTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("How long should I boil an egg?", ("egg", "boil", "minute")),
    ("What can I cook with rice and beans?", ("rice", "bean")),
    ("How do I make a simple tomato sauce?", ("tomato", "sauce", "garlic", "onion")),
    ("What herbs go well with roast chicken?", ("herb", "chicken", "thyme", "rosemary", "sage", "parsley")),
    ("How do I keep pasta from sticking together?", ("pasta", "stick", "water", "stir", "oil")),
    ("What is a quick breakfast idea?", ("breakfast", "egg", "oat", "toast", "yogurt", "fruit", "pancake")),
    ("How can I make my soup thicker?", ("soup", "thick", "flour", "potato", "cream", "starch")),
    ("What should I bake for a birthday?", ("bake", "cake", "birthday", "cookie", "cupcake")),
    ("How do I cook salmon in the oven?", ("salmon", "oven", "bake", "minute", "degree")),
    ("What vegetables are good in a stir fry?", ("vegetable", "stir", "pepper", "broccoli", "carrot", "onion")),
)
# The quiet after each live question: time for the answer on a loaded box (an unanswered one counts as it).
GAP_S = 16.0
ENGLISH = set("abcdefghijklmnopqrstuvwxyz'-,.!?;: 0123456789")


def _line(metric: str, value: float, unit: str, goal: str, **extra: Any) -> dict[str, Any]:
    return {"metric": metric, "value": round(float(value), 4), "unit": unit, "goal": goal, **extra}


def _wer(truth: str, heard: str) -> tuple[int, int]:
    a = truth.lower().split()
    b = "".join(c for c in heard.lower() if c.isalnum() or c in " '").split()
    d = np.arange(len(b) + 1)
    for i, word in enumerate(a, 1):
        prev, d[0] = d.copy(), i
        for j, other in enumerate(b, 1):
            d[j] = min(prev[j] + 1, d[j - 1] + 1, prev[j - 1] + (word != other))
    return int(d[-1]), len(a)


def _voice() -> tuple[Any, str]:
    if importlib.util.find_spec("piper") is not None:
        try:
            return tts.Voice(engine="piper"), "piper joe-us"
        except Exception:
            pass
    return None, "espeak-ng"


def asr(quick: bool) -> Iterator[dict[str, Any]]:
    words = Words()
    words.load()
    voice, voice_name = _voice()
    errors = total = 0
    for text in HELD_OUT_SENTENCES:
        audio = tts.synthesize(text, voice).samples.astype(np.float32)
        e, n = _wer(text, words.transcribe(audio))
        errors, total = errors + e, total + n
    yield _line("asr_wer", errors / total, "ratio", "<= 0.15", voice=voice_name, sentences=len(HELD_OUT_SENTENCES))


def on_persona(answer: str, keywords: tuple[str, ...]) -> bool:
    lowered = answer.lower()
    one_sentence = answer.strip() != "" and answer.count(". ") + answer.count("? ") + answer.count("! ") == 0
    return (one_sentence and len(answer.split()) <= 25 and set(lowered) <= ENGLISH
            and any(k in lowered for k in keywords) and not is_boilerplate(answer))


def persona(quick: bool) -> Iterator[dict[str, Any]]:
    model = GGUFModel()
    started = time.perf_counter()
    model.load()
    load_s = time.perf_counter() - started
    good, seconds = 0, []
    for question, keywords in QUESTIONS:
        t = time.perf_counter()
        answer = first_sentence(model.stream(PERSONA.messages(history=(), heard=question), max_tokens=48),
                                max_words=40)
        seconds.append(time.perf_counter() - t)
        good += on_persona(answer, keywords)
    yield _line("answers_on_persona", good / len(QUESTIONS), "share", ">= 0.8", model=model.name,
                load_s=round(load_s, 1), answer_p50_s=round(float(np.median(seconds)), 2))


ANSWERS = {"egg": "Boil an egg for about seven minutes.", "rice": "Beans and lime go well with rice."}
ASKED = ("how long should I boil an egg", "what goes well with rice")
KEEP = Consent(given_at=0.0, keep=frozenset({"signals", "transcript"}))


class _Known:
    """Hears the scripted question whose spoken length is nearest the audio's (no model: timing only)."""

    def __init__(self) -> None:
        self.lengths = {t: tts.synthesize(t).samples.size / SAMPLE_RATE for t in ASKED}

    def transcribe(self, audio: np.ndarray) -> str:
        return min(self.lengths, key=lambda t: abs(self.lengths[t] - (audio.size / SAMPLE_RATE - 0.6)))


def _engine(policy: Policy, ears: _Known, **beside: Any) -> tuple[Engine, Beside]:
    holder: dict[str, Engine] = {}
    writer = AnswerWriter(ears, StubModel(ANSWERS), SileroVAD(), consent=lambda: holder["e"].state.consent)
    slow = Beside(writer, **beside)
    engine = Engine([SileroVAD(), slow], policy, proposer=AnswerProposer(writer, PauseProposer(sure_after_s=0.4)),
                    consent=KEEP)
    holder["e"] = engine
    return engine, slow


def thinking(quick: bool) -> Iterator[dict[str, Any]]:
    pieces = [np.zeros(int(0.6 * SAMPLE_RATE), np.float32)]
    for text in ASKED:
        pieces += [tts.synthesize(text).samples.astype(np.float32), np.zeros(6 * SAMPLE_RATE, np.float32)]
    session = Session.from_array(np.concatenate(pieces), chunk_s=0.2, name="asked")
    ears = _Known()
    base = Policy(confidence=0.5, pause_s=0.4)
    respected = True
    for delay in (1, 2, 4, 6, 10):
        for mode in ("filler", "silent"):
            engine, _ = _engine(base.replace(thinking=mode, thinking_after_s=0.4), ears, delay=delay)
            records = engine.replay(session)
            offsets = [r.index for r in records[1:] if not r.user_speaking and records[r.index - 1].user_speaking]
            firsts: dict[int, Any] = {}  # each turn end's answer: its first part (the rest follows it)
            for answer in (r for r in records if r.decision.reason is Reason.TURN_END):
                firsts.setdefault(max(k for k in offsets if k <= answer.index), answer)
            for turn_end, answer in firsts.items():
                late = (answer.index - turn_end) * 0.2 > 0.4 + 1e-9
                filled = any(r.decision.reason is Reason.THINKING_FILLER for r in records[turn_end:answer.index])
                respected &= filled == (late and mode == "filler")
    yield _line("thinking_policy_respected", float(respected), "bool", "= 1")
    engine, slow = _engine(base.replace(thinking="filler", thinking_after_s=0.4), ears)
    live = engine.step_through(session, between=lambda: slow.wait(30.0))
    events = [e for r in live for e in r.events]
    again, _ = _engine(base.replace(thinking="filler", thinking_after_s=0.4), ears,
                       arrivals=arrivals_in(events, "answer"), results=results_in(events, "answer"))
    same = [r.decision for r in again.replay(session)] == [r.decision for r in live]
    yield _line("replay_equals_live", float(same), "bool", "= 1")


def live(quick: bool) -> Iterator[dict[str, Any]]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "browser"))
    import harness
    import talk_live

    questions = talk_live.QUESTIONS[:3] if quick else talk_live.QUESTIONS
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="designkit-talkback-") as tmp:
        work = Path(tmp)
        root = work / "root"
        root.mkdir()
        asked = talk_live.questions_wav(work / "questions.wav", questions, gap_s=GAP_S)
        with harness.chromium(asked.wav) as browser, harness.jupyterlab(root, work) as server:
            run = talk_live.talk(browser, server.url, root, asked)
        replayed = talk_live.replay_equals_live(run.folder)
    load = [round(x, 2) for x in (*load_before, *os.getloadavg())]
    waits = np.array([asked.gap_s if math.isnan(e.first_word_s) else e.first_word_s for e in run.exchanges])
    detail = {"questions": len(run.exchanges), "unanswered": int(sum(math.isnan(e.first_word_s) for e in run.exchanges)),
              "with_filler": sum(bool(e.thinking) for e in run.exchanges), "exchanges": [e.line() for e in run.exchanges],
              "listening": run.listening, "replay_equals_live": int(replayed), "loadavg_before_after": load,
              "cpus": os.cpu_count()}
    yield _line("first_word_p50_s", float(np.percentile(waits, 50)) if waits.size else math.nan, "s", "<= 1.2",
                detail=detail)
    yield _line("first_word_p95_s", float(np.percentile(waits, 95)) if waits.size else math.nan, "s", "<= 2.0")
    rtts = np.array(run.rtts[5:], dtype=float)
    yield _line("roundtrip_p95_ms", float(np.percentile(rtts, 95)) if rtts.size else math.nan, "ms", "<= 20",
                detail={"p50_ms": round(float(np.median(rtts)), 2) if rtts.size else None, "chunks": int(rtts.size),
                        "max_ms": round(float(rtts.max()), 1) if rtts.size else None})


def run(quick: bool = False) -> Iterator[dict[str, Any]]:
    yield from thinking(quick)
    yield from asr(quick)
    yield from persona(quick)
    yield from live(quick)
