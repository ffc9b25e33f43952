"""Storage of a study with people: a folder per participant and condition, one tidy table, and
forgetting one participant everywhere."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from designkit.errors import InputError
from designkit.log import read_log
from designkit.policy import Policy
from designkit.study.people.scripted import record_scripted
from designkit.study.people.spec import People, Task
from designkit.study.people.storage import (
    ConsentRecord,
    PeopleStore,
    live_session_metrics,
    markers_of,
)
from designkit.study.spec import Study

USER = [(0.4, 2.2), (3.4, 5.0), (6.2, 7.4)]


def people_study(**people: object) -> Study:
    return Study(name="timing-with-people", scenarios=("dialogue-basic",),
                 variants={"calm": Policy(style="wait_for_pause"), "eager": Policy(style="barge_in")},
                 people=People(conditions=("calm", "eager"), tasks=(Task("chat", "Talk.", 8.0),), **people))


def run_participant(store: PeopleStore, study: Study, pid: str, answers: dict[str, int]) -> None:
    store.save_consent(ConsentRecord(pid, store.people.consent_text(pid)))
    for position, condition, task in store.people.sessions_for(store.order(pid)):
        folder = store.session(pid, condition, task.name)
        record_scripted(folder, study.policies()[condition], user=USER, duration_s=8.0,
                        markers=[(2.5, "too quick"), (5.3, "")])
        store.save_markers(folder)
        store.save_ratings(folder, answers, open_answer="fine" if position == 1 else "", position=position)


def test_a_people_section_round_trips_in_study_json(tmp_path) -> None:
    study = people_study(seed=4)
    again = Study.load(study.save(tmp_path / "study.json"))
    assert again == study and again.people is not None and again.people.seed == 4
    assert "people" not in Study(name="x", scenarios=("dialogue-basic",)).to_dict()
    with pytest.raises(InputError, match="people conditions"):
        Study(name="x", scenarios=("dialogue-basic",), people=People(conditions=("a", "b")))


def test_each_session_has_its_folder_with_log_ratings_markers_and_the_consent_beside(tmp_path) -> None:
    study = people_study()
    store = PeopleStore(tmp_path, study.people)
    run_participant(store, study, "P01", {"interrupted": 2, "waited_too_long": 3, "attentive": 6,
                                          "quiet_when_right": 5})
    consent = json.loads((tmp_path / "people/P01/consent.json").read_text())
    assert consent["participant"] == "P01" and "P01" in consent["text"] and consent["keep"] == ["signals"]
    for condition in ("calm", "eager"):
        folder = tmp_path / "people/P01" / condition / "chat"
        assert json.loads((folder / "ratings.json").read_text())["answers"]["attentive"] == 6
        markers = json.loads((folder / "markers.json").read_text())
        # a key pressed at 2.5 s lands in microturn 12 ([2.4, 2.6)), at 5.3 s in microturn 26
        assert [(m["microturn"], m["note"]) for m in markers] == [(12, "too quick"), (26, "")]
        assert len(list(folder.glob("session-*/log.parquet"))) == 1


def test_the_table_is_tidy_and_carries_the_sessions_metrics(tmp_path) -> None:
    study = people_study()
    store = PeopleStore(tmp_path, study.people)
    answers = {"interrupted": 2, "waited_too_long": 3, "attentive": 6, "quiet_when_right": 5}
    run_participant(store, study, "P01", answers)
    run_participant(store, study, "P02", answers)
    table = pd.read_parquet(store.write_table())
    items = table[table["kind"] == "item"]
    assert len(items) == 2 * 2 * 4  # participants x conditions x items
    assert set(table["position"]) == {1, 2}
    first = table[(table["participant"] == "P01") & (table["position"] == 1)]["condition"].unique().tolist()
    assert first == [store.order("P01")[0]]
    assert table.loc[table["item"] == "interrupted", "reversed"].all()
    assert table[table["kind"] == "open"]["text"].tolist() == ["fine", "fine"]
    assert (items["markers"] == 2).all()
    log_path = store.session("P01", "eager", "chat").log_path()
    row = items[(items["participant"] == "P01") & (items["condition"] == "eager")].iloc[0]
    assert row["interventions_per_min"] == pytest.approx(live_session_metrics(log_path)["interventions_per_min"])


def test_false_interruptions_count_answers_the_user_talked_on_through(tmp_path) -> None:
    study = people_study()
    store = PeopleStore(tmp_path, study.people)
    quick = Policy(confidence=0.2, pause_s=0.2)  # answers at the first short pause
    user = [(0.4, 2.0), (2.6, 4.2), (5.4, 7.0)]
    path = record_scripted(store.session("P01", "eager", "chat"), quick, user=user, duration_s=8.0)
    frame = read_log(path).frame
    heard = frame["user_speaking"].to_numpy()
    starts_speaking = [k * 0.2 for k in range(1, len(heard)) if heard[k] and not heard[k - 1]]
    # by hand: each "speak" of microturn k starts the voice at (k + 1) x 0.2 s for duration_s; it
    # was a false interruption when the user was heard then, or started again before it ended
    false = 0
    for k in frame.index[frame["action"] == "speak"]:
        onset, end = (k + 1) * 0.2, (k + 1) * 0.2 + frame.loc[k, "duration_s"]
        if (k + 1 < len(heard) and heard[k + 1]) or any(onset < t < end for t in starts_speaking):
            false += 1
    metrics = live_session_metrics(path)
    assert false >= 1
    assert metrics["false_interruptions_per_min"] == pytest.approx(false / (8.0 / 60))
    assert metrics["duration_s"] == pytest.approx(8.0)


def test_forgetting_a_participant_leaves_no_file_or_row_here_or_in_the_published_copy(tmp_path) -> None:
    study = people_study()
    store = PeopleStore(tmp_path, study.people)
    answers = {"interrupted": 5, "waited_too_long": 1, "attentive": 3, "quiet_when_right": 4}
    for pid in ("P01", "P02", "P03"):
        run_participant(store, study, pid, answers)
    store.write_table()
    published = tmp_path / "published"
    (published / "people").mkdir(parents=True)
    import shutil

    shutil.copytree(tmp_path / "people/P02", published / "people/P02")
    shutil.copy2(tmp_path / "people/order.json", published / "people/order.json")
    shutil.copy2(tmp_path / "people.parquet", published / "people.parquet")

    removed = store.forget("P02")
    assert removed
    for root in (tmp_path, published):
        assert not any("P02" in p.name for p in root.rglob("*"))
        assert "P02" not in (root / "people/order.json").read_text()
        assert "P02" not in set(pd.read_parquet(root / "people.parquet")["participant"])
    assert store.participants() == ["P01", "P03"]
    assert math.isfinite(pd.read_parquet(tmp_path / "people.parquet")["value"].iloc[0])


def test_markers_of_a_log_without_markers_are_none(tmp_path) -> None:
    study = people_study()
    store = PeopleStore(tmp_path, study.people)
    path = record_scripted(store.session("P01", "calm", "chat"), Policy(), user=USER, duration_s=8.0)
    assert markers_of(path) == []
    with pytest.raises(InputError, match="condition"):
        store.session("P01", "loud", "chat")
