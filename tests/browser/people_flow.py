"""A study with people driven through its pages in real Chromium: the facilitator's console and the
participant's screen in JupyterLab, sessions with a fake microphone, markers by key, ratings by
mouse or keyboard. Plain functions, shared by the browser test and `benchmarks/people.py`.

    notebook = facilitator_notebook(lab_root / "p01.ipynb", study_folder)
    page.goto(lab.notebook_url(notebook.name)); harness.run_all_cells(page)
    begin(page, "P01")
    session = run_session(page, marks_at=(8, 20))      # Allow, talk, M twice, the task ends
    rate_by_mouse(page, {"interrupted": 6, ...})       # or rate_by_keyboard
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import harness
import numpy as np
import offline

from designkit.audio.wav import write_wav

RATE = 16_000
CONSOLE = ".dk-facilitator"
SCREEN = ".dk-participant-screen"
RATING = ".dk-rating"
SOURCE = """\
from designkit.core.engine import Engine
from designkit.perception.audio.energy import EnergyVAD
from designkit.proposers.pause import PauseProposer
from designkit.widgets.facilitator import Facilitator
from designkit.widgets.live import LiveSession


def loudness_agent(condition, policy, log_dir, name):
    # The loudness detector and the pause proposer with the condition's policy: no model files.
    engine = Engine([EnergyVAD()], policy, proposer=PauseProposer())
    return LiveSession(engine, log_dir=log_dir, name=name, voice={voice}, title="Talk with the agent")


facilitator = Facilitator({folder!r}, session_factory=loudness_agent)
display(facilitator)
display(facilitator.screen)
"""
# Sentences a participant says, with the pause after each (some short, mid-turn; some long).
LINES = (("I would like to go to the mountains this summer.", 0.5),
         ("Maybe to Norway, or to the Alps.", 1.6),
         ("I have never been there before.", 0.4),
         ("And I want to walk for a week.", 1.8))
VOICES = (("en-us", 150, 40), ("en+f3", 175, 60), ("en+m3", 165, 30), ("en-us+f2", 140, 70))


def facilitator_notebook(path: Path, study_folder: Path, *, voice: bool = False) -> Path:
    """A one-cell notebook that shows the facilitator's console and the participant's screen."""
    return offline.notebook(path, [SOURCE.format(folder=str(study_folder), voice=voice)])


def participant_wav(path: Path, index: int) -> Path:
    """A participant's voice for the fake microphone: the same lines in a different espeak-ng voice,
    rate and pitch per participant, with short pauses inside the turn and long ones after it."""
    from designkit.render.tts import Voice, synthesize

    name, rate, pitch = VOICES[index % len(VOICES)]
    pieces = [np.zeros(int(0.6 * RATE), np.float32)]
    for k, (line, pause) in enumerate(LINES):
        speech = synthesize(line, Voice(name=name, rate=rate, pitch=pitch))
        pieces += [speech.samples * 0.6, np.zeros(int((pause + 0.2 * ((k + index) % 3)) * RATE), np.float32)]
    return write_wav(path, np.concatenate(pieces), RATE)


def open_console(page: Any, url: str) -> None:
    """Open the notebook in Lab, run it, wait for the console."""
    page.goto(url, wait_until="domcontentloaded")
    harness.run_all_cells(page)
    page.wait_for_selector(f"{CONSOLE} >> text=Begin", timeout=180_000)


def status(page: Any) -> str:
    return str(page.inner_text(f"{CONSOLE} .dk-facilitator-status"))


def wait_status(page: Any, text: str, *, timeout_ms: float = 60_000) -> None:
    """Wait until the console's status line says `text`; on a timeout say what it says instead."""
    try:
        page.locator(f"{CONSOLE} .dk-facilitator-status", has_text=text).wait_for(timeout=timeout_ms)
    except Exception as exc:
        raise AssertionError(f"the console did not say {text!r}; it says: {status(page)!r}") from exc


def begin(page: Any, participant: str) -> None:
    """Type the participant's id, Begin, tick their agreement, Record consent."""
    page.fill(f"{CONSOLE} input[type=text] >> nth=0", participant)
    page.click(f"{CONSOLE} button:has-text('Begin')")
    wait_status(page, f"{participant}:")
    page.check(f"{CONSOLE} label:has-text('The participant agreed') input")
    page.click(f"{CONSOLE} button:has-text('Record consent'):not([disabled])")
    wait_status(page, "consent recorded")


@dataclass(frozen=True)
class Session:
    """What the page saw of one session: the chunk being captured when each marker key went down."""

    pressed_in: tuple[int, ...]


def run_session(page: Any, *, marks_at: Sequence[int] = (), timeout_ms: float = 120_000,
                shots: Path | None = None) -> Session:
    """Start the next session, allow the microphone on the participant's screen, press M when the
    page has sent each of `marks_at` chunks, and wait for the task to end (the questionnaire).
    With `shots`, the console and the participant's screen are photographed there while live."""
    page.click(f"{CONSOLE} button:has-text('Start session'):not([disabled])")
    harness.wait_allow(page)
    page.click(f"{SCREEN} .dk-allow")
    harness.wait_live(page, "s.phase === 'live'")
    pressed = []
    for chunk in marks_at:
        harness.wait_live(page, f"s.sent >= {chunk}")
        page.locator(f"{SCREEN} .dk-timeline").hover()  # the pointer on the agent, nothing focused to type in
        seen = int(harness.live_state(page, "s.sent"))
        page.keyboard.press("m")
        pressed.append(seen)
    if shots is not None:
        page.locator(CONSOLE).screenshot(path=str(shots / "facilitator-live.png"))
        page.locator(SCREEN).screenshot(path=str(shots / "participant-live.png"))
    page.wait_for_selector(f"{SCREEN} {RATING} .dk-rating-choice", timeout=timeout_ms)
    return Session(tuple(pressed))


def choice(item: str, value: int) -> str:
    return f"{SCREEN} {RATING} .dk-rating-scale[data-item='{item}'] .dk-rating-choice[data-value='{value}']"


def rate_by_mouse(page: Any, answers: Mapping[str, int], open_answer: str = "") -> None:
    """Click each answer, type the open answer, click Done; wait for the thanks."""
    for item, value in answers.items():
        page.click(choice(item, value))
    if open_answer:
        page.fill(f"{SCREEN} {RATING} textarea", open_answer)
    page.click(f"{SCREEN} {RATING} .dk-rating-done:not([disabled])")
    page.wait_for_selector(f"{SCREEN} .dk-rating-thanks", timeout=60_000)


def rate_by_keyboard(page: Any, answers: Mapping[str, int]) -> None:
    """Tab into the first item, then per item: a number key, Tab to the next; Enter on Done."""
    first = next(iter(answers))
    page.focus(f"{SCREEN} {RATING} .dk-rating-scale[data-item='{first}'] .dk-rating-choice[tabindex='0']")
    for k, (item, value) in enumerate(answers.items()):
        page.keyboard.press(str(value))
        focused = page.evaluate("() => [document.activeElement.closest('.dk-rating-scale')?.dataset.item,"
                                " document.activeElement.dataset.value]")
        assert focused == [item, str(value)], f"after pressing {value} on {item} the focus is on {focused}"
        if k + 1 < len(answers):
            page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the open question, if any, to Done
    if page.evaluate("() => document.activeElement.tagName") == "TEXTAREA":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{SCREEN} .dk-rating-thanks", timeout=60_000)


def marker_microturns(session_folder: Path) -> list[int]:
    """The microturns the kernel logged this session's markers in (markers.json)."""
    return [int(m["microturn"]) for m in json.loads((session_folder / "markers.json").read_text())]


def current_condition(study_folder: Path, participant: str) -> str:
    """The condition of the session waiting for its answers (a log, no ratings yet)."""
    waiting = [task.parent.name for task in study_folder.glob(f"people/{participant}/*/*")
               if list(task.glob("session-*")) and not (task / "ratings.json").exists()]
    assert len(waiting) == 1, f"sessions of {participant} waiting for answers: {waiting}"
    return waiting[0]


def shut_down_kernels(page: Any) -> None:
    """Shut down the page's kernels (a finished participant's kernel leaves the cores alone)."""
    page.evaluate("() => window.jupyterapp.serviceManager.sessions.shutdownAll()")
