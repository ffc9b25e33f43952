"""The host's wire format, shared by the server and the notebook's client (no torch here, so a
notebook that only talks to a host does not load the models).

One websocket per session at `/session`: JSON text messages (join, joined, step, error, leave)
and binary audio messages, a 12-byte header (little-endian uint32 sequence number, float64 start
time in seconds) followed by mono 16 kHz int16 PCM. See `designkit.host.server`.
"""

from __future__ import annotations

import math
import struct
from typing import Any

from designkit.audio.wav import to_pcm16
from designkit.core.context import StepRecord
from designkit.core.streams import AudioChunk
from designkit.errors import InputError

HEADER = struct.Struct("<Id")
PATH = "/session"


def encode_audio(chunk: AudioChunk, seq: int) -> bytes:
    """The binary message for one chunk of audio."""
    return HEADER.pack(seq, chunk.t0) + to_pcm16(chunk.samples)


def decode_audio(message: bytes) -> AudioChunk:
    if len(message) < HEADER.size or (len(message) - HEADER.size) % 2:
        raise InputError("audio message", expected="a 12-byte header and int16 samples",
                         got=f"{len(message)} bytes")
    seq, t0 = HEADER.unpack_from(message)
    return AudioChunk.from_pcm16(memoryview(message)[HEADER.size :], t0=t0, seq=seq)


def step_message(record: StepRecord) -> dict[str, Any]:
    decision = record.decision
    return {
        "type": "step", "index": record.index, "t": record.t, "action": decision.action.value,
        "reason": decision.reason.value, "confidence": decision.confidence, "content": decision.content,
        "duration_s": decision.duration_s, "coverage": record.coverage,
        "gaps": [g.to_dict() for g in record.gaps],
        "signals": {k: (v if math.isfinite(v) else None) for k, v in record.signals.items()},
    }
