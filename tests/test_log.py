"""The session log survives a killed kernel, shows tampering, and reads as a transcript."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from designkit.cli import main as cli
from designkit.core import Engine, Session
from designkit.errors import InputError, LogError
from designkit.log import LogWriter, make_header, read_log, replay_to_log, verify_log
from designkit.log.writer import journal_path, write_parquet
from designkit.perception import EnergyVAD
from designkit.policy import SpeakAfterSilence

CHILD = textwrap.dedent(
    """
    import itertools, sys
    import numpy as np
    from designkit.core import Engine, Microturn
    from designkit.log import LogWriter, make_header
    from designkit.perception import EnergyVAD
    from designkit.policy import SpeakAfterSilence

    engine = Engine([EnergyVAD()], SpeakAfterSilence())
    writer = LogWriter(sys.argv[1], header=make_header(engine, name="killed"))
    engine.sink = writer
    loud = np.full(3200, 0.3, np.float32)
    for k in itertools.count():
        engine.step(Microturn(index=k, dt=0.2, audio=loud if k % 20 < 10 else loud * 0, coverage=1.0))
        print(k, flush=True)
    """
)


def test_a_log_killed_with_sigkill_loses_at_most_the_last_second(tmp_path: Path) -> None:
    path = tmp_path / "killed.parquet"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    last = -1
    for line in child.stdout:
        last = int(line)
        if last >= 57:
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert not path.exists() and journal_path(path).exists()
    log = read_log(path)  # finds the journal of the session that never closed
    assert not log.closed
    assert len(log) >= last + 1 - 5  # 5 microturns = 1 s at dt = 0.2
    assert [r[0] for r in log.rows] == list(range(len(log)))
    assert verify_log(log).ok


def test_a_partial_last_line_is_dropped_and_the_rest_verifies(tmp_path: Path, conversation: Session) -> None:
    path = tmp_path / "log.parquet"
    engine = Engine([EnergyVAD()], SpeakAfterSilence())
    writer = LogWriter(path, header=make_header(engine))
    engine.sink = writer
    engine.replay(conversation)
    writer.flush()
    journal = journal_path(path)
    text = journal.read_text()
    journal.write_text(text[: len(text) - 40])  # killed mid-line
    log = read_log(journal)
    assert log.truncated_tail and len(log) == 69
    assert verify_log(log).ok


def test_closing_compacts_to_parquet_and_removes_the_journal(tmp_path: Path, conversation: Session) -> None:
    path = tmp_path / "s.parquet"
    log = replay_to_log(Engine([EnergyVAD()], SpeakAfterSilence()), conversation, path)
    assert path.exists() and not journal_path(path).exists()
    again = read_log(path)
    assert again.rows == log.rows and again.header == log.header
    assert again.header["policy"] == {"kind": "speak_after_silence", "silent_microturns": 4,
                                      "utterance_s": 1.2, "content": "I hear you."}
    assert {"designkit", "numpy", "pyarrow", "python"} <= set(again.header["packages"])
    assert again.header["consent"]["keep"] == ["signals"]
    assert list(again.frame.columns[-3:]) == ["vad", "energy_db", "hash"]


def test_logs_are_append_only(tmp_path: Path, conversation: Session) -> None:
    path = tmp_path / "s.parquet"
    replay_to_log(Engine([EnergyVAD()], SpeakAfterSilence()), conversation, path)
    with pytest.raises(InputError, match="append-only"):
        LogWriter(path, header=make_header(Engine([EnergyVAD()], SpeakAfterSilence())))


def test_tampering_names_the_first_changed_row(tmp_path: Path, conversation: Session) -> None:
    path = tmp_path / "s.parquet"
    log = replay_to_log(Engine([EnergyVAD()], SpeakAfterSilence()), conversation, path)
    assert verify_log(path).ok
    rows = [list(r) for r in log.rows]
    reason = log.columns.index("reason")
    rows[42][reason] = "speak:turn_end"  # someone makes the agent look more responsive
    write_parquet(path, log.header, rows)
    result = verify_log(path)
    assert not result.ok and result.first_broken_row == 42
    assert cli(["audit", "verify", str(path)]) == 1

    dropped = [list(r) for r in log.rows]
    del dropped[10]
    write_parquet(path, log.header, dropped)
    assert verify_log(path).first_broken_row == 10


def test_a_changed_header_breaks_row_zero(tmp_path: Path, conversation: Session) -> None:
    path = tmp_path / "s.parquet"
    log = replay_to_log(Engine([EnergyVAD()], SpeakAfterSilence()), conversation, path)
    header = dict(log.header, consent={"given_at": 0.0, "keep": ["signals", "audio"], "revoked_at": None})
    write_parquet(path, header, log.rows)
    assert verify_log(path).first_broken_row == 0


def test_unreadable_and_truncated_logs_are_clear_errors(tmp_path: Path, conversation: Session) -> None:
    missing = tmp_path / "nope.parquet"
    with pytest.raises(LogError, match="expected an existing file"):
        read_log(missing)
    garbage = tmp_path / "garbage.parquet"
    garbage.write_bytes(b"\x00\x01not a log")
    with pytest.raises(LogError, match="Parquet log or a JSON Lines journal"):
        read_log(garbage)
    path = tmp_path / "s.parquet"
    replay_to_log(Engine([EnergyVAD()], SpeakAfterSilence()), conversation, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(LogError, match="truncated or damaged"):
        read_log(path)
    journal = tmp_path / "j.parquet.journal.jsonl"
    journal.write_text('{"header": {"schema": "designkit.session_log", "version": 1, "columns": ["index"], '
                       '"signals": []}}\n[1, "h"]\nnot json\n[2, "h"]\n')
    with pytest.raises(LogError, match="line 3"):
        read_log(journal)


def test_transcript_has_one_line_per_change(tmp_path: Path, conversation: Session, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.parquet"
    replay_to_log(Engine([EnergyVAD()], SpeakAfterSilence()), conversation, path)
    assert cli(["transcript", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:4] == [
        "00:00.0  user silent · agent silent (nothing_to_say)",
        "00:01.0  user speaking · agent silent (user_speaking)",
        "00:03.0  user silent · agent silent (nothing_to_say)",
        "00:03.6  user silent · agent speaks “I hear you.” (turn_end)",
    ]
    assert "00:04.0  user speaking · agent yields (user_barge_in)" in lines


def test_cli_replays_a_wav_and_a_log_through_a_policy_file(tmp_path: Path, conversation: Session,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from designkit.audio.wav import write_wav

    wav = write_wav(tmp_path / "talk.wav", conversation.samples())
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"kind": "speak_after_silence", "silent_microturns": 2}))
    out = tmp_path / "out.parquet"
    assert cli(["replay", str(wav), "--policy", str(policy), "--log", str(out), "--quiet"]) == 0
    first = read_log(out)
    assert first.header["policy"]["silent_microturns"] == 2
    capsys.readouterr()
    # The log's signals through a slower policy: fewer, later answers.
    policy.write_text(json.dumps({"kind": "speak_after_silence", "silent_microturns": 8}))
    assert cli(["replay", str(out), "--policy", str(policy), "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out)
    first_rate = (first.frame["action"] == "speak").sum() / (first.duration / 60)
    assert 0 < summary["interventions_per_min"] < first_rate
    assert cli(["replay", str(out), "--policy", str(tmp_path / "missing.json")]) == 2


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["demo"], ["replay"], ["transcript"], ["audit"], ["audit", "verify"]):
        with pytest.raises(SystemExit) as exit_info:
            cli([*command, "--help"])
        assert exit_info.value.code == 0
        assert "usage: designkit" in capsys.readouterr().out


def test_demo_prints_a_transcript_and_metrics(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli(["demo", "--duration", "20", "--log", str(tmp_path / "demo.parquet")]) == 0
    out = capsys.readouterr().out
    assert "user speaking" in out and "agent speaks" in out
    summary = json.loads(out[out.index("\n{") :])
    assert summary["microturns"] == 100
    assert 0.8 <= summary["metrics"]["response_latency_median_s"] <= 1.0  # 4 silent microturns, then it answers
    assert pq.read_schema(tmp_path / "demo.parquet").metadata is not None
