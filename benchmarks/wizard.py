"""Benchmark `wizard`: a Wizard-of-Oz session in real Chromium, two pages of one JupyterLab.

The participant's page runs a live session (loudness VAD, pause proposer, a policy) whose
microphone is a spoken WAV; the operator's page is a `WizardConsole` attached by name, pressing
palette hotkeys at scripted times.

- wizard_to_voice_p95_ms: a hotkey pressed on the operator's page -> the first sample of that
  line played on the participant's page (both pages' wall clocks: same machine), full wizard mode.
  Bounded below by the wait for the microturn being captured to end (0-200 ms): the action lands
  in that microturn's decision, as in a replay.
- veto_timeout_respected: in veto mode (600 ms, on timeout "approve"), every proposal nobody
  answered was decided at the first microturn whose end reached its deadline, as the designer
  chose, and the one the operator approved was said before its deadline (1 or 0).
- replay_equals_live: the kept session replayed from its recording decides exactly what the agent
  did live, microturn by microturn (action, reason, line) (1 or 0).
- console_detach_fallback: when the operator's tab closes, the log holds the relay's fallback
  event and the policy speaks again afterwards (1 or 0).
- participant_sees_no_controls: the participant's page holds no operator control in its DOM
  (no console part, no operator button) and no operator wording (no "operator" or "wizard" in the
  live widget's text, attributes or the points it draws) while a console is attached, before and
  after the operator's lines were said (1 or 0).
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "browser"))

import harness  # noqa: E402
import wizard_pages as wp  # noqa: E402
from agent_media import conversation_wav  # noqa: E402

NAME = "wizard"
VETO_MS = 600


def _wizard_events(frame: Any) -> list[tuple[int, dict[str, Any]]]:
    out = []
    for index, cell in zip(frame["index"], frame["events"], strict=True):
        out.extend((int(index), e["data"]) for e in json.loads(cell or "[]") if e["kind"] == "wizard")
    return out


def _veto_respected(waits: list[dict[str, Any]], dt: float) -> tuple[int, dict[str, Any]]:
    timed_out = [w for w in waits if not w.get("answered") and "ended" in w]
    approved = [w for w in waits if w.get("answered") and "ended" in w]
    ok = bool(timed_out) and bool(approved)
    for w in timed_out:  # "approve" on timeout: the proposal's action at the deadline's microturn
        ok &= abs(w["ended"] - w["until"]) < dt / 2 and w["outcome"] == w["action"]
    for w in approved:
        ok &= w["ended"] <= w["until"] + 1e-6 and w["outcome"] == w["action"]
    return int(ok), {"timed_out": len(timed_out), "approved": len(approved), "waits": len(waits)}


def _replay_equals_live(folder: Path) -> int:
    from designkit.log import read_log
    from designkit.widgets import load_session

    live = read_log(folder / "log.parquet").frame
    replayed = wp.participant_engine().replay(load_session(folder))
    return int([(r.decision.action.value, r.decision.reason.value, r.decision.content) for r in replayed]
               == list(zip(live["action"], live["reason"], live["content"], strict=True)))


def run(quick: bool) -> Iterator[dict[str, Any]]:
    presses = 12 if quick else 60
    with tempfile.TemporaryDirectory(prefix="designkit-wizard-bench-") as tmp:
        work = Path(tmp)
        root = work / "root"
        root.mkdir()
        wav, _ = conversation_wav(work / "speech.wav")
        logs = root / "logs"
        wp.participant_notebook(root / "participant.ipynb", log_dir=logs, mode="full", veto_ms=VETO_MS,
                                on_timeout="approve", on_detach="policy")
        wp.console_notebook(root / "console.ipynb")
        with harness.chromium(wav) as browser, harness.jupyterlab(root, work) as server:
            lab = type("Lab", (), {"url": server.url})()
            participant, operator = harness.new_page(browser), harness.new_page(browser)
            wp.open_participant(participant, lab, "participant.ipynb")
            wp.open_console(operator, lab, "console.ipynb")
            wp.wait_console(operator, "s.points.length >= 3")
            controls = wp.operator_controls(participant)

            # Full wizard: palette hotkeys at scripted times, 1.5 s apart.
            for i in range(presses):
                operator.keyboard.press(str(1 + i % 9))
                operator.wait_for_timeout(1500)
            seen_after = wp.operator_controls(participant)  # the strip and legend now hold the operator's lines
            pressed = wp.console_state(operator, "s.presses")
            starts = harness.live_state(participant, "s.voice.startsAt")
            latencies = wp.press_to_voice_ms(pressed, starts)

            # Veto: switch live from the console; let proposals time out, then approve one.
            operator.click(".dkw-mode-veto")
            wp.wait_console(operator, "s.last && s.last.mode === 'veto'", timeout_ms=20_000)
            operator.click(".dkw-header")
            operator.wait_for_timeout(8000 if quick else 20_000)
            wp.wait_console(operator, "s.last && s.last.waiting", timeout_ms=60_000)
            operator.keyboard.press("a")
            operator.wait_for_timeout(2000)

            # The operator's tab closes: the session falls back to its policy.
            operator.context.close()
            participant.wait_for_timeout(9000)
            participant.click(".dk-revoke >> visible=true")
            folder = next(p for p in logs.iterdir() if p.is_dir())
            harness.wait_for(lambda: (folder / "recording.json").is_file(), timeout=60, what="the log to close")
            participant.context.close()

        from designkit.log import read_log

        facts = json.loads((folder / "recording.json").read_text())
        frame = read_log(folder / "log.parquet").frame
        veto_ok, veto_detail = _veto_respected(facts["wizard"]["waits"], float(facts["dt"]))
        events = _wizard_events(frame)
        fallback = [k for k, e in events if e.get("why") == "operator console detached" and e.get("mode") == "override"]
        policy_after = bool(fallback) and bool(
            ((frame["index"] > fallback[0]) & frame["reason"].str.startswith("speak:")).any())
        replay_ok = _replay_equals_live(folder)

    values = np.array(latencies, dtype=float)
    yield {"metric": "wizard_to_voice_p95_ms", "value": round(float(np.percentile(values, 95)), 1) if values.size else None,
           "unit": "ms", "goal": "<= 300",
           "detail": {"presses": presses, "heard": int(values.size), "p50_ms": round(float(np.median(values)), 1)
                      if values.size else None, "max_ms": round(float(values.max()), 1) if values.size else None}}
    yield {"metric": "veto_timeout_respected", "value": veto_ok, "unit": "bool", "goal": "== 1", "detail": veto_detail}
    yield {"metric": "replay_equals_live", "value": replay_ok, "unit": "bool", "goal": "== 1"}
    yield {"metric": "console_detach_fallback", "value": int(bool(fallback) and policy_after), "unit": "bool",
           "goal": "== 1"}
    yield {"metric": "participant_sees_no_controls",
           "value": int(wp.sees_no_operator(controls) and wp.sees_no_operator(seen_after)),
           "unit": "bool", "goal": "== 1", "detail": {"before": controls, "after_lines": seen_after}}


if __name__ == "__main__":
    for line in run(quick="--quick" in sys.argv):
        print(json.dumps(line), flush=True)
