"""Read and write WAV files with the standard library, converting to 16 kHz mono float32."""

from __future__ import annotations

import logging
import os
import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError

log = logging.getLogger(__name__)


def resample(samples: npt.NDArray[np.float32], rate: int, target: int = SAMPLE_RATE) -> npt.NDArray[np.float32]:
    """Band-limited resampling with soxr (fast, high quality).

    A full-scale input can ring slightly past +-1 after filtering; those peaks are clipped (and
    logged) so the result is valid chunk audio."""
    if rate == target:
        return samples.astype(np.float32, copy=False)
    import soxr

    out = np.asarray(soxr.resample(samples.astype(np.float32, copy=False), rate, target, quality="HQ"),
                     dtype=np.float32)
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    if peak > 1.0:
        log.info("resampling %d Hz to %d Hz rang to a peak of %.3f: clipped to [-1, 1]", rate, target, peak)
        np.clip(out, -1.0, 1.0, out=out)
    return out


def read_wav(path: str | os.PathLike[str], *, convert: bool = True) -> npt.NDArray[np.float32]:
    """A WAV file as 16 kHz mono float32; other rates and channel counts are converted (and logged)."""
    path = Path(path)
    try:
        with wave.open(str(path), "rb") as handle:
            channels = handle.getnchannels()
            width = handle.getsampwidth()
            rate = handle.getframerate()
            raw = handle.readframes(handle.getnframes())
    except (OSError, EOFError, wave.Error) as exc:
        raise InputError(f"WAV file {path}", expected="a readable PCM WAV file", got=str(exc),
                         fix="convert it, e.g. `sox in.xxx -r 16000 -c 1 -b 16 out.wav`") from exc
    if width == 2:
        data = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    elif width == 4:
        data = np.frombuffer(raw, dtype="<i4").astype(np.float32) / 2147483648.0
    elif width == 1:
        data = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    else:
        raise InputError(f"WAV file {path}", expected="8, 16 or 32-bit PCM", got=f"{8 * width}-bit")
    data = data.reshape(-1, channels)
    if (channels != 1 or rate != SAMPLE_RATE) and not convert:
        raise InputError(f"WAV file {path}", expected="16 kHz mono", got=f"{rate} Hz, {channels} channels")
    if channels != 1:
        log.info("%s: mixing %d channels down to mono", path, channels)
    mono = data.mean(axis=1).astype(np.float32)
    if rate != SAMPLE_RATE:
        log.info("%s: resampling %d Hz to %d Hz", path, rate, SAMPLE_RATE)
    return resample(mono, rate)


def write_wav(path: str | os.PathLike[str], samples: npt.NDArray[np.floating], rate: int = SAMPLE_RATE) -> Path:
    """Write mono float samples in [-1, 1] as 16-bit PCM."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = (np.clip(np.asarray(samples, dtype=np.float64), -1.0, 1.0) * 32767.0).round().astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm.tobytes())
    return path
