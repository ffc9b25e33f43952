"""A notebook's engine with its signals from the model host: the engine, the policy and the log stay
in the notebook (sliders act at once, the log is the session's own), the models run once, batched,
in the host.

    engine = host_engine("auto")          # the running host, or one started for this machine
    session = LiveSession(engine)

`HostSignals` is a perceiver: `step(microturn)` sends the microturn's audio to the host and waits
for that microturn's row of signals (the host answers at its next tick, within one microturn).
If the host does not answer in time the step fails, and the engine makes it `silent:fault`.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit.core.engine import Engine
from designkit.core.microturns import Microturn
from designkit.core.protocols import Decider
from designkit.core.streams import AudioChunk
from designkit.errors import InputError
from designkit.host.client import HostClient
from designkit.host.discovery import find_host
from designkit.policy import Policy
from designkit.proposers.turn_taking import TurnTakingProposer

logger = logging.getLogger(__name__)


class HostSignals:
    """Signals of the kit's audio stack (the columns the host announced), computed by the host."""

    name = "host"

    def __init__(self, client: HostClient, *, wait_s: float = 1.0) -> None:
        self.client = client
        self.columns: tuple[str, ...] = client.columns
        self.wait_s = wait_s
        self._early: dict[int, dict[str, Any]] = {}

    def reset(self) -> None:
        self._early = {}

    def step(self, microturn: Microturn) -> Mapping[str, float]:
        self.client.send(AudioChunk(t0=microturn.start, samples=microturn.audio, seq=microturn.index))
        while microturn.index not in self._early:
            step = self.client.wait_step(self.wait_s)
            if step is None:
                raise TimeoutError(f"the host sent no signals for microturn {microturn.index} in {self.wait_s} s")
            self._early[int(step["index"])] = step
        signals = self._early.pop(microturn.index)["signals"]
        return {c: float("nan") if signals.get(c) is None else float(signals[c]) for c in self.columns}

    def replay(self, microturns: Sequence[Microturn]) -> Mapping[str, npt.NDArray[np.float64]]:
        raise InputError("replay through a live host connection", expected="Host.replay_many for recordings",
                         got="HostSignals.replay")


def release_host(engine: Engine) -> None:
    """Leave the host: its slot is freed at once (a closed notebook session)."""
    for perceiver in engine.perceivers:
        if isinstance(perceiver, HostSignals):
            try:
                perceiver.client.close()
            except Exception:  # already gone with the host; nothing left to free
                logger.info("host connection already closed")


def start_host(*, timeout_s: float = 60.0, extra: Sequence[str] = ()) -> dict[str, Any]:
    """Start `designkit host` in the background (any free port) and return its announcement.

    The host outlives the notebook that started it, so the next notebook finds it running.
    """
    process = subprocess.Popen([sys.executable, "-m", "designkit.cli", "host", "--port", "0", *extra],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               start_new_session=True)
    line = process.stdout.readline() if process.stdout else ""
    if not line.startswith("designkit host: "):
        process.terminate()
        raise InputError("a model host", expected="'designkit host' to start", got=line.strip() or "no output",
                         fix="run `designkit host` in a terminal and look at its messages")
    found = find_host()
    if found is None:
        found = {"url": line.split()[2], "pid": process.pid}
    logger.info("started a model host at %s", found["url"])
    return found


def host_engine(host: str = "auto", policy: Decider | None = None, *, name: str = "",
                wait_s: float = 1.0) -> Engine:
    """An engine whose audio signals come from the model host (`auto`: find or start one)."""
    if host == "auto":
        found = find_host() or start_host()
        url = str(found["url"])
    else:
        url = host
    chosen = policy if policy is not None else Policy()
    client = HostClient.connect(url, policy=chosen, name=name)
    return Engine([HostSignals(client, wait_s=wait_s)], chosen, proposer=TurnTakingProposer())
