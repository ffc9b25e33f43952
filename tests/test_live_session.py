"""LiveSession without a browser: a dummy comm and the messages widgets/live.js sends."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from live_comm import ScriptedBrowser, dummy_comm

from designkit.core import Action, Engine, Reason
from designkit.errors import InputError
from designkit.log import read_log
from designkit.perception.audio.energy import EnergyVAD
from designkit.policy import Policy
from designkit.testing import scripted_session
from designkit.widgets import (
    LiveSession,
    PauseProposer,
    default_engine,
    load_session,
    read_recording,
    save_as_scenario,
)
from designkit.widgets.controls import Controls

SPEECH = [(1.0, 3.0), (4.0, 6.5), (9.0, 10.0)]


@pytest.fixture
def comm() -> Iterator[None]:
    with dummy_comm():
        yield


@pytest.fixture
def samples() -> np.ndarray:
    return scripted_session(SPEECH, 12.0, seed=3).samples()


def make(tmp_path: Path, samples: np.ndarray, **kwargs: object) -> tuple[LiveSession, ScriptedBrowser]:
    session = LiveSession(log_dir=tmp_path, **kwargs)  # type: ignore[arg-type]
    return session, ScriptedBrowser(session, samples)


def test_nothing_reaches_the_engine_before_consent(comm: None, tmp_path: Path, samples: np.ndarray) -> None:
    session, browser = make(tmp_path, samples)
    browser.stream(0, 5)
    assert session.counts["before_consent"] == 5
    assert session.engine.state.next_index == 0
    assert browser.decisions() == []
    assert list(tmp_path.iterdir()) == []  # no log, no recording
    browser.consent()
    browser.stream(0, 5)  # capture starts at consent: its timeline starts at 0
    assert [d["point"]["index"] for d in browser.decisions()] == [0, 1, 2, 3, 4]
    frame = read_log(session.close_session()).frame
    assert set(frame["consent"]) == {"signals"}
    assert read_log(session.path).header["consent"]["given_at"] is not None


def test_the_agent_answers_after_a_pause_and_yields_when_talked_over(
        comm: None, tmp_path: Path, samples: np.ndarray) -> None:
    proposer = PauseProposer(content="That is interesting, tell me more about it.", duration_s=2.5)
    _session, browser = make(tmp_path, samples, engine=Engine([EnergyVAD()], Policy(), proposer=proposer))
    browser.consent()
    browser.stream(0, 60)
    decisions = browser.decisions()
    speak = next(d for d in decisions if d["point"]["action"] == "speak")
    assert speak["point"]["reason"] == Reason.TURN_END.value
    assert 3.0 < speak["point"]["t"] < 4.0  # after the first turn, before the second
    assert speak["voice"]  # 200 ms of the agent's voice rides on the decision
    voiced = [pcm for m, pcm in browser.sent if m.get("voice")]
    assert all(len(b[0]) == 3200 * 2 for b in voiced)
    assert max(np.abs(np.frombuffer(voiced[0][0], "<i2"))) > 1000  # real speech, not zeros
    # The user starts again at 4.0 s while the agent still speaks: it yields and the browser drops its queue.
    yielded = next(d for d in decisions if d["point"]["action"] == "yield")
    assert yielded["point"]["reason"] == Reason.USER_BARGE_IN.value
    assert yielded["stop"] and not yielded["voice"]
    assert yielded["point"]["t"] == pytest.approx(4.0)


def test_wizard_stop_silences_the_voice_within_one_microturn(
        comm: None, tmp_path: Path, samples: np.ndarray) -> None:
    session, browser = make(tmp_path, np.zeros(16000 * 4, np.float32))
    browser.consent()
    browser.stream(0, 2)
    session.wizard("speak", content="Let me tell you a long story about timing.")
    browser.stream(2, 5)
    session.wizard("stop")
    browser.stream(5, 8)
    points = [(d["point"]["index"], d["point"]["action"], d["voice"], d["stop"]) for d in browser.decisions()]
    assert points[2][1:3] == ("speak", True)
    assert [p[2] for p in points[3:5]] == [True, True]  # still speaking
    assert points[5][1:] == ("yield", False, True)  # the very next microturn: stop, no more voice
    assert not any(p[2] for p in points[6:])
    log = read_log(session.close_session()).frame
    assert log["reason"].iloc[5] == Reason.WIZARD.value


def test_missing_and_repeated_chunks_are_logged_gaps_not_merged(
        comm: None, tmp_path: Path, samples: np.ndarray) -> None:
    session, browser = make(tmp_path, samples)
    browser.consent()
    browser.stream(0, 3)
    browser.chunk(4)  # chunk 3 never arrives
    browser.chunk(2, seq=1)  # a late duplicate of an earlier one
    browser.stream(5, 7)
    frame = read_log(session.close_session()).frame
    assert frame["index"].tolist() == list(range(8))
    assert frame["coverage"].iloc[3] == 0.0
    assert frame["reason"].iloc[3] == Reason.GAP.value
    gaps = " ".join(frame["gaps"].tolist())
    assert "missing_audio" in gaps
    assert "out_of_order" in gaps or "duplicate" in gaps
    assert session.counts["gaps"] >= 2


def test_revoking_closes_the_log_and_ignores_what_still_arrives(
        comm: None, tmp_path: Path, samples: np.ndarray) -> None:
    session, browser = make(tmp_path, samples)
    browser.consent("audio")
    browser.stream(0, 10)
    browser.message({"type": "revoke"})
    assert session.consent == "revoked"
    assert session.path is not None and session.path.suffix == ".parquet"
    assert not list(session.path.parent.glob("*.journal.jsonl"))
    browser.stream(10, 13)
    assert session.counts["after_close"] == 3
    log = read_log(session.path)
    assert len(log.frame) == 11  # the ten microturns, then the closing one
    assert log.frame["consent"].iloc[-1] == "none"  # the revocation is in the log
    assert '"consent revoked"' in log.frame["events"].iloc[-1]
    facts = read_recording(session.folder)
    assert facts["consent"]["revoked_at"] is not None
    assert facts["ended"] == "consent revoked"


def test_tab_closed_message_closes_the_log_cleanly(comm: None, tmp_path: Path, samples: np.ndarray) -> None:
    session, browser = make(tmp_path, samples)
    browser.consent()
    browser.stream(0, 7)
    browser.message({"type": "close"})
    assert session.consent == "closed"
    assert read_log(session.path).frame["index"].tolist() == list(range(8))
    assert read_recording(session.folder)["ended"] == "tab closed"
    assert "audio" not in read_recording(session.folder)["keep"]
    assert not (Path(session.folder) / "audio.wav").exists()  # not kept without consent for audio


def test_controls_apply_at_the_next_microturn_and_are_logged(
        comm: None, tmp_path: Path, samples: np.ndarray) -> None:
    session, browser = make(tmp_path, samples)
    controls = Controls(session)
    browser.consent()
    browser.stream(0, 3)
    controls.initiative.value = 0.0
    controls.mute.value = True
    browser.stream(3, 40)
    assert session.muted  # the browser zeroes its chunks from now on
    assert session.engine.policy.initiative == 0.0
    log = read_log(session.close_session()).frame
    events = log["events"].iloc[3]
    assert '"policy"' in events and '"initiative":0.0' in events
    assert '"control"' in events and '"muted":true' in events
    assert not (log["action"] == "speak").any()  # initiative 0: the model never acts on its own
    assert (log["reason"] == Reason.LOW_INITIATIVE.value).any()


def test_quiet_mode_is_do_not_disturb_and_comes_back(comm: None, tmp_path: Path, samples: np.ndarray) -> None:
    session, _ = make(tmp_path, samples)
    session.set_knob("context", "public")
    session.set_control("quiet", True)
    assert session.engine.policy.context.value == "do_not_disturb"
    session.set_control("quiet", False)
    assert session.engine.policy.context.value == "public"


def test_live_session_replays_to_the_same_decisions(comm: None, tmp_path: Path, samples: np.ndarray) -> None:
    policy = Policy(style="wait_for_pause", confidence=0.5)
    engine = Engine([EnergyVAD()], policy, proposer=PauseProposer())
    session, browser = make(tmp_path, samples, engine=engine)
    browser.consent("audio")
    browser.stream(0, 20)
    browser.chunk(21)  # chunk 20 never arrives: a gap, live and in replay
    session.wizard("backchannel")
    browser.stream(22, 60)
    live = read_log(session.close_session()).frame
    assert len(live) == 61  # 60 microturns and the closing one
    replayed = Engine([EnergyVAD()], policy, proposer=PauseProposer()).replay(load_session(session.folder))
    assert [r.decision.action.value for r in replayed] == live["action"].tolist()
    assert [r.decision.reason.value for r in replayed] == live["reason"].tolist()
    assert any(r.decision.action is Action.BACKCHANNEL for r in replayed)
    assert replayed[20].coverage == 0.0 and live["coverage"].iloc[20] == 0.0


def test_the_recording_holds_the_microphone_samples_bit_for_bit(comm: None, tmp_path: Path) -> None:
    # Loud speech (peaks near full scale) is where a 16-bit round trip that scaled by 32767 on the
    # way out and 32768 on the way in lost a step: a model's replay then heard other audio than live.
    rng = np.random.default_rng(5)
    loud = np.clip(rng.normal(0.0, 0.5, 16_000), -1.0, 1.0).astype(np.float32)
    session, browser = make(tmp_path, loud)
    browser.consent("audio")
    browser.stream(0, 5)
    session.close_session()
    heard = np.concatenate([c.samples for c in load_session(session.folder).audio])
    sent = browser.pcm[: heard.size]
    assert np.abs(sent).max() == 32767
    assert np.array_equal(np.round(heard * 32768).astype(np.int16), sent)


def test_handlers_on_two_threads_keep_microturns_in_order(
        comm: None, tmp_path: Path, samples: np.ndarray) -> None:
    session, browser = make(tmp_path, samples)
    browser.consent()

    def operator() -> None:
        for i in range(40):
            session.wizard("silent" if i % 2 else "backchannel")

    thread = threading.Thread(target=operator)
    thread.start()
    browser.stream(0, 50)
    thread.join()
    frame = read_log(session.close_session()).frame
    assert frame["index"].tolist() == list(range(51))
    assert frame["faults"].eq("").all()


def test_camera_frames_ride_on_chunks_and_are_kept_only_with_consent(
        comm: None, tmp_path: Path, samples: np.ndarray) -> None:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.full((240, 320, 3), 90, np.uint8)).save(buffer, "JPEG")
    jpeg = buffer.getvalue()
    for keep, kept in ((("audio", "video"), 5), (("audio",), 0)):
        session, browser = make(tmp_path / "-".join(keep), samples, camera=True)
        browser.consent(*keep)
        for index in range(5):
            browser.chunk(index, jpeg=jpeg)
        session.close_session()
        assert session.counts["frames"] == 5 and session.counts["gaps"] == 0
        replayed = load_session(session.folder)
        assert len(replayed.frames) == kept
        if kept:
            assert replayed.frames[0].image.shape == (240, 320, 3)
            turns = list(replayed.microturns())[:5]
            assert [t.frames[0].t for t in turns] == pytest.approx([0, 0.2, 0.4, 0.6, 0.8])


def test_a_kept_live_session_is_a_scenario_that_replays_the_same(
        comm: None, tmp_path: Path, samples: np.ndarray) -> None:
    from designkit.scenarios.spec import load_scenario

    session, browser = make(tmp_path, samples)
    browser.consent("audio")
    browser.stream(0, 55)
    live = read_log(session.close_session()).frame.iloc[:-1]
    scenario = load_scenario(save_as_scenario(session.folder))
    assert scenario.truth.duration == pytest.approx(11.0)
    replayed = default_engine().replay(scenario.session())
    assert [r.decision.reason.value for r in replayed] == live["reason"].tolist()


def test_without_audio_consent_there_is_no_scenario(comm: None, tmp_path: Path, samples: np.ndarray) -> None:
    session, browser = make(tmp_path, samples)
    browser.consent()
    browser.stream(0, 5)
    session.close_session()
    with pytest.raises(InputError, match="kept audio"):
        save_as_scenario(session.folder)
    with pytest.raises(InputError, match="kept audio"):
        load_session(session.folder)


def test_the_widget_gets_the_one_colour_table(comm: None, tmp_path: Path, samples: np.ndarray) -> None:
    from designkit.study.colours import colour_table

    session, _ = make(tmp_path, samples)
    # live.js draws its legend and lanes from this table: the same one the charts read
    assert session.colours == colour_table() and {"reasons", "lanes", "legend"} <= set(session.colours)


def test_the_gate_offers_to_keep_the_words_only_when_the_agent_hears_words(comm: None, tmp_path: Path) -> None:
    from designkit.agents import conversation
    from designkit.proposers.llm.stub import StubModel

    talking = LiveSession(agent=conversation.build(talk=True, model=StubModel()), log_dir=tmp_path)
    assert talking.hears_words
    assert not LiveSession(agent=conversation.build(talk=False), log_dir=tmp_path).hears_words
    ScriptedBrowser(talking, np.zeros(16_000, np.float32)).consent("transcript")
    assert talking.engine.state.consent.keep == {"signals", "transcript"}
