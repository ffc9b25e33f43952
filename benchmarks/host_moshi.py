"""The Moshi lines of benchmark `host`, run in a fresh process by benchmarks/host.py.

    .venv/bin/python benchmarks/host_moshi.py [--quick]

- moshi_tiny_step_ms: one 80 ms frame through the in-process adapter (Mimi encode, LMGen.step,
  Mimi decode) with the tiny random-weight config, p50 (info: the tiny model measures overhead,
  not a real model's compute).
- moshi_protocol_roundtrip_ms: p95 time from sending a frame (Opus over the websocket) to the
  first answer from a local protocol server with the tiny model behind it (info).
- moshi_sessions_at_deadline_gpu (only with CUDA): the most conversations a Moshi-size model
  (moshi's default 7.69 B LM config and Mimi, random weights, bf16) steps together through
  `MoshiSlots` at p95 <= 40 ms per 80 ms frame.
Prints one JSON object per line, as benchmarks/run.py does.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
import torch

from designkit.host.moshi import FRAME, MoshiModel, tiny_moshi
from designkit.host.moshi_protocol import MoshiProtocolModel, served


def main(quick: bool) -> None:
    torch.set_num_threads(1)
    frames = 40 if quick else 200
    rng = np.random.default_rng(0)
    audio = (0.1 * rng.standard_normal(FRAME * frames)).astype(np.float32)
    model = MoshiModel(*tiny_moshi(0), top_k=10, top_k_text=10)
    times = []
    for k in range(frames):
        started = time.perf_counter()
        model.step(audio[k * FRAME : (k + 1) * FRAME])
        times.append((time.perf_counter() - started) * 1000)
    line = {"benchmark": "host", "metric": "moshi_tiny_step_ms", "value": round(float(np.median(times[5:])), 2),
            "unit": "ms", "goal": "info", "device": "cpu", "quick": quick}
    print(json.dumps(line), flush=True)

    with served(MoshiModel(*tiny_moshi(1), top_k=10, top_k_text=10)) as url:
        client = MoshiProtocolModel(url, wait_s=2.0)
        for k in range(frames):
            client.step(audio[k * FRAME : (k + 1) * FRAME])
        client.close()
    rtt = client.roundtrip_ms[3:] or client.roundtrip_ms
    line = {"benchmark": "host", "metric": "moshi_protocol_roundtrip_ms",
            "value": round(float(np.percentile(rtt, 95)), 2), "unit": "ms", "goal": "info", "device": "cpu",
            "quick": quick, "answers": len(rtt)}
    print(json.dumps(line), flush=True)


def moshi_gpu(quick: bool) -> None:
    """Moshi-size random weights on the GPU, many slots stepped per frame (not run without CUDA)."""
    from moshi.models import loaders

    from designkit.host.moshi_slots import MoshiSlots

    capacity = 48
    mimi = loaders.get_mimi(None, device="cuda")
    lm = loaders.get_moshi_lm(None, device="cuda", dtype=torch.bfloat16)
    slots = MoshiSlots(mimi, lm, capacity)
    frame = (0.1 * np.random.default_rng(0).standard_normal(FRAME)).astype(np.float32)
    best, measured = 0, {}
    for n in (8, 16, 24, 32, 40, 48):
        for s in range(n):
            slots.open(s)
        times = []
        for k in range(15 if quick else 60):
            torch.cuda.synchronize()
            started = time.perf_counter()
            slots.step({s: frame for s in range(n)})
            torch.cuda.synchronize()
            if k >= 5:
                times.append((time.perf_counter() - started) * 1000)
        measured[n] = round(float(np.percentile(times, 95)), 1)
        if measured[n] > 40.0:
            break
        best = n
    line = {"benchmark": "host", "metric": "moshi_sessions_at_deadline_gpu", "value": best, "unit": "sessions",
            "goal": ">= 32", "device": "cuda", "quick": quick, "step_p95_ms": measured}
    print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main("--quick" in sys.argv)
    if torch.cuda.is_available():
        moshi_gpu("--quick" in sys.argv)
