"""A Jupyter server extension that sends kernel websocket messages without waiting (TCP_NODELAY).

Why: jupyter_server leaves Nagle's algorithm on for the kernel websocket. A widget reply goes
out right after the kernel's small "busy" status message, so the kernel's answer waits for the
browser's delayed ACK of that first segment (~40 ms on Linux). Live microturns then see a
round-trip p95 of ~46 ms instead of ~10 ms. Turning no-delay on when each kernel websocket opens
removes the wait; nothing else changes.

It is installed with designkit and enabled by two config files shipped in the wheel:
`etc/jupyter/jupyter_server_config.d/designkit.json` (JupyterLab, Notebook 7, `jupyter server`,
and Voilà running inside them) and `etc/jupyter/voila.json` (the standalone `voila` command,
which is not a jupyter_server application and reads only `voila.json`/`voila.py`). Both point the
server's `kernel_websocket_connection_class` at `NoDelayKernelWebsocketConnection`.

It also serves the Wizard-of-Oz relay (`designkit.wizard_relay`): a websocket at
`<base_url>designkit/wizard/<name>` that carries an operator console's actions to the live session
named `<name>` and the session's timeline back, behind the server's own token or login.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from jupyter_core.utils import ensure_async
from jupyter_server.auth.decorator import ws_authenticated
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from designkit.wizard_relay import PATH, REFUSED, Refused, Relay, Role

log = logging.getLogger(__name__)

CONNECTION_CLASS = "designkit.server_extension.NoDelayKernelWebsocketConnection"
SETTING = "kernel_websocket_connection_class"
# Set to "0" to measure without the fix (benchmarks/live.py compares both).
SWITCH = "DESIGNKIT_TCP_NODELAY"
RELAY = "designkit_wizard_relay"  # the server's one Relay, in its tornado settings


def enabled() -> bool:
    return os.environ.get(SWITCH, "1") != "0"


def set_nodelay(handler: Any) -> bool:
    """Turn on TCP_NODELAY for one open websocket handler; False if it has no stream (closed)."""
    try:
        handler.set_nodelay(True)
    except Exception:  # a closed or non-TCP connection: nothing to tune
        log.debug("could not set TCP_NODELAY on %r", handler, exc_info=True)
        return False
    return True


class NoDelayKernelWebsocketConnection(ZMQChannelsWebsocketConnection):
    """The standard kernel websocket connection, with TCP_NODELAY set when it connects."""

    def connect(self) -> Any:
        if enabled():
            set_nodelay(self.websocket_handler)
        return super().connect()


class WizardRelayHandler(WebSocketMixin, WebSocketHandler, JupyterHandler):  # type: ignore[misc]
    """One page or kernel in a wizard room: `?role=session` or `?role=console`.

    Authenticated like the kernel websockets (token, cookie or login) and allowed to those who may
    execute code in kernels: an operator drives what a participant's kernel says."""

    auth_resource = "kernels"

    def set_default_headers(self) -> None:
        """No JupyterHandler default headers on a websocket."""

    @property
    def relay(self) -> Relay:
        return self.settings[RELAY]  # type: ignore[no-any-return]

    @ws_authenticated
    async def get(self, name: str) -> None:
        authorized = await ensure_async(self.authorizer.is_authorized(self, self.current_user, "execute", "kernels"))
        if not authorized:
            raise web.HTTPError(403)
        try:
            self.role = Role(self.get_argument("role", Role.CONSOLE.value))
        except ValueError as exc:
            raise web.HTTPError(400, "role must be 'session' or 'console'") from exc
        if self.role is Role.SESSION and self.relay.has_session(name):
            raise web.HTTPError(409, f"a live session named {name!r} is already on this server")
        self.name = name
        await super().get(name)

    def open(self, name: str) -> None:  # type: ignore[override]
        super().open()
        set_nodelay(self)  # an operator's key press should not wait for a delayed ACK
        try:
            self.relay.join(name, self.role, self)
        except Refused as exc:
            self.refuse(REFUSED, str(exc))

    def on_message(self, message: str | bytes) -> None:
        self.relay.receive(self.name, self, message if isinstance(message, str) else message.decode())

    def on_close(self) -> None:
        self.relay.leave(self.name, self)

    # -- the relay's Peer protocol -------------------------------------------------------------
    def send(self, text: str) -> None:
        try:
            self.write_message(text)
        except WebSocketClosedError:
            log.debug("wizard relay: %r closed before a message reached it", self.name)

    def refuse(self, code: int, why: str) -> None:
        self.close(code, why)


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "designkit.server_extension"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Use the no-delay connection unless the server was configured with another one."""
    settings = serverapp.web_app.settings
    pattern = url_path_join(settings.get("base_url", "/"), PATH, "([^/]+)")
    settings[RELAY] = Relay()
    serverapp.web_app.add_handlers(".*$", [(pattern, WizardRelayHandler)])
    if not enabled():
        serverapp.log.warning("designkit: %s=0, kernel websockets keep Nagle's algorithm", SWITCH)
        return
    current = settings.get(SETTING)
    if current is None or current is ZMQChannelsWebsocketConnection:
        settings[SETTING] = NoDelayKernelWebsocketConnection
        serverapp.log.info("designkit: kernel websockets use TCP_NODELAY")
    elif not (isinstance(current, type) and issubclass(current, NoDelayKernelWebsocketConnection)):
        serverapp.log.warning(
            "designkit: kernel_websocket_connection_class is %s; TCP_NODELAY not set "
            "(live round trips may wait ~40 ms for delayed ACKs)", current,
        )


# jupyter_server < 2 looked for the un-prefixed names.
load_jupyter_server_extension = _load_jupyter_server_extension
