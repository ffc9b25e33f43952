"""ipywebrtc 0.6's AudioRecorder in JupyterLab 4, real Chromium, fake microphone: a person
presses record, then stop, and the clip (WebM/Opus) becomes a designkit Session in one call."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import harness
import offline
import pytest

pytest.importorskip("ipywebrtc")

RECORD = "button.jupyter-button:has(i.fa-circle)"

SOURCE = """
import json, pathlib
from ipywebrtc import AudioRecorder, CameraStream
from designkit.audio.recordings import session_from_recording

camera = CameraStream(constraints={"audio": True, "video": False})
recorder = AudioRecorder(stream=camera)

def imported(change):
    session = session_from_recording(recorder, name="ipywebrtc")
    pathlib.Path(OUT).write_text(json.dumps({
        "bytes": len(recorder.audio.value), "format": recorder.audio.format, "name": session.name,
        "duration": session.duration, "meta": dict(session.meta),
        "microturns": len(list(session.microturns())),
        "peak": float(abs(session.samples()).max())}))

recorder.audio.observe(imported, names="value")
recorder
"""


def recorder_notebook(path: Path, out: Path) -> Path:
    return offline.notebook(path, [f"OUT = {str(out)!r}\n" + SOURCE])


def test_an_audio_recorder_clip_imports_as_a_session(lab: Any, page: Any, artifacts: Path) -> None:
    out = lab.root / "ipywebrtc-session.json"
    out.unlink(missing_ok=True)
    recorder_notebook(lab.root / "ipywebrtc.ipynb", out)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(lab.notebook_url("ipywebrtc.ipynb"))
    harness.run_all_cells(page)
    folder = artifacts / "ipywebrtc"
    folder.mkdir(exist_ok=True)
    try:
        page.wait_for_selector(RECORD, timeout=120_000)
    except Exception as exc:
        page.screenshot(path=str(folder / "not-rendered.png"), full_page=True)
        raise AssertionError(f"ipywebrtc's recorder did not render in JupyterLab 4; page errors: {errors}") from exc
    page.wait_for_timeout(1500)  # the camera stream (fake microphone) starts
    page.click(RECORD)
    started = time.monotonic()
    page.wait_for_timeout(3000)  # a person talks for about three seconds
    page.screenshot(path=str(folder / "recording.png"), full_page=True)
    page.click(RECORD)
    pressed_s = time.monotonic() - started  # 3 s, or more when the machine is busy
    harness.wait_for(out.is_file, timeout=60, what="the clip to arrive in the kernel and import")
    page.screenshot(path=str(folder / "recorded.png"), full_page=True)
    result = json.loads(out.read_text())
    assert result["format"] == "webm" and result["bytes"] > 1000
    assert result["meta"]["format"] == "WebM/Matroska"
    assert result["meta"]["conversions"][0] == "decoding WebM/Matroska with ffmpeg"
    # The clip lasts about as long as the button was on (between the two clicks, plus a little).
    assert 1.5 <= result["duration"] <= pressed_s + 3.0, (result, pressed_s)
    assert result["microturns"] >= 8 and result["peak"] > 0.01  # it heard the fake microphone
