"""A live session with a Wizard-of-Oz operator, without a browser: the messages a console sends
through the relay, a scripted participant's microphone, and what the log and a replay show."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from live_comm import ScriptedBrowser, dummy_comm

from designkit.core import Engine
from designkit.errors import InputError
from designkit.log import read_log
from designkit.perception.audio.energy import EnergyVAD
from designkit.policy import Policy
from designkit.testing import scripted_session
from designkit.widgets import LiveSession, PauseProposer, load_session, read_recording
from designkit.widgets.wizard_desk import WizardSettings

SPEECH = [(1.0, 3.0), (5.0, 7.0), (9.0, 10.0)]
POLICY = Policy(style="wait_for_pause", confidence=0.5)


@pytest.fixture
def comm() -> Iterator[None]:
    with dummy_comm():
        yield


def engine() -> Engine:
    return Engine([EnergyVAD()], POLICY, proposer=PauseProposer(content="Go on.", duration_s=0.6))


def start(tmp_path: Path, **settings: Any) -> tuple[LiveSession, ScriptedBrowser]:
    session = LiveSession(engine(), log_dir=tmp_path, name="p01",
                          wizard=WizardSettings(connect=False, **settings))
    browser = ScriptedBrowser(session, scripted_session(SPEECH, 12.0, seed=3).samples())
    browser.consent("audio")
    return session, browser


def wizard_rows(frame: Any) -> list[dict[str, Any]]:
    """The operator's events in the log, in order."""
    rows = []
    for events in frame["events"]:
        rows.extend(e["data"] for e in json.loads(events or "[]") if e["kind"] == "wizard")
    return rows


def replays_the_same(session: LiveSession) -> bool:
    live = read_log(session.path).frame
    replayed = engine().replay(load_session(session.folder))
    return ([(r.decision.action.value, r.decision.reason.value, r.decision.content) for r in replayed]
            == list(zip(live["action"], live["reason"], live["content"], strict=True)))


def test_a_hotkey_says_the_palette_line_in_full_wizard_mode_with_its_reaction_time(comm: None, tmp_path: Path) -> None:
    session, browser = start(tmp_path, mode="full", palette=("Mm-hm.", "Tell me more about that."))
    desk = session.desk
    assert desk is not None
    browser.stream(0, 17)  # the person spoke 1-3 s; the VAD's turn end is behind us
    desk.receive({"type": "act", "verb": "line", "line": 1, "key": "2"})
    browser.stream(17, 60)
    session.close_session()
    frame = read_log(session.path).frame
    said = frame[frame["action"] == "speak"]
    assert said["content"].tolist() == ["Tell me more about that."]  # the policy alone said nothing
    assert said["reason"].tolist() == ["wizard"] and said["index"].tolist() == [17]
    act = next(r for r in wizard_rows(frame) if r["action"] == "speak")
    assert act["reaction_from"] == "turn_end" and act["key"] == "2" and act["by"] == "operator"
    assert act["reaction_ms"] >= (3.4 - 3.0) * 1000  # at least from the VAD's turn end to the last chunk
    assert wizard_rows(frame)[0] == {"action": "mode", "mode": "full", "veto_ms": 1500.0,
                                     "on_timeout": "deny", "by": "settings"}
    assert replays_the_same(session)


class Console:
    """The operator's console at the far end of the relay: what the desk sent it."""

    def __init__(self) -> None:
        self.heard: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any]) -> None:
        self.heard.append(json.loads(json.dumps(message, default=str)))  # as the relay carries it

    def close(self) -> None:
        pass


GIVES_AWAY = ("wizard", "operator")


def test_the_participant_sees_the_operators_line_as_the_agents_own_while_log_and_console_keep_the_truth(
        comm: None, tmp_path: Path) -> None:
    session, browser = start(tmp_path, mode="full", palette=("Mm-hm.", "Tell me more about that."))
    desk = session.desk
    assert desk is not None
    desk.link = console = Console()  # type: ignore[assignment]
    browser.stream(0, 17)
    desk.receive({"type": "act", "verb": "line", "line": 1, "key": "2", "n": 7})
    browser.stream(17, 30)
    desk.receive({"type": "act", "verb": "hold", "n": 8})
    browser.stream(30, 40)
    session.close_session()

    shown = browser.decisions()
    said = next(m["point"] for m in shown if m["point"]["content"] == "Tell me more about that.")
    assert said["action"] == "speak" and said["label"] == "speaks" and said["reason"] == "speak"
    held = next(m["point"] for m in shown if m["point"]["index"] == 30)
    assert held["label"] in ("stays quiet", "stops talking") and "wizard" not in held["events"]
    # Nothing the participant's page receives names the operator: points, the colour table, the title.
    page = json.dumps([m for m, _ in browser.sent]) + json.dumps(session.colours) + session.title
    assert not any(word in page.lower() for word in GIVES_AWAY)
    assert session.colours["labels"]["speak"] == "speaks" and session.colours["reasons"]["speak"]

    log = read_log(session.path).frame
    assert log["reason"].iloc[17] == "wizard" and log["content"].iloc[17] == "Tell me more about that."
    points = [m for m in console.heard if m["type"] == "point"]
    assert next(p["point"] for p in points if p["point"]["index"] == 17)["reason"] == "wizard"

    # The console's history: each action it sent comes back with the operator's reaction time.
    acted = [m for m in console.heard if m["type"] == "acted"]
    assert [(m["n"], m["action"]) for m in acted] == [(7, "speak"), (8, "hold")]
    line = next(r for r in wizard_rows(log) if r["action"] == "speak")
    assert acted[0]["reaction_ms"] == line["reaction_ms"] and acted[0]["reaction_from"] == "turn_end"


def test_a_session_without_a_console_shows_its_programmatic_operator_as_it_is(comm: None, tmp_path: Path) -> None:
    session = LiveSession(engine(), log_dir=tmp_path, name="p01")
    browser = ScriptedBrowser(session, scripted_session(SPEECH, 12.0, seed=3).samples())
    browser.consent("audio")
    browser.stream(0, 17)
    session.wizard("speak", content="Hello.")
    browser.stream(17, 20)
    session.close_session()
    said = next(m["point"] for m in browser.decisions() if m["point"]["content"] == "Hello.")
    assert said["reason"] == "wizard" and said["label"] == "an operator decided"  # the designer's own screen


def test_an_approved_proposal_is_said_and_an_unanswered_one_times_out_as_the_designer_chose(
        comm: None, tmp_path: Path) -> None:
    session, browser = start(tmp_path, mode="full")
    desk = session.desk
    assert desk is not None
    desk.receive({"type": "act", "verb": "mode", "mode": "veto", "veto_ms": 600, "on_timeout": "deny"})
    for k in range(60):
        browser.chunk(k)
        waiting = session.engine.state.wizard_mode.waiting
        if waiting is not None and waiting.index > 30 and not any(w.get("answered") for w in desk.log.waits):
            desk.receive({"type": "act", "verb": "approve", "answers": waiting.index})
    session.close_session()
    waits = read_recording(session.folder)["wizard"]["waits"]
    timed_out = [w for w in waits if not w["answered"]]
    approved = [w for w in waits if w["answered"]]
    assert timed_out and approved
    for w in timed_out:  # resolved at the first microturn whose end reaches the wait's end, silent
        assert w["ended"] == pytest.approx(w["at"] + 0.6) and w["outcome"] == "silent"
    assert approved[0]["outcome"] == "speak" and approved[0]["ended"] < approved[0]["until"]
    rows = wizard_rows(read_log(session.path).frame)
    assert rows[1] == {"action": "mode", "mode": "veto", "veto_ms": 600.0, "on_timeout": "deny", "by": "operator",
                       "reaction_ms": None, "reaction_from": None}  # switched live from the console
    answer = next(r for r in rows if r["action"] == "approve")
    assert answer["reaction_from"] == "proposal" and answer["answers"] == approved[0]["index"]
    assert replays_the_same(session)


@pytest.mark.parametrize("on_detach", ["policy", "silent"])
def test_when_the_console_goes_the_session_falls_back_and_logs_it(comm: None, tmp_path: Path, on_detach: str) -> None:
    session, browser = start(tmp_path, mode="full", on_detach=on_detach)
    desk = session.desk
    assert desk is not None
    desk.receive({"type": "relay", "event": "operator_attached"})
    browser.stream(0, 10)
    desk.receive({"type": "relay", "event": "operator_detached"})
    browser.stream(10, 60)
    session.close_session()
    frame = read_log(session.path).frame
    relay = [r for r in wizard_rows(frame) if r.get("by") == "relay"]
    assert relay[0]["note"] == "operator console attached"
    assert relay[1]["why"] == "operator console detached"
    spoke = frame[frame["action"] == "speak"]
    if on_detach == "policy":
        assert relay[1]["action"] == "mode" and relay[1]["mode"] == "override"
        assert len(spoke) > 0 and set(spoke["reason"]) == {"speak:turn_end"}  # the policy took over
    else:
        assert relay[1]["action"] == "hold"
        assert len(spoke) == 0
    facts = read_recording(session.folder)["wizard"]
    assert len(facts["attached"]) == 1 and len(facts["detached"]) == 1
    assert replays_the_same(session)


def test_a_session_that_finds_no_relay_falls_back_as_if_its_console_had_gone(
        comm: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import designkit.widgets.wizard_desk as desk_module

    monkeypatch.setattr(desk_module, "this_kernels_server", lambda: None)  # a kernel of standalone Voilà
    session = LiveSession(engine(), log_dir=tmp_path, name="p01", wizard=WizardSettings(mode="full"))
    browser = ScriptedBrowser(session, scripted_session(SPEECH, 12.0, seed=3).samples())
    browser.consent("audio")
    browser.stream(0, 60)
    session.close_session()
    frame = read_log(session.path).frame
    fallback = [r for r in wizard_rows(frame) if r.get("by") == "relay"]
    assert fallback[0]["why"] == "no Jupyter server relay to attach a console to" and fallback[0]["mode"] == "override"
    assert set(frame[frame["action"] == "speak"]["reason"]) == {"speak:turn_end"}  # the policy answers


def test_free_text_interrupt_hold_release_and_a_note_reach_the_log(comm: None, tmp_path: Path) -> None:
    session, browser = start(tmp_path)
    desk = session.desk
    assert desk is not None
    browser.stream(0, 6)
    desk.receive({"type": "act", "verb": "say", "content": "Sorry to cut in.", "interrupt": True})
    browser.stream(6, 12)
    desk.receive({"type": "act", "verb": "hold"})
    browser.stream(12, 40)
    desk.receive({"type": "act", "verb": "note", "note": "laughed"})
    desk.receive({"type": "act", "verb": "release"})
    browser.stream(40, 60)
    session.close_session()
    frame = read_log(session.path).frame
    assert frame["action"].iloc[6] == "interrupt" and frame["content"].iloc[6] == "Sorry to cut in."
    held = frame.iloc[13:40]
    assert not held["action"].isin(["speak", "backchannel", "interrupt"]).any()  # the turn end at 3 s went unanswered
    actions = [r["action"] for r in wizard_rows(frame) if r.get("by") == "operator"]
    assert actions == ["interrupt", "hold", "note", "release"]
    assert replays_the_same(session)


def test_the_palette_is_edited_saved_with_the_session_and_checked(comm: None, tmp_path: Path) -> None:
    session, browser = start(tmp_path)
    desk = session.desk
    assert desk is not None
    browser.stream(0, 5)
    desk.receive({"type": "palette", "lines": ["Yes.", "No."]})
    with pytest.raises(InputError, match="palette"):
        desk.set_palette([f"line {i}" for i in range(10)])
    desk.receive({"type": "act", "verb": "line", "line": 7})  # no such line now: refused, nothing said
    desk.receive({"type": "dance"})
    browser.stream(5, 10)
    session.close_session()
    facts = read_recording(session.folder)["wizard"]
    assert facts["palette"] == ["Yes.", "No."]
    assert facts["palette_changes"][0]["palette"] == ["Yes.", "No."]
    assert facts["refused"] == 2
    assert not np.isin(read_log(session.path).frame["action"], ["speak"]).any()


def test_settings_name_what_is_allowed() -> None:
    with pytest.raises(InputError, match="wizard mode"):
        WizardSettings(mode="puppet", connect=False)
    with pytest.raises(InputError, match="on_detach"):
        WizardSettings(on_detach="panic", connect=False)
    with pytest.raises(InputError, match="veto_s"):
        WizardSettings(veto_ms=-1, connect=False)


def test_a_studys_wizard_condition_opens_its_sessions_to_the_console_room(comm: None, tmp_path: Path) -> None:
    from designkit.widgets.wizard_console import WizardConsole, wizard_sessions

    make = wizard_sessions(WizardSettings(room="wizard", connect=False))
    wizard = make("wizard", POLICY, tmp_path / "a", "session")
    calm = make("calm", POLICY, tmp_path / "b", "session")
    try:
        assert wizard.desk is not None and wizard.desk.room == "wizard"
        assert calm.desk is None
        assert WizardConsole("wizard").room == "wizard"
        with pytest.raises(InputError, match="room"):
            WizardConsole("a/b")
    finally:
        wizard.close_session()
        calm.close_session()
