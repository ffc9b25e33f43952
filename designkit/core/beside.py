"""Slow perception beside the microturn loop: work runs in a worker, its result lands when it is ready.

A model that cannot answer inside a microturn (Smart Turn ~50 ms, Whisper language ID, pose on a
slow CPU) is split into a cheap part on the loop and a slow part in a worker thread:

- `job(microturn)` (on the loop, cheap): the input of the slow work this microturn asks for (an
  audio window, a video frame), or None;
- `work(job)` (in the worker): the slow, pure computation;
- `land(result, describes)` (on the loop): fold a finished result into the held signal values;
- `values()`: the signal columns as they stand now;
- optionally `encode(result)` / `decode(data)`: the result as small JSON-able data, logged with its
  arrival so a replay can hold exactly what live held (`results_in`), even where the model would
  answer differently on another machine.

`Beside(slow)` is a `Perceiver`. Live, `step()` never waits: it hands the microturn's job to the
worker and folds in every result that has finished, in the order the jobs were given. Each landed
result is an `Event` of kind "arrival" stamped with the microturn it describes and the one it
arrived in, which the engine puts in that microturn's record (and so in the session log).

`replay()` places each result by a schedule: `arrivals` (describes -> arrived, read back from a
live log with `arrivals_in`) reproduces the live run exactly; without one, every result lands
`delay` microturns after the one it describes (an offline stand-in for "the worker kept up").
A job that never arrived live (the worker was still busy and a newer job replaced it) is absent
from the schedule, so replay drops it too. `follow(events)` takes both the schedule and the logged
results from a live log: nothing is worked out again, so a slow model (an answer from a language
model) is not run at all and a replay cannot answer in another order than live did.
"""

from __future__ import annotations

import logging
import math
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from designkit.core.context import EventKind
from designkit.core.microturns import Microturn
from designkit.core.streams import Event

logger = logging.getLogger(__name__)

ARRIVAL_KIND = EventKind.ARRIVAL.value
MAX_WORKER_THREADS = 4


def worker_threads() -> int:
    """CPU threads a model working beside the loop may use: every core but one, which the microturn
    loop keeps (on 2 cores the loop's round trip stays short while Whisper and a language model
    run), at most `MAX_WORKER_THREADS` (more gains little for models this small)."""
    return max(1, min(MAX_WORKER_THREADS, (os.cpu_count() or 2) - 1))


@runtime_checkable
class SlowPerceiver(Protocol):
    """A perceiver whose model runs beside the loop (see the module docstring)."""

    name: str
    columns: tuple[str, ...]

    def reset(self) -> None: ...

    def job(self, microturn: Microturn) -> Any | None: ...

    def work(self, job: Any) -> Any: ...

    def land(self, result: Any, describes: int) -> None: ...

    def values(self) -> Mapping[str, float]: ...


@dataclass(frozen=True, slots=True)
class Arrival:
    """One result: the microturn whose input it describes and the one it landed in."""

    perceiver: str
    describes: int
    arrived: int
    work_ms: float = math.nan
    result: Any = None  # the result as JSON-able data, when the slow perceiver can `encode` it

    def to_event(self, t: float) -> Event:
        data = {"perceiver": self.perceiver, "describes": self.describes, "arrived": self.arrived,
                "work_ms": None if math.isnan(self.work_ms) else round(self.work_ms, 3)}
        if self.result is not None:
            data["result"] = self.result
        return Event(t=t, kind=ARRIVAL_KIND, data=data)


def _arrival_data(events: Iterable[Event | Mapping[str, Any]], perceiver: str) -> Iterable[Mapping[str, Any]]:
    for event in events:
        kind = event.kind if isinstance(event, Event) else event.get("kind")
        data = event.data if isinstance(event, Event) else event.get("data", {})
        if kind == ARRIVAL_KIND and data.get("perceiver") == perceiver:
            yield data


def arrivals_in(events: Iterable[Event | Mapping[str, Any]], perceiver: str) -> dict[int, int]:
    """The arrival schedule (describes -> arrived) of `perceiver`, from logged events."""
    return {int(d["describes"]): int(d["arrived"]) for d in _arrival_data(events, perceiver)}


def results_in(events: Iterable[Event | Mapping[str, Any]], perceiver: str) -> dict[int, Any]:
    """The logged results (describes -> encoded result) of `perceiver`, where it logs them."""
    return {int(d["describes"]): d["result"] for d in _arrival_data(events, perceiver) if "result" in d}


_STOP = object()


class Beside:
    """Runs a `SlowPerceiver` in one worker thread; a `Perceiver` to the engine.

    `max_pending` jobs may wait behind the running one; a newer job replaces the oldest waiting
    one (it never arrives, and replay drops it too). `arrivals` fixes where results land in
    `replay` (see the module docstring); `delay` is the offline default.
    """

    def __init__(self, slow: SlowPerceiver, *, arrivals: Mapping[int, int] | None = None, delay: int = 1,
                 max_pending: int = 1, results: Mapping[int, Any] | None = None) -> None:
        self.slow = slow
        self.name = slow.name
        self.columns = tuple(slow.columns)
        self.arrivals = dict(arrivals) if arrivals is not None else None
        # Logged results (describes -> encoded), used instead of recomputing where given: a replay
        # then holds what live held even if the model answers differently elsewhere.
        self.results = dict(results) if results is not None else {}
        # Following a log (`follow`): a job that arrived without a logged result failed live, and fails
        # again here instead of being worked out.
        self.logged_only = False
        self.delay = delay
        self.max_pending = max_pending
        self._lock = threading.Lock()
        self._pending: list[tuple[int, Any]] = []
        self._done: list[tuple[int, Any, float]] = []
        self._wake = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self._landed: list[Arrival] = []
        self._index = 0
        self._busy = False
        self.skipped = 0
        # After `replay`: the arrival events per microturn, as live would have logged them.
        self.replayed_arrivals: dict[int, list[Event]] = {}

    # -- live ------------------------------------------------------------------------------
    def reset(self) -> None:
        with self._lock:
            self._pending.clear()
            self._done.clear()
        self.slow.reset()
        self._landed = []
        self._index = 0
        self.skipped = 0

    def _ensure_worker(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name=f"designkit-beside-{self.name}", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        import time

        while True:
            with self._wake:
                while not self._pending:
                    self._wake.wait()
                index, job = self._pending.pop(0)
                self._busy = True
            if job is _STOP:
                return
            started = time.perf_counter()
            try:
                result = self.slow.work(job)
            except Exception as exc:  # a failed job lands as a fault-free "no result"
                logger.exception("%s: work for microturn %d failed", self.name, index)
                result = exc
            with self._lock:
                self._done.append((index, result, (time.perf_counter() - started) * 1000))
                self._busy = False
                self._wake.notify_all()

    def step(self, microturn: Microturn) -> Mapping[str, float]:
        index = microturn.index
        self._index = index
        job = self.slow.job(microturn)
        if job is not None:
            self._ensure_worker()
            with self._wake:
                self._pending.append((index, job))
                while len(self._pending) > self.max_pending:
                    self._pending.pop(0)
                    self.skipped += 1
                self._wake.notify_all()
        with self._lock:
            done, self._done = self._done, []
        encode = getattr(self.slow, "encode", None)
        for describes, result, work_ms in done:
            logged = None
            if not isinstance(result, Exception):
                self.slow.land(result, describes)
                logged = encode(result) if encode is not None else None
            self._landed.append(Arrival(self.name, describes, index, work_ms, logged))
        return self.slow.values()

    def wait(self, timeout_s: float) -> bool:
        """Block until the worker has finished every job given so far (True), or `timeout_s` passed.

        For tests and benchmarks that step faster than real time and want "the worker kept up";
        a live loop never calls it."""
        with self._wake:
            return self._wake.wait_for(lambda: not self._pending and not self._busy, timeout_s)

    def drain_arrivals(self, t: float) -> tuple[Event, ...]:
        """The arrival events of the last `step` (the engine logs them with that microturn)."""
        landed, self._landed = self._landed, []
        return tuple(a.to_event(t) for a in landed)

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            with self._wake:
                self._pending.append((-1, _STOP))
                self._wake.notify_all()

    # -- replay ----------------------------------------------------------------------------
    def follow(self, events: Iterable[Event | Mapping[str, Any]]) -> None:
        """Replay as a logged run went: each result lands where it arrived, and where the slow
        perceiver logs its results (`encode`/`decode`) the logged one is used and nothing is worked
        out again (a job whose work failed live lands as a failure)."""
        self.arrivals = arrivals_in(events, self.name)
        self.results = results_in(events, self.name)
        self.logged_only = getattr(self.slow, "decode", None) is not None

    def replay(self, microturns: Sequence[Microturn]) -> Mapping[str, npt.NDArray[np.float64]]:
        # One pass, in live's order per microturn: job (worked out at once and placed by the
        # schedule), then land what arrives here, then values. A job may depend on what landed
        # before it (an answer's next sentence is asked for once the previous one landed).
        self.reset()
        decode = getattr(self.slow, "decode", None)
        encode = getattr(self.slow, "encode", None)
        landing: dict[int, list[tuple[int, Any]]] = {}
        self.replayed_arrivals = {}
        out = {c: np.zeros(len(microturns)) for c in self.columns}
        for i, turn in enumerate(microturns):
            job = self.slow.job(turn)
            if job is not None:
                describes = turn.index
                arrived = (self.arrivals.get(describes) if self.arrivals is not None
                           else describes + self.delay)
                if arrived is not None:
                    if decode is not None and describes in self.results:
                        result = decode(self.results[describes])
                    elif self.logged_only:
                        result = RuntimeError(f"{self.name}: no result logged for microturn {describes}")
                    else:
                        result = self._work(job)
                    landing.setdefault(arrived, []).append((describes, result))
            landed = sorted(landing.pop(turn.index, ()), key=lambda r: r[0])
            for describes, result in landed:
                if not isinstance(result, Exception):
                    self.slow.land(result, describes)
            if landed:
                self.replayed_arrivals[turn.index] = [
                    Arrival(self.name, d, turn.index, result=encode(r) if encode is not None and not isinstance(
                        r, Exception) else None).to_event(turn.start) for d, r in landed]
            values = self.slow.values()
            for c in self.columns:
                out[c][i] = float(values[c])
        return out

    def _work(self, job: Any) -> Any:
        try:
            return self.slow.work(job)
        except Exception as exc:
            return exc
