"""Full-Duplex-Bench v1/v1.5 compatible scoring, one pure function per task.

The `fdb_*` functions reproduce the Full-Duplex-Bench evaluation
(github.com/DanielLin94144/Full-Duplex-Bench, `v1_v1.5/evaluation`: `eval_pause_handling.py`,
`eval_smooth_turn_taking.py`, `eval_user_interruption.py`, `eval_backchannel.py`,
`get_timing.py`) number for number, their quirks included; where their scripts would crash,
these return NaN and warn (docs/design.md, "Turn-taking, Full-Duplex-Bench v1").
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from designkit.errors import InputError
from designkit.metrics.intervals import (
    IntervalsLike,
    as_intervals,
)

logger = logging.getLogger(__name__)

# --- Full-Duplex-Bench v1 ----------------------------------------------------------------------
# Constants of the reference scripts.
FDB_TURN_DURATION_S = 1.0  # turn_duration_threshold
FDB_TURN_WORDS = 3  # turn_num_words_threshold
FDB_BC_MAX_SEGMENT_S = 3.0  # eval_backchannel time_threshold: a longer VAD segment is a turn
FDB_BC_MAX_WORDS = 3  # more words in a segment: a turn
FDB_BC_SHORT_S = 1.0  # a backchannel is shorter than this ...
FDB_BC_SHORT_WORDS = 2  # ... with at most this many words
FDB_WINDOW_S = 0.2  # eval_backchannel window_size
FDB_EPSILON = 1e-10

Word = tuple[float | None, float | None]


def _words(words: Sequence[Sequence[float | None]] | Sequence[Word]) -> list[Word]:
    """(start, end) or (text, start, end) rows; end may be None (null in output.json)."""
    out: list[Word] = []
    for w in words:
        row = tuple(w)
        if len(row) == 3:
            row = row[1:]
        if len(row) != 2:
            raise InputError("word", expected="(start, end) or (text, start, end)", got=w)
        start, end = row
        out.append((None if start is None else float(start), None if end is None else float(end)))
    return out


def fdb_takeover(*, words: Sequence[Sequence[float | None]], null_end: str = "start") -> float:
    """TOR of one example, as Full-Duplex-Bench v1 computes it: 0 with no words; else
    duration = end of last word - start of first word, TOR = 0 iff duration < 1 s and words <= 3.

    `null_end="start"` is `eval_pause_handling.py` (a null end uses that word's start);
    `null_end="crash"` is the smooth-turn-taking and user-interruption scripts, which crash on a
    null end: NaN and a warning.
    """
    w = _words(words)
    if not w:
        return 0.0
    first, last = w[0][0], w[-1]
    end = last[1]
    if end is None and null_end == "start":
        end = last[0]
    if first is None or end is None:
        logger.warning("Full-Duplex-Bench's script would crash here (null timestamp): TOR is NaN")
        return math.nan
    duration = end - first
    if duration < FDB_TURN_DURATION_S and len(w) <= FDB_TURN_WORDS:
        return 0.0
    return 1.0


@dataclass(frozen=True, slots=True)
class FDBExample:
    """One example's Full-Duplex-Bench scores; `latency` is None where the reference has none."""

    tor: float
    latency: float | None = None


def fdb_pause_handling(*, words: Sequence[Sequence[float | None]]) -> FDBExample:
    """Pause handling (`eval_pause_handling.py`): TOR over all output words; lower is better."""
    return FDBExample(fdb_takeover(words=words, null_end="start"))


def _timed(words: Sequence[Sequence[float | None]], reference_t: float) -> FDBExample:
    tor = fdb_takeover(words=words, null_end="crash")
    if tor != 1.0:
        return FDBExample(tor)
    start = _words(words)[0][0]
    assert start is not None
    return FDBExample(tor, start - reference_t)


def fdb_smooth_turn_taking(*, words: Sequence[Sequence[float | None]], turn_start: float) -> FDBExample:
    """Smooth turn-taking (`eval_smooth_turn_taking.py`): TOR, and for TOR = 1 the latency
    first word start - `turn_taking.json[0]["timestamp"][0]` (not yet clipped)."""
    return _timed(words, turn_start)


def fdb_user_interruption(*, words: Sequence[Sequence[float | None]], interrupt_end: float) -> FDBExample:
    """User interruption (`eval_user_interruption.py`): TOR over the words given (the reference's
    ASR keeps only words after the interruption), latency from `interrupt.json[0]["timestamp"][1]`."""
    return _timed(words, interrupt_end)


def words_after(words: Sequence[Sequence[float | None]], t: float) -> list[Word]:
    """The words starting at or after `t` (what the reference ASR keeps for user interruption)."""
    return [w for w in _words(words) if w[0] is not None and w[0] >= t]


def fdb_pause_aggregate(examples: Sequence[FDBExample]) -> float:
    """Mean TOR over examples (`eval_pause_handling.py`'s `sum / len`); NaN with none."""
    if not examples:
        logger.warning("no examples: the reference would divide by zero; NaN")
        return math.nan
    return sum(e.tor for e in examples) / len(examples)


def fdb_aggregate(examples: Sequence[FDBExample]) -> dict[str, float]:
    """Mean TOR, and mean latency over TOR = 1 with negative latencies clipped to 0 (the scripts'
    `sum / len`). NaN and a warning where the reference would divide by zero or crash."""
    tors = [e.tor for e in examples]
    if not tors or any(math.isnan(t) for t in tors):
        logger.warning("Full-Duplex-Bench's script would crash on this set (no examples or a null timestamp)")
        return {"tor": math.nan, "latency": math.nan}
    latencies = [max(0.0, e.latency) for e in examples if e.tor == 1.0 and e.latency is not None]
    if not latencies:
        logger.warning("no example took the turn: the reference's mean latency divides by zero; NaN")
    return {"tor": sum(tors) / len(tors),
            "latency": sum(latencies) / len(latencies) if latencies else math.nan}


@dataclass(frozen=True, slots=True)
class FDBBackchannel:
    tor: float
    frequency: float
    jsd: float
    backchannels: tuple[tuple[float, float], ...]


def _segment_words(words: list[Word], start: float, end: float) -> int:
    """How many words `eval_backchannel.py` assigns to VAD segment [start, end] (its rules)."""
    count = 0
    for t_start, t_end in words:
        if t_start is None or (t_end is None and t_start < end):
            continue
        if t_end is None:
            t_end = t_start
        if ((t_start >= start and t_end <= end) or (t_start <= end and t_end > end)
                or (t_start <= start and t_end > start)):
            count += 1
    return count


def fdb_backchannel(*, segments: Sequence[tuple[float, float]], words: Sequence[Sequence[float | None]],
                    duration_s: float, reference: Sequence[float] | None = None) -> FDBBackchannel:
    """Backchannel (`eval_backchannel.py`) from the Silero VAD segments of output.wav (seconds,
    rounded to 0.1 s) and the output words.

    Segments are scanned in order: one longer than 3 s sets TOR = 1 and stops; otherwise each
    counts as a backchannel and sets TOR (the last one decides): 1 if it has > 3 words, else 0
    iff shorter than 1 s with <= 2 words. frequency = backchannels / `duration_s` (output.wav's
    length). JSD = scipy's `jensenshannon` (a distance, natural log) between 0.2 s occupancy
    bins (+1e-10, normalised) and `reference` (this example's curve from the benchmark's
    `icc_gt_distribution.json`) stretched linearly to the same length; 1 with no backchannels;
    NaN when backchannels exist but no reference is given.
    """
    w = _words(words)
    tor = 0.0
    found: list[tuple[float, float]] = []
    for start, end in segments:
        duration = end - start
        if duration > FDB_BC_MAX_SEGMENT_S:
            tor = 1.0
            break
        n_words = _segment_words(w, start, end)
        if n_words > FDB_BC_MAX_WORDS:
            tor = 1.0
        elif duration < FDB_BC_SHORT_S:
            tor = 0.0 if n_words <= FDB_BC_SHORT_WORDS else 1.0
        else:
            tor = 1.0
        found.append((start, end))
    frequency = len(found) / duration_s
    if not found:
        return FDBBackchannel(tor, frequency, 1.0, ())
    if reference is None:
        return FDBBackchannel(tor, frequency, math.nan, tuple(found))
    try:
        from scipy.interpolate import interp1d
        from scipy.spatial.distance import jensenshannon
    except ImportError as exc:
        from designkit.errors import MissingExtraError

        raise MissingExtraError("scipy", "models") from exc

    bins = [0 for _ in range(int(duration_s / FDB_WINDOW_S) + 1)]
    for start, end in found:
        for i in range(int(start / FDB_WINDOW_S), int(end / FDB_WINDOW_S) + 1):
            if i < len(bins):
                bins[i] += 1
    hist = np.array(bins) + FDB_EPSILON
    hist = hist / np.sum(hist)
    ref = np.asarray(reference, dtype=np.float64)
    stretch = interp1d(np.linspace(0, 1, len(ref)), ref, kind="linear", fill_value="extrapolate")
    jsd = float(jensenshannon(np.array(list(hist)), np.array(stretch(np.linspace(0, 1, len(hist))))))
    return FDBBackchannel(tor, frequency, jsd, tuple(found))


def fdb_backchannel_aggregate(examples: Sequence[FDBBackchannel]) -> dict[str, float]:
    """np.mean of TOR, frequency and JSD over examples, as `eval_backchannel.py` prints them."""
    if not examples:
        return {"tor": math.nan, "frequency": math.nan, "jsd": math.nan}
    return {"tor": float(np.mean([e.tor for e in examples])),
            "frequency": float(np.mean([e.frequency for e in examples])),
            "jsd": float(np.mean([e.jsd for e in examples]))}


# --- Full-Duplex-Bench v1.5 timing (get_timing.py) ---------------------------------------------
FDB15_USER_MERGE_GAP_S = 0.6
FDB15_MODEL_MERGE_GAP_S = 0.5


def fdb15_merge(segments: IntervalsLike, gap_s: float) -> list[tuple[float, float]]:
    """Segments sorted and joined where the gap to the previous is <= `gap_s` (get_timing `_merge`)."""
    segs = sorted((float(s), float(e)) for s, e in as_intervals("segments", segments).tolist())
    if not segs:
        return []
    out = [segs[0]]
    for s, e in segs[1:]:
        ps, pe = out[-1]
        if s - pe <= gap_s:
            out[-1] = (ps, max(pe, e))
        else:
            out.append((s, e))
    return out


def fdb15_stop_intervals(*, user: Sequence[tuple[float, float]], model: Sequence[tuple[float, float]]) -> list[list[float]]:
    """Overlaps of user and model speech (get_timing `overlaps`): the agent's stop latencies.

    Inputs are already merged segments; the shortest overlap per end time (ms) is kept, rounded
    to 1 ms and sorted by end.
    """
    raw: list[tuple[float, float]] = []
    i = j = 0
    while i < len(user) and j < len(model):
        s, e = max(user[i][0], model[j][0]), min(user[i][1], model[j][1])
        if e > s:
            raw.append((s, e))
        if user[i][1] < model[j][1]:
            i += 1
        else:
            j += 1
    best: dict[int, tuple[float, float]] = {}
    for s, e in raw:
        key = round(e * 1000)
        if key not in best or (e - s) < (best[key][1] - best[key][0]):
            best[key] = (s, e)
    return [[round(s, 3), round(e, 3)] for s, e in sorted(best.values(), key=lambda x: x[1])]


def fdb15_response_gaps(*, user: Sequence[tuple[float, float]], model: Sequence[tuple[float, float]]) -> list[list[float]]:
    """User end -> next model start (get_timing `response_gaps`), one per model start (latest user end)."""
    starts = [s for s, _ in model]
    kept: dict[int, list[float]] = {}
    for _, u_end in user:
        nxt = next((s for s in starts if s > u_end), None)
        if nxt is None:
            continue
        key = round(nxt * 1000)
        candidate = [round(u_end, 3), round(nxt, 3)]
        if key not in kept or candidate[0] > kept[key][0]:
            kept[key] = candidate
    return [iv for _, iv in sorted(kept.items(), key=lambda kv: kv[1][1])]


def fdb15_timing(*, user_segments: IntervalsLike, model_segments: IntervalsLike) -> dict[str, list[list[float]]]:
    """`latency_intervals.json` of get_timing.py from raw VAD segments in seconds."""
    user = fdb15_merge(user_segments, FDB15_USER_MERGE_GAP_S)
    model = fdb15_merge(model_segments, FDB15_MODEL_MERGE_GAP_S)
    return {"latency_stop_list": fdb15_stop_intervals(user=user, model=model),
            "latency_resp_list": fdb15_response_gaps(user=user, model=model)}



__all__ = [
    "FDBBackchannel", "FDBExample", "fdb15_timing", "fdb_aggregate", "fdb_backchannel",
    "fdb_backchannel_aggregate", "fdb_pause_aggregate", "fdb_pause_handling", "fdb_smooth_turn_taking",
    "fdb_takeover", "fdb_user_interruption", "words_after",
]
