"""The server extension that turns on TCP_NODELAY for kernel websockets, and its config files."""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any

import pytest
import tornado.httpserver
import tornado.netutil
import tornado.web
import tornado.websocket
from jupyter_core.paths import jupyter_config_path
from jupyter_server.extension.config import ExtensionConfigManager
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

from designkit import server_extension
from designkit.server_extension import NoDelayKernelWebsocketConnection


def test_jupyter_server_enables_the_extension_from_the_installed_config() -> None:
    manager = ExtensionConfigManager(read_config_path=jupyter_config_path())
    assert manager.get_jpserver_extensions().get("designkit.server_extension") is True


def test_standalone_voila_reads_the_connection_class_from_the_installed_config() -> None:
    from voila.app import Voila

    app = Voila()
    app.load_config_file("voila", path=app.config_file_paths)
    assert app.kernel_websocket_connection_class is NoDelayKernelWebsocketConnection


class _FakeServer:
    def __init__(self, current: Any) -> None:
        class App:
            def __init__(self) -> None:
                self.settings: dict[str, Any] = {server_extension.SETTING: current}
                self.handlers: list[Any] = []

            def add_handlers(self, host: str, handlers: list[Any]) -> None:
                self.handlers.extend(handlers)

        self.web_app = App()
        self.log = __import__("logging").getLogger("test")


@pytest.mark.parametrize("current", [None, ZMQChannelsWebsocketConnection])
def test_loading_the_extension_switches_the_default_connection(current: Any) -> None:
    server = _FakeServer(current)
    server_extension._load_jupyter_server_extension(server)
    assert server.web_app.settings[server_extension.SETTING] is NoDelayKernelWebsocketConnection


def test_a_custom_connection_class_is_left_alone() -> None:
    class Custom(ZMQChannelsWebsocketConnection):  # type: ignore[misc]
        pass

    server = _FakeServer(Custom)
    server_extension._load_jupyter_server_extension(server)
    assert server.web_app.settings[server_extension.SETTING] is Custom


def test_set_nodelay_sets_the_socket_option_on_a_real_websocket() -> None:
    seen: list[int] = []

    class Handler(tornado.websocket.WebSocketHandler):
        def open(self) -> None:
            assert server_extension.set_nodelay(self)
            sock = self.ws_connection.stream.socket  # type: ignore[union-attr]
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            self.write_message("ok")

    async def main() -> None:
        app = tornado.web.Application([("/ws", Handler)])
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        server = tornado.httpserver.HTTPServer(app)
        server.add_sockets(sockets)
        port = sockets[0].getsockname()[1]
        client = await tornado.websocket.websocket_connect(f"ws://127.0.0.1:{port}/ws")
        assert await client.read_message() == "ok"
        client.close()
        server.stop()

    # Its own thread: earlier tests (playwright's sync API) may leave a loop running in this one.
    errors: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # pragma: no cover - re-raised below
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=60)
    assert not errors, errors
    assert seen == [1]
