"""Part 5 of the workshop by clicking: copy the example study with people as our own, run a
participant through the facilitator the desk opens, and forget them with a confirm step."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from live_comm import dummy_comm
from test_people_facilitator import ANSWERS, energy_session, study_folder, talk

from designkit.study.new import new_study
from designkit.study.spec import Study
from designkit.widgets.people_desk import PeopleDesk


@pytest.fixture(autouse=True)
def _no_browser() -> Iterator[None]:
    with dummy_comm():
        yield


def test_a_pair_copies_the_example_runs_a_participant_and_forgets_them(tmp_path: Path) -> None:
    example = study_folder(tmp_path / "timing-with-people")
    (example / "timing-with-people.ipynb").write_text("{}")
    (example / "people" / "P09").mkdir(parents=True)  # the example's own participant stays behind
    new_study(tmp_path / "no-people")  # a study without people is not offered
    desk = PeopleDesk(tmp_path, session_factory=energy_session)
    assert [label for label, _ in desk.picker.options] == ["timing-with-people"]

    copied = desk.copy_study("our-pair")
    assert copied is not None, desk.message.value
    assert copied == tmp_path / "our-pair" and Study.load(copied).name == "our-pair"
    assert [label for label, _ in desk.picker.options] == ["our-pair", "timing-with-people"]
    facilitator = desk.facilitator
    assert facilitator is not None and facilitator.folder == copied
    assert desk.screen.children == (facilitator.screen,)
    assert desk.forgetting is not None and desk.forgetting.who.options == ()  # the copy has met nobody

    facilitator.begin("P01")
    facilitator.record_consent(agreed=True)
    for _ in facilitator.plan:
        talk(facilitator.start(), facilitator=facilitator)
        facilitator.stop().submit(ANSWERS)
    forgetting = desk.forgetting
    assert forgetting.who.options == ("P01",)  # listed as soon as the console moved on

    forgetting.ask()  # nothing goes before the confirm step
    assert "cannot be undone" in forgetting.warning.value and forgetting.confirm.layout.display == ""
    assert forgetting.yes.description == "yes, forget P01"
    forgetting.cancel()
    assert (copied / "people" / "P01").is_dir() and "Nothing was removed" in forgetting.said.value

    forgetting.ask()
    forgetting.yes.click()
    assert "Forgot P01" in forgetting.said.value and forgetting.who.options == ()
    left = [p for p in copied.rglob("*") if "P01" in p.name]
    assert left == []
    assert all("P01" not in p.read_text(errors="ignore") for p in copied.rglob("*.json"))
    assert "P01" not in set(pd.read_parquet(copied / "people.parquet")["participant"])
    assert (example / "people" / "P09").is_dir() and not (copied / "people" / "P09").exists()
    assert json.loads((copied / "study.json").read_text())["people"]["conditions"] == ["calm", "eager"]
