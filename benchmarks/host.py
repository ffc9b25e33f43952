"""Benchmark `host`: many live sessions through one model host, batched replay, and equality.

- sessions_at_deadline: the most simulated live sessions (each sending 200 ms chunks of generated
  conversation) whose host tick — Silero VAD + the turn-taking model batched, then every
  session's engine and policy — stays at p95 <= 50 ms (on a GPU: <= 20 ms, `_gpu`).
- tick_p95_ms_at_32: that tick's p95 with 32 sessions (info).
- replay_x_realtime_batched: seconds of audio per second of wall time, many sessions replayed
  through the host in batches (`_gpu` on a GPU).
- host_equals_direct: 1 when sessions through the host give each session's own path's signals
  (within the stated tolerance per column) and the same decisions.
- moshi_tiny_step_ms / moshi_protocol_roundtrip_ms: see `benchmarks/host_moshi.py` (they run in
  the separate Moshi environment when it exists).
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch

from designkit.core import AudioChunk, Engine, Session, VirtualClock
from designkit.host.host import Host
from designkit.host.stack import COLUMNS, TOLERANCE, AudioStack
from designkit.perception.audio.silero import SileroVAD
from designkit.perception.audio.turn_taking import TurnTakingModel
from designkit.policy import Policy
from designkit.proposers.turn_taking import TurnTakingProposer
from designkit.testing import random_turns, scripted_audio

NAME = "host"
SPT = 3200
HERE = Path(__file__).resolve().parent
MOSHI_METRICS = ("moshi_tiny_step_ms", "moshi_protocol_roundtrip_ms")  # + moshi_sessions_at_deadline_gpu on CUDA


def _moshi_python() -> str | None:
    """The interpreter that has moshi: $DESIGNKIT_MOSHI_PYTHON, else this one (`make setup` installs it)."""
    found = os.environ.get("DESIGNKIT_MOSHI_PYTHON")
    if found:
        return found if Path(found).is_file() else None
    return sys.executable if importlib.util.find_spec("moshi") is not None else None


def moshi_lines(quick: bool) -> Iterator[dict[str, Any]]:
    """Moshi's lines, measured in a fresh process (its model and threads stay out of the host's figures)."""
    python = _moshi_python()
    note = "needs moshi: pip install --no-deps moshi==0.2.13 (make setup does)"
    if python is None:
        for metric in MOSHI_METRICS:
            yield {"metric": metric, "value": None, "unit": "ms", "goal": "info", "note": note}
        return
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    done = subprocess.run([python, str(HERE / "host_moshi.py"), *(["--quick"] if quick else [])],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    lines = [json.loads(raw) for raw in done.stdout.splitlines() if raw.startswith("{")]
    for line in lines:
        yield {k: v for k, v in line.items() if k not in ("benchmark", "quick")}
    if not lines:
        print(done.stderr[-2000:], file=sys.stderr)
        for metric in MOSHI_METRICS:
            yield {"metric": metric, "value": None, "unit": "ms", "goal": "info", "note": "the Moshi run failed"}


def _audio(seed: int, seconds: float) -> np.ndarray:
    return scripted_audio(random_turns(seconds, np.random.default_rng(seed)), seconds, seed=seed)


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def tick_p95_ms(stack: AudioStack, sessions: int, ticks: int, audio: np.ndarray) -> float:
    """p95 of the host tick with `sessions` live sessions, each pushing one chunk per tick."""
    clock = VirtualClock()
    host = Host(stack=stack, clock=clock)
    ids = [host.join(Policy(), proposer=TurnTakingProposer()) for _ in range(sessions)]
    offsets = [(7 * i) % (audio.size // SPT - ticks - 4) for i in range(sessions)]  # each stays inside the audio
    times = []
    for k in range(ticks + 3):
        for sid, offset in zip(ids, offsets, strict=True):
            start = (offset + k) * SPT
            host.push(sid, AudioChunk(t0=k * 0.2, samples=audio[start : start + SPT], seq=k))
        started = time.perf_counter()
        report = host.tick()
        elapsed = time.perf_counter() - started
        assert len(report.records) == sessions
        if k >= 3:  # the first ticks warm up allocators and kernels
            times.append(elapsed * 1000)
        clock.advance(0.2)
    return _p95(times)


def sessions_at_deadline(stack: AudioStack, audio: np.ndarray, *, deadline_ms: float, ticks: int,
                         counts: tuple[int, ...]) -> tuple[int, dict[int, float]]:
    best = 0
    measured = {}
    for n in counts:
        if n > stack.capacity:
            break
        measured[n] = tick_p95_ms(stack, n, ticks, audio)
        if measured[n] > deadline_ms:
            break
        best = n
    return best, measured


def replay_x_realtime(host: Host, sessions: list[Session], runs: int) -> float:
    total = sum(s.duration for s in sessions)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        host.replay_many(sessions, Policy(), proposer=TurnTakingProposer)  # 16 a batch, 2 model threads
        times.append(time.perf_counter() - started)
    return total / statistics.median(times)


def host_equals_direct(stack: AudioStack, seconds: float) -> int:
    audios = [_audio(100 + i, seconds) for i in range(3)]
    host = Host(stack=stack, clock=VirtualClock())
    ids = [host.join(Policy(), proposer=TurnTakingProposer()) for _ in audios]
    live: dict[str, list] = {sid: [] for sid in ids}
    for k in range(audios[0].size // SPT):
        for sid, audio in zip(ids, audios, strict=True):
            host.push(sid, AudioChunk(t0=k * 0.2, samples=audio[k * SPT : (k + 1) * SPT], seq=k))
        for sid, records in host.tick().records.items():
            live[sid].extend(records)
    for sid, audio in zip(ids, audios, strict=True):
        engine = Engine([SileroVAD(), TurnTakingModel()], Policy(), proposer=TurnTakingProposer())
        direct = engine.replay(Session.from_array(audio, chunk_s=1.0))
        ours = live[sid]
        if len(ours) != len(direct):
            return 0
        for column in COLUMNS:
            gap = max(abs(a.signals[column] - b.signals[column]) for a, b in zip(ours, direct, strict=True))
            if gap > TOLERANCE[column]:
                return 0
        if [(r.decision.action, r.decision.reason) for r in ours] != [
                (r.decision.action, r.decision.reason) for r in direct]:
            return 0
    return 1


def run(quick: bool) -> Iterator[dict[str, Any]]:
    # One intra-op thread: small batched steps lose more to thread hand-offs than they gain, and
    # on a shared machine spinning threads collapse the tick; replay uses two worker threads.
    torch.set_num_threads(1)
    gpu = torch.cuda.is_available()
    cpu_stack = AudioStack(256, device="cpu")
    audio = _audio(0, 60.0)
    ticks = 25 if quick else 100
    best, measured = sessions_at_deadline(cpu_stack, audio, deadline_ms=50.0, ticks=ticks,
                                          counts=(8, 16, 32, 48, 64, 96, 128, 160, 192, 256))
    yield {"metric": "sessions_at_deadline", "value": best, "unit": "sessions", "goal": ">= 32",
           "device": "cpu", "tick_p95_ms": {str(k): round(v, 1) for k, v in measured.items()}}
    yield {"metric": "tick_p95_ms_at_32", "value": round(measured.get(32, float("nan")), 2), "unit": "ms",
           "goal": "<= 50 (info)", "device": "cpu"}
    seconds = 30.0 if quick else 60.0
    sessions = [Session.from_array(_audio(i, seconds), chunk_s=1.0) for i in range(64)]
    value = replay_x_realtime(Host(stack=cpu_stack, clock=VirtualClock()), sessions, runs=3)
    yield {"metric": "replay_x_realtime_batched", "value": round(value, 1), "unit": "x", "goal": ">= 1500",
           "device": "cpu", "sessions": len(sessions)}
    yield {"metric": "host_equals_direct", "value": host_equals_direct(cpu_stack, 10.0 if quick else 30.0),
           "unit": "bool", "goal": "= 1", "device": "cpu"}
    yield from moshi_lines(quick)
    if gpu:
        gpu_stack = AudioStack(1024, device="cuda")
        best, measured = sessions_at_deadline(gpu_stack, audio, deadline_ms=20.0, ticks=ticks,
                                              counts=(64, 128, 256, 384, 512, 768, 1024))
        yield {"metric": "sessions_at_deadline_gpu", "value": best, "unit": "sessions", "goal": ">= 500",
               "device": "cuda", "tick_p95_ms": {str(k): round(v, 1) for k, v in measured.items()}}
        many = [Session.from_array(_audio(i, seconds), chunk_s=1.0) for i in range(256)]
        value = replay_x_realtime(Host(stack=gpu_stack, clock=VirtualClock()), many, runs=1)
        yield {"metric": "replay_x_realtime_gpu", "value": round(value, 1), "unit": "x", "goal": ">= 20000",
               "device": "cuda", "sessions": len(many)}
