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
"""

from __future__ import annotations

import logging
import os
from typing import Any

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

log = logging.getLogger(__name__)

CONNECTION_CLASS = "designkit.server_extension.NoDelayKernelWebsocketConnection"
SETTING = "kernel_websocket_connection_class"
# Set to "0" to measure without the fix (benchmarks/live.py compares both).
SWITCH = "DESIGNKIT_TCP_NODELAY"


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


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "designkit.server_extension"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Use the no-delay connection unless the server was configured with another one."""
    settings = serverapp.web_app.settings
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
