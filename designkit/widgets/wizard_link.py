"""A live session's line to the Wizard-of-Oz relay of the Jupyter server its kernel runs under.

The kernel finds its server in the Jupyter runtime folder (the server's `jpserver-<pid>.json`,
whose pid is this kernel's parent; `DESIGNKIT_JUPYTER_URL` and `DESIGNKIT_JUPYTER_TOKEN` name
another), connects to `designkit.wizard_relay`'s websocket as `role=session` with the server's
token, and reads operator messages on a thread of its own: an operator's action reaches the
session without waiting for the notebook's main thread or the kernel's message loop.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

# The relay's path (designkit.wizard_relay.PATH, served by designkit.server_extension; a test keeps
# the two equal: the widgets layer may not import the server's modules).
RELAY_PATH = "designkit/wizard"
URL_VARIABLE, TOKEN_VARIABLE = "DESIGNKIT_JUPYTER_URL", "DESIGNKIT_JUPYTER_TOKEN"


@dataclass(frozen=True, slots=True)
class JupyterServer:
    """Where a Jupyter server listens (`url` ends with its base URL and a slash), its token, and the
    folder it serves (`root_dir`; "" when not known)."""

    url: str
    token: str = ""
    root_dir: str = ""

    def relay_url(self, name: str, role: str) -> str:
        base = self.url.rstrip("/") + "/"
        ws = "ws" + base[4:] if base.startswith("http") else base
        return f"{ws}{RELAY_PATH}/{urllib.parse.quote(name, safe='')}?role={role}"


def this_kernels_server() -> JupyterServer | None:
    """The Jupyter server this kernel runs under, or None (a plain Python process, a test)."""
    url = os.environ.get(URL_VARIABLE)
    if url:
        return JupyterServer(url if url.endswith("/") else url + "/", os.environ.get(TOKEN_VARIABLE, ""))
    try:
        from jupyter_server.serverapp import list_running_servers
    except ImportError:
        return None
    parent = os.getppid()
    for info in list_running_servers():
        if int(info.get("pid", -1)) == parent:
            return JupyterServer(str(info["url"]), str(info.get("token", "")),
                                 str(info.get("root_dir") or info.get("notebook_dir") or ""))
    return None


class RelayLink:
    """One websocket to the relay as a session; `on_message(dict)` runs on the link's thread."""

    def __init__(self, server: JupyterServer, name: str, on_message: Callable[[dict[str, Any]], None],
                 *, timeout_s: float = 5.0) -> None:
        import websocket  # websocket-client, a dependency of jupyter_server

        headers = [f"Authorization: token {server.token}"] if server.token else []
        self.name = name
        self._on_message = on_message
        self._send_lock = threading.Lock()
        self._ws = websocket.create_connection(
            server.relay_url(name, "session"), header=headers, timeout=timeout_s,
            sockopt=((socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),))
        self._ws.settimeout(None)
        self.closed = threading.Event()
        self._thread = threading.Thread(target=self._read, name=f"designkit-wizard-{name}", daemon=True)
        self._thread.start()

    def send(self, message: dict[str, Any]) -> None:
        if self.closed.is_set():
            return
        text = json.dumps(message, default=str)
        try:
            with self._send_lock:
                self._ws.send(text)
        except Exception:  # the relay went away: the session goes on without a console
            log.debug("wizard link %s: send failed", self.name, exc_info=True)
            self.closed.set()

    def _read(self) -> None:
        import websocket

        try:
            while not self.closed.is_set():
                opcode, data = self._ws.recv_data()
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    break
                if opcode != websocket.ABNF.OPCODE_TEXT:
                    continue
                try:
                    message = json.loads(data.decode())
                    if isinstance(message, dict):
                        self._on_message(message)
                except Exception:  # one bad message must not end the link
                    log.exception("wizard link %s: message failed", self.name)
        except Exception:
            if not self.closed.is_set():
                log.info("wizard link %s: the relay closed", self.name, exc_info=True)
        finally:
            was_open = not self.closed.is_set()
            self.closed.set()
            if was_open:  # the relay (or the server) went away: as if the operator left
                try:
                    self._on_message({"type": "relay", "event": "operator_detached"})
                except Exception:
                    log.exception("wizard link %s: detaching failed", self.name)

    def close(self) -> None:
        self.closed.set()
        try:
            self._ws.close()
        except Exception:
            log.debug("wizard link %s: close failed", self.name, exc_info=True)
