"""`designkit demo`: the headless main job — replay a generated session, print what happened."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from designkit.core import Engine
from designkit.log import replay_to_log
from designkit.log.summary import summarize
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
    summary["log"] = str(path)
    return log.transcript(), summary


def _run(args: argparse.Namespace) -> int:
    transcript, summary = run_demo(duration_s=args.duration, seed=args.seed,
                                   log_path=Path(args.log) if args.log else None)
    print(transcript)
    print()
    print(json.dumps(summary, indent=2))
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("demo", help="replay a generated session and print its transcript and metrics",
                       description="Generate a conversation, replay it through the energy VAD and a "
                                   "silence-timeout policy, print the transcript and metrics.")
    p.add_argument("--duration", type=float, default=30.0, help="seconds of conversation (default 30)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--log", help="keep the session log here (.parquet)")
    p.set_defaults(handler=_run)
