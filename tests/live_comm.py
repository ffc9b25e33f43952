"""A dummy comm for driving widgets without a browser, and a scripted "browser" for LiveSession."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from designkit.core.streams import SAMPLE_RATE


class DummyComm:
    """Stands in for the kernel comm: keeps what the widget sends."""

    comm_id = "live-test"
    kernel = "present"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.messages: list[tuple[dict[str, Any], list[bytes]]] = []

    def open(self, *args: Any, **kwargs: Any) -> None:
        return None

    def on_msg(self, *args: Any, **kwargs: Any) -> None:
        return None

    def send(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        if isinstance(data, dict) and data.get("method") == "custom":
            self.messages.append((data["content"], [bytes(b) for b in (buffers or [])]))

    def close(self, *args: Any, **kwargs: Any) -> None:
        return None


@contextmanager
def dummy_comm() -> Iterator[None]:
    from ipywidgets import comm

    original_create = comm.create_comm
    comm.create_comm = lambda **kwargs: DummyComm()
    try:
        yield
    finally:
        comm.create_comm = original_create


class ScriptedBrowser:
    """Sends what widgets/live.js sends: hello, consent, one int16 chunk per microturn."""

    def __init__(self, session: Any, samples: np.ndarray, *, dt: float = 0.2) -> None:
        self.session = session
        self.pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
        self.spt = round(dt * SAMPLE_RATE)
        self.dt = dt
        self.seq = 0
        self.clock = 1_700_000_000.0

    @property
    def sent(self) -> list[tuple[dict[str, Any], list[bytes]]]:
        return self.session.comm.messages  # type: ignore[no-any-return]

    def decisions(self) -> list[dict[str, Any]]:
        return [m for m, _ in self.sent if m.get("type") == "decision"]

    def message(self, content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        self.session._on_msg(self.session, content, [memoryview(b) for b in buffers or []])

    def consent(self, *keep: str) -> None:
        self.message({"type": "consent", "keep": ["signals", *keep], "t": self.clock})

    def chunk(self, index: int, *, seq: int | None = None, jpeg: bytes | None = None) -> None:
        """Send the chunk that covers microturn `index` (seq defaults to the next number),
        with a camera frame taken at the start of that microturn riding on it."""
        data = self.pcm[index * self.spt : (index + 1) * self.spt].tobytes()
        seq = self.seq if seq is None else seq
        self.seq = max(self.seq, seq + 1)
        content = {"type": "audio", "seq": seq, "sample0": index * self.spt,
                   "t_capture": self.clock + index * self.dt, "t_send": self.clock + index * self.dt}
        buffers = [data]
        if jpeg is not None:
            content["frame"] = {"t": index * self.dt, "seq": index}
            buffers.append(jpeg)
        self.message(content, buffers)

    def stream(self, start: int, stop: int) -> None:
        for index in range(start, stop):
            self.chunk(index)
