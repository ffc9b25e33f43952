"""Run a server program (Voilà, JupyterLab) in the foreground and take it down with everything it
started when `designkit` is stopped: Ctrl-C (SIGINT) or SIGTERM from a service manager or a teacher's
script. Without this, SIGTERM ends only the `designkit` process and leaves the server and its kernels
holding the port.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType

log = logging.getLogger(__name__)

STOP_GRACE_S = 10.0


def _stop_group(process: subprocess.Popen[bytes], grace_s: float) -> int:
    """SIGTERM to the server's process group (the server and its kernels), SIGKILL after `grace_s`."""
    if process.poll() is not None:
        return int(process.returncode)
    if sys.platform == "win32":
        process.terminate()
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    try:
        return int(process.wait(timeout=grace_s))
    except subprocess.TimeoutExpired:
        log.warning("server %d did not stop within %.0f s: killing it", process.pid, grace_s)
        if sys.platform == "win32":
            process.kill()
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        return int(process.wait())
    finally:
        if sys.platform != "win32":  # kernels that outlived their server
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)


def run_server(cmd: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: str | os.PathLike[str] | None = None,
               grace_s: float = STOP_GRACE_S) -> int:
    """Run `cmd` until it exits or this process gets SIGINT/SIGTERM; then stop it and its children.

    The server runs in a session of its own, so a signal reaches it only through here, once, and the
    whole group (kernels included) can be ended together. Returns the server's exit code, or 0 when
    it was stopped on request."""
    stopping: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)
        raise KeyboardInterrupt

    main = threading.current_thread() is threading.main_thread()  # only there can handlers be set
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)} if main else {}
    process = subprocess.Popen(list(cmd), env=dict(env) if env is not None else None,
                               cwd=Path(cwd) if cwd is not None else None, start_new_session=sys.platform != "win32")
    try:
        for s in previous:
            signal.signal(s, on_signal)
        try:
            return int(process.wait())
        except KeyboardInterrupt:
            name = signal.Signals(stopping[0]).name if stopping else "SIGINT"
            log.info("%s: stopping the server (process %d) and its kernels", name, process.pid)
            _stop_group(process, grace_s)
            return 0
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if process.poll() is None:
            _stop_group(process, grace_s)


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AppServer:
    """A server program (Voilà on a published study: `publish.voila_command`) run in the background
    on 127.0.0.1 by the study editor, without a terminal: `url` to open it, `stop()` to end it and
    its kernels. Its output goes to `voila.log` in its folder."""

    def __init__(self, cmd: Sequence[str], *, env: Mapping[str, str], cwd: str | os.PathLike[str], port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/"
        self.log_path = Path(cwd) / "voila.log"
        with self.log_path.open("wb") as out:
            self.process = subprocess.Popen(list(cmd), env=dict(env), cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=sys.platform != "win32")
        log.info("serving %s on %s (process %d)", cwd, self.url, self.process.pid)

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def wait_ready(self, timeout_s: float = 60.0) -> bool:
        """True once Voilà answers (its page still has to run the notebook); False if it exited
        or did not answer within `timeout_s`."""
        import time
        import urllib.request

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self.running:
            try:
                with urllib.request.urlopen(self.url + "voila/static/voila.js", timeout=2) as answer:
                    return bool(answer.status < 500)
            except OSError:
                time.sleep(0.3)
        return False

    def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """End Voilà and the kernels it started."""
        _stop_group(self.process, grace_s)
