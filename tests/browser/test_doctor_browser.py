"""`designkit doctor` in real Chromium: ready when the microphone is allowed, a readable ✘ with
what to do when it is blocked. The printed report is what a teacher reads; it is kept as an artifact."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import harness
import pytest

pytestmark = pytest.mark.skipif(not Path(harness.CHROMIUM).exists(), reason="Debian chromium is not installed")


def doctor(browser_flags: list[str], profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = shlex.join([harness.CHROMIUM, *browser_flags, f"--user-data-dir={profile}"])
    return subprocess.run([sys.executable, "-m", "designkit.cli", "doctor", "--browser", command,
                           "--timeout", "90", *extra], capture_output=True, text=True, timeout=300)


def test_doctor_passes_with_the_microphone_allowed(tmp_path: Path, fake_wav: Path, artifacts: Path) -> None:
    flags = [*harness.CHROMIUM_FLAGS, f"--use-file-for-fake-audio-capture={fake_wav}"]
    done = doctor(flags, tmp_path / "profile")
    (artifacts / "doctor-ready.txt").write_text(done.stdout + done.stderr)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1].startswith("READY")
    for name in ("voice (TTS)", "browser", "secure page", "microphone", "sound level", "round trip"):
        assert any(line.startswith(f"  ✔ {name}") for line in lines), (name, done.stdout)
    assert "room mode: echo cancellation on, noise suppression on" in done.stdout
    assert "15/15 microturns answered" in done.stdout


def test_doctor_measurement_mode_turns_the_filters_off(tmp_path: Path, fake_wav: Path) -> None:
    flags = [*harness.CHROMIUM_FLAGS, f"--use-file-for-fake-audio-capture={fake_wav}"]
    done = doctor(flags, tmp_path / "profile", "--mode", "measurement")
    assert "measurement mode: echo cancellation off, noise suppression off" in done.stdout, done.stdout


def test_doctor_fails_readably_when_the_microphone_is_blocked(tmp_path: Path, artifacts: Path) -> None:
    flags = [f for f in harness.CHROMIUM_FLAGS if f != "--use-fake-ui-for-media-stream"]
    done = doctor([*flags, "--deny-permission-prompts"], tmp_path / "profile")
    (artifacts / "doctor-blocked.txt").write_text(done.stdout + done.stderr)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    blocked = next(i for i, line in enumerate(lines) if line.startswith("  ✘ microphone"))
    assert "blocked (NotAllowedError" in lines[blocked]
    assert "set Microphone to Allow" in lines[blocked + 1]
    assert lines[-1] == "NOT READY: 1 problem(s): microphone"
