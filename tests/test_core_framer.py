"""The framer cuts streams into aligned microturns exactly, and never reorders silently."""

from __future__ import annotations

import numpy as np
import pytest

from designkit.core import AudioChunk, Event, GapKind, MicroturnFramer, VideoFrame, frame_session
from designkit.errors import InputError

SR = 16_000


def ramp(start: int, n: int) -> np.ndarray:
    """Samples whose value encodes their index, so any misplacement shows."""
    return (np.arange(start, start + n) / 1e6).astype(np.float32)


def test_chunks_straddling_boundaries_are_split_at_the_exact_sample() -> None:
    framer = MicroturnFramer(0.2)
    turns = []
    start = 0
    for n in (1000, 5000, 333, 2467, 3200, 1):  # 12001 samples
        turns += framer.push_audio(AudioChunk(t0=start / SR, samples=ramp(start, n)))
        start += n
    turns += framer.flush()
    assert [t.index for t in turns] == [0, 1, 2, 3]
    joined = np.concatenate([t.audio for t in turns])
    np.testing.assert_array_equal(joined[:12001], ramp(0, 12001))
    assert [t.coverage for t in turns] == [1.0, 1.0, 1.0, 2401 / 3200]
    assert turns[3].audio[2401:].max() == 0.0  # the last one is padded with zeros


def test_missing_audio_becomes_a_gap_on_every_microturn_it_touches() -> None:
    framer = MicroturnFramer(0.2)
    turns = framer.push_audio(AudioChunk(t0=0.0, samples=np.ones(3200, np.float32)))
    turns += framer.push_audio(AudioChunk(t0=0.5, samples=np.ones(1600, np.float32)))  # 0.2–0.5 missing
    turns += framer.push_audio(AudioChunk(t0=0.6, samples=np.ones(3200, np.float32)))
    assert [t.index for t in turns] == [0, 1, 2, 3]
    assert turns[0].gaps == () and turns[3].gaps == ()
    assert turns[1].coverage == 0.0 and turns[1].gaps[0].kind is GapKind.MISSING_AUDIO
    assert turns[2].coverage == 0.5 and turns[2].gaps[0].end == pytest.approx(0.5)
    assert np.all(turns[1].audio == 0.0)


def test_live_mode_logs_late_and_duplicate_chunks_as_gaps_and_drops_them() -> None:
    framer = MicroturnFramer(0.2, strict=False)
    framer.push_audio(AudioChunk(t0=0.0, samples=np.ones(3200, np.float32), seq=0))
    assert framer.push_audio(AudioChunk(t0=0.0, samples=np.ones(3200, np.float32), seq=0)) == []
    turns = framer.push_audio(AudioChunk(t0=0.2, samples=np.full(3200, 0.5, np.float32), seq=1))
    assert [g.kind for g in turns[0].gaps] == [GapKind.DUPLICATE]
    assert np.all(turns[0].audio == 0.5)  # the duplicate did not overwrite anything


def test_frames_and_events_join_the_microturn_of_their_timestamp() -> None:
    image = np.zeros((24, 32, 3), np.uint8)
    turns = list(frame_session(
        [AudioChunk(t0=0.0, samples=np.zeros(SR, np.float32))],
        frames=[VideoFrame(t=0.05, image=image), VideoFrame(t=0.2, image=image), VideoFrame(t=0.79, image=image)],
        events=[Event(t=0.39999, kind="note"), Event(t=0.4, kind="note")],
    ))
    assert [len(t.frames) for t in turns] == [1, 1, 0, 1, 0]
    assert [len(t.events) for t in turns] == [0, 1, 1, 0, 0]


def test_a_frame_for_a_closed_microturn_is_late() -> None:
    framer = MicroturnFramer(0.2, strict=True)
    framer.push_audio(AudioChunk(t0=0.0, samples=np.zeros(6400, np.float32)))
    with pytest.raises(InputError, match="late"):
        framer.push_frame(VideoFrame(t=0.1, image=np.zeros((2, 2, 3), np.uint8)))


def test_video_running_far_past_the_audio_is_clock_drift() -> None:
    framer = MicroturnFramer(0.2, strict=True)
    framer.push_audio(AudioChunk(t0=0.0, samples=np.zeros(3200, np.float32)))
    framer.push_frame(VideoFrame(t=3.0, image=np.zeros((2, 2, 3), np.uint8)))
    with pytest.raises(InputError, match="clock drift"):
        framer.flush()
    lenient = MicroturnFramer(0.2, strict=False)
    lenient.push_audio(AudioChunk(t0=0.0, samples=np.zeros(3200, np.float32)))
    lenient.push_frame(VideoFrame(t=3.0, image=np.zeros((2, 2, 3), np.uint8)))
    (last,) = lenient.flush()
    assert last.gaps[0].kind is GapKind.CLOCK_DRIFT


def test_a_time_on_a_boundary_belongs_to_the_later_microturn() -> None:
    framer = MicroturnFramer(0.2, strict=True)
    framer.push_audio(AudioChunk(t0=0.0, samples=np.zeros(7 * 3200, np.float32)))
    framer.push_event(Event(t=1.4, kind="wizard", data={"action": "stop"}))  # 7 * 0.2 > 1.4 in floats
    (turn,) = framer.push_audio(AudioChunk(t0=1.4, samples=np.zeros(3200, np.float32)))
    assert turn.index == 7 and [e.t for e in turn.events] == [1.4]
