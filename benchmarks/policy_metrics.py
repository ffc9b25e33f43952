"""Benchmark `policy_metrics`: re-deciding recorded sessions and measuring them.

- replay_x_realtime: 20 logged sessions of 10 min (simulated model, truth-based VAD) re-run
  through a new policy and every session metric, from the logs' cached signals and proposals
  (seconds of session per second of compute).
- compare_ms: `compare()` of 3 policies over 20 prepared one-minute dialogues, bootstrap CIs
  included (median of 5): the budget of a slider redraw. The line says how many metrics a session
  has (`metrics`): each adds its computation and a bootstrap CI.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from typing import Any

from designkit.core import Engine
from designkit.core.microturns import Microturn
from designkit.log.reader import SessionLog
from designkit.log.schema import make_header
from designkit.perception.truth_vad import TruthVAD
from designkit.policy import Policy, TimeSpeak
from designkit.proposers.simulated import ModelQuality, SimulatedProposer
from designkit.study.compare import compare, run_sessions
from designkit.study.prepare import moments_of, prepare, prepare_log, synthetic_dialogues

NAME = "policy_metrics"


def _logs(n: int, duration_s: float) -> list[tuple[SessionLog, Any]]:
    import numpy as np

    silence = np.zeros(3200, dtype=np.float32)
    out = []
    for i, truth in enumerate(synthetic_dialogues(n, duration_s=duration_s, seed=100)):
        user = [tuple(r) for r in truth.user_speech.tolist()]
        engine = Engine([TruthVAD(user)], Policy(),
                        proposer=SimulatedProposer(moments_of(truth), duration_s=duration_s,
                                                   quality=ModelQuality(false_alarms_per_min=2), seed=i))
        turns = [Microturn(index=k, dt=0.2, audio=silence, coverage=1.0) for k in range(round(duration_s / 0.2))]
        records = engine.replay(turns)
        out.append((SessionLog.from_records(make_header(engine, name=truth.name), records), truth))
    return out


def run(quick: bool) -> Iterator[dict[str, Any]]:
    sessions, minutes = 20, 10.0
    logs = _logs(sessions, minutes * 60)
    policy = Policy(style="barge_in", confidence=0.7, schedules=(TimeSpeak.parse("every 20 s"),))
    times = []
    for _ in range(1 if quick else 3):
        started = time.perf_counter()
        prepared = [prepare_log(log, truth) for log, truth in logs]
        frame = run_sessions(policy, prepared)
        times.append(time.perf_counter() - started)
    assert len(frame) == sessions
    yield {"metric": "replay_x_realtime", "value": round(sessions * minutes * 60 / statistics.median(times), 1),
           "unit": "x", "goal": ">= 5000", "sessions": sessions, "minutes_each": minutes}

    dialogues = [prepare(t, seed=i) for i, t in enumerate(synthetic_dialogues(20, duration_s=60.0))]
    policies = [Policy(style="barge_in"), Policy(style="wait_for_pause"), Policy(style="backchannel_only")]
    metrics = compare(policies, dialogues)["metric"].nunique()  # warm; compare's cost grows with the metrics
    ms = []
    for _ in range(5):
        started = time.perf_counter()
        compare(policies, dialogues)
        ms.append((time.perf_counter() - started) * 1000)
    yield {"metric": "compare_ms", "value": round(statistics.median(ms), 1), "unit": "ms", "goal": "<= 300",
           "policies": 3, "sessions": 20, "session_s": 60, "metrics": int(metrics)}
