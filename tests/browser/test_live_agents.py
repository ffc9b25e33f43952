"""The four agents live in real Chromium with fake media, and the live faults a person would notice.

Each agent hears a generated WAV (or sees a generated Y4M workout) through Chromium's fake devices:
the conversation agent answers and its log replays to the same decisions; the breathing coach's
cues are audible within ±200 ms of the 4-2-6 schedule; the language coach catches a switch, and
a replay with the logged arrival microturns of its language ID worker gives the live decisions;
the exercise coach counts N ± 1 reps and says them. Faults: a kernel restart, a kernel interrupt, a dropped connection,
a throttled tab and an unplugged microphone. Screenshots go to test-artifacts/agents/ (the
agents' pictures in docs/images/ are made by scripts/screenshots.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import agent_media
import harness
import pytest

from designkit.audio.wav import read_wav
from designkit.core.beside import arrivals_in, results_in
from designkit.log import read_log
from designkit.widgets import load_session


def shot(page: Any, artifacts: Path, name: str) -> None:
    folder = artifacts / "agents"
    folder.mkdir(exist_ok=True)
    page.locator(".dk-root").first.screenshot(path=str(folder / f"{name}.png"))


def open_agent(browser: Any, lab: Any, name: str, agent: str) -> tuple[Any, Path]:
    log_dir = lab.root / f"logs-{name}"
    harness.live_notebook(lab.root / f"{name}.ipynb", log_dir=log_dir, agent=agent, name=name)
    page = harness.new_page(browser)
    page.goto(lab.notebook_url(f"{name}.ipynb"))
    harness.run_all_cells(page)
    harness.wait_allow(page, timeout_ms=180_000)
    return page, log_dir


def stream(page: Any, seconds: float, *, keep_audio: bool = False) -> None:
    if keep_audio:
        page.check(".dk-keep-audio")
    page.click(".dk-allow >> visible=true")
    harness.wait_live(page, f"s.replies >= {int(seconds / 0.2)}", timeout_ms=int(seconds * 3000) + 30_000)


def revoke(page: Any, log_dir: Path) -> Path:
    page.click(".dk-revoke >> visible=true")
    folders = [p for p in log_dir.iterdir() if p.is_dir()]
    assert len(folders) == 1
    harness.wait_for(lambda: (folders[0] / "recording.json").is_file(), timeout=30, what="the log to close")
    return folders[0]


def live_decisions(folder: Path) -> list[tuple[str, str, str]]:
    frame = read_log(folder / "log.parquet").frame.iloc[:-1]  # the last row is the revocation
    return list(zip(frame["action"], frame["reason"], frame["content"], strict=True))


def test_conversation_answers_live_and_replays_to_the_same_decisions(lab: Any, browser_work: Path,
                                                                      artifacts: Path) -> None:
    from designkit.agents import conversation

    wav, _ = agent_media.conversation_wav(browser_work / "spoken.wav")
    with harness.chromium(wav) as browser:
        page, log_dir = open_agent(browser, lab, "conversation", "conversation()")
        listening = page.inner_text(".dk-listening")
        assert "Silero VAD + turn-taking model" in listening and "answers with" in listening  # words or lines
        stream(page, 14.0, keep_audio=True)
        harness.wait_live(page, "(s.said || []).length > 0 && s.voice.pieces > 0", timeout_ms=30_000)
        shot(page, artifacts, "conversation")
        folder = revoke(page, log_dir)
        page.context.close()
    live = live_decisions(folder)
    assert any(action in ("speak", "backchannel") for action, _, _ in live)
    # Where the talk extra is installed it answered in words: the replay takes those answers from the log.
    agent, log = conversation.build(), read_log(folder / "log.parquet")
    # Showing the controls left the agent's policy as it is (a browser snaps sliders to their step).
    assert log.header["policy"] == agent.engine.policy.to_dict()
    replayed = agent.replay(load_session(folder), log.events())
    assert [(r.decision.action.value, r.decision.reason.value, r.decision.content)
            for r in replayed[: len(live)]] == live


def test_breathing_cues_are_heard_on_the_schedule(lab: Any, browser_work: Path, artifacts: Path) -> None:
    from designkit.agents.breathing import BreathingProposer

    with harness.chromium(agent_media.quiet_wav(browser_work / "quiet.wav")) as browser:
        page, log_dir = open_agent(browser, lab, "breathing", "breathing_coach('4-2-6')")
        stream(page, 15.0)
        shot(page, artifacts, "breathing")
        onsets = harness.live_state(page, "s.voice.onsets")
        folder = revoke(page, log_dir)
        page.context.close()
    targets = [t for t, _ in BreathingProposer((4, 2, 6), start_s=1.0).targets(14.0)]
    assert targets == [1.0, 5.0, 7.0, 13.0]
    # The kernel said each cue in the microturn that ends at its target: exact on the 200 ms grid.
    frame = read_log(folder / "log.parquet").frame
    said = frame[frame["action"] == "speak"]
    assert [round(t + dt, 6) for t, dt in zip(said["t"], said["dt"], strict=True) if t < 14.0] == targets
    # Each cue is heard after its target. Heard within ±200 ms on an idle machine is the goal of the
    # live_agents benchmark (timespeak_live_hit_rate); here the margin is a busy machine's. On a busy
    # machine a line's voice pieces can stall and start again: that restart lies inside the line.
    line_s = 1.0  # each cue's duration_s
    heard = [o for o in onsets if o < 15.0]
    for target in targets:
        assert any(-0.2 <= o - target <= 1.0 for o in heard), (target, onsets)
    assert all(any(-0.2 <= o - t <= 1.0 + line_s for t in targets) for o in heard), (targets, onsets)


def test_a_language_switch_is_caught_and_replay_uses_the_logged_arrivals(lab: Any, browser_work: Path,
                                                                        artifacts: Path) -> None:
    from designkit.agents import language
    from designkit.core.beside import Beside

    learner = agent_media.learner_wav(browser_work / "learner.wav", seed=3)
    with harness.chromium(learner.wav) as browser:
        page, log_dir = open_agent(browser, lab, "language", "language_coach('es', at_once=True)")
        stream(page, learner.duration + 0.6, keep_audio=True)
        shot(page, artifacts, "language")
        folder = revoke(page, log_dir)
        page.context.close()
    log = read_log(folder / "log.parquet")
    frame = log.frame.iloc[:-1]
    events = [e for cell in frame["events"] for e in json.loads(cell or "[]")]
    schedule = arrivals_in(events, "language")
    logged = results_in(events, "language")
    assert set(logged) == set(schedule)
    assert schedule and all(arrived > describes for describes, arrived in schedule.items())
    offset = agent_media.align(read_wav(folder / "audio.wav"), learner.audio)
    said = frame[frame["action"].isin(["speak", "interrupt"])]
    onsets = [t + dt - offset for t, dt in zip(said["t"], said["dt"], strict=True)]
    assert any(0 <= o - c <= 3.0 for c in learner.switch_times for o in onsets), (learner.switch_times, onsets)
    # Replay: the worker's logged results placed where they arrived live give the same decisions.
    agent = language.build(target="es", at_once=True)
    slow = next(p for p in agent.engine.perceivers if isinstance(p, Beside))
    slow.arrivals, slow.results = schedule, logged
    replayed = agent.engine.replay(load_session(folder))
    assert [(r.decision.action.value, r.decision.reason.value, r.decision.content)
            for r in replayed[: len(frame)]] == live_decisions(folder)


@pytest.mark.parametrize("aloud", [True])
def test_the_exercise_coach_counts_the_reps_of_a_fake_camera(lab: Any, browser_work: Path, artifacts: Path,
                                                            aloud: bool) -> None:
    workout = agent_media.workout_y4m(browser_work / "workout.y4m", seed=1)
    quiet = agent_media.quiet_wav(browser_work / "quiet.wav")
    with harness.chromium(quiet, extra_flags=[f"--use-file-for-fake-video-capture={workout.y4m}"]) as browser:
        page, log_dir = open_agent(browser, lab, "exercise", f"exercise_coach('squat', aloud={aloud})")
        stream(page, workout.duration + 1.0)
        shot(page, artifacts, "exercise")
        said = harness.live_state(page, "s.said || []")
        pieces = harness.live_state(page, "s.voice.pieces")
        revoke(page, log_dir)
        page.context.close()
    counts = [int(s["content"].strip("!")) for s in said if s["t"] < workout.duration + 0.8
              and s["content"].strip("!").isdigit()]
    assert abs(max(counts, default=0) - workout.reps) <= 1, (counts, workout.reps)
    assert pieces > 0  # heard


# -- live faults ------------------------------------------------------------------------------
def energy_page(browser: Any, lab: Any, name: str) -> tuple[Any, Path]:
    log_dir = lab.root / f"logs-{name}"
    harness.live_notebook(lab.root / f"{name}.ipynb", log_dir=log_dir, name=name, camera=False)
    page = harness.new_page(browser)
    page.goto(lab.notebook_url(f"{name}.ipynb"))
    harness.run_all_cells(page)
    harness.wait_allow(page)
    page.click(".dk-allow >> visible=true")
    harness.wait_live(page, "s.replies >= 10")
    return page, log_dir


def closed_log(log_dir: Path) -> Any:
    folder = next(p for p in log_dir.iterdir() if p.is_dir())
    harness.wait_for(lambda: (folder / "recording.json").is_file(), timeout=30, what="the log to close")
    return read_log(folder / "log.parquet"), json.loads((folder / "recording.json").read_text())


KERNEL = "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"


# A restart interrupts the kernel before it shuts it down: whichever the session hears first ends it.
@pytest.mark.parametrize(("action", "says", "ended"), [
    ("restart", ("kernel stopped answering", "kernel was interrupted or restarted"),
     ("kernel shut down", "kernel interrupted")),
    ("interrupt", ("kernel was interrupted or restarted",), ("kernel interrupted",)),
])
def test_a_kernel_restart_or_interrupt_mid_session_stops_capture_and_leaves_a_readable_log(
        lab: Any, browser: Any, artifacts: Path, action: str, says: tuple[str, ...], ended: tuple[str, ...]) -> None:
    page, log_dir = energy_page(browser, lab, action)
    page.evaluate(f"() => {KERNEL}.{action}()")
    harness.wait_live(page, "s.phase === 'fault' && s.tracksEnded()", timeout_ms=30_000)
    assert any(text in page.inner_text(".dk-status") for text in says)
    shot(page, artifacts, f"fault-kernel-{action}")
    log, facts = closed_log(log_dir)
    assert len(log) >= 10 and facts["ended"] in ended
    # Either way the kernel runs cells again afterwards.
    assert page.evaluate(f"async () => {{ await {KERNEL}.requestExecute({{code: '1'}}).done; return 1; }}") == 1
    page.context.close()


def test_a_dropped_connection_never_merges_across_the_hole(lab: Any, browser: Any, artifacts: Path) -> None:
    page, log_dir = energy_page(browser, lab, "drop")
    before = harness.live_state(page, "s.replies")
    # Close the kernel websocket under JupyterLab's feet; it reconnects on its own.
    page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel._ws.close()")
    harness.wait_live(page, f"s.phase === 'fault' || s.replies >= {before + 25}", timeout_ms=60_000)
    shot(page, artifacts, "fault-connection-drop")
    if harness.live_state(page, "s.phase") == "live":  # it resumed: stop it ourselves
        page.click(".dk-revoke >> visible=true")
    log, facts = closed_log(log_dir)
    frame = log.frame.iloc[:-1]
    # Resumed with logged gaps or closed cleanly: microturns never skip and are whole or say what is missing.
    assert list(frame["index"]) == list(range(len(frame)))
    assert ((frame["coverage"] == 1.0) | (frame["gaps"] != "")).all()
    assert facts["ended"]
    page.context.close()


def test_a_throttled_tab_logs_gaps_instead_of_merging(lab: Any, browser: Any, artifacts: Path) -> None:
    page, log_dir = energy_page(browser, lab, "throttle")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 30})
    page.wait_for_timeout(3000)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    harness.wait_live(page, "s.replies >= 40", timeout_ms=60_000)
    page.click(".dk-revoke >> visible=true")
    log, _ = closed_log(log_dir)
    frame = log.frame.iloc[:-1]
    # Every microturn is either whole or says what was missing; indices never skip (no merging).
    assert list(frame["index"]) == list(range(len(frame)))
    assert ((frame["coverage"] == 1.0) | (frame["gaps"] != "")).all()
    page.context.close()


def test_an_unplugged_microphone_is_said_and_capture_stops(lab: Any, browser: Any, artifacts: Path) -> None:
    page, log_dir = energy_page(browser, lab, "unplug")
    page.evaluate(f"() => {{ const s = {harness.LIVE_STATE}; const t = s.tracks.find(x => x.kind === 'audio');"
                  " t.stop(); t.dispatchEvent(new Event('ended')); }")
    harness.wait_live(page, "s.phase === 'fault'", timeout_ms=10_000)
    assert "microphone was disconnected" in page.inner_text(".dk-status")
    shot(page, artifacts, "fault-microphone-unplugged")
    _, facts = closed_log(log_dir)
    assert "microphone was disconnected" in facts["ended"]
    page.context.close()
