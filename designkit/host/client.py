"""A session's end of the host's websocket, for notebooks and scripts (blocking calls, no asyncio).

    client = HostClient.connect("ws://127.0.0.1:8765/session", policy=Policy(confidence=0.7))
    client.send(chunk)                  # AudioChunk, 200 ms at a time
    for step in client.steps():         # the decisions that came back so far
        ...
    client.close()

`steps()` never blocks; `wait_step(timeout_s)` blocks until the next one. Each step is the dict
the host sends (see `designkit.host.server`).
"""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any

from designkit.core.protocols import Decider
from designkit.core.streams import AudioChunk
from designkit.errors import InputError
from designkit.host.wire import encode_audio

logger = logging.getLogger(__name__)


class HostClient:
    """One session connected to a model host."""

    def __init__(self, connection: Any, joined: dict[str, Any], exits: contextlib.ExitStack) -> None:
        self._ws = connection
        self._exits = exits
        self.session = str(joined["session"])
        self.slot = int(joined["slot"])
        self.dt = float(joined["dt"])
        self.device = str(joined["device"])
        self.columns: tuple[str, ...] = tuple(joined.get("columns", ()))
        self._seq = 0
        self.received: list[dict[str, Any]] = []

    @classmethod
    def connect(cls, url: str, *, policy: Decider | None = None, name: str = "",
                timeout_s: float = 10.0) -> HostClient:
        from websockets.sync.client import connect

        # Entered as a context manager (what websockets asks for); `close` leaves it.
        exits = contextlib.ExitStack()
        connection = exits.enter_context(connect(url, open_timeout=timeout_s, compression=None))
        connection.send(json.dumps({"type": "join", "policy": policy.to_dict() if policy else {}, "name": name}))
        reply = json.loads(connection.recv(timeout=timeout_s))
        if reply.get("type") != "joined":
            exits.close()
            raise InputError("host reply", expected="joined", got=reply.get("message", reply))
        return cls(connection, reply, exits)

    def send(self, chunk: AudioChunk) -> None:
        self._ws.send(encode_audio(chunk, chunk.seq if chunk.seq is not None else self._seq))
        self._seq += 1

    def _take(self, timeout_s: float | None) -> dict[str, Any] | None:
        try:
            message = self._ws.recv(timeout=timeout_s)
        except TimeoutError:
            return None
        data: dict[str, Any] = json.loads(message)
        if data.get("type") == "error":
            raise InputError("host", expected="a step", got=data.get("message"))
        self.received.append(data)
        return data

    def steps(self) -> list[dict[str, Any]]:
        """The steps that have arrived since the last call, without waiting."""
        out = []
        while (step := self._take(0)) is not None:
            out.append(step)
        return out

    def wait_step(self, timeout_s: float = 1.0) -> dict[str, Any] | None:
        return self._take(timeout_s)

    def close(self) -> None:
        try:
            self._ws.send(json.dumps({"type": "leave"}))
        finally:
            self._exits.close()

    def __enter__(self) -> HostClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
