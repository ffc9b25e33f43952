"""Real-browser harness: JupyterLab / Voilà servers on 127.0.0.1 and Debian Chromium with fake media.

Plain functions (no pytest) so benchmarks and later study tests can use them too; the fixtures
in conftest.py wrap them. Chromium is /usr/bin/chromium driven by the `playwright` package
(never `playwright install`). Servers are started with fresh runtime/workspace dirs, token off,
and stopped by their own process id.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import offline

from designkit.audio.wav import write_wav

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
)
FAKE_WAV_RATE = 16_000
# Bursts of a voiced tone (seconds on, seconds off); uneven so the loop's phase is unambiguous.
BURSTS = ((0.6, 0.8), (1.4, 0.6), (0.4, 1.2), (2.0, 1.0), (0.8, 0.4), (1.0, 1.6))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def burst_envelope(rate: int = FAKE_WAV_RATE) -> np.ndarray:
    """1 where the fake microphone plays a tone, 0 where it is silent, one value per sample."""
    parts = [np.r_[np.ones(round(on * rate)), np.zeros(round(off * rate))] for on, off in BURSTS]
    return np.concatenate(parts)


def write_fake_wav(path: Path, rate: int = FAKE_WAV_RATE) -> Path:
    """The fake microphone's signal: tone bursts (a vowel-like 180 Hz + harmonics) and silence."""
    envelope = burst_envelope(rate)
    t = np.arange(envelope.size) / rate
    tone = sum(np.sin(2 * np.pi * 180 * k * t) / k for k in (1, 2, 3, 4))
    ramp = np.convolve(envelope, np.ones(160) / 160, mode="same")  # 10 ms fades, no clicks
    return write_wav(path, 0.25 * tone * ramp, rate)


def live_notebook(path: Path, *, log_dir: Path, camera: bool = True, name: str = "browser",
                  voice: bool = True, extra: str = "", engine: str = "energy_engine()",
                  agent: str | None = None, options: str = "") -> Path:
    """A one-cell notebook that shows a LiveSession and its controls.

    `engine` is a Python expression for the engine (default: the loudness detector, which hears the
    fake microphone's tone bursts); `agent` instead names a call of `designkit.widgets.agents`,
    e.g. "conversation()" or "breathing_coach('4-2-6')"; `options` adds more LiveSession arguments
    (e.g. `host=...`, which replaces the engine).
    """
    keywords = f"log_dir={str(log_dir)!r}, name={name!r}, voice={voice!r}"
    more = f", {options}" if options else ""
    make = (f"agents.{agent[:-1]}{', ' if not agent.endswith('()') else ''}{keywords})" if agent
            else f"LiveSession({'None' if 'host=' in options else engine}, camera={camera!r}, {keywords}{more})")
    source = (
        "from designkit.widgets import LiveSession, Controls, agents, energy_engine\n"
        f"session = {make}\n"
        f"{extra}"
        "display(session, Controls(session))\n"
    )
    return offline.notebook(path, [source])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _wait_http(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except Exception:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer in {timeout:g} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT if sys.platform != "win32" else signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# The Jupyter and Voilà configuration the project ships (pyproject's shared-data installs it into
# the environment): servers read it from the checkout, so tests see the files as they are now.
SHIPPED_CONFIG = Path(__file__).resolve().parents[2] / "jupyter-config"


def _env(runtime: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name, folders in (("JUPYTER_CONFIG_PATH", [SHIPPED_CONFIG / "voila", SHIPPED_CONFIG]),
                          ("JUPYTER_PATH", [SHIPPED_CONFIG])):
        env[name] = os.pathsep.join(filter(None, [*map(str, folders), env.get(name, "")]))
    env["JUPYTER_RUNTIME_DIR"] = str(runtime)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


@contextmanager
def _serving(cmd: Sequence[str], port: int, log_path: Path, *, cwd: Path, runtime: Path, ready: str,
             timeout: float) -> Iterator[Server]:
    """Start the server `cmd` (on 127.0.0.1:`port`, its output to `log_path`), yield it once `ready`
    (a path) answers, and stop it afterwards."""
    with log_path.open("wb") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, env=_env(runtime))
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{url}{ready}", process, timeout)
        yield Server(url, process, log_path)
    finally:
        _stop(process)


@contextmanager
def jupyterlab(root: Path, work: Path, *, timeout: float = 90.0, extra_args: Sequence[str] = (),
               comms_over_subshells: str | None = None) -> Iterator[Server]:
    """JupyterLab on a free 127.0.0.1 port, token off, app exposed as window.jupyterapp.

    `comms_over_subshells` ("disabled", "perComm", "perCommTarget") sets JupyterLab's setting of
    that name (default perCommTarget: widget messages run on a kernel subshell thread)."""
    port = free_port()
    runtime, workspaces = work / "runtime", work / "workspaces"
    runtime.mkdir(parents=True, exist_ok=True)
    workspaces.mkdir(parents=True, exist_ok=True)
    settings = work / "settings"
    news = settings / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True, exist_ok=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    kernels = news / "kernels-settings.jupyterlab-settings"
    if comms_over_subshells is not None:
        kernels.write_text(json.dumps({"commsOverSubshells": comms_over_subshells}))
    elif kernels.exists():
        kernels.unlink()
    log_path = work / f"jupyterlab-{port}.log"
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
           f"--ServerApp.root_dir={root}", f"--LabApp.workspaces_dir={workspaces}", f"--LabApp.user_settings_dir={settings}",
           "--LabApp.expose_app_in_browser=True", "--JupyterNotebookApp.expose_app_in_browser=True", "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    cmd.extend(extra_args)
    with _serving(cmd, port, log_path, cwd=root, runtime=runtime, ready="/api/status", timeout=timeout) as server:
        yield server


@contextmanager
def voila(notebook: Path, work: Path, *, timeout: float = 90.0, extra_args: Sequence[str] = ()) -> Iterator[Server]:
    """Voilà serving one notebook on a free 127.0.0.1 port (standalone `voila`, no token)."""
    port = free_port()
    runtime = work / "runtime-voila"
    runtime.mkdir(parents=True, exist_ok=True)
    log_path = work / f"voila-{port}.log"
    cmd = [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}",
           "--Voila.ip=127.0.0.1", "--show_tracebacks=True", *extra_args]
    with _serving(cmd, port, log_path, cwd=notebook.parent, runtime=runtime, ready="/voila/static/voila.js",
                  timeout=timeout) as server:
        yield server


GUM_COUNTER = """
(() => {
  window.__gumCalls = 0;
  const md = navigator.mediaDevices;
  if (!md) return;
  const orig = md.getUserMedia.bind(md);
  md.getUserMedia = (c) => { window.__gumCalls += 1; return orig(c); };
})();
"""


@contextmanager
def voila_app(notebook: Path, share: Path, work: Path, *, wav: str = "mic.wav") -> Iterator[tuple[Any, Server]]:
    """`notebook` served as a designkit app (Voilà with the template that `write_template` put under
    `share`, as `designkit app` serves it), and Chromium with a fake microphone (`work`/`wav`):
    (browser, server). JUPYTER_PATH points at the template meanwhile and is put back afterwards."""
    from designkit.study.publish import extra_voila_args

    previous = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(share / "jupyter")
    try:
        with chromium(write_fake_wav(work / wav)) as browser, \
                voila(notebook, work, extra_args=extra_voila_args(), timeout=180.0) as server:
            yield browser, server
    finally:
        if previous is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = previous


@functools.cache
def _playwright() -> Any:
    """The one Playwright driver of this process: its sync API refuses a second one while another
    is open (it leaves its event loop running), so every browser (the session fixture's and a
    test's own, with its own fake media) is launched from this one, stopped at exit."""
    import atexit

    from playwright.sync_api import sync_playwright

    driver = sync_playwright().start()
    atexit.register(driver.stop)
    return driver


@contextmanager
def chromium(fake_wav: Path, *, extra_flags: Sequence[str] = ()) -> Iterator[Any]:
    """A Playwright Browser on Debian Chromium with a fake camera and the given WAV as microphone."""
    flags = [*CHROMIUM_FLAGS, f"--use-file-for-fake-audio-capture={fake_wav}", *extra_flags]
    browser = _playwright().chromium.launch(executable_path=CHROMIUM, headless=True, args=flags)
    try:
        yield browser
    finally:
        browser.close()


LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")


def watch_offline(page: Any) -> list[str]:
    """Collect every console error, page error and failed request of `page`, and refuse (and
    collect) any request that would leave the machine, as if it were offline."""
    problems: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith(LOCAL):
            request_route.continue_()
        else:
            problems.append(f"left the machine: {url}")
            request_route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text} {m.location}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    return problems


def new_page(browser: Any) -> Any:
    """A page that counts getUserMedia calls (window.__gumCalls) and may use the microphone."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  permissions=["microphone", "camera"])
    page = context.new_page()
    page.add_init_script(GUM_COUNTER)
    return page


def run_all_cells(page: Any) -> None:
    """Run the open notebook in JupyterLab, once its kernel is ready."""
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext"
                           " && window.jupyterapp.shell.currentWidget.sessionContext.session"
                           " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
                           " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
                           timeout=120_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


def wait_allow(page: Any, *, timeout_ms: float = 120_000) -> None:
    """Wait for the consent button; on failure say what the notebook printed instead."""
    try:
        page.wait_for_selector(".dk-allow:not([disabled]) >> visible=true", timeout=timeout_ms)
    except Exception as exc:
        shown = page.evaluate("() => Array.from(document.querySelectorAll("
                              "'.jp-OutputArea-output, .jp-RenderedText, .output_area, .error'))"
                              ".map(e => e.innerText).join('\\n').slice(0, 3000)")
        raise AssertionError(f"the live widget did not become ready; the page shows:\n{shown}") from exc


LIVE_STATE = "(globalThis.__designkitLive || []).at(-1)"


def live_state(page: Any, expression: str = "s") -> Any:
    """Evaluate `expression` with `s` bound to the last LiveSession view's state in the page."""
    return page.evaluate(f"() => {{ const s = {LIVE_STATE}; return s ? ({expression}) : null; }}")


def wait_live(page: Any, condition: str, *, timeout_ms: float = 60_000) -> None:
    """Wait until `condition` (JS, with `s` = the live state) is true."""
    page.wait_for_function(f"() => {{ const s = {LIVE_STATE}; return !!s && ({condition}); }}",
                           timeout=timeout_ms, polling=100)


def wait_for(predicate: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll a condition outside the browser (files the kernel writes), up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.2)
