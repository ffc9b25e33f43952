"""The audit catches a log whose last rows are gone, says when a log was never closed, and
checks an optional signature: completeness, not only order."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from designkit.cli import main as cli
from designkit.core import Engine, Microturn, Session
from designkit.log import LogWriter, make_header, read_log, replay_to_log, verify_log
from designkit.log.schema import genesis_hash
from designkit.log.seal import KEY_ENV, METADATA_KEY, Seal, manifest_path, write_manifest
from designkit.log.writer import journal_path, write_parquet
from designkit.perception import EnergyVAD
from designkit.policy import SpeakAfterSilence
from designkit.testing import scripted_session


@pytest.fixture
def six_seconds() -> Session:
    """30 microturns at dt = 0.2 s."""
    return scripted_session([(1.0, 3.0)], 6.0, seed=3)


def _closed_log(path: Path, session: Session) -> list[list[object]]:
    log = replay_to_log(Engine([EnergyVAD()], SpeakAfterSilence()), session, path)
    assert len(log) == 30
    return log.rows


def test_a_closed_log_is_sealed_and_verifies(tmp_path: Path, six_seconds: Session,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.parquet"
    rows = _closed_log(path, six_seconds)
    meta = pq.read_schema(path).metadata
    seal = json.loads(meta[METADATA_KEY])
    assert seal["rows"] == 30 and seal["final_hash"] == rows[-1][-1] and seal["state"] == "closed"
    manifest = json.loads(manifest_path(path).read_text())
    assert manifest == seal
    assert cli(["audit", "verify", str(path)]) == 0
    assert "OK: 30 rows verified, complete" in capsys.readouterr().out


def test_deleted_tail_rows_of_a_closed_log_are_named(tmp_path: Path, six_seconds: Session,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The case that used to pass as "OK: 25 rows verified": the last 5 rows cut with pyarrow."""
    path = tmp_path / "s.parquet"
    _closed_log(path, six_seconds)
    table = pq.read_table(path)
    pq.write_table(table.slice(0, 25), path)  # keeps the schema metadata, seal included
    result = verify_log(path)
    assert not result.ok and result.chain_ok
    assert (result.rows, result.written, result.vouched_rows) == (25, 30, 25)
    assert "ends at row 25 but 30 were written" in result.message
    assert cli(["audit", "verify", str(path)]) == 1
    assert "BROKEN" in capsys.readouterr().out
    assert cli(["audit", "report", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["chain_ok"] and not report["verified"]
    assert (report["microturns"], report["rows_written"], report["rows_vouched_for"]) == (25, 30, 25)


def test_a_tail_cut_and_resealed_without_the_manifest_is_caught_by_the_manifest(
        tmp_path: Path, six_seconds: Session) -> None:
    path = tmp_path / "s.parquet"
    rows = _closed_log(path, six_seconds)
    header = read_log(path).header
    write_parquet(path, header, rows[:25])  # no seal at all
    assert "ends at row 25 but 30 were written (the manifest says so)" in verify_log(path).message
    forged = Seal(25, str(rows[24][-1]), genesis_hash(header), True)
    write_parquet(path, header, rows[:25], seal=forged)  # a consistent seal, manifest untouched
    result = verify_log(path)
    assert not result.ok and "30 were written (the manifest says so)" in result.message


def test_without_a_key_a_consistent_rewrite_of_both_seals_passes_with_a_key_it_does_not(
        tmp_path: Path, six_seconds: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the chain cannot prove alone (docs/audit.md): whoever can write both files can cut
    the tail and reseal consistently. A signing key closes that gap."""
    path = tmp_path / "s.parquet"
    rows = _closed_log(path, six_seconds)
    header = read_log(path).header
    forged = Seal(25, str(rows[24][-1]), genesis_hash(header), True)
    write_parquet(path, header, rows[:25], seal=forged)
    write_manifest(manifest_path(path), forged)
    assert verify_log(path).ok  # undetectable without a key: documented, not hidden

    monkeypatch.setenv(KEY_ENV, "workshop-secret")
    signed = tmp_path / "signed.parquet"
    rows = _closed_log(signed, six_seconds)
    assert verify_log(signed).ok and "signature checked" in verify_log(signed).message
    header = read_log(signed).header
    write_parquet(signed, header, rows[:25], seal=forged)
    write_manifest(manifest_path(signed), forged)
    result = verify_log(signed)
    assert not result.ok and "not signed" in result.message
    wrong = forged.signed(b"guessed")
    write_parquet(signed, header, rows[:25], seal=wrong)
    write_manifest(manifest_path(signed), wrong)
    assert "signature does not match" in verify_log(signed).message
    monkeypatch.setenv(KEY_ENV, "another key")
    assert not verify_log(tmp_path / "signed.parquet").ok


def test_a_signed_log_verified_without_the_key_says_the_signature_was_not_checked(
        tmp_path: Path, six_seconds: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "k")
    path = tmp_path / "s.parquet"
    _closed_log(path, six_seconds)
    monkeypatch.delenv(KEY_ENV)
    result = verify_log(path)
    assert result.ok and f"set {KEY_ENV} to check" in result.message


def _live_writer(path: Path) -> tuple[Engine, LogWriter]:
    engine = Engine([EnergyVAD()], SpeakAfterSilence())
    writer = LogWriter(path, header=make_header(engine, name="live"))
    engine.sink = writer
    return engine, writer


def test_while_live_a_checkpoint_is_written_at_least_every_second(tmp_path: Path) -> None:
    path = tmp_path / "live.parquet"
    engine, writer = _live_writer(path)
    loud = np.full(3200, 0.3, np.float32)
    for k in range(40):
        engine.step(Microturn(index=k, dt=0.2, audio=loud, coverage=1.0))
        checkpoint = json.loads(manifest_path(path).read_text())
        assert checkpoint["state"] == "open"
        assert k + 1 - 5 <= checkpoint["rows"] <= k + 1  # never more than 1 s (5 microturns) behind
    result = verify_log(path)  # the journal of a session still running
    assert not result.ok and not result.closed and result.vouched_rows == 40
    assert "never closed" in result.message and "rows 0-39" in result.message
    writer.close()
    assert verify_log(path).ok and not journal_path(path).exists()


def test_a_journal_with_its_tail_cut_names_the_rows_the_checkpoint_saw(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "live.parquet"
    engine, writer = _live_writer(path)
    loud = np.full(3200, 0.3, np.float32)
    for k in range(30):
        engine.step(Microturn(index=k, dt=0.2, audio=loud, coverage=1.0))
    writer.flush()
    journal = journal_path(path)
    lines = journal.read_text().splitlines(keepends=True)
    journal.write_text("".join(lines[:-5]))  # the last 5 whole rows removed
    assert cli(["audit", "verify", str(path)]) == 1
    out = capsys.readouterr().out
    assert "ends at row 25 but 30 were written" in out


def test_a_log_without_a_seal_cannot_be_vouched_complete(tmp_path: Path, six_seconds: Session) -> None:
    path = tmp_path / "old.parquet"
    rows = _closed_log(path, six_seconds)
    write_parquet(path, read_log(path).header, rows)  # as an older designkit wrote it
    manifest_path(path).unlink()
    result = verify_log(path)
    assert result.chain_ok and not result.ok and "no seal" in result.message


def test_a_manifest_of_another_log_is_refused(tmp_path: Path, six_seconds: Session) -> None:
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    _closed_log(a, six_seconds)
    replay_to_log(Engine([EnergyVAD()], SpeakAfterSilence()), scripted_session([(1.0, 2.0)], 6.0, seed=4), b,
                  created="2026-01-01T00:00:00+00:00")
    manifest_path(a).write_bytes(manifest_path(b).read_bytes())
    result = verify_log(a)
    assert not result.ok and "belongs to another log" in result.message


def test_an_in_memory_replay_verifies(six_seconds: Session) -> None:
    log = replay_to_log(Engine([EnergyVAD()], SpeakAfterSilence()), six_seconds)
    assert verify_log(log).ok
