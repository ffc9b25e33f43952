"""`designkit demo`: the headless main job — replay a generated session, print what happened."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from designkit.commands import action
from designkit.core import Engine
from designkit.log import replay_to_log
from designkit.log.summary import summarize
from designkit.metrics.timeline import timeline_of
from designkit.metrics.turn_taking import (
    early_interruption_rate,
    overlap_ratio,
    response_latencies,
    yield_latencies,
)
from designkit.perception import EnergyVAD
from designkit.policy import SpeakAfterSilence
from designkit.testing import random_turns, scripted_session


def run_demo(*, duration_s: float, seed: int, log_path: Path | None) -> tuple[str, dict[str, object]]:
    """Generate a conversation, replay it, and return its transcript and summary."""
    rng = np.random.default_rng(seed)
    turns = random_turns(duration_s, rng)
    session = scripted_session(turns, duration_s, seed=seed, name=f"demo-{seed}")
    engine = Engine([EnergyVAD()], SpeakAfterSilence())
    path = log_path or Path(tempfile.mkdtemp(prefix="designkit-demo-")) / "demo.parquet"
    log = replay_to_log(engine, session, path)
    summary = summarize(log)
    agent = timeline_of(log).agent_speech()
    user = np.asarray(turns, dtype=np.float64).reshape(-1, 2)
    responses = response_latencies(user_speech=user, agent_speech=agent)
    yields = yield_latencies(user_speech=user, agent_speech=agent)
    summary["metrics"] = {
        "response_latency_median_s": _median(responses),
        "yield_latency_median_s": _median(yields),
        "early_interruption_rate": round(early_interruption_rate(user_speech=user, agent_speech=agent), 3),
        "overlap_ratio": round(overlap_ratio(user_speech=user, agent_speech=agent), 3),
    }
    summary["log"] = str(path)
    return log.transcript(), summary


def _median(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return round(float(np.median(finite)), 3) if finite.size else None


def _run(args: argparse.Namespace) -> int:
    transcript, summary = run_demo(duration_s=args.duration, seed=args.seed,
                                   log_path=Path(args.log) if args.log else None)
    print(transcript)
    print()
    print(json.dumps(summary, indent=2))
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = action(sub, "demo", _run, help="replay a generated session and print its transcript and metrics",
               description="Generate a conversation, replay it through the energy VAD and a "
                           "silence-timeout policy, print the transcript and metrics.")
    p.add_argument("--duration", type=float, default=30.0, help="seconds of conversation (default 30)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--log", help="keep the session log here (.parquet)")
