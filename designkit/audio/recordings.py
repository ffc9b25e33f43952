"""Read any recording a designer has: WAV (8/16/24/32-bit PCM, float, extensible), FLAC, OGG,
MP3, M4A/AAC, WebM/Opus (ipywebrtc's clips) and the audio track of video files.

libsndfile (through `soundfile`) reads WAV, FLAC and OGG exactly; everything else is decoded by
ffmpeg (the `imageio-ffmpeg` binary when installed, else `ffmpeg` on PATH) into a temporary
32-bit float WAV at the source's own rate and channels. Both paths then meet in one place:
downmix to mono (mean of channels), resample to 16 kHz (soxr), each conversion logged and listed
in `Recording.conversions`. A file nothing can read is an InputError naming its format.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit.audio.resample import resample
from designkit.core.session import Session
from designkit.core.streams import SAMPLE_RATE, check_range
from designkit.errors import InputError

log = logging.getLogger(__name__)

# Float sources (float WAV, lossy decoders) may ring slightly past +-1: clipped and logged up to
# this peak; beyond it the samples are not in [-1, 1] scale at all (see check_range).
OVERSHOOT_PEAK = 2.0
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"fLaC", "FLAC"), (0, b"OggS", "OGG"), (0, b"ID3", "MP3"), (0, b"\x1a\x45\xdf\xa3", "WebM/Matroska"),
    (4, b"ftyp", "MP4/M4A"), (0, b"FORM", "AIFF"), (0, b"RF64", "WAV (RF64)"), (0, b"caff", "CAF"),
)
_SOUNDFILE = {"WAV", "WAV (RF64)", "FLAC", "OGG", "AIFF", "CAF"}
# File names that mean "a recording" to commands that also take other files (logs).
RECORDING_SUFFIXES = frozenset({".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".m4a", ".aac", ".aif",
                                ".aiff", ".caf", ".webm", ".weba", ".mp4", ".mov", ".mkv"})


@dataclass(frozen=True, slots=True)
class Recording:
    """A recording as 16 kHz mono float32, with what it was and what was done to it."""

    samples: npt.NDArray[np.float32]
    format: str
    source_rate: int
    source_channels: int
    conversions: tuple[str, ...]
    path: Path | None = None

    @property
    def duration(self) -> float:
        return self.samples.size / SAMPLE_RATE


def sniff_format(head: bytes, suffix: str = "") -> str:
    """The container a file's first bytes announce ("WAV", "MP3", ...), else its suffix."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "WAV"
    for offset, magic, name in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return name
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "MP3"
    return suffix.lstrip(".").upper() or "unknown"


def ffmpeg_exe() -> str | None:
    """The ffmpeg binary: imageio-ffmpeg's bundled one when installed, else `ffmpeg` on PATH."""
    try:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
        if exe and Path(exe).is_file():
            return str(exe)
    except (ImportError, RuntimeError):
        pass
    return shutil.which("ffmpeg")


def _soundfile(path: Path) -> tuple[npt.NDArray[np.float32], int, str]:
    import soundfile

    with soundfile.SoundFile(str(path)) as handle:
        data = handle.read(dtype="float32", always_2d=True)
        return data, int(handle.samplerate), f"{handle.format} {handle.subtype}"


def _ffmpeg(path: Path, format_name: str) -> tuple[npt.NDArray[np.float32], int, str]:
    exe = ffmpeg_exe()
    if exe is None:
        raise InputError(f"recording {path}", expected=f"ffmpeg to decode {format_name}", got="no ffmpeg",
                         fix="pip install imageio-ffmpeg, or install ffmpeg (make setup does)")
    with tempfile.TemporaryDirectory(prefix="designkit-decode-") as tmp:
        out = Path(tmp) / "decoded.wav"
        # The first audio track, as float at the source's rate and channels: conversions stay ours.
        cmd = [exe, "-nostdin", "-hide_banner", "-loglevel", "error", "-i", str(path), "-map", "0:a:0",
               "-vn", "-c:a", "pcm_f32le", "-f", "wav", str(out)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise InputError(f"recording {path}", expected=f"a {format_name} file ffmpeg can decode",
                             got=str(exc)) from exc
        if done.returncode != 0 or not out.is_file():
            why = "no audio track" if "matches no streams" in done.stderr else (
                done.stderr.strip().splitlines() or ["ffmpeg failed"])[-1]
            raise InputError(f"recording {path}", expected=f"a readable {format_name} file with an audio track",
                             got=why, fix="check the file plays; re-export it as WAV or FLAC")
        data, rate, _ = _soundfile(out)
    return data, rate, f"{format_name} via ffmpeg"


def read_recording(path: str | os.PathLike[str], *, clip: bool = False) -> Recording:
    """Any recording as 16 kHz mono float32 (see the module docstring for formats and steps).

    `clip=True` also clips float samples far outside [-1, 1] instead of refusing them."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise InputError("recording", expected="a readable audio or video file", got=f"{path}: {exc}") from exc
    if not head:
        raise InputError(f"recording {path}", expected="audio data", got="an empty file")
    format_name = sniff_format(head, path.suffix)
    conversions: list[str] = []
    if format_name in _SOUNDFILE:
        try:
            data, rate, detail = _soundfile(path)
        except (RuntimeError, ValueError, OSError) as exc:  # soundfile.LibsndfileError is a RuntimeError
            raise InputError(f"recording {path}", expected=f"a readable {format_name} file", got=str(exc),
                             fix="it may be truncated, damaged or another format inside: convert it, e.g. "
                                 "`ffmpeg -i in.xxx -ar 16000 -ac 1 out.wav`") from exc
    else:
        data, rate, detail = _ffmpeg(path, format_name)
        conversions.append(f"decoding {format_name} with ffmpeg")
    if data.shape[0] == 0:
        raise InputError(f"recording {path}", expected="at least one sample", got=f"an empty {format_name} stream")
    samples = _to_mono_16k(data, rate, path, conversions, clip=clip)
    for step in conversions:
        log.info("%s: %s", path, step)
    return Recording(samples, format_name if detail.startswith(format_name) else f"{format_name} ({detail})",
                     rate, int(data.shape[1]), tuple(conversions), path)


def _to_mono_16k(data: npt.NDArray[np.float32], rate: int, path: Path, conversions: list[str], *,
                 clip: bool) -> npt.NDArray[np.float32]:
    if not np.isfinite(data).all():
        raise InputError(f"recording {path}", expected="finite samples", got="NaN or inf")
    if data.shape[1] != 1:
        conversions.append(f"mixing {data.shape[1]} channels down to mono")
    mono = np.ascontiguousarray(data.mean(axis=1), dtype=np.float32)
    peak = float(np.max(np.abs(mono)))
    if 1.0 < peak <= OVERSHOOT_PEAK:
        conversions.append(f"clipping {int(np.count_nonzero(np.abs(mono) > 1.0))} samples past +-1 "
                           f"(peak {peak:.3f})")
        mono = np.clip(mono, -1.0, 1.0)
    mono = check_range(mono, clip=clip, what=f"recording {path} samples")
    if rate != SAMPLE_RATE:
        conversions.append(f"resampling {rate} Hz to {SAMPLE_RATE} Hz")
    return resample(mono, rate)


def clip_bytes(source: Any) -> tuple[bytes, str]:
    """The bytes and format of an ipywebrtc recorder or media widget (duck-typed: no import).

    `AudioRecorder`/`VideoRecorder` hold the clip in `.audio`/`.video` (a media widget); a media
    widget holds it in `.value` with its container in `.format` ("webm")."""
    for attr in ("audio", "video"):
        inner = getattr(source, attr, None)
        if inner is not None and hasattr(inner, "value"):
            source = inner
            break
    value = getattr(source, "value", None)
    if not isinstance(value, (bytes, bytearray, memoryview)) or not len(value):
        raise InputError("recorded clip", expected="a recorder or media widget holding a recording",
                         got=type(source).__name__, fix="record first (press the record button, then stop)")
    return bytes(value), str(getattr(source, "format", "") or "webm")


def session_from_recording(source: Any, *, name: str = "", chunk_s: float = 10.0, dt: float = 0.2,
                           clip: bool = False) -> Session:
    """A Session from a recording in one call: a path, raw bytes of a file, or an ipywebrtc
    `AudioRecorder` / `VideoRecorder` / media widget (its WebM clip)."""
    if isinstance(source, (str, os.PathLike)):
        recording = read_recording(source, clip=clip)
        label = name or Path(source).stem
    else:
        data, container = (bytes(source), "") if isinstance(source, (bytes, bytearray, memoryview)) \
            else clip_bytes(source)
        with tempfile.TemporaryDirectory(prefix="designkit-clip-") as tmp:
            file = Path(tmp) / f"clip.{container or 'bin'}"
            file.write_bytes(data)
            recording = read_recording(file, clip=clip)
        label = name or "recording"
    meta = {"format": recording.format, "source_rate": recording.source_rate,
            "source_channels": recording.source_channels, "conversions": list(recording.conversions)}
    return Session.from_array(recording.samples, chunk_s=chunk_s, dt=dt, name=label, meta=meta)
