"""`designkit host` serves two sessions at once over its websocket, each with its own log."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from designkit.core import AudioChunk
from designkit.host.client import HostClient
from designkit.log import read_log
from designkit.policy import Policy
from designkit.testing import scripted_audio

pytestmark = [pytest.mark.models, pytest.mark.slow]
SPT = 3200
TURNS = 20


@pytest.fixture()
def host_url(tmp_path: Path):
    env = {**os.environ, "DESIGNKIT_CACHE": str(tmp_path / "cache")}
    process = subprocess.Popen(
        [sys.executable, "-m", "designkit.cli", "host", "--port", "0", "--capacity", "4",
         "--log-dir", str(tmp_path / "logs")], stdout=subprocess.PIPE, text=True, env=env)
    try:
        line = process.stdout.readline() if process.stdout else ""
        assert line.startswith("designkit host: ws://"), line
        yield line.split()[2], process, tmp_path
    finally:
        process.terminate()
        process.wait(timeout=30)


def _collect(client: HostClient) -> list[dict]:
    steps: list[dict] = []
    while len(steps) < TURNS:
        step = client.wait_step(timeout_s=20.0)
        assert step is not None, f"only {len(steps)} steps came back"
        steps.append(step)
    return steps


def test_two_sessions_through_one_host_keep_to_themselves(host_url) -> None:
    url, process, tmp_path = host_url
    announcement = tmp_path / "cache" / "host.json"
    assert announcement.is_file()
    speech = scripted_audio([(0.4, 3.2)], TURNS * 0.2, seed=1)
    silence = np.zeros(TURNS * SPT, np.float32)
    with HostClient.connect(url, policy=Policy(), name="talker") as talker, \
            HostClient.connect(url, policy=Policy(confidence=0.9), name="quiet") as quiet:
        assert talker.session != quiet.session and talker.slot != quiet.slot
        for k in range(TURNS):
            for client, audio in ((talker, speech), (quiet, silence)):
                client.send(AudioChunk(t0=k * 0.2, samples=audio[k * SPT : (k + 1) * SPT], seq=k))
        heard, calm = _collect(talker), _collect(quiet)
    assert [s["index"] for s in heard] == list(range(TURNS)) == [s["index"] for s in calm]
    assert max(s["signals"]["vad"] for s in heard) > 0.5
    assert max(s["signals"]["vad"] for s in calm) < 0.1  # no cross-talk between slots
    process.terminate()  # the host closes every session's log, then withdraws its announcement
    assert process.wait(timeout=30) == 0
    assert not announcement.exists()
    logs = {read_log(p).header["name"]: read_log(p) for p in (tmp_path / "logs").glob("*.parquet")}
    assert sorted(logs) == ["quiet", "talker"]
    for steps, name in ((heard, "talker"), (calm, "quiet")):
        vad = logs[name].signal("vad")[:TURNS]
        assert np.allclose(vad, [s["signals"]["vad"] for s in steps])


def test_notebook_engines_get_their_signals_from_the_host(host_url) -> None:
    from designkit.core import Engine, Session
    from designkit.host.remote import host_engine
    from designkit.host.stack import TOLERANCE
    from designkit.perception.audio.silero import SileroVAD
    from designkit.perception.audio.turn_taking import TurnTakingModel

    url, _, _ = host_url
    # As int16 on the wire (what a browser sends), so the session alone hears the same samples.
    speech = np.clip(np.round(scripted_audio([(0.2, 1.2)], 2.0, seed=11) * 32768), -32768, 32767) / 32768
    audios = [speech.astype(np.float32), np.zeros(10 * SPT, np.float32)]
    engines = [host_engine(url, Policy(), name=f"notebook-{i}") for i in range(2)]
    turns = [list(Session.from_array(a, chunk_s=0.2).microturns()) for a in audios]
    for k in range(10):
        for engine, session in zip(engines, turns, strict=True):
            engine.step(session[k])
    for engine, audio in zip(engines, audios, strict=True):
        alone = Engine([SileroVAD(), TurnTakingModel()], Policy()).replay(Session.from_array(audio, chunk_s=1.0))
        ours = engine.last_record
        assert ours is not None and ours.index == 9 and not ours.faults
        for column, tol in TOLERANCE.items():
            assert abs(ours.signals[column] - alone[9].signals[column]) <= tol, column


def test_a_live_session_in_a_notebook_uses_the_host(host_url, tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from live_comm import ScriptedBrowser, dummy_comm

    from designkit.widgets import LiveSession

    url, _, _ = host_url
    with dummy_comm():
        session = LiveSession(log_dir=tmp_path / "live", name="through-host", voice=False, host=url)
        browser = ScriptedBrowser(session, scripted_audio([(0.4, 1.6)], 3.0, seed=12))
        browser.consent()
        browser.stream(0, 12)
        path = session.close_session("test over")
    assert path is not None
    log = read_log(path)
    assert len(log.frame) >= 12 and "vap_200ms" in log.signals
    assert log.signal("vad")[:12].max() > 0.5
    assert not log.frame["faults"].astype(bool).iloc[:12].any()
