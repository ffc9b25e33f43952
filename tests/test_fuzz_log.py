"""Property-based fuzzing of the session log: whatever the rows hold (NaN, infinities, -0.0,
quotes, newlines, any Unicode), however the writer is flushed or stopped, and wherever the
journal is cut or a byte is flipped, reading gives a clear LogError or the exact rows (a prefix,
when cut), and the audit never calls a damaged or incomplete log OK."""

from __future__ import annotations

import itertools
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designkit.core import Engine, Event
from designkit.core.context import StepRecord
from designkit.core.decisions import Action, Decision, Proposal, Reason
from designkit.core.microturns import Gap, GapKind
from designkit.errors import InputError, LogError
from designkit.log import LogWriter, SessionLog, make_header, read_log, verify_log
from designkit.log.schema import canonical_text
from designkit.log.writer import journal_path
from designkit.perception import EnergyVAD
from designkit.policy import SpeakAfterSilence

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
HEADER = make_header(Engine([EnergyVAD()], SpeakAfterSilence()), name="fuzz", created="2026-01-01T00:00:00+00:00")
SIGNALS = list(HEADER["signals"])

NASTY = ["", '"', "\\", "\n", "\r\n", "\u2028", "é", "日本語", "🙂", '"],["', "NaN", "\x00"]
nasty_text = st.one_of(st.text(max_size=12), st.sampled_from(NASTY))
with_surrogates = st.one_of(nasty_text, st.just("lone \ud800 surrogate"))
any_float = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0]))
unit = st.floats(0.0, 1.0)


@st.composite
def records(draw: st.DrawFn, max_rows: int = 10, text: st.SearchStrategy[str] = nasty_text) -> list[StepRecord]:
    nasty_text = text
    out = []
    for k in range(draw(st.integers(0, max_rows))):
        dt = 0.2
        gaps = tuple(Gap(GapKind.MISSING_AUDIO, k * dt, k * dt + 0.05, draw(nasty_text))
                     for _ in range(draw(st.integers(0, 1))))
        events = tuple(Event(t=k * dt, kind=draw(st.text(min_size=1, max_size=6)), data={"note": draw(nasty_text)})
                       for _ in range(draw(st.integers(0, 1))))
        out.append(StepRecord(
            index=k, t=k * dt, dt=dt,
            signals={s: draw(any_float) for s in SIGNALS},
            proposal=Proposal(Action.SPEAK, confidence=draw(unit), content=draw(nasty_text), source=draw(nasty_text)),
            decision=Decision(draw(st.sampled_from([Action.SILENT, Action.SPEAK])),
                              draw(st.sampled_from(list(Reason))), confidence=draw(unit), content=draw(nasty_text)),
            user_speaking=draw(st.booleans()), agent_speaking=draw(st.booleans()),
            consent=draw(nasty_text), coverage=draw(unit), gaps=gaps, events=events,
            faults=tuple(draw(st.lists(nasty_text, max_size=2))),
        ))
    return out


def _same(a: list[list[object]], b: list[list[object]]) -> bool:
    """Exactly equal, NaN included (-0.0 and 0.0 differ)."""
    return canonical_text(a) == canonical_text(b)


def _write(folder: Path, rows: list[StepRecord], flush_every: float, close: bool) -> Path:
    path = folder / "log.parquet"
    writer = LogWriter(path, header=HEADER, flush_every_s=flush_every)
    for record in rows:
        writer.append(record)
    if close:
        writer.close()
    else:
        writer.flush()
    return path


@FUZZ
@given(records(text=with_surrogates), st.sampled_from([0.2, 0.6, 1.0]), st.booleans())
def test_what_is_written_is_read_back_exactly(rows: list[StepRecord], flush_every: float, close: bool) -> None:
    surrogate = "\\ud800" in repr(rows)  # repr escapes the lone surrogate
    with tempfile.TemporaryDirectory() as tmp:
        try:
            expected = SessionLog.from_records(HEADER, rows).rows
            path = _write(Path(tmp), rows, flush_every, close)
        except InputError as error:
            assert surrogate and "valid Unicode" in str(error)
            return
        # A lone surrogate inside an event's data is escaped in its JSON text, so it may come
        # back exactly instead of being refused: either outcome is fine, a different one is not.
        log = read_log(path)
        assert _same(log.rows, expected) and log.closed == close
        result = verify_log(path)
        assert result.chain_ok and result.ok == close and result.vouched_rows == len(rows)


@settings(max_examples=6, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(records(max_rows=3))
def test_a_journal_cut_at_every_byte_reads_as_an_exact_prefix_or_a_clear_error(rows: list[StepRecord]) -> None:
    expected = SessionLog.from_records(HEADER, rows).rows
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), rows, 1.0, close=False)
        journal = journal_path(path)
        data = journal.read_bytes()
        header_end = data.index(b"\n")
        for cut in range(len(data) + 1):
            journal.write_bytes(data[:cut])
            try:
                log = read_log(journal)
            except LogError:
                assert cut <= header_end, f"rows lost to a cut at byte {cut} of {len(data)}"
                continue
            n = len(log.rows)
            assert _same(log.rows, expected[:n])
            whole_rows = data[:cut].count(b"\n") - 1
            # A row missing only its newline is complete (its hash is its last value).
            assert n == whole_rows or (n == whole_rows + 1 and data[cut : cut + 1] == b"\n")
            result = verify_log(log)
            assert not result.ok and result.chain_ok
            if n < len(rows):
                assert f"ends at row {n} but {len(rows)} were written" in result.message
            else:
                assert "never closed" in result.message


@FUZZ
@given(records(), st.booleans(), st.data())
def test_a_flipped_byte_is_a_clear_error_or_a_failed_audit(rows: list[StepRecord], close: bool,
                                                           data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), rows, 1.0, close)
        target = path if close else journal_path(path)
        raw = bytearray(target.read_bytes())
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] ^= data.draw(st.integers(1, 255))
        target.write_bytes(bytes(raw))
        try:
            log = read_log(target)
        except LogError:
            return
        result = verify_log(target)
        if result.ok:  # only possible where the flipped byte carried no data (Parquet page stats)
            assert close and _same(log.rows, SessionLog.from_records(HEADER, rows).rows)


@FUZZ
@given(records(), st.data())
def test_a_closed_log_cut_anywhere_is_a_clear_error(rows: list[StepRecord], data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), rows, 1.0, close=True)
        raw = path.read_bytes()
        cut = data.draw(st.integers(0, len(raw) - 1))
        path.write_bytes(raw[:cut])
        with pytest.raises(LogError):
            read_log(path)


@FUZZ
@given(st.lists(st.integers(0, 6), min_size=2, max_size=8))
def test_records_out_of_order_or_twice_are_refused_by_the_writer(indexes: list[int]) -> None:
    ok = all(b > a for a, b in itertools.pairwise(indexes))
    with tempfile.TemporaryDirectory() as tmp:
        writer = LogWriter(Path(tmp) / "log.parquet", header=HEADER)
        try:
            for k in indexes:
                writer.append(StepRecord(index=k, t=k * 0.2, dt=0.2, signals={}, proposal=Proposal(),
                                         decision=Decision.silent(Reason.NOTHING_TO_SAY), user_speaking=False,
                                         agent_speaking=False, consent="offline", coverage=1.0))
        except InputError as error:
            assert not ok and "microturn" in str(error)
            return
        finally:
            writer.close()
        assert ok
        log = read_log(Path(tmp) / "log.parquet")
        assert [r[0] for r in log.rows] == indexes and not any(math.isnan(r[1]) for r in log.rows)
