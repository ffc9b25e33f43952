"""Studies: explorer redraw (slider -> chart re-drawn in Chromium; and slider -> new rows ready in
the kernel), Dask = local, sessions per second."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

NAME = "study"


def _explorer_redraw_ms(quick: bool) -> float:
    from designkit.policy import Policy
    from designkit.study import Explorer
    from designkit.study.prepare import synthetic_dialogues

    truths = synthetic_dialogues(20, duration_s=600.0)  # 20 x 10 min sessions
    explorer = Explorer(truths, metrics=("task_success", "attention_cost", "response_latency_s"),
                        reference={"calm": Policy(confidence=0.8), "eager": Policy(confidence=0.4)})
    try:
        times = []
        values = np.linspace(0.3, 0.9, 12 if quick else 40)
        for i, value in enumerate(values):
            start = time.perf_counter()
            explorer.set(confidence=float(value), style="barge_in" if i % 3 == 0 else "wait_for_pause")
            times.append((time.perf_counter() - start) * 1000.0)
        return float(np.percentile(times, 95))
    finally:
        explorer.close()


def _study(n: int):  # type: ignore[no-untyped-def]
    from designkit.proposers.simulated import ModelQuality
    from designkit.study import ScenarioSet, Study

    return Study(name="bench", scenarios=(ScenarioSet("dialogue-basic", n=n),),
                 grid={"confidence": [0.4, 0.6, 0.8], "style": ["barge_in", "wait_for_pause"]},
                 qualities={"fair": ModelQuality(), "poor": ModelQuality(miss_rate=0.3)},
                 metrics=("task_success", "attention_cost"))


def run(quick: bool) -> Iterator[dict[str, Any]]:
    from designkit.study import run as run_study

    yield {"metric": "explorer_spec_ms", "value": round(_explorer_redraw_ms(quick), 1), "unit": "ms",
           "goal": "report (kernel only: re-decide 20 x 10 min sessions, rows ready)"}
    from explorer_browser import redraw_ms

    drawn = redraw_ms(sessions=20, duration_s=600.0, moves=12 if quick else 40)
    yield {"metric": "explorer_redraw_ms", "value": round(drawn["p95"], 1), "unit": "ms", "goal": "<= 150",
           "p50": round(drawn["p50"], 1), "max": round(drawn["max"], 1),
           "decide_p95": round(drawn["decide_p95"], 1), "page_p95": round(drawn["page_p95"], 1),
           "what": "p95 slider key press -> chart marks re-drawn in Chromium (Voila, offline), 20 x 10 min sessions"}

    study = _study(6 if quick else 20)
    run_study(study, workers=1, cache=False, progress=False)  # scenarios generated (cached) before timing
    start = time.perf_counter()
    local = run_study(study, cache=False, progress=False, workers=os.cpu_count() or 1)
    elapsed = time.perf_counter() - start
    on_dask = run_study(study, executor="dask", workers=2, cache=False, progress=False)
    same = local.frame.equals(on_dask.frame)
    yield {"metric": "dask_equals_local", "value": int(same), "unit": "bool", "goal": "= 1"}
    sessions = len(local.frame.groupby(["scenario", "quality", "repetition", "policy"]))
    yield {"metric": "study_sessions_per_s", "value": round(sessions / elapsed, 1), "unit": "sessions/s",
           "goal": "report (1-minute sessions, all cores)"}
