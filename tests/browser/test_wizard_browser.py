"""A Wizard-of-Oz session in real Chromium: the participant's page and the operator's console,
two pages of one JupyterLab. What a person would notice: the participant's page holds no operator
control and no word of one (the operator's line shows as the agent's own); a hotkey on the console makes the agent say that line on the participant's page; a
second console only watches; when the console goes, the session falls back to its policy and the
log says so. Screenshots of both screens go to test-artifacts/wizard/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import harness
import wizard_pages as wp

from designkit.log import read_log


def shot(page: Any, artifacts: Path, name: str) -> None:
    folder = artifacts / "wizard"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_an_operator_console_drives_the_participants_agent(lab: Any, browser: Any, artifacts: Path) -> None:
    log_dir = lab.root / "logs-wizard"
    wp.participant_notebook(lab.root / "participant.ipynb", log_dir=log_dir, mode="full")
    wp.console_notebook(lab.root / "console.ipynb")
    participant, operator, watcher = (harness.new_page(browser) for _ in range(3))
    try:
        wp.open_participant(participant, lab, "participant.ipynb")
        wp.open_console(operator, lab, "console.ipynb")
        seen = wp.operator_controls(participant)
        assert wp.sees_no_operator(seen), seen

        wp.wait_console(operator, "s.points.length >= 5")
        before = harness.live_state(participant, "s.voice.startsAt.length")
        operator.keyboard.press("2")
        harness.wait_live(participant, f"s.voice.startsAt.length > {before} && s.said && "
                                       "s.said.some(x => x.content === 'Tell me more.')", timeout_ms=20_000)
        wp.wait_console(operator, "s.last && s.last.point.content === 'Tell me more.'")
        # The participant's strip, legend and hover show the line as the agent's own ...
        strip = participant.locator(".dk-timeline").bounding_box()
        assert strip is not None
        participant.mouse.move(strip["x"] + strip["width"] - 2, strip["y"] + strip["height"] / 2)  # the hover's line
        seen = wp.operator_controls(participant)
        assert wp.sees_no_operator(seen), seen
        assert "speaks" in participant.inner_text(".dk-legend")
        # ... while the console's history says how fast the operator was.
        wp.wait_console(operator, "s.sent.some(x => x.verb === 'line' && 'reaction_ms' in x)")
        shot(participant, artifacts, "participant")
        shot(operator, artifacts, "operator")

        wp.open_console(watcher, lab, "console.ipynb", status="read_only")
        assert wp.console_state(watcher, "document.querySelector('.dkw-say').disabled") is True
        shot(watcher, artifacts, "read-only")

        operator.context.close()  # the operator's tab goes away
        wp.wait_console(watcher, "s.points.length > 0 && s.last && s.last.mode === 'override'", timeout_ms=30_000)
        participant.click(".dk-revoke >> visible=true")
        folder = next(p for p in log_dir.iterdir() if p.is_dir())
        harness.wait_for(lambda: (folder / "recording.json").is_file(), timeout=30, what="the log to close")
    finally:
        for page in (participant, operator, watcher):
            if not page.is_closed():
                page.context.close()
    facts = json.loads((folder / "recording.json").read_text())["wizard"]
    assert len(facts["attached"]) == 1 and len(facts["detached"]) == 1
    frame = read_log(folder / "log.parquet").frame
    said = frame[(frame["reason"] == "wizard") & (frame["action"] == "speak")]
    assert said["content"].tolist() == ["Tell me more."]
    events = [e["data"] for cell in frame["events"] for e in json.loads(cell or "[]") if e["kind"] == "wizard"]
    line = next(e for e in events if e.get("line") == 1)
    assert line["key"] == "2" and line["reaction_from"] in ("turn_end", None)
    assert any(e.get("why") == "operator console detached" and e["mode"] == "override" for e in events)
