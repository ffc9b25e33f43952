"""Shared fixtures, for any test file:

- `conversation`: a 14 s scripted session (the user speaks 1–3 s, 4–6.5 s, 10–12 s).
- `artifacts`: test-artifacts/, where a test leaves what a person would look at (screenshots).
- the cache: every test run has one temporary $DESIGNKIT_CACHE (never the user's), shared by the
  whole run and by the servers and kernels it starts, so generated scenario sets and study cells are
  built once per run, not once per test.

Helpers to import: `tests/real_kernel.py` (`kernel` fixture: a real ipykernel; `run(kc, code)`),
`tests/live_comm.py` (`dummy_comm()`, `ScriptedBrowser`: a LiveSession without a browser).
Real-browser fixtures (JupyterLab, Voilà, Chromium, pages) are in tests/browser/conftest.py.
Markers: `browser` (real Chromium), `slow` (a subprocess, a server or a whole study run), `models`
(packaged weights); `make test-quick` runs `-m "not browser and not slow"`, `make test` runs all.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from designkit.core import Session
from designkit.testing import scripted_session


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never read or write the user's cache; generated sets go to a session temp dir."""
    if "DESIGNKIT_TEST_USE_USER_CACHE" not in os.environ:
        os.environ["DESIGNKIT_CACHE"] = str(tmp_path_factory.mktemp("designkit-cache"))


@pytest.fixture
def conversation() -> Session:
    """User speaks 1–3 s and 4–6.5 s and 10–12 s of a 14 s session."""
    return scripted_session([(1.0, 3.0), (4.0, 6.5), (10.0, 12.0)], 14.0, seed=1)


@pytest.fixture
def artifacts() -> Path:
    """Where tests leave what a person would look at (screenshots, logs)."""
    path = Path(__file__).resolve().parents[1] / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
