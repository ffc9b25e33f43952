"""The talking conversation agent live in real Chromium and JupyterLab: a fake microphone asks
spoken questions with known words and known turn ends, the page notes when each utterance's first
sample plays, and the log says what the agent heard and answered.

Shared by the browser test (tests/browser/test_talk_browser.py) and the `talkback` benchmark.

    asked = questions_wav(work / "questions.wav", QUESTIONS[:2])
    with harness.chromium(asked.wav) as browser, harness.jupyterlab(root, work) as server:
        run = talk(browser, server.url, root, asked)
    run.exchanges      # question heard -> answer said, with the time to its first word
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import harness
import numpy as np

from designkit.audio.wav import read_wav, write_wav
from designkit.core.microturns import DEFAULT_DT as DT

RATE = 16_000
LEAD_S = 1.0
# Questions to a friendly conversation partner, each with words that put an answer on its topic.
QUESTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("What is a good book to read on holiday?", ("book", "read", "novel", "story", "holiday")),
    ("How can I sleep better at night?", ("sleep", "bed", "night", "rest", "relax")),
    ("What should I plant in a small garden?", ("plant", "garden", "flower", "herb", "tomato", "grow")),
    ("Can you suggest a game for a rainy day?", ("game", "rain", "play", "card", "board", "puzzle")),
    ("How do I start running in the morning?", ("run", "morning", "start", "walk", "jog", "shoe")),
    ("What is a nice place to visit in spring?", ("visit", "spring", "park", "garden", "city", "flower")),
    ("How do I make a good cup of coffee?", ("coffee", "bean", "water", "cup", "brew", "grind")),
    ("What can I do to learn a new language?", ("language", "learn", "practice", "speak", "word", "app")),
)
THINKING = ("backchannel:thinking", "speak:thinking")


@dataclass(frozen=True)
class Asked:
    """The microphone's WAV (looped by Chromium), its questions and where each one's turn ends."""

    wav: Path
    audio: np.ndarray
    questions: tuple[str, ...]
    turn_ends: tuple[float, ...]  # seconds into the WAV: the last voiced sample of each question
    gap_s: float

    @property
    def loop_s(self) -> float:
        return self.audio.size / RATE


def questions_wav(path: Path, questions: tuple[tuple[str, tuple[str, ...]], ...], *, gap_s: float = 8.0) -> Asked:
    """Each question said by the kit's voice (piper when installed), then `gap_s` of quiet room."""
    from designkit.agents.spec import agent_speaker
    from designkit.render.tts import synthesize

    voice = agent_speaker()
    rng = np.random.default_rng(0)
    pieces = [np.zeros(int(LEAD_S * RATE), np.float32)]
    ends = []
    at = LEAD_S
    for text, _ in questions:
        said = synthesize(text, voice).samples.astype(np.float32)
        said = 0.6 * said / max(1e-6, float(np.max(np.abs(said))))
        voiced = np.flatnonzero(np.abs(said) > 0.01)
        ends.append(at + (int(voiced[-1]) + 1) / RATE)
        pieces += [said, np.zeros(int(gap_s * RATE), np.float32)]
        at += (said.size + int(gap_s * RATE)) / RATE
    audio = np.concatenate(pieces)
    audio = audio + (rng.standard_normal(audio.size) * 10 ** (-60 / 20)).astype(np.float32)  # a quiet room
    return Asked(write_wav(path, audio, RATE), audio, tuple(q for q, _ in questions), tuple(ends), gap_s)


def notebook(path: Path, *, log_dir: Path) -> Path:
    """The conversation agent (talking where the extra is installed); the cell waits for the models to
    load before the gate shows. The person ticks keeping their audio and words at the gate (`talk`)."""
    return harness.live_notebook(path, log_dir=log_dir, agent="conversation()", name="talk",
                                 extra="session.agent.warm()\n")


@dataclass(frozen=True)
class Exchange:
    question: str  # what the microphone asked
    heard: str  # what the agent heard (the log keeps it: the person ticked keeping their words)
    answer: str  # what it said
    turn_end_s: float  # on the session timeline, from the script
    first_word_s: float  # turn end -> the answer's first sample played on the page (nan: no answer)
    thinking: tuple[str, ...]  # what it said while thinking (fillers), in order
    llm_ms: float = math.nan
    words_ms: float = math.nan
    voice_ms: float = math.nan
    pause_s: float = math.nan  # turn end -> the end of the microturn in which the VAD declared the pause
    landed_s: float = math.nan  # turn end -> the end of the microturn in which the answer landed

    def line(self) -> str:
        if not self.answer:
            return f"asked “{self.question}”: no answer before the next question"
        filler = f" (first: {' / '.join(self.thinking)})" if self.thinking else ""
        return (f"heard “{self.heard}” -> said “{self.answer}”, first word {self.first_word_s:.2f} s after the "
                f"turn end{filler}; pause declared at {self.pause_s:.2f} s, then words {self.words_ms:.0f} ms, "
                f"model {self.llm_ms:.0f} ms, voice {self.voice_ms:.0f} ms, landed at {self.landed_s:.2f} s")


@dataclass
class TalkRun:
    listening: str
    folder: Path
    said: list[dict[str, Any]]
    rtts: list[float]
    offset_s: float  # WAV time at session time 0
    exchanges: list[Exchange] = field(default_factory=list)


def circular_lag(recorded: np.ndarray, reference: np.ndarray, *, block_s: float = 0.02) -> float:
    """Where in the looped `reference` the recording starts (seconds), by envelope correlation."""
    size = int(block_s * RATE)

    def env(a: np.ndarray) -> np.ndarray:
        n = a.size // size
        return np.sqrt(np.mean(np.square(a[: n * size].reshape(n, size)), axis=1))

    rec, ref = env(recorded), env(reference)
    rec = rec[: min(rec.size, ref.size)]
    tiled = np.concatenate([ref, ref])
    scores = [float(np.corrcoef(rec, tiled[lag: lag + rec.size])[0, 1]) for lag in range(ref.size)]
    return int(np.argmax(scores)) * block_s


def talk(browser: Any, url: str, root: Path, asked: Asked, *, seconds: float | None = None) -> TalkRun:
    """Open the agent, allow, stream `seconds` (one loop of the questions and an answer's time), revoke."""
    logs = root / "talk-logs"
    notebook(root / "talk.ipynb", log_dir=logs)
    page = harness.new_page(browser)
    page.goto(f"{url}/lab/tree/talk.ipynb?reset")
    harness.run_all_cells(page)
    harness.wait_allow(page, timeout_ms=300_000)  # the cell loads Whisper and the model first
    listening = page.inner_text(".dk-listening")
    seconds = seconds if seconds is not None else asked.loop_s + 1.0
    page.check(".dk-keep-audio")
    page.check(".dk-keep-transcript")  # shown because the agent hears words: without it no words are logged
    page.click(".dk-allow >> visible=true")
    harness.wait_live(page, f"s.replies >= {int(seconds / 0.2)}", timeout_ms=int(seconds * 4000) + 60_000)
    said = harness.live_state(page, "s.said || []")
    rtts = harness.live_state(page, "s.rtts")
    page.click(".dk-revoke >> visible=true")
    folder = next(p for p in logs.iterdir() if p.is_dir())
    harness.wait_for(lambda: (folder / "recording.json").is_file(), timeout=60, what="the log to close")
    page.context.close()
    offset = circular_lag(read_wav(folder / "audio.wav"), asked.audio)
    run = TalkRun(listening, folder, said, rtts, offset)
    run.exchanges = exchanges(run, asked, seconds)
    return run


def logged_answers(folder: Path) -> list[dict[str, Any]]:
    """The first sentence of every answer the log holds, as it landed."""
    from designkit.log import read_log

    return [{**e["data"]["result"], "describes": e["data"]["describes"], "arrived": e["data"]["arrived"]}
            for e in read_log(folder / "log.parquet").events()
            if e["kind"] == "arrival" and e["data"].get("perceiver") == "answer" and "result" in e["data"]
            and not e["data"]["result"].get("part", 0)]


def exchanges(run: TalkRun, asked: Asked, seconds: float) -> list[Exchange]:
    """Each scripted turn end inside the run, with the answer said after it (before the next one)."""
    answers = {a["text"]: a for a in logged_answers(run.folder)}
    ends = sorted(e - run.offset_s + k * asked.loop_s for k in (-1, 0, 1) for e in asked.turn_ends)
    questions = {round(e - run.offset_s + k * asked.loop_s, 6): q for k in (-1, 0, 1)
                 for e, q in zip(asked.turn_ends, asked.questions, strict=True)}
    out = []
    for end in ends:
        if end < 0 or end + asked.gap_s - 1.0 > seconds:
            continue  # asked before the session started, or no time left to answer inside the run
        window = [s for s in run.said if s.get("onset") is not None and end - 0.2 <= s["onset"] < end + asked.gap_s]
        answer = next((s for s in window if s.get("reason") == "speak:turn_end"), None)
        thinking = tuple(s["content"] for s in window if s.get("reason") in THINKING
                         and (answer is None or s["onset"] <= answer["onset"]))
        logged = answers.get(answer["content"], {}) if answer is not None else {}
        out.append(Exchange(questions[round(end, 6)], str(logged.get("heard", "")),
                            answer["content"] if answer is not None else "", end,
                            answer["onset"] - end if answer is not None else math.nan, thinking,
                            float(logged.get("llm_ms", math.nan)), float(logged.get("words_ms", math.nan)),
                            float(logged.get("voice_ms", math.nan)), _microturn_end(logged, "describes") - end,
                            _microturn_end(logged, "arrived") - end))
    return out


def _microturn_end(logged: dict[str, Any], key: str) -> float:
    return (int(logged[key]) + 1) * DT if key in logged else math.nan


def replay_equals_live(folder: Path) -> bool:
    """The kept session replayed with its log's answers decides what the agent did live."""
    from designkit.agents import conversation
    from designkit.log import read_log
    from designkit.widgets import load_session

    log = read_log(folder / "log.parquet")
    live = log.frame.iloc[:-1]  # the last row is the revocation
    replayed = conversation.build().replay(load_session(folder), log.events())
    return [(r.decision.action.value, r.decision.reason.value, r.decision.content)
            for r in replayed[: len(live)]] == list(zip(live["action"], live["reason"], live["content"], strict=True))


def summary(run: TalkRun) -> dict[str, Any]:
    return {"listening": run.listening, "offset_s": run.offset_s,
            "exchanges": [e.line() for e in run.exchanges], "said": json.dumps(run.said)[:2000]}
