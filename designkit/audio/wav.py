"""The one WAV reader and writer: 16 kHz mono float32 in, 16-bit PCM or 32-bit float out.

`read_wav` reads what people and tools write (8/16/32-bit PCM, 32/64-bit float such as
Audacity's default export, any rate and channel count: converted, and the conversion logged)
and reads designkit's own files fast: 16 kHz mono 32-bit float is memory-mapped (copy on
write) and 16 kHz mono 16-bit PCM is read in one step.
"""

from __future__ import annotations

import logging
import os
import struct
import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

from designkit.audio.resample import resample
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError

log = logging.getLogger(__name__)

__all__ = ["SAMPLE_RATE", "read_wav", "resample", "to_pcm16", "write_wav"]

_FLOAT_HEADER = struct.Struct("<4sI4s4sIHHIIHH4sI")  # RIFF, WAVE, fmt (16 bytes), data


def to_pcm16(samples: npt.NDArray[np.floating]) -> bytes:
    """Float samples in [-1, 1] as little-endian 16-bit PCM bytes (what WAV files and the browser hold)."""
    return (np.clip(np.asarray(samples, dtype=np.float64), -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()


def write_wav(path: str | os.PathLike[str], samples: npt.NDArray[np.floating], rate: int = SAMPLE_RATE, *,
              float32: bool = False) -> Path:
    """Write mono float samples in [-1, 1] as 16-bit PCM, or with `float32=True` as 32-bit float
    (twice the size, read back bit for bit and memory-mapped; the scenario cache uses it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if float32:
        data = np.ascontiguousarray(samples, dtype="<f4").tobytes()
        header = _FLOAT_HEADER.pack(b"RIFF", 36 + len(data), b"WAVE", b"fmt ", 16, 3, 1, rate,
                                    rate * 4, 4, 32, b"data", len(data))
        with path.open("wb") as handle:
            handle.write(header)
            handle.write(data)
        return path
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(to_pcm16(samples))
    return path


def _own_float(path: Path) -> npt.NDArray[np.float32] | None:
    """designkit's own 16 kHz mono float32 WAV, memory-mapped; None for anything else."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_FLOAT_HEADER.size)
    except OSError:
        return None
    if len(head) != _FLOAT_HEADER.size:
        return None
    riff, _, kind, fmt, _, code, channels, rate, _, _, bits, data, size = _FLOAT_HEADER.unpack(head)
    if (riff, kind, fmt, data, code, channels, rate, bits) != (b"RIFF", b"WAVE", b"fmt ", b"data", 3, 1, SAMPLE_RATE, 32):
        return None
    return np.memmap(path, dtype="<f4", mode="c", offset=_FLOAT_HEADER.size, shape=(size // 4,))


def _float_wav(path: Path, first: InputError) -> tuple[npt.NDArray[np.float32], int]:
    """A 32/64-bit float WAV (the standard library reads PCM only), as (frames x channels, rate)."""
    from scipy.io import wavfile

    try:
        rate, data = wavfile.read(path)
    except (ValueError, OSError):
        raise first from None
    if data.dtype.kind != "f" or data.size == 0:
        raise first
    return np.asarray(data, dtype=np.float32).reshape(data.shape[0], -1), int(rate)


def read_wav(path: str | os.PathLike[str], *, convert: bool = True) -> npt.NDArray[np.float32]:
    """A WAV file as 16 kHz mono float32; other rates and channel counts are converted (and
    logged) unless `convert=False`, which refuses them."""
    path = Path(path)
    own = _own_float(path)
    if own is not None:
        return own
    try:
        with wave.open(str(path), "rb") as handle:
            channels = handle.getnchannels()
            width = handle.getsampwidth()
            rate = handle.getframerate()
            raw = handle.readframes(handle.getnframes())
    except (OSError, EOFError, wave.Error) as exc:
        error = InputError(f"WAV file {path}", expected="a readable PCM or float WAV file", got=str(exc),
                           fix="convert it, e.g. `sox in.xxx -r 16000 -c 1 -b 16 out.wav`")
        data, rate = _float_wav(path, error)
        channels = data.shape[1]
    else:
        if (channels, width, rate) == (1, 2, SAMPLE_RATE):
            return np.multiply(np.frombuffer(raw, dtype="<i2"), np.float32(1 / 32768), dtype=np.float32)
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
    mono = np.ascontiguousarray(data.mean(axis=1), dtype=np.float32)
    if rate != SAMPLE_RATE:
        log.info("%s: resampling %d Hz to %d Hz", path, rate, SAMPLE_RATE)
    return resample(mono, rate)
