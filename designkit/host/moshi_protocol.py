"""Moshi's websocket protocol, both ends: a client that makes any Moshi server (Moshi, PersonaPlex, a
remote GPU box) an `InteractionModel`, and a small server that speaks the protocol for any
24 kHz `InteractionModel` (the tests put the tiny Moshi behind it).

The protocol (moshi's `server.py`, route `/api/chat`): the server sends the handshake byte
0x00 once it is ready; then both sides send binary messages, 0x01 + an Ogg Opus stream page
(24 kHz mono, encoded and decoded with `sphn`), and the server also sends 0x02 + UTF-8 text
as the model says words.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

from designkit.core.interaction import FloatArray, InteractionModel, ModelStep
from designkit.errors import InputError, MissingExtraError

logger = logging.getLogger(__name__)

PATH = "/api/chat"
HANDSHAKE, AUDIO, TEXT = 0x00, 0x01, 0x02
SAMPLE_RATE = 24_000
FRAME = 1920


def _sphn() -> Any:
    try:
        import sphn
    except ImportError as exc:
        raise MissingExtraError("sphn", "moshi") from exc
    return sphn


class MoshiProtocolModel:
    """A Moshi server reached over its websocket, as an `InteractionModel`.

    `step` sends one 80 ms frame as Opus and returns what has come back since: decoded audio,
    text, and `wants_to_speak` = 1 when words came. With `wait_s` > 0 it first waits that long
    for the server's answer to this frame (lockstep, for tests and timing); live, 0 keeps the
    loop from ever waiting on the network. `roundtrip_ms` keeps send -> first answer times.
    """

    name = "moshi-protocol"
    input_rate = SAMPLE_RATE
    frame_samples = FRAME
    sample_rate = SAMPLE_RATE

    def __init__(self, url: str, *, wait_s: float = 0.0, timeout_s: float = 10.0) -> None:
        self.url = url
        self.wait_s = wait_s
        self.timeout_s = timeout_s
        self.roundtrip_ms: list[float] = []
        self._exits: contextlib.ExitStack | None = None
        self._ws: Any = None
        self.reset()

    def reset(self) -> None:
        """A fresh conversation: reconnect and wait for the handshake."""
        from websockets.sync.client import connect

        self.close()
        sphn = _sphn()
        self._writer = sphn.OpusStreamWriter(SAMPLE_RATE)
        self._reader = sphn.OpusStreamReader(SAMPLE_RATE)
        self._exits = contextlib.ExitStack()
        self._ws = self._exits.enter_context(connect(self.url, open_timeout=self.timeout_s, compression=None,
                                                     max_size=None))
        first = self._ws.recv(timeout=self.timeout_s)
        if not isinstance(first, bytes) or first[:1] != bytes([HANDSHAKE]):
            self.close()
            raise InputError("Moshi server handshake", expected="the byte 0x00", got=repr(first[:8]))

    def close(self) -> None:
        if self._exits is not None:
            self._exits.close()
        self._exits = None
        self._ws = None

    def step(self, frame: FloatArray) -> ModelStep:
        if frame.shape != (FRAME,):
            raise InputError("Moshi frame", expected=f"{FRAME} samples at 24 kHz", got=frame.shape)
        page = self._writer.append_pcm(np.ascontiguousarray(frame, np.float32))
        sent = time.perf_counter()
        if len(page):
            self._ws.send(bytes([AUDIO]) + page)
        audio: list[FloatArray] = []
        text: list[str] = []
        timeout = self.wait_s
        while True:
            try:
                message = self._ws.recv(timeout=timeout)
            except TimeoutError:
                break
            if timeout:
                self.roundtrip_ms.append((time.perf_counter() - sent) * 1000)
            timeout = 0.0
            if not isinstance(message, bytes) or not message:
                continue
            if message[0] == AUDIO:
                pcm = self._reader.append_bytes(message[1:])
                if pcm.size:
                    audio.append(np.asarray(pcm, np.float32).reshape(-1))
            elif message[0] == TEXT:
                text.append(message[1:].decode("utf-8", errors="replace"))
        joined = np.concatenate(audio) if audio else np.zeros(0, np.float32)
        return ModelStep(audio=joined, text="".join(text), wants_to_speak=1.0 if text else 0.0)


async def serve_moshi_protocol(model: InteractionModel, host: str = "127.0.0.1", port: int = 0,
                               ready: Any = None) -> None:
    """Serve `model` (24 kHz, 1920-sample frames) on ws://host:port/api/chat, one session at a time.

    `ready` (an asyncio Future) gets the port once listening. Runs until cancelled.
    """
    import asyncio

    import websockets.asyncio.server as ws_server
    from websockets.exceptions import ConnectionClosed

    if model.input_rate != SAMPLE_RATE or model.frame_samples != FRAME or model.sample_rate != SAMPLE_RATE:
        raise InputError("model behind the Moshi protocol", expected="24 kHz, 1920-sample frames",
                         got=(model.input_rate, model.frame_samples, model.sample_rate))
    sphn = _sphn()
    lock = asyncio.Lock()

    async def chat(websocket: Any) -> None:
        if websocket.request.path != PATH:
            await websocket.close(1008, f"connect to {PATH}")
            return
        async with lock:  # as moshi's server: one conversation at a time per model
            model.reset()
            reader, writer = sphn.OpusStreamReader(SAMPLE_RATE), sphn.OpusStreamWriter(SAMPLE_RATE)
            buffered = np.zeros(0, np.float32)
            try:
                await websocket.send(bytes([HANDSHAKE]))
                async for message in websocket:
                    if not isinstance(message, bytes) or message[:1] != bytes([AUDIO]):
                        continue
                    pcm = reader.append_bytes(message[1:])
                    buffered = np.concatenate([buffered, np.asarray(pcm, np.float32).reshape(-1)])
                    while buffered.size >= FRAME:
                        out = model.step(buffered[:FRAME])
                        buffered = buffered[FRAME:]
                        if out.audio.size:
                            page = writer.append_pcm(out.audio)
                            if len(page):
                                await websocket.send(bytes([AUDIO]) + page)
                        if out.text:
                            await websocket.send(bytes([TEXT]) + out.text.encode("utf-8"))
            except ConnectionClosed:  # the client hung up mid-answer: the conversation is over
                logger.info("Moshi protocol client left")

    async with ws_server.serve(chat, host, port, compression=None, max_size=None) as server:
        if ready is not None:
            ready.set_result(next(iter(server.sockets)).getsockname()[1])
        await asyncio.Future()


@contextlib.contextmanager
def served(model: InteractionModel, host: str = "127.0.0.1") -> Iterator[str]:
    """`serve_moshi_protocol` in a background thread for the `with` block; yields its URL.

    For trying a client against a local model (tests, benchmarks, a workshop without a GPU box).
    """
    import asyncio
    import threading

    loop = asyncio.new_event_loop()
    ready: asyncio.Future[int] = loop.create_future()
    task = loop.create_task(serve_moshi_protocol(model, host, 0, ready))
    thread = threading.Thread(target=loop.run_forever, name="moshi-protocol-server", daemon=True)
    thread.start()

    async def started() -> int:
        return await asyncio.wait_for(asyncio.shield(ready), 30)

    async def stop() -> None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    try:
        port = asyncio.run_coroutine_threadsafe(started(), loop).result()
        yield f"ws://{host}:{port}{PATH}"
    finally:
        asyncio.run_coroutine_threadsafe(stop(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
