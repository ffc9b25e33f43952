"""The browser half of `designkit doctor`: a tiny page served on 127.0.0.1 that asks for the
microphone exactly as the live widget does, streams 15 microturns (3 s) of 16 kHz audio to this
Python, which steps the default engine on them and answers each with its decision, and reports back
what the browser allowed and how long the round trips took. Offline: nothing leaves the laptop.

The page runs in the person's own browser (`webbrowser.open`) or in a browser command given to the
doctor (a headless Chromium in tests).
"""

from __future__ import annotations

import json
import logging
import shlex
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from designkit.assets import widget_asset
from designkit.core.streams import SAMPLE_RATE, AudioChunk

log = logging.getLogger(__name__)

CHUNK_SAMPLES = SAMPLE_RATE // 5  # 200 ms
CHUNKS = 15  # 3 s
RTT_LIMIT_MS = 150.0  # beyond this a decision arrives a microturn late


@dataclass
class BrowserReport:
    """What the page found. `raw` is the page's own JSON (None: the page never reported)."""

    raw: dict[str, Any] | None = None
    engine_ms: list[float] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return int((self.raw or {}).get("answered", 0))

    def rtt_p95_ms(self) -> float:
        rtts = sorted(float(x) for x in (self.raw or {}).get("rttMs", []))
        if not rtts:
            return float("nan")
        return rtts[min(len(rtts) - 1, round(0.95 * (len(rtts) - 1)))]


def _warm_engine() -> tuple[Any, Any]:
    """The default live engine, built and stepped once on silence before the page opens: loading
    the models takes seconds once, and the round trip measures what a live session feels after."""
    from designkit.core.microturns import MicroturnFramer
    from designkit.widgets.engines import default_engine

    engine = default_engine()
    warm = MicroturnFramer(engine.dt, strict=False)
    for turn in warm.push_audio(AudioChunk.from_pcm16(bytes(2 * CHUNK_SAMPLES), t0=0.0, seq=0)):
        engine.step(turn)
    engine.reset()
    return engine, MicroturnFramer(engine.dt, strict=False)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.report = BrowserReport()
        self.done = threading.Event()
        self.lock = threading.Lock()
        self.page = widget_asset("preflight.html").read_bytes()
        self._engine, self._framer = _warm_engine()

    def step(self, pcm: bytes, seq: int) -> dict[str, Any]:
        """One chunk through the framer and the engine a live session runs by default."""
        started = time.perf_counter()
        with self.lock:
            answer: dict[str, Any] = {"seq": seq, "reason": None}
            chunk = AudioChunk.from_pcm16(pcm, t0=seq * CHUNK_SAMPLES / SAMPLE_RATE, seq=seq)
            for turn in self._framer.push_audio(chunk):
                decision = self._engine.step(turn)
                answer.update(action=decision.action.value, reason=decision.reason.value, label=decision.reason.label)
            self.report.engine_ms.append((time.perf_counter() - started) * 1000)
        return answer


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("preflight page: " + format, *args)

    def _send(self, body: bytes, kind: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if urlparse(self.path).path in ("/", "/index.html"):
            self._send(self.server.page, "text/html; charset=utf-8")
        else:
            self._send(b"not found", "text/plain", 404)

    def do_POST(self) -> None:
        url = urlparse(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path == "/chunk":
            seq = int(parse_qs(url.query).get("seq", ["0"])[0])
            try:
                answer = self.server.step(body, seq)
            except Exception as exc:  # a broken engine is a finding of the check, not a crash
                log.warning("preflight: the engine failed on chunk %d: %s", seq, exc)
                answer = {"seq": seq, "error": str(exc)}
            self._send(json.dumps(answer).encode(), "application/json")
        elif url.path == "/result":
            try:
                self.server.report.raw = json.loads(body or b"{}")
            except json.JSONDecodeError:
                self.server.report.raw = {"error": "the page sent an unreadable report", "errorName": "BadReport"}
            self._send(b"{}", "application/json")
            self.server.done.set()
        else:
            self._send(b"not found", "text/plain", 404)


def run_page(*, browser: str | None = None, mode: str = "room", timeout_s: float = 60.0,
             say: Callable[[str], None] = log.info) -> BrowserReport:
    """Serve the page, open it (in `browser`, a command line to which the address is appended, or in
    the default browser), and wait up to `timeout_s` for its report; `say` tells the person what to do."""
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, name="designkit-preflight", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/?mode={mode}"
    process: subprocess.Popen[bytes] | None = None
    try:
        if browser:
            process = subprocess.Popen([*shlex.split(browser), url], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, start_new_session=True)
        else:
            import webbrowser

            say(f"designkit doctor: opening {url} in your browser; click Allow when it asks for the microphone")
            if not webbrowser.open(url):
                say(f"designkit doctor: open {url} in your browser")
        server.done.wait(timeout_s)
        return server.report
    finally:
        server.shutdown()
        server.server_close()
        if process is not None:
            _end(process)


def _end(process: subprocess.Popen[bytes]) -> None:
    import os
    import signal

    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (ProcessLookupError, PermissionError):
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
