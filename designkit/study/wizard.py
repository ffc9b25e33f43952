"""Wizard-of-Oz sessions beside the model and the policy: how fast each answers the same turn ends.

    table = wizard_latencies(["logs/p01-20261207T…", ...], policy=study.policies()["wizard"])
    latency_comparison(table)     # who, sessions, turn ends, answered (n), median, mean, p90 (s)

A kept wizard session is scored like any other (`study.people.storage.live_session_metrics` reads
its log); this compares, on each kept session, four answers to the same turn ends:

- `wizard`: the operator's spoken turns (speak or interrupt, reason `wizard`), as the session went;
- `policy`: the policy alone over the same logged inputs (the signals, the model's proposals and
  cues as logged; every operator event left out), by the engine's decision loop, as a study
  replays any log (`prepare.prepare_log`);
- `model`: the model's own proposals, as if each were said: the first microturn of every spoken
  proposal (speak or interrupt);
- `operator_click`: the operator's reaction as logged (`reaction_ms` of each operator action
  measured from a turn end): the action reaching the kernel, before its line is heard.

Turn ends are the ends of the person's speech as the engine heard it live, as
`live_session_metrics` reads a live session. The first three use `response_latency_s`'s definition
(`metrics.task_success.turn_end_latencies`: the first onset at or after the turn end and before
the person speaks again, minus the turn end), with each onset at the end of the microturn that
decided it (the engine's rule), so all three sit on the same microturn grid.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from designkit.core.context import EventKind
from designkit.core.decisions import Action, Reason
from designkit.core.protocols import Decider
from designkit.errors import InputError
from designkit.log import read_log
from designkit.metrics.intervals import FloatArray
from designkit.metrics.session import SessionTruth
from designkit.metrics.task_success import turn_end_latencies
from designkit.metrics.timeline import Timeline, timeline_of
from designkit.study.prepare import prepare_log

WHO = ("wizard", "policy", "model", "operator_click")
SPOKEN_TURNS = (Action.SPEAK.value, Action.INTERRUPT.value)
COLUMNS = ("session", "who", "turn_end_s", "latency_s")


def wizard_latencies(logs: Iterable[Any], *, policy: Decider) -> pd.DataFrame:
    """One row per kept session, turn end and who answered it (see the module docstring):
    session, who, turn_end_s, latency_s (NaN where that one did not answer the turn end before
    the person spoke again; `operator_click` rows: one per logged reaction, turn_end_s NaN).
    `logs`: session folders, log files or `SessionLog`s of live wizard sessions."""
    rows: list[dict[str, Any]] = []
    for source in logs:
        log = _log_of(source)
        live = timeline_of(log)
        name = str(log.header.get("name", "")) or live.name
        user = live.user_speech()
        ends = user[:, 1] if len(user) else np.zeros(0)
        truth = SessionTruth.make(duration_s=max(live.duration_s, 1e-9), user_speech=user, respond_at=ends, name=name)
        prepared = prepare_log(log, truth)
        inputs = prepared.inputs
        alone = {k: kept for k, events in inputs.events.items()
                 if (kept := tuple(e for e in events if e.kind != EventKind.WIZARD.value))}
        by_policy = timeline_of(replace(prepared, inputs=replace(inputs, events=alone)).run(policy))
        onsets = {"wizard": turn_onsets(live, reason=Reason.WIZARD.value), "policy": turn_onsets(by_policy),
                  "model": proposal_onsets(log.frame["proposal_action"].tolist(), live.dt)}
        for who, said in onsets.items():
            for end in ends.tolist():
                latency = turn_end_latencies(turn_ends=[end], user_speech=user, voiced_onsets=said)
                rows.append({"session": name, "who": who, "turn_end_s": end,
                             "latency_s": float(latency[0]) if len(latency) else math.nan})
        rows.extend({"session": name, "who": "operator_click", "turn_end_s": math.nan, "latency_s": ms / 1000.0}
                    for ms in operator_reactions(log.frame["events"].tolist()))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def latency_comparison(table: pd.DataFrame) -> pd.DataFrame:
    """Per who (wizard, policy, model, operator_click): sessions, turn ends, answered (the n of
    the latencies), and their median, mean and 90th percentile in seconds (NaN with none)."""
    out = []
    for who in WHO:
        rows = table[table["who"] == who]
        latencies = rows["latency_s"].dropna().to_numpy(dtype=np.float64)
        answered = len(latencies)
        out.append({"who": who, "sessions": int(rows["session"].nunique()),
                    "turn_ends": int(rows["turn_end_s"].notna().sum()), "answered": answered,
                    "median_s": float(np.median(latencies)) if answered else math.nan,
                    "mean_s": float(latencies.mean()) if answered else math.nan,
                    "p90_s": float(np.percentile(latencies, 90)) if answered else math.nan})
    return pd.DataFrame(out).set_index("who")


def turn_onsets(timeline: Timeline, *, reason: str | None = None) -> FloatArray:
    """When the agent's spoken turns start (stretches that began as a backchannel left out): the
    end of the microturn that decided each; with `reason`, only turns decided for that reason."""
    spans = timeline.agent_speech(turns_only=True)
    starts: FloatArray = spans[:, 0] if len(spans) else np.zeros(0)
    if reason is None or not len(starts):
        return starts
    deciding = np.rint(starts / timeline.dt).astype(np.int64) - 1
    keep = np.array([timeline.reasons[k] == reason for k in deciding.tolist()], dtype=bool)
    kept: FloatArray = starts[keep]
    return kept


def proposal_onsets(proposals: Sequence[str], dt: float) -> FloatArray:
    """When the model's spoken proposals would start if said: the end of the first microturn of
    each run of microturns proposing to speak or interrupt."""
    spoken = np.isin(np.asarray(proposals, dtype=str), SPOKEN_TURNS)
    first = np.flatnonzero(spoken & ~np.concatenate([[False], spoken[:-1]]))
    onsets: FloatArray = (first.astype(np.float64) + 1.0) * dt
    return onsets


def operator_reactions(events: Sequence[str | None]) -> list[float]:
    """The `reaction_ms` of every operator action measured from a turn end (a log's events column)."""
    out = []
    for raw in events:
        for event in json.loads(raw) if raw else ():
            data = event.get("data") or {}
            if (event.get("kind") == EventKind.WIZARD.value and data.get("by") == "operator"
                    and data.get("reaction_from") == "turn_end" and data.get("reaction_ms") is not None):
                out.append(float(data["reaction_ms"]))
    return out


def _log_of(source: Any) -> Any:
    if hasattr(source, "frame") and hasattr(source, "header"):
        return source
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        return read_log(path / "log.parquet" if path.is_dir() else path)
    raise InputError("wizard session", expected="a session folder, its log.parquet or a SessionLog",
                     got=type(source).__name__)
