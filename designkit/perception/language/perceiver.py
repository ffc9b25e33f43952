"""Spoken language ID and code-switch cues, computed off the microturn path in a worker thread.

Model: `LanguageID` (multilingual Whisper base, see `whisper.py`). Install with
`pip install 'duplex-designkit[language]'`.

Every `hop_s` of speech, the last `window_s` of audio is handed to a worker thread, which scores
only the candidate languages (the encoder runs on the window itself, not a padded 30 s, ~0.1 s
on two cores). `step()` never waits for it: a result joins the signals in the first microturn
that ends at least `result_delay_s` after its window (or later, live, if the worker is late).
`replay()` computes the same windows in one go and places each result with the same rule, so
replay equals stepping whenever the worker keeps within `result_delay_s` (`deterministic=True`
makes `step()` wait for a due result instead, for tests).

Columns: `lang` (index of the confirmed language in `languages`, NaN before any), `lang_conf`
(its probability among the candidates), `cue_code_switch` (1 in the microturn a switch is
confirmed). A switch is confirmed when `confirm` consecutive windows give the current language
at most `1 - min_prob` (the others then share at least `min_prob`); the new language is the one
those windows preferred most often. With `expected` (the language a learner practises) set, each
utterance starts in it and only leaving it is a cue. Events go to `events` as `cue` events named
`code_switch`, with `from`, `to` and the start of the first window that heard it (`onset`).
`smoothing` < 1 averages each window's probabilities with the previous ones (off by default).
"""

from __future__ import annotations

import logging
import math
import queue
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from designkit.audio.loudness import energy_db
from designkit.core.microturns import Microturn
from designkit.core.streams import SAMPLE_RATE, Event
from designkit.errors import InputError
from designkit.perception.language.language_id import LanguageID
from designkit.perception.language.whisper import MIN_WINDOW_S
from designkit.perception.vision.cues import cue_event

logger = logging.getLogger(__name__)

LANGUAGE_COLUMNS = ("lang", "lang_conf", "cue_code_switch")


@dataclass(frozen=True, slots=True)
class Window:
    """A stretch of speech sent to language ID: it ends at `end` s, `due` is when its result is used."""

    end: float
    due: float
    audio: npt.NDArray[np.float32]
    generation: int = 0


class LanguagePerceiver:
    """`lang`, `lang_conf` and `cue_code_switch` per microturn; language ID runs in a worker thread."""

    def __init__(self, lid: LanguageID | None = None, *, languages: Sequence[str] = ("en", "es", "fr", "de"),
                 window_s: float = 0.8, hop_s: float = 0.2, result_delay_s: float = 0.2,
                 speech_db: float = -40.0, min_prob: float = 0.6, confirm: int = 3, smoothing: float = 1.0,
                 expected: str | None = None, deterministic: bool = False, name: str = "language") -> None:
        if not MIN_WINDOW_S <= window_s <= 4.0:
            raise InputError("language window_s", expected=f"{MIN_WINDOW_S:g}..4 s", got=window_s)
        if hop_s <= 0 or result_delay_s < 0:
            raise InputError("language hop_s / result_delay_s", expected="hop > 0, delay >= 0",
                             got=(hop_s, result_delay_s))
        self.lid = lid if lid is not None else LanguageID(languages)
        self.languages = self.lid.languages
        if expected is not None and expected not in self.languages:
            raise InputError("expected language", expected=f"one of {list(self.languages)}", got=repr(expected))
        self.name = name
        self.columns = LANGUAGE_COLUMNS
        self.window_s, self.hop_s, self.result_delay_s = window_s, hop_s, result_delay_s
        self.speech_db, self.min_prob, self.confirm = speech_db, min_prob, confirm
        if not 0.0 < smoothing <= 1.0:
            raise InputError("language smoothing", expected="a weight in (0, 1] for the newest window", got=smoothing)
        self.smoothing = smoothing
        self.expected = expected
        self.deterministic = deterministic
        self.events: list[Event] = []
        self.windows: list[tuple[float, dict[str, float]]] = []
        self._jobs: queue.Queue[Window | None] = queue.Queue()
        self._results: queue.Queue[tuple[Window, dict[str, float] | None]] = queue.Queue()
        self._worker: threading.Thread | None = None
        self.reset()

    # -- the state machine shared by step and replay ---------------------------------------
    def reset(self) -> None:
        self._buffer = np.zeros(0, dtype=np.float32)
        self._buffer_end = 0.0
        self._speech_s = 0.0
        self._silence_s = 0.0
        self._since_hop = 0.0
        self._current: str | None = self.expected
        self._conf = math.nan
        self._streak: list[str] = []
        self._smoothed: dict[str, float] | None = None
        self._pending: list[tuple[Window, dict[str, float] | None]] = []
        self._in_flight: deque[Window] = deque()
        # Results still in flight from before the reset belong to the old session: they are dropped.
        self._generation = getattr(self, "_generation", 0) + 1
        self.events = []
        self.windows = []

    def _windows_of(self, turn: Microturn) -> list[Window]:
        """Cut the windows this microturn completes (speech only; silence > 1 s ends an utterance)."""
        audio = turn.audio
        end = turn.end
        speech = bool(energy_db(audio[None, :])[0] >= self.speech_db) and turn.coverage > 0
        if speech:
            self._silence_s = 0.0
            self._speech_s += turn.dt
        else:
            self._silence_s += turn.dt
            if self._silence_s >= 1.0:
                self._buffer = np.zeros(0, dtype=np.float32)
                self._speech_s = 0.0
                self._since_hop = 0.0
                self._streak = []
                self._smoothed = None
                if self.expected is not None:
                    self._current = self.expected  # each utterance starts in the practised language
                return []
        self._buffer = np.concatenate([self._buffer, audio])[-int(self.window_s * SAMPLE_RATE):]
        self._buffer_end = end
        self._since_hop += turn.dt
        if self._since_hop + 1e-9 < self.hop_s or self._speech_s + 1e-9 < min(self.window_s, 0.6) or not speech:
            return []
        self._since_hop = 0.0
        return [Window(end=end, due=end + self.result_delay_s, audio=self._buffer.copy(),
                       generation=self._generation)]

    def _apply(self, window: Window, probs: dict[str, float] | None, out: dict[str, float], now: float) -> None:
        if probs is None:
            return
        self.windows.append((window.end, probs))
        if self._smoothed is not None and self.smoothing < 1.0:
            a = self.smoothing
            probs = {k: a * v + (1 - a) * self._smoothed[k] for k, v in probs.items()}
        self._smoothed = probs
        best = max(probs, key=lambda k: probs[k])
        if self._current is None:
            if probs[best] >= self.min_prob:
                self._current, self._conf = best, probs[best]
            return
        others = {k: v for k, v in probs.items() if k != self._current}
        best_other = max(others, key=lambda k: others[k])
        # Leaving the current language is what matters: its probability mass going elsewhere.
        if 1.0 - probs[self._current] >= self.min_prob:
            self._streak.append(best_other)
        else:
            self._streak = []
            if best == self._current:
                self._conf = probs[best]
        if len(self._streak) >= self.confirm:
            best = max(set(self._streak), key=self._streak.count)
            # With a practised language set, only leaving it is a cue; coming back is not.
            if self.expected is None or self._current == self.expected:
                self.events.append(cue_event("code_switch", now, onset=window.end - self.window_s,
                                             **{"from": self._current, "to": best}))
                out["cue_code_switch"] = 1.0
            self._current, self._conf = best, probs[best]
            self._streak = []

    def _row(self, out: dict[str, float]) -> dict[str, float]:
        out["lang"] = float(self.languages.index(self._current)) if self._current else math.nan
        out["lang_conf"] = self._conf
        return out

    # -- live: a worker thread scores windows ----------------------------------------------
    def _ensure_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._work, name="designkit-language-id", daemon=True)
            self._worker.start()

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            try:
                probs: dict[str, float] | None = self.lid.probabilities(job.audio)
            except Exception:
                logger.exception("language ID failed on the window ending at %.2f s", job.end)
                probs = None
            self._results.put((job, probs))

    def close(self) -> None:
        """Stop the worker thread."""
        if self._worker is not None and self._worker.is_alive():
            self._jobs.put(None)
            self._worker.join(timeout=5)
        self._worker = None

    def step(self, microturn: Microturn) -> Mapping[str, float]:
        out = {"cue_code_switch": 0.0}
        for window in self._windows_of(microturn):
            self._ensure_worker()
            self._in_flight.append(window)
            self._jobs.put(window)
        now = microturn.end + 1e-9
        # Collect what the worker finished; never wait, unless deterministic and a result is due.
        while self._in_flight:
            wait = self.deterministic and self._in_flight[0].due <= now
            try:
                window, probs = self._results.get(timeout=60) if wait else self._results.get_nowait()
            except queue.Empty:
                break
            if window.generation != self._generation:
                continue
            self._in_flight.popleft()
            self._pending.append((window, probs))
        ready = [r for r in self._pending if r[0].due <= now]
        self._pending = [r for r in self._pending if r[0].due > now]
        for window, probs in ready:
            self._apply(window, probs, out, microturn.end)
        return self._row(out)

    def replay(self, microturns: Sequence[Microturn]) -> Mapping[str, npt.NDArray[np.float64]]:
        self.reset()
        rows: list[dict[str, float]] = []
        pending: list[tuple[Window, dict[str, float] | None]] = []
        for turn in microturns:
            out = {"cue_code_switch": 0.0}
            for window in self._windows_of(turn):
                pending.append((window, self.lid.probabilities(window.audio)))
            ready = [r for r in pending if r[0].due <= turn.end + 1e-9]
            pending = [r for r in pending if r[0].due > turn.end + 1e-9]
            for window, probs in ready:
                self._apply(window, probs, out, turn.end)
            rows.append(self._row(out))
        return {c: np.array([r[c] for r in rows], dtype=np.float64) for c in self.columns}

    def switch_events(self) -> list[Event]:
        return [e for e in self.events if e.data.get("name") == "code_switch"]
