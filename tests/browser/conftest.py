"""Real-browser fixtures: a fake microphone WAV, JupyterLab and Voilà servers, Chromium pages.

Every test under tests/browser/ is marked `browser` and `slow` (`make test-quick` leaves them out).
Starting a server or a browser costs seconds on a busy 2-core machine, so they are shared:

- `lab` (session): the one JupyterLab of the run, serving `lab.root` (a temporary folder; write a
  notebook there and open `lab.notebook_url(name)`). `lab.copy_in("notebooks")` copies a folder of
  the repository into the root once, so a tutorial opens with its files beside it, as a person's
  would. Every cell stays in the page (no virtual scrolling). The kernels a test starts are shut
  down after it (its notebooks' sessions), so they do not pile up over the run.
- `browser` (session): Debian Chromium with a fake camera and `fake_wav` as the microphone. A test
  that needs other fake media launches its own with `harness.chromium(wav, extra_flags=...)`.
- `page`: a fresh browser context and page per test (no state leaks between tests); it counts
  getUserMedia calls in `window.__gumCalls`.
- `voila_app(notebook)`: a Voilà server on one notebook, stopped at the end of the test (a Voilà
  server executes its notebook per page, so there is nothing to share between notebooks).
- `browser_work` (session): a temporary folder for servers' logs and generated media; `fake_wav`.

Waits go on the page's state (`page.wait_for_function`, `harness.wait_live`), never on sleeps;
a timeout is a ceiling for a loaded machine, not a speed claim (speed lives in benchmarks/).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
import threading
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import harness


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Under `pytest -n N --dist loadgroup` (make test) the browser tests run one after another in one
    # worker, sharing its JupyterLab server and Chromium, while the other workers take the rest.
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.xdist_group("browser"))


REPO = Path(__file__).resolve().parents[2]


@dataclass
class Lab:
    server: harness.Server
    root: Path

    @property
    def url(self) -> str:
        return self.server.url

    def notebook_url(self, name: str) -> str:
        # ?reset: a fresh workspace, so tabs restored from an earlier test do not show their widgets.
        return f"{self.server.url}/lab/tree/{name}?reset"

    def copy_in(self, folder: str) -> Path:
        """A copy of the repository's `folder` under the root (made once): its notebooks open with
        their files beside them, and what they write stays out of the checkout."""
        target = self.root / folder
        if not target.exists():
            shutil.copytree(REPO / folder, target)
        return target

    def session_ids(self) -> set[str]:
        with urllib.request.urlopen(f"{self.url}/api/sessions", timeout=30) as response:
            return {s["id"] for s in json.load(response)}

    def close_sessions(self, *, keep: set[str]) -> None:
        """Shut down the kernel of every notebook session not in `keep`, without waiting for it
        (a kernel takes seconds to exit on a busy machine; the next test need not wait)."""
        def close(session: str) -> None:
            request = urllib.request.Request(f"{self.url}/api/sessions/{session}", method="DELETE")
            with contextlib.suppress(OSError):  # 404 (already gone) or the server stopped: nothing to free
                urllib.request.urlopen(request, timeout=120).close()

        for session in self.session_ids() - keep:
            threading.Thread(target=close, args=(session,), name=f"close-{session}", daemon=True).start()


@pytest.fixture(scope="session")
def browser_work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="session")
def fake_wav(browser_work: Path) -> Path:
    return harness.write_fake_wav(browser_work / "fake-mic.wav")


@pytest.fixture(scope="session")
def lab(browser_work: Path) -> Iterator[Lab]:
    root = browser_work / "lab-root"
    root.mkdir()
    # Every cell kept in the page (no virtual scrolling), so a test can count a notebook's charts.
    tracker = browser_work / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True, exist_ok=True)
    (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    with harness.jupyterlab(root, browser_work) as server:
        yield Lab(server, root)


@pytest.fixture(autouse=True)
def _lab_kernels_closed(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a test that used `lab`, shut down the kernels its notebooks started (idle kernels
    hold hundreds of MB each and would pile up over the run)."""
    if "lab" not in request.fixturenames:
        yield
        return
    lab: Lab = request.getfixturevalue("lab")
    before = lab.session_ids()
    yield
    lab.close_sessions(keep=before)


@pytest.fixture
def voila_app(browser_work: Path) -> Iterator[Callable[[Path], harness.Server]]:
    with ExitStack() as stack:
        yield lambda notebook: stack.enter_context(harness.voila(notebook, browser_work))


@pytest.fixture(scope="session")
def browser(fake_wav: Path) -> Iterator[Any]:
    with harness.chromium(fake_wav) as chromium:
        yield chromium


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    page = harness.new_page(browser)
    yield page
    if not page.is_closed():
        page.context.close()
