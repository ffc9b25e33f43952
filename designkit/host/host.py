"""The model host: many sessions, one set of models, one batched step per tick.

A session joins with its own policy (and proposer, and log sink) and gets a slot in the
`AudioStack`. Its audio arrives as chunks (any length, in order) into a bounded queue; each tick
(one microturn, 200 ms) the host cuts every session's next microturn, steps all of them in one
batch, and runs each session's own engine on its row of signals — the same `Engine` and the same
decision loop as a session on its own, so the decisions equal the per-session path.

Live rules:
- a session whose microturn has not arrived by its tick (after `grace_ticks` more ticks) gets a
  gap microturn (zeros, coverage 0, `silent:gap`, the gap logged); the late audio is then
  dropped by its framer as late. Only that session is touched.
- a queue holds at most `queue_chunks` chunks; an overflowing chunk is dropped and logged.
- a session that sent nothing for `idle_timeout_s` is dropped and its slot freed.

`replay_many` runs whole recorded or generated sessions through the same stack in batches.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from queue import Queue

import numpy as np
import numpy.typing as npt

from designkit.core.clock import Clock, MonotonicClock
from designkit.core.context import StepRecord
from designkit.core.engine import Engine
from designkit.core.microturns import Gap, GapKind, Microturn, MicroturnFramer
from designkit.core.protocols import Decider, Proposer, RecordSink
from designkit.core.session import Session
from designkit.core.streams import AudioChunk
from designkit.errors import InputError
from designkit.host.stack import AudioStack

logger = logging.getLogger(__name__)


class HostedSignals:
    """A perceiver whose columns the host computed in its batch: the engine reads them back.

    `step` returns the row the host put for that microturn; `replay` the whole columns.
    """

    name = "host"

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = tuple(columns)
        self._next: dict[str, float] | None = None
        self._all: Mapping[str, npt.NDArray[np.float64]] | None = None

    def reset(self) -> None:
        self._next = None

    def put(self, values: dict[str, float]) -> None:
        self._next = values

    def put_all(self, columns: Mapping[str, npt.NDArray[np.float64]]) -> None:
        self._all = columns

    def step(self, microturn: Microturn) -> Mapping[str, float]:
        if self._next is None:
            raise RuntimeError("the host had no signals for this microturn")
        values, self._next = self._next, None
        return values

    def replay(self, microturns: Sequence[Microturn]) -> Mapping[str, npt.NDArray[np.float64]]:
        if self._all is None:
            raise RuntimeError("the host had no signals for this session")
        return self._all


@dataclass(slots=True)
class HostedSession:
    """One live session in the host: its slot, its own engine and framer, its queue."""

    id: str
    slot: int
    engine: Engine
    signals: HostedSignals
    framer: MicroturnFramer
    inbox: deque[AudioChunk]
    last_seen: float
    ready: deque[Microturn] = field(default_factory=deque)
    started: bool = False
    waited: int = 0
    gaps: int = 0
    dropped_chunks: int = 0


@dataclass(frozen=True, slots=True)
class TickReport:
    """What one tick did: the records per session, who got a gap, who was dropped."""

    records: Mapping[str, tuple[StepRecord, ...]]
    gaps: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()


class Host:
    """Holds one `AudioStack` and steps every joined session once per tick."""

    def __init__(self, *, capacity: int = 64, dt: float = 0.2, device: str = "auto",
                 stack: AudioStack | None = None, clock: Clock | None = None, queue_chunks: int = 50,
                 grace_ticks: int = 1, catch_up: int = 2, idle_timeout_s: float = 10.0) -> None:
        self.stack = stack if stack is not None else AudioStack(capacity, dt=dt, device=device)
        self.dt = dt
        self.clock: Clock = clock if clock is not None else MonotonicClock()
        self.queue_chunks = queue_chunks
        self.grace_ticks = grace_ticks
        self.catch_up = catch_up
        self.idle_timeout_s = idle_timeout_s
        self.sessions: dict[str, HostedSession] = {}
        self._free = list(range(self.stack.capacity))[::-1]

    @property
    def device(self) -> str:
        return self.stack.device.type

    # -- joining and leaving ----------------------------------------------------------------
    def join(self, policy: Decider, *, proposer: Proposer | None = None, sink: RecordSink | None = None,
             session_id: str | None = None) -> str:
        """A new session with its own policy; returns its id. Raises when every slot is taken."""
        if not self._free:
            raise InputError("a host slot", expected=f"at most {self.stack.capacity} sessions",
                             got="all slots taken", fix="start another host or raise capacity")
        sid = session_id or uuid.uuid4().hex[:12]
        if sid in self.sessions:
            raise InputError("session id", expected="a new id", got=sid)
        slot = self._free.pop()
        self.stack.open(slot)
        signals = HostedSignals(self.stack.columns)
        engine = Engine([signals], policy, proposer=proposer, dt=self.dt, sink=sink, clock=self.clock)
        self.sessions[sid] = HostedSession(
            sid, slot, engine, signals, MicroturnFramer(self.dt, strict=False), deque(),
            last_seen=self.clock.now())
        logger.info("session %s joined in slot %d", sid, slot)
        return sid

    def leave(self, session_id: str) -> None:
        session = self.sessions.pop(session_id, None)
        if session is None:
            return
        self._free.append(session.slot)
        logger.info("session %s left slot %d", session_id, session.slot)

    # -- audio in ---------------------------------------------------------------------------
    def push(self, session_id: str, chunk: AudioChunk) -> None:
        """Queue a chunk of a session's audio; an overflowing chunk is dropped and logged."""
        session = self.sessions.get(session_id)
        if session is None:
            raise InputError("session id", expected=f"one of {sorted(self.sessions)}", got=session_id)
        session.last_seen = self.clock.now()
        session.started = True
        if len(session.inbox) >= self.queue_chunks:
            session.dropped_chunks += 1
            logger.warning("session %s: queue full, chunk at %.3f s dropped", session_id, chunk.t0)
            return
        session.inbox.append(chunk)

    def _drain(self, session: HostedSession) -> None:
        while session.inbox:
            session.ready.extend(session.framer.push_audio(session.inbox.popleft()))

    def _gap_turn(self, session: HostedSession) -> Microturn:
        """The microturn a late session missed: zeros up to its end, the gap named."""
        spt = self.stack.samples_per_turn
        have = session.framer.next_sample
        end = (have // spt + 1) * spt
        filler = AudioChunk(t0=have / spt * self.dt, samples=np.zeros(end - have, np.float32))
        (turn,) = session.framer.push_audio(filler)
        gap = Gap(GapKind.LATE, have / spt * self.dt, turn.end, "audio missed its tick at the host")
        session.gaps += 1
        real = 1.0 - (end - have) / spt
        return dataclasses.replace(turn, coverage=min(turn.coverage, real), gaps=(*turn.gaps, gap))

    # -- the tick ---------------------------------------------------------------------------
    def tick(self) -> TickReport:
        """Step every session that has a microturn due: one batch for all of them."""
        now = self.clock.now()
        # Only a session that has sent audio can go quiet: one waiting for its user's consent
        # holds its slot until its connection closes.
        dropped = [s.id for s in self.sessions.values()
                   if s.started and now - s.last_seen > self.idle_timeout_s]
        for sid in dropped:
            logger.warning("session %s sent nothing for %.1f s: dropped", sid, self.idle_timeout_s)
            self.leave(sid)
        due: list[tuple[HostedSession, Microturn]] = []
        gaps = []
        for session in self.sessions.values():
            self._drain(session)
            if session.ready:
                session.waited = 0
                due.append((session, session.ready.popleft()))
            elif session.started:
                session.waited += 1
                if session.waited > self.grace_ticks:
                    session.waited = 0
                    gaps.append(session.id)
                    due.append((session, self._gap_turn(session)))
        records: dict[str, list[StepRecord]] = {}
        self._step(due, records)
        # A session that fell behind (its audio came in a burst after a gap) catches up with
        # extra, smaller batches in the same tick, at most `catch_up` microturns.
        for _ in range(self.catch_up):
            behind = [(s, s.ready.popleft()) for s in self.sessions.values() if s.ready]
            if not behind:
                break
            self._step(behind, records)
        return TickReport({k: tuple(v) for k, v in records.items()}, tuple(gaps), tuple(dropped))

    def _step(self, due: Sequence[tuple[HostedSession, Microturn]], records: dict[str, list[StepRecord]]) -> None:
        if not due:
            return
        audio = np.stack([turn.audio for _, turn in due])
        rows = self.stack.step([s.slot for s, _ in due], audio)
        for (session, turn), per_turn in zip(due, rows, strict=True):
            session.signals.put(per_turn[0])
            session.engine.step(turn)
            assert session.engine.last_record is not None
            records.setdefault(session.id, []).append(session.engine.last_record)

    # -- replay -----------------------------------------------------------------------------
    def replay_many(self, sessions: Sequence[Session], policy: Decider, *,
                    proposer: Callable[[], Proposer] | None = None, batch: int = 16, workers: int = 2,
                    block_s: float = 8.0) -> list[list[StepRecord]]:
        """Replay whole sessions through the model in batches of `batch` rows; records per session.

        `policy` is shared (policies are pure); `proposer` makes a fresh proposer per session.
        Equal to each session's own `Engine.replay` with `SileroVAD` and `TurnTakingModel`, up to
        `stack.TOLERANCE` per column. Replay runs on its own state rows (`AudioStack.sibling`),
        so live sessions keep theirs. It is a pipeline: `workers` threads run the models over
        groups of sessions (torch releases the GIL inside its kernels) while the calling thread
        runs each finished group's decisions, so the Python decision loop overlaps the models
        instead of waiting for them.
        """
        if batch < 1 or workers < 1:
            raise InputError("replay batch and workers", expected="at least 1 each", got=(batch, workers))
        groups = [sessions[i : i + batch] for i in range(0, len(sessions), batch)]
        threads = max(1, min(workers, len(groups)))
        free: Queue[AudioStack] = Queue()  # one set of state rows per model thread
        for _ in range(threads):
            free.put(self.stack.sibling(batch))

        def model_table(group: Sequence[Session]) -> tuple[npt.NDArray[np.float64], list[int]]:
            stack = free.get()
            try:
                return self._model_table(stack, group, block_s)
            finally:
                free.put(stack)

        out: list[list[StepRecord]] = []
        with ThreadPoolExecutor(threads, thread_name_prefix="designkit-host-replay") as pool:
            for group, (table, counts) in zip(groups, pool.map(model_table, groups), strict=True):
                out.extend(self._decide_group(table, counts, group, policy, proposer))
        return out

    def _model_table(self, stack: AudioStack, group: Sequence[Session], block_s: float
                     ) -> tuple[npt.NDArray[np.float64], list[int]]:
        """The stack's columns for every microturn of `group` (rows, microturns, columns), and counts."""
        spt = stack.samples_per_turn
        block = max(1, round(block_s / self.dt)) * spt
        audios = [s.samples() for s in group]
        counts = [a.size // spt for a in audios]
        length = -(-max(counts) * spt // block) * block
        padded = np.zeros((len(group), length), np.float32)
        for r, a in enumerate(audios):
            padded[r, : counts[r] * spt] = a[: counts[r] * spt]
        slots = list(range(len(group)))
        for slot in slots:
            stack.open(slot)
        table = np.concatenate([stack.step_table(slots, padded[:, start : start + block])
                                for start in range(0, length, block)], axis=1)
        return table, counts

    def _decide_group(self, table: npt.NDArray[np.float64], counts: list[int], group: Sequence[Session],
                      policy: Decider, proposer: Callable[[], Proposer] | None) -> list[list[StepRecord]]:
        out = []
        for r, session in enumerate(group):
            signals = HostedSignals(self.stack.columns)
            signals.put_all({c: table[r, : counts[r], i] for i, c in enumerate(self.stack.columns)})
            engine = Engine([signals], policy, proposer=proposer() if proposer else None, dt=self.dt,
                            replay_workers=1)
            out.append(engine.replay(list(session.microturns())[: counts[r]]))
        return out
