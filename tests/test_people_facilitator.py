"""The facilitator's flow without a browser: a participant gets their order, consents, meets each
condition live, marks moments, answers the questionnaire; and the rating widget checks answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from live_comm import ScriptedBrowser, dummy_comm

from designkit.core.engine import Engine
from designkit.errors import InputError
from designkit.perception.audio.energy import EnergyVAD
from designkit.policy import Policy
from designkit.proposers.pause import PauseProposer
from designkit.study.people.questionnaire import Questionnaire
from designkit.study.people.spec import People, Task
from designkit.study.spec import Study
from designkit.testing import scripted_audio
from designkit.widgets.facilitator import TASK_OVER, Facilitator
from designkit.widgets.live import LiveSession
from designkit.widgets.rating import Rating

ANSWERS = {"interrupted": 3, "waited_too_long": 2, "attentive": 6, "quiet_when_right": 5}


@pytest.fixture(autouse=True)
def _no_browser() -> Iterator[None]:
    with dummy_comm():
        yield


def study_folder(tmp_path: Path, duration_s: float = 60.0) -> Path:
    study = Study(name="timing-with-people", scenarios=("dialogue-basic",),
                  variants={"calm": Policy(style="wait_for_pause"), "eager": Policy(style="barge_in")},
                  people=People(conditions=("calm", "eager"), tasks=(Task("chat", "Tell it about a trip.", duration_s),),
                                keep=("signals", "audio")))
    study.save(tmp_path / "study.json")
    return tmp_path


def energy_session(condition: str, policy: Any, log_dir: Path, name: str) -> LiveSession:
    engine = Engine([EnergyVAD()], policy, proposer=PauseProposer())
    return LiveSession(engine, log_dir=log_dir, name=name, voice=False, idle_close_s=60.0)


def talk(live: LiveSession, *, markers_at: tuple[int, ...] = (), facilitator: Facilitator) -> None:
    browser = ScriptedBrowser(live, scripted_audio([(0.4, 2.0), (3.0, 4.4)], 6.0))
    browser.consent()
    for k in range(30):
        if k in markers_at:
            facilitator.marker_key._on_msg(facilitator.marker_key, {"type": "marker", "how": "key"}, [])
        browser.chunk(k)


def test_a_participant_meets_both_conditions_in_their_order_and_the_table_fills(tmp_path) -> None:
    facilitator = Facilitator(study_folder(tmp_path), session_factory=energy_session)
    order = facilitator.begin("P01")
    assert facilitator.start_button.disabled  # nothing starts before consent
    with pytest.raises(InputError, match="consent"):
        facilitator.start()
    assert facilitator.record_consent(agreed=True, keep_audio=False) is not None
    assert json.loads((tmp_path / "people/P01/consent.json").read_text())["keep"] == ["signals"]
    for position, condition in enumerate(order, start=1):
        live = facilitator.start()
        assert condition not in facilitator.task_text.value and "trip" in facilitator.task_text.value
        assert live.policy == facilitator.policies[condition]
        talk(live, markers_at=(7, 20), facilitator=facilitator)
        facilitator.mark("it talked over me", by="facilitator")
        rating = facilitator.stop()
        assert facilitator.rating_box.children == (rating,)
        rating._on_msg(rating, {"type": "submit", "answers": ANSWERS, "open_answer": "ok"}, [])
        saved = json.loads((tmp_path / f"people/P01/{condition}/chat/ratings.json").read_text())
        assert saved["position"] == position and saved["answers"] == ANSWERS
        markers = json.loads((tmp_path / f"people/P01/{condition}/chat/markers.json").read_text())
        # pressed while microturn 7 and 20 were being filled; the facilitator's at the end
        assert [m["microturn"] for m in markers][:2] == [7, 20]
        assert markers[-1]["by"] == "facilitator" and markers[-1]["note"] == "it talked over me"
    assert "all 2 sessions done" in facilitator.status.value
    table = pd.read_parquet(tmp_path / "people.parquet")
    assert sorted(table.loc[table["kind"] == "item", "condition"].unique()) == ["calm", "eager"]
    assert not list(tmp_path.rglob("audio.wav"))  # audio was not agreed to


def test_the_task_ends_the_session_by_itself(tmp_path) -> None:
    facilitator = Facilitator(study_folder(tmp_path, duration_s=0.01), session_factory=energy_session)
    facilitator.begin("P02")
    facilitator.record_consent(agreed=True)
    live = facilitator.start()
    ScriptedBrowser(live, scripted_audio([(0.4, 1.0)], 2.0)).consent()
    assert facilitator._timer is not None
    facilitator._timer.join(5.0)
    assert live.consent == "closed" and TASK_OVER in facilitator.status.value
    assert isinstance(facilitator.rating_box.children[0], Rating)


def test_without_consent_nothing_starts_and_a_return_visit_resumes(tmp_path) -> None:
    folder = study_folder(tmp_path)
    facilitator = Facilitator(folder, session_factory=energy_session)
    facilitator.begin("P03")
    assert facilitator.record_consent(agreed=False) is None
    assert not (tmp_path / "people/P03/consent.json").exists()
    facilitator.record_consent(agreed=True)
    live = facilitator.start()
    talk(live, facilitator=facilitator)
    facilitator.stop().submit(ANSWERS)
    again = Facilitator(folder, session_factory=energy_session)  # a new kernel, the same participant
    again.begin("P03")
    assert again.step == 1 and not again.start_button.disabled
    again._guard(lambda: again.begin("Jane Doe"))
    assert "pseudonymous" in again.status.value


def test_the_rating_widget_takes_only_complete_answers_on_the_scale() -> None:
    rating = Rating(Questionnaire(instruments=("sus",), open_question="Anything else?"))
    assert len(rating.items) == 14 and rating.open_question == "Anything else?"
    got: list[tuple[dict[str, int], str]] = []
    rating.on_submit(lambda answers, text: got.append((answers, text)))
    rating._on_msg(rating, {"type": "submit", "answers": {"interrupted": 3}}, [])
    assert "an answer to every item" in rating.error and not rating.done
    answers = {**ANSWERS, **{f"sus_{i}": 3 for i in range(1, 11)}}
    rating._on_msg(rating, {"type": "submit", "answers": {**answers, "sus_1": 9}}, [])
    assert "1..5" in rating.error
    rating._on_msg(rating, {"type": "submit", "answers": answers, "open_answer": "fine"}, [])
    assert rating.done and rating.error == "" and got == [(answers, "fine")]


def test_the_live_gate_keeps_what_the_participant_agreed_to_with_the_facilitator(tmp_path) -> None:
    facilitator = Facilitator(study_folder(tmp_path), session_factory=energy_session)
    facilitator.begin("P04")
    facilitator.record_consent(agreed=True, keep_audio=False)
    live = facilitator.start()
    assert live.agreed_keep == ["signals"]  # the gate offers no keep boxes
    browser = ScriptedBrowser(live, scripted_audio([(0.4, 2.0)], 3.0))
    browser.consent("audio")  # a keep box ticked anyway does not count
    for k in range(10):
        browser.chunk(k)
    facilitator.stop()
    assert not list(tmp_path.rglob("audio.wav"))
    facilitator.begin("P05")
    facilitator.record_consent(agreed=True, keep_audio=True)
    live = facilitator.start()
    ScriptedBrowser(live, scripted_audio([(0.4, 2.0)], 3.0)).consent()
    assert live.recording is not None and live.recording.keep == {"signals", "audio"}  # no box to tick again
    facilitator.stop()
