"""The host as a local websocket service: notebooks connect, each gets a slot, the host ticks.

Served with `websockets` (already installed with Jupyter's stack, asyncio-native, maintained,
and small: one process, no web framework needed; tornado would also do but brings Jupyter's
server machinery along). The wire format, one websocket per session at `/session`:

- client -> host, text: `{"type": "join", "policy": {...}, "name": "..."}` first; later
  `{"type": "leave"}` (or just closing the socket).
- host -> client, text: `{"type": "joined", "session": id, "slot": n, "dt": 0.2, "device": "cpu",
  "columns": [...]}`,
  then one `{"type": "step", "index": k, "action": ..., "reason": ..., "confidence": ...,
  "content": ..., "duration_s": ..., "coverage": ..., "gaps": [...], "signals": {...}}` per microturn,
  and `{"type": "error", "message": ...}` when a request cannot be served.
- client -> host, binary: a 12-byte header (little-endian uint32 sequence number, float64 start
  time in seconds) followed by mono 16 kHz int16 PCM.

The host ticks every `dt` seconds on its own clock; a session's audio that has not arrived by its
tick becomes a logged gap for that session only (see `Host`). With `log_dir`, each session's
log is written there as `<session>.parquet`, as a live session on its own would write it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from designkit.errors import DesignkitError, InputError
from designkit.host.host import Host
from designkit.host.wire import PATH, decode_audio, step_message
from designkit.log import make_header
from designkit.log.writer import LogWriter
from designkit.policy.loader import policy_from_dict
from designkit.proposers.turn_taking import TurnTakingProposer

logger = logging.getLogger(__name__)

class HostServer:
    """Runs a `Host` behind a websocket; one tick every `host.dt` seconds."""

    def __init__(self, host: Host, *, log_dir: str | Path | None = None) -> None:
        self.host = host
        self.log_dir = Path(log_dir) if log_dir is not None else None
        self._sockets: dict[str, Any] = {}
        self._writers: dict[str, LogWriter] = {}
        self.tick_ms: list[float] = []

    def _join(self, request: Mapping[str, Any]) -> str:
        policy = policy_from_dict(dict(request.get("policy") or {}))
        sid = self.host.join(policy, proposer=TurnTakingProposer())
        if self.log_dir is not None:
            session = self.host.sessions[sid]
            name = str(request.get("name") or sid)
            writer = LogWriter(self.log_dir / f"{sid}.parquet",
                               header=make_header(session.engine, name=name, extra={"host_session": sid}))
            session.engine.sink = writer
            self._writers[sid] = writer
        return sid

    def _leave(self, sid: str) -> None:
        self.host.leave(sid)
        self._sockets.pop(sid, None)
        writer = self._writers.pop(sid, None)
        if writer is not None:
            writer.close()

    async def handle(self, websocket: Any) -> None:
        """One session: join, audio in, steps out, until the socket closes."""
        path = getattr(getattr(websocket, "request", None), "path", PATH)
        if path != PATH:
            await websocket.close(1008, f"connect to {PATH}")
            return
        sid = None
        try:
            first = json.loads(await websocket.recv())
            if first.get("type") != "join":
                raise InputError("first message", expected='{"type": "join", ...}', got=first.get("type"))
            sid = self._join(first)
            self._sockets[sid] = websocket
            await websocket.send(json.dumps({"type": "joined", "session": sid, "slot": self.host.sessions[sid].slot,
                                             "dt": self.host.dt, "device": self.host.device,
                                             "columns": list(self.host.stack.columns)}))
            async for message in websocket:
                if isinstance(message, bytes):
                    if sid in self.host.sessions:
                        self.host.push(sid, decode_audio(message))
                elif json.loads(message).get("type") == "leave":
                    break
        except DesignkitError as exc:
            await websocket.send(json.dumps({"type": "error", "message": str(exc)}))
        except Exception as exc:  # a broken connection ends this session only
            logger.info("session %s closed: %r", sid, exc)
        finally:
            if sid is not None:
                self._leave(sid)

    async def _tick_forever(self) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        k = 0
        while True:
            k += 1
            await asyncio.sleep(max(0.0, start + k * self.host.dt - loop.time()))
            started = time.perf_counter()
            report = self.host.tick()
            self.tick_ms.append((time.perf_counter() - started) * 1000)
            for sid in report.dropped:
                socket = self._sockets.get(sid)
                self._leave(sid)
                if socket is not None:
                    await socket.close(1000, "no audio for too long")
            for sid, records in report.records.items():
                socket = self._sockets.get(sid)
                if socket is None:
                    continue
                for record in records:
                    try:
                        await socket.send(json.dumps(step_message(record)))
                    except Exception:  # the socket closed meanwhile; its handler cleans up
                        break

    async def serve(self, host_name: str = "127.0.0.1", port: int = 0,
                    ready: asyncio.Future[int] | None = None) -> None:
        """Serve until cancelled; `ready` gets the port once listening."""
        import websockets.asyncio.server as ws_server

        async with ws_server.serve(self.handle, host_name, port, compression=None) as server:
            bound = next(iter(server.sockets)).getsockname()[1]
            logger.info("model host on ws://%s:%d%s (%s)", host_name, bound, PATH, self.host.device)
            if ready is not None:
                ready.set_result(bound)
            ticker = asyncio.create_task(self._tick_forever())
            try:
                await asyncio.Future()
            finally:
                ticker.cancel()
                for sid in list(self._writers):
                    self._leave(sid)
