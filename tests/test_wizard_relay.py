"""The wizard relay: rooms by session name, one operator, read-only watchers, and the real
Jupyter server websocket behind its token (a `jupyter server` on 127.0.0.1 with a token)."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from designkit.widgets import wizard_link
from designkit.widgets.wizard_link import JupyterServer, RelayLink
from designkit.wizard_relay import PATH, Refused, Relay, RelayEvent, Role

sys.path.insert(0, str(Path(__file__).parent / "browser"))
import harness


class Page:
    """A peer that keeps what the relay sends it."""

    def __init__(self) -> None:
        self.got: list[dict[str, Any]] = []
        self.refused: tuple[int, str] | None = None

    def send(self, text: str) -> None:
        self.got.append(json.loads(text))

    def refuse(self, code: int, why: str) -> None:
        self.refused = (code, why)

    def events(self) -> list[str]:
        return [m["event"] for m in self.got if m.get("type") == "relay"]


def test_the_first_console_operates_a_second_only_watches() -> None:
    relay, session, operator, watcher = Relay(), Page(), Page(), Page()
    relay.join("p01", Role.SESSION, session)
    assert relay.join("p01", Role.CONSOLE, operator) is RelayEvent.OPERATOR
    assert relay.join("p01", Role.CONSOLE, watcher) is RelayEvent.READ_ONLY
    assert session.events() == ["operator_attached"]
    relay.receive("p01", operator, '{"type": "act", "verb": "line", "line": 0}')
    relay.receive("p01", watcher, '{"type": "act", "verb": "stop"}')
    assert [m for m in session.got if m["type"] == "act"] == [{"type": "act", "verb": "line", "line": 0}]
    assert watcher.events() == ["read_only", "session_joined", "read_only"]  # its action was dropped
    relay.receive("p01", session, '{"type": "point", "index": 3}')
    assert operator.got[-1] == watcher.got[-1] == {"type": "point", "index": 3}


def test_the_session_hears_when_its_operator_leaves_and_consoles_when_the_session_ends() -> None:
    relay, session, operator = Relay(), Page(), Page()
    relay.join("p01", Role.SESSION, session)
    relay.join("p01", Role.CONSOLE, operator)
    relay.leave("p01", operator)
    assert session.events() == ["operator_attached", "operator_detached"]
    again = Page()
    assert relay.join("p01", Role.CONSOLE, again) is RelayEvent.OPERATOR  # the next console operates
    relay.leave("p01", session)
    assert again.events()[-1] == "session_left"
    relay.leave("p01", again)
    assert relay.rooms == {}


def test_a_console_may_wait_for_the_session_and_a_second_session_of_that_name_is_refused() -> None:
    relay, console, session = Relay(), Page(), Page()
    relay.join("p02", Role.CONSOLE, console)
    assert console.events() == ["operator", "waiting"]
    relay.join("p02", Role.SESSION, session)
    assert console.events()[-1] == "session_joined" and session.events() == ["operator_attached"]
    with pytest.raises(Refused, match="p02"):
        relay.join("p02", Role.SESSION, Page())


def test_the_widgets_and_the_server_agree_on_the_relay_path() -> None:
    assert wizard_link.RELAY_PATH == PATH
    server = JupyterServer("http://127.0.0.1:8888/base/", "t")
    assert server.relay_url("a b", "session") == "ws://127.0.0.1:8888/base/designkit/wizard/a%20b?role=session"


@pytest.fixture(scope="module")
def jupyter_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """A plain `jupyter server` with a token and the kit's shipped config (the extension on)."""
    work = tmp_path_factory.mktemp("relay-server")
    port = harness.free_port()
    cmd = [sys.executable, "-m", "jupyter_server", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.token=secret-token", f"--ServerApp.root_dir={work}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log_path = work / "server.log"
    with log_path.open("wb") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=work,
                                   env=harness._env(work / "runtime"))
    try:
        harness._wait_http(f"http://127.0.0.1:{port}/api/status?token=secret-token", process, 90)
        yield JupyterServer(f"http://127.0.0.1:{port}/", "secret-token")
    finally:
        harness._stop(process)


def test_through_a_real_server_only_its_token_gets_in_and_actions_reach_the_session(
        jupyter_server: JupyterServer) -> None:
    import websocket

    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(jupyter_server.relay_url("p01", "console"), timeout=10)
    assert refused.value.status_code == 403  # no token: no console
    got: queue.Queue[dict[str, Any]] = queue.Queue()
    link = RelayLink(jupyter_server, "p01", got.put)
    console = websocket.create_connection(jupyter_server.relay_url("p01", "console") + "&token=secret-token",
                                          timeout=10)
    try:
        assert json.loads(console.recv())["event"] == "operator"
        assert got.get(timeout=10) == {"type": "relay", "event": "operator_attached"}
        console.send(json.dumps({"type": "act", "verb": "line", "line": 2}))
        assert got.get(timeout=10) == {"type": "act", "verb": "line", "line": 2}
        link.send({"type": "point", "index": 7})
        seen = [json.loads(console.recv()) for _ in range(2)]
        assert {"type": "point", "index": 7} in seen
        with pytest.raises(websocket.WebSocketBadStatusException):  # a second session of that name
            second = RelayLink(jupyter_server, "p01", got.put)
            second.close()
    finally:
        console.close()
    assert got.get(timeout=10) == {"type": "relay", "event": "operator_detached"}
    link.close()
