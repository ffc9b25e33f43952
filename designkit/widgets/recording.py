"""A live session on disk, ready to replay: its log, what the framer saw, and (with consent) audio.

Layout of one recording folder:
  log.parquet       the session log (every microturn's signals, decision, reason, consent)
  recording.json    timeline facts: chunk placements, events, gaps, clocks, consent, policy
  audio.wav         the received audio, only if the consent keeps "audio"
  frames/*.jpg      camera frames, only if the consent keeps "video"

`load_session(folder)` rebuilds the `Session` the kernel framed live (same chunk placements and
events), so `Engine.replay` gives the same decisions as the live run for the same policy.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

import numpy as np

from designkit.audio.wav import read_wav, write_wav
from designkit.core.context import EventKind
from designkit.core.engine import Engine
from designkit.core.session import Consent, Session
from designkit.core.streams import SAMPLE_RATE, AudioChunk, Event, VideoFrame
from designkit.errors import InputError
from designkit.log import LogWriter, make_header

log = logging.getLogger(__name__)

RECORDING = "recording.json"
AUDIO = "audio.wav"
_RAW = "audio.pcm16"
FORMAT = "designkit.live_recording"


@dataclass(slots=True)
class RecordingWriter:
    """Writes a recording folder as the session goes: audio straight to disk, facts at close."""

    folder: Path
    keep: frozenset[str]
    chunks: list[tuple[int, int, int]] = field(default_factory=list)  # (seq, first sample, samples)
    events: list[dict[str, Any]] = field(default_factory=list)
    frames: list[dict[str, Any]] = field(default_factory=list)
    _raw: IO[bytes] | None = None

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if "audio" in self.keep:
            self._raw = (self.folder / _RAW).open("wb")
        if "video" in self.keep:
            (self.folder / "frames").mkdir(exist_ok=True)

    def audio(self, chunk: AudioChunk, pcm16: bytes) -> None:
        first = round(chunk.t0 * SAMPLE_RATE)
        self.chunks.append((-1 if chunk.seq is None else chunk.seq, first, chunk.samples.size))
        if self._raw is not None:
            self._raw.seek(first * 2)  # a missing stretch reads back as zeros
            self._raw.write(pcm16)

    def frame(self, t: float, seq: int, jpeg: bytes) -> None:
        if "video" not in self.keep:
            return
        name = f"frames/{seq:06d}.jpg"
        (self.folder / name).write_bytes(jpeg)
        self.frames.append({"t": t, "seq": seq, "file": name})

    def event(self, event: Event) -> None:
        self.events.append(event.to_dict())

    def close(self, facts: Mapping[str, Any]) -> Path:
        """Write recording.json (and audio.wav); returns the folder."""
        if self._raw is not None:
            self._raw.close()
            self._raw = None
            raw = self.folder / _RAW
            pcm = np.fromfile(raw, dtype="<i2")
            write_wav(self.folder / AUDIO, pcm.astype(np.float32) / 32768.0)
            raw.unlink()
        body = {"format": FORMAT, "keep": sorted(self.keep), "chunks": self.chunks,
                "events": self.events, "frames": self.frames, **facts}
        tmp = self.folder / (RECORDING + ".tmp")
        tmp.write_text(json.dumps(body, default=str, indent=1))
        os.replace(tmp, self.folder / RECORDING)
        return self.folder


def open_recording(log_dir: Path, name: str, engine: Engine, consent: Consent, *,
                   extra: Mapping[str, Any]) -> tuple[Path, RecordingWriter, LogWriter]:
    """A new recording folder for a live session whose consent was just given (`NAME-UTCSTAMP`
    under `log_dir`): the folder, its writer and the session log's writer (header with `extra`)."""
    folder = log_dir / f"{name}-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S%f')}"
    header = make_header(engine, consent=consent, name=name, extra=extra)
    return folder, RecordingWriter(folder, consent.keep), LogWriter(folder / "log.parquet", header=header)


def read_recording(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """The facts of a recording folder (recording.json) as a dict."""
    path = Path(folder) / RECORDING
    if not path.is_file():
        raise InputError("live recording", expected=f"a folder with {RECORDING}", got=str(folder))
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def load_session(folder: str | os.PathLike[str]) -> Session:
    """The session as the kernel framed it live. Needs the audio, so consent must have kept it."""
    folder = Path(folder)
    facts = read_recording(folder)
    if "audio" not in facts["keep"]:
        raise InputError("live recording audio", expected="a recording whose consent kept audio",
                         got=f"keep={facts['keep']}",
                         fix="replay its log instead: designkit.perception.logged_signals.LoggedSignals")
    samples = read_wav(folder / AUDIO)
    chunks = tuple(
        AudioChunk(t0=first / SAMPLE_RATE, samples=samples[first : first + n], seq=seq if seq >= 0 else None)
        for seq, first, n in facts["chunks"]
    )
    frames: list[VideoFrame] = []
    if facts.get("frames"):
        from designkit.widgets.jpeg import decode_jpeg

        for item in facts["frames"]:
            image = decode_jpeg((folder / item["file"]).read_bytes())
            if image is not None:
                frames.append(VideoFrame(t=item["t"], image=image, seq=item["seq"]))
    events = tuple(Event(t=e["t"], kind=e["kind"], data=e["data"]) for e in facts["events"])
    return Session(audio=chunks, frames=tuple(frames), events=events, dt=float(facts["dt"]),
                   name=str(facts.get("name", "")), meta={"source": "live", "folder": str(folder)})


def save_as_scenario(folder: str | os.PathLike[str], out: str | os.PathLike[str] | None = None) -> Path:
    """Write a kept live recording in the scenario format (designkit.scenarios), for studies.

    The audio is the received audio (missing stretches as silence); the truth holds only what
    is known live: the duration, and operator/control events as cues. Annotate it like any
    recording. Returns the scenario folder (default: `<folder>/scenario`).
    """
    from designkit.scenarios.spec import Scenario, ScenarioSpec, save_scenario
    from designkit.scenarios.truth import Cue, Truth

    folder = Path(folder)
    facts = read_recording(folder)
    if "audio" not in facts["keep"]:
        raise InputError("live recording audio", expected="a recording whose consent kept audio",
                         got=f"keep={facts['keep']}")
    audio = read_wav(folder / AUDIO)
    frames = frame_times = None
    if facts.get("frames"):
        session = load_session(folder)
        if session.frames:
            frames = np.stack([f.image for f in session.frames])
            frame_times = np.array([f.t for f in session.frames], dtype=np.float64)
    cues = tuple(Cue(t=e["t"], kind=e["kind"], data=e["data"]) for e in facts["events"]
                 if e["kind"] in (EventKind.WIZARD, EventKind.CONTROL, EventKind.CUE))
    truth = Truth(duration=audio.size / SAMPLE_RATE, cues=cues)
    spec = ScenarioSpec("live", seed=0, params={"recording": folder.name, "consent": facts["consent"]["keep"]})
    scenario = Scenario(spec, audio, truth, name=str(facts.get("name", "")), frames=frames, frame_times=frame_times)
    return save_scenario(scenario, Path(out) if out is not None else folder / "scenario")
