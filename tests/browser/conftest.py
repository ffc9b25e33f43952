"""Real-browser fixtures: a fake microphone WAV, JupyterLab and Voilà servers, Chromium pages.

Reusable by any browser test: `lab` (a JupyterLab serving `lab.root`), `voila_app(notebook)`
(a Voilà server on one notebook, stopped at the end of the test), `browser` (Debian Chromium
with fake camera and the fake WAV as microphone) and `page` (a fresh page that counts
getUserMedia calls in `window.__gumCalls`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import harness


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


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
    with harness.jupyterlab(root, browser_work) as server:
        yield Lab(server, root)


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
