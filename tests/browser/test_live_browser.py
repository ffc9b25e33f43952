"""LiveSession in real Chromium against JupyterLab and Voilà, with a fake microphone and camera.

What a person would notice: nothing is captured before "Allow"; a minute of talking reaches the
kernel as 5 chunks a second with none lost; the kernel hears the real signal; the agent's voice
plays and stops within one microturn of "stop"; revoking or closing the tab releases the
microphone and leaves a clean log. Screenshots of each state go to test-artifacts/live/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import harness
import numpy as np

from designkit.audio.wav import read_wav
from designkit.log import read_log

STREAM_S = 60.0
DT = 0.2


def shot(page: Any, artifacts: Path, name: str) -> None:
    folder = artifacts / "live"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def open_in_lab(page: Any, lab: Any, name: str) -> None:
    page.goto(lab.notebook_url(name))
    harness.run_all_cells(page)
    harness.wait_allow(page)


def operator(page: Any, code: str) -> None:
    """What an operator's console does, in code run by the notebook's kernel (the participant's
    page itself holds no operator control)."""
    page.evaluate("(code) => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
                  ".requestExecute({code, silent: true, store_history: false}).done", code)


def best_lag_correlation(received: np.ndarray, reference: np.ndarray) -> float:
    """Pearson r between `received` and the looped `reference`, at the best circular lag."""
    n = received.size
    best = -1.0
    for lag in range(reference.size):
        ref = np.resize(np.roll(reference, -lag), n)
        best = max(best, float(np.corrcoef(received, ref)[0, 1]))
    return best


def envelope_blocks(block_s: float) -> np.ndarray:
    env = harness.burst_envelope()
    size = round(block_s * harness.FAKE_WAV_RATE)
    return env[: env.size // size * size].reshape(-1, size).mean(axis=1)


def the_folder(log_dir: Path) -> Path:
    folders = [p for p in log_dir.iterdir() if p.is_dir()]
    assert len(folders) == 1, folders
    return folders[0]


def closed(folder: Path) -> bool:
    return (folder / "recording.json").is_file()


def test_a_minute_live_in_jupyterlab(lab: Any, page: Any, artifacts: Path) -> None:
    log_dir = lab.root / "logs-minute"
    harness.live_notebook(lab.root / "minute.ipynb", log_dir=log_dir, camera=True)
    open_in_lab(page, lab, "minute.ipynb")
    page.wait_for_timeout(1000)  # a second with the widget shown and nothing allowed yet
    shot(page, artifacts, "01-consent")
    assert page.evaluate("window.__gumCalls") == 0
    assert harness.live_state(page, "s.sent") == 0
    assert not log_dir.exists()  # no log before consent

    page.check(".dk-keep-audio")
    page.click(".dk-allow >> visible=true")
    harness.wait_live(page, "s.replies >= 5")
    assert harness.live_state(page, "s.counts.before_consent") == 0
    assert page.evaluate("window.__gumCalls") == 1

    # The agent's voice: mute the mic so nobody talks over it, speak, then stop.
    harness.wait_live(page, "s.replies >= 50", timeout_ms=60_000)
    page.click(".dk-controls button:has-text('mute mic')")
    harness.wait_live(page, "s.lastPoint && !s.lastPoint.user && !s.lastPoint.agent && s.voice.active === 0")
    pieces = harness.live_state(page, "s.voice.pieces")
    operator(page, "session.wizard('speak', content='Let me think about that for a moment.')")
    # Ceilings for a busy machine (the agent's pieces come as fast as the kernel answers).
    harness.wait_live(page, f"s.voice.pieces >= {pieces + 3} && s.voice.level > 1e-3", timeout_ms=60_000)
    shot(page, artifacts, "03-agent-speaking")
    stops = harness.live_state(page, "s.voice.stops")
    operator(page, "session.wizard('stop')")
    harness.wait_live(page, f"s.voice.stops > {stops} && s.voice.lastStop && s.voice.lastStop.reason === 'wizard'"
                            " && s.voice.silentAfterStopMs !== null", timeout_ms=60_000)
    stopped = harness.live_state(page, "s.replies")
    harness.wait_live(page, f"s.replies >= {stopped + 5}")
    voice = harness.live_state(page, "s.voice")
    assert voice["active"] == 0
    assert voice["silentAfterStopMs"] <= DT * 1000  # silent within one microturn of the stop arriving
    assert voice["pieces"] == voice["lastStop"]["pieces"]  # nothing queued or sent after the stop
    page.click(".dk-controls button:has-text('mute mic')")

    n = int(STREAM_S / DT)
    harness.wait_live(page, f"s.replies >= {n}", timeout_ms=int(STREAM_S * 1000 * 2.5))
    shot(page, artifacts, "02-live")
    state = harness.live_state(page, "({sent: s.sent, replies: s.replies, counts: s.counts, "
                                     "p50: s.percentile(s.rtts, 0.5), p95: s.percentile(s.rtts, 0.95)})")
    print("jupyterlab live:", json.dumps(state))

    page.click(".dk-revoke >> visible=true")
    harness.wait_live(page, "s.phase === 'revoked' && s.tracksEnded()")
    shot(page, artifacts, "04-revoked")
    folder = the_folder(log_dir)
    harness.wait_for(lambda: closed(folder), timeout=30, what="the log to close after revoking")

    log = read_log(folder / "log.parquet")
    frame = log.frame
    sent = state["sent"]
    assert sent >= n
    # Every chunk reached the kernel, in order, with no gap; the last row is the revocation.
    live_rows = frame.iloc[:-1]
    assert len(live_rows) >= sent
    assert (live_rows["gaps"] == "").all()
    assert (live_rows["coverage"] == 1.0).all()
    assert frame["consent"].iloc[-1] == "none"
    facts = json.loads((folder / "recording.json").read_text())
    assert facts["counts"]["gaps"] == 0 and facts["counts"]["late"] == 0
    assert facts["counts"]["frames"] > 0  # the camera was on
    # The stop took effect in the microturn right after the button: a wizard yield.
    stops = frame[(frame["reason"] == "wizard") & (frame["action"] == "yield")]
    assert len(stops) == 1
    # The kernel heard the real signal: its loudness follows the WAV's bursts.
    energy = log.signal("energy_db")[5:-1]
    talking = frame["events"].str.contains('"muted"')
    assert talking.sum() == 2
    r = best_lag_correlation(energy[200:], envelope_blocks(DT))  # after the mute/unmute stretch
    assert r > 0.8, r
    audio = read_wav(folder / "audio.wav")
    assert audio.size >= sent * 3200
    level = np.sqrt(np.mean(audio[: audio.size // 1600 * 1600].reshape(-1, 1600) ** 2, axis=1))
    assert best_lag_correlation(level[-2000:], envelope_blocks(0.1)) > 0.85


def test_closing_the_tab_stops_capture_and_closes_the_log(lab: Any, page: Any, artifacts: Path) -> None:
    log_dir = lab.root / "logs-close"
    harness.live_notebook(lab.root / "close.ipynb", log_dir=log_dir, camera=False)
    open_in_lab(page, lab, "close.ipynb")
    page.click(".dk-allow >> visible=true")
    harness.wait_live(page, "s.replies >= 10")
    shot(page, artifacts, "05-before-tab-closed")
    page.close(run_before_unload=False)
    folder = the_folder(log_dir)
    harness.wait_for(lambda: closed(folder), timeout=30, what="the log to close after the tab closed")
    facts = json.loads((folder / "recording.json").read_text())
    assert facts["ended"] == "tab closed"
    assert not list(folder.glob("*.journal.jsonl"))
    frame = read_log(folder / "log.parquet").frame
    assert len(frame) >= 10 and '"tab closed"' in frame["events"].iloc[-1]


def test_the_same_notebook_live_in_voila(voila_app: Any, page: Any, browser_work: Path, artifacts: Path) -> None:
    root = browser_work / "voila-root"
    root.mkdir(exist_ok=True)
    log_dir = root / "logs"
    notebook = harness.live_notebook(root / "voila-live.ipynb", log_dir=log_dir, camera=True)
    problems = harness.watch_offline(page)
    server = voila_app(notebook)
    page.goto(server.url)
    harness.wait_allow(page)
    assert page.evaluate("window.__gumCalls") == 0
    page.click(".dk-allow >> visible=true")
    harness.wait_live(page, "s.replies >= 50", timeout_ms=60_000)
    shot(page, artifacts, "06-voila")
    state = harness.live_state(page, "({sent: s.sent, counts: s.counts, p95: s.percentile(s.rtts, 0.95)})")
    print("voila live:", json.dumps(state))
    assert state["counts"]["gaps"] == 0
    assert state["counts"]["before_consent"] == 0
    assert state["counts"]["frames"] > 0
    page.click(".dk-revoke >> visible=true")
    folder = the_folder(log_dir)
    harness.wait_for(lambda: closed(folder), timeout=30, what="the Voilà session's log to close")
    assert not problems, "\n".join(problems)


def test_the_same_notebook_live_in_notebook_7(lab: Any, page: Any, artifacts: Path) -> None:
    log_dir = lab.root / "logs-nb7"
    harness.live_notebook(lab.root / "nb7.ipynb", log_dir=log_dir, camera=False)
    page.goto(f"{lab.url}/notebooks/nb7.ipynb")
    harness.run_all_cells(page)
    harness.wait_allow(page)
    assert page.evaluate("window.__gumCalls") == 0
    page.click(".dk-allow >> visible=true")
    harness.wait_live(page, "s.replies >= 25")
    shot(page, artifacts, "07-notebook7")
    assert harness.live_state(page, "s.counts.gaps") == 0
    page.click(".dk-revoke >> visible=true")
    folder = the_folder(log_dir)
    harness.wait_for(lambda: closed(folder), timeout=30, what="the Notebook 7 session's log to close")
