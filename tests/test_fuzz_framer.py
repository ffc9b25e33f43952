"""Property-based fuzzing of the microturn framer: whatever arrives (random chunk sizes, jittered
times, NaNs, duplicates, reorderings, drops, late frames and events), the outcome is a clear
InputError, a logged gap, or the exact data. Never a foreign exception, never different samples."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designkit.core import AudioChunk, Event, MicroturnFramer, VideoFrame
from designkit.core.microturns import GapKind, Microturn
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError

FUZZ = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SPT = 3200  # samples per 200 ms microturn


@dataclass(frozen=True)
class Arrival:
    """One chunk as the source sends it: which samples, stamped with which time and seq."""

    start: int
    stop: int
    t0: float
    seq: int | None
    nan: bool = False


@st.composite
def arrivals(draw: st.DrawFn) -> tuple[np.ndarray, list[Arrival]]:
    total = draw(st.integers(1, 5 * SPT))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    signal = rng.uniform(-1.0, 1.0, total).astype(np.float32)
    cuts = sorted(set(draw(st.lists(st.integers(1, total - 1), max_size=12)) if total > 1 else []))
    bounds = [0, *cuts, total]
    with_seq = draw(st.booleans())
    items = [
        Arrival(a, b, a / SAMPLE_RATE + draw(st.floats(-0.4, 0.4)) / SAMPLE_RATE, i if with_seq else None)
        for i, (a, b) in enumerate(itertools.pairwise(bounds))
    ]
    for _ in range(draw(st.integers(0, 3))):
        fault = draw(st.sampled_from(["duplicate", "swap", "drop", "nan"]))
        if not items:
            break
        i = draw(st.integers(0, len(items) - 1))
        if fault == "duplicate":
            items.insert(i + 1, items[i])
        elif fault == "swap" and i + 1 < len(items):
            items[i], items[i + 1] = items[i + 1], items[i]
        elif fault == "drop" and len(items) > 1:
            del items[i]
        elif fault == "nan":
            item = items[i]
            items[i] = Arrival(item.start, item.stop, item.t0, item.seq, nan=True)
    return signal, items


def _chunk(signal: np.ndarray, item: Arrival) -> AudioChunk:
    samples = signal[item.start : item.stop].copy()
    if item.nan:
        samples[len(samples) // 2] = np.nan
    return AudioChunk(t0=max(item.t0, 0.0), samples=samples, seq=item.seq)


def _check_exact(signal: np.ndarray, turns: list[Microturn], received_to: int) -> None:
    """Every output sample is the source's sample at that time, or zero inside a logged gap;
    after the last sample received, only the final microturn's zero padding."""
    out = np.concatenate([t.audio for t in turns]) if turns else np.zeros(0, np.float32)
    assert [t.index for t in turns] == list(range(len(turns)))
    missing = np.zeros(out.size, dtype=bool)
    for turn in turns:
        for gap in turn.gaps:
            if gap.kind is GapKind.MISSING_AUDIO:
                missing[round(gap.start * SAMPLE_RATE) : round(gap.end * SAMPLE_RATE)] = True
    n = min(out.size, received_to)
    same = out[:n] == signal[:n]
    assert np.all(same | (missing[:n] & (out[:n] == 0.0))), "a sample changed without a logged gap"
    assert np.all(out[n:] == 0.0)  # the padding of the last microturn
    real = sum(t.coverage for t in turns) * SPT
    assert real == pytest.approx(float(np.count_nonzero(~missing[:n])), abs=0.5)


@FUZZ
@given(arrivals(), st.booleans())
def test_the_framer_gives_a_clear_error_a_logged_gap_or_the_exact_audio(
        case: tuple[np.ndarray, list[Arrival]], strict: bool) -> None:
    signal, items = case
    framer = MicroturnFramer(0.2, strict=strict)
    turns: list[Microturn] = []
    expected_rejects = 0
    received_to, last_seq = 0, -1  # what the source has delivered so far, by our own count
    try:
        for item in items:
            chunk = _chunk(signal, item)  # a NaN is refused here, at the edge
            turns += framer.push_audio(chunk)
            stale = item.start < received_to or (item.seq is not None and item.seq <= last_seq)
            expected_rejects += stale
            if not stale:
                received_to, last_seq = item.stop, item.seq if item.seq is not None else last_seq
        turns += framer.flush()
    except InputError as error:
        # The only errors allowed: a NaN chunk, or (strict) a duplicate / out-of-order chunk.
        assert "NaN" in str(error) or (strict and ("in time order" in str(error)))
        return
    _check_exact(signal, turns, received_to)
    rejected = [g for t in turns for g in t.gaps if g.kind in (GapKind.DUPLICATE, GapKind.OUT_OF_ORDER)]
    assert len(rejected) == expected_rejects  # each refused chunk is logged, once
    if strict:
        assert not rejected


@st.composite
def side_streams(draw: st.DrawFn) -> list[tuple[str, float]]:
    times = draw(st.lists(st.floats(0.0, 1.2, allow_nan=False), max_size=10))
    return [(draw(st.sampled_from(["frame", "event"])), t) for t in times]


@FUZZ
@given(side_streams(), st.integers(1, 6), st.booleans())
def test_frames_and_events_join_their_microturn_or_are_logged_as_late_or_out_of_order(
        items: list[tuple[str, float]], audio_turns: int, strict: bool) -> None:
    framer = MicroturnFramer(0.2, strict=strict)
    image = np.zeros((2, 2, 3), np.uint8)
    turns: list[Microturn] = []
    sent = 0
    try:
        for n, (kind, t) in enumerate(items):
            if n % 3 == 0 and sent < audio_turns:  # audio advances between side items
                turns += framer.push_audio(AudioChunk(t0=sent * 0.2, samples=np.zeros(SPT, np.float32)))
                sent += 1
            if kind == "frame":
                framer.push_frame(VideoFrame(t=t, image=image))
            else:
                framer.push_event(Event(t=t, kind="button"))
        turns += framer.flush()
    except InputError as error:
        assert strict or "clock drift" in str(error)
        return
    placed = [(x.t, t.index) for t in turns for x in (*t.frames, *t.events)]
    logged = [g for t in turns for g in t.gaps if g.kind in (GapKind.LATE, GapKind.OUT_OF_ORDER)]
    assert len(placed) + len(logged) == len(items)  # each item is placed or logged, none lost
    last = turns[-1].index if turns else -1
    for t, index in placed:
        assert index == framer.index_of(t) or index == last  # its own microturn (or the final one)
