"""A participant's two sessions in real Chromium and JupyterLab: the facilitator records consent,
the participant allows the microphone, presses M during the session, and answers the questionnaire
with the mouse after the first session and with the keyboard after the second. Screenshots of the
console, the participant's screen and the questionnaire go to test-artifacts/people/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import people_flow as flow
import pytest

from designkit.policy import Policy
from designkit.study.people.questionnaire import Questionnaire
from designkit.study.people.spec import People, Task
from designkit.study.spec import Study

MOUSE = {"interrupted": 6, "waited_too_long": 2, "attentive": 4, "quiet_when_right": 3}
KEYS = {"interrupted": 2, "waited_too_long": 5, "attentive": 6, "quiet_when_right": 7}


@pytest.fixture
def study_folder(lab: Any) -> Path:
    folder = lab.root / "people-study"
    Study(name="people-study", scenarios=("dialogue-basic",),
          variants={"quick": Policy(confidence=0.2, pause_s=0.2), "patient": Policy(confidence=0.9, pause_s=1.0)},
          people=People(conditions=("quick", "patient"), tasks=(Task("trip", "Tell the agent about a trip.", 5.0),),
                        questionnaire=Questionnaire(open_question="Was there a moment that felt wrong?"))
          ).save(folder / "study.json")
    return folder


def test_a_participant_marks_moments_by_key_and_rates_by_mouse_and_keyboard(
        lab: Any, page: Any, study_folder: Path, artifacts: Path) -> None:
    shots = artifacts / "people"
    shots.mkdir(exist_ok=True)
    notebook = flow.facilitator_notebook(lab.root / "facilitator.ipynb", study_folder)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    flow.open_console(page, lab.notebook_url(notebook.name))
    flow.begin(page, "P01")

    first = flow.run_session(page, marks_at=(6, 14), shots=shots)
    page.locator(flow.CONSOLE).screenshot(path=str(shots / "facilitator-console.png"))
    page.locator(flow.SCREEN).screenshot(path=str(shots / "participant-questionnaire.png"))
    flow.rate_by_mouse(page, MOUSE, open_answer="it jumped in when I paused")
    flow.wait_status(page, "answers saved")

    second = flow.run_session(page, marks_at=(8,))
    flow.rate_by_keyboard(page, KEYS)
    flow.wait_status(page, "all 2 sessions done")
    page.screenshot(path=str(shots / "facilitator-done.png"), full_page=True)

    by_position = {}
    for folder in study_folder.glob("people/P01/*/trip"):
        saved = json.loads((folder / "ratings.json").read_text())
        by_position[saved["position"]] = (folder, saved)
    assert sorted(by_position) == [1, 2]
    for position, session, answers in ((1, first, MOUSE), (2, second, KEYS)):
        folder, saved = by_position[position]
        assert saved["answers"] == answers
        logged = flow.marker_microturns(folder)
        assert len(logged) == len(session.pressed_in)
        assert all(abs(m - p) <= 1 for m, p in zip(logged, session.pressed_in, strict=True)), (logged, session)
    assert by_position[1][1]["open_answer"] == "it jumped in when I paused"
    assert not problems, "\n".join(problems)
