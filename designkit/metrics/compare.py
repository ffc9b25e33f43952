"""compare(policies, sessions) -> metric means with bootstrap CIs, per policy.

Sessions with known truth are prepared once (signals, the simulated model's proposals, cue
events); each policy then only re-decides (`designkit.policy.replay.PolicyReplay`, equal to the
engine's replay), which is what keeps a slider redraw fast.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from designkit.core.decisions import Action, Reason
from designkit.core.protocols import Policy
from designkit.core.streams import Event
from designkit.errors import InputError
from designkit.metrics.evaluate import SessionTruth, session_metrics, truth_of
from designkit.metrics.stats import bootstrap_ci
from designkit.metrics.timeline import timeline_of
from designkit.perception.simulated import ModelQuality, Moment, SimulatedProposer, speech_mask
from designkit.policy.replay import PolicyReplay

CUE_EVENT = "cue"


@dataclass(frozen=True, slots=True)
class Prepared:
    """One session ready for any policy: its cached inputs and its truth."""

    replay: PolicyReplay
    truth: SessionTruth


def moments_of(truth: SessionTruth) -> list[Moment]:
    """What the agent should do, from truth: speak at turn ends, backchannel at openings."""
    return ([Moment(float(t), Action.SPEAK, duration_s=1.5, source="turn_end") for t in truth.respond_at]
            + [Moment(float(t), Action.BACKCHANNEL, "mm-hm", 0.4, "backchannel") for t in truth.backchannel_at])


def prepare(truth: Any, *, quality: ModelQuality | None = None, seed: int = 0, dt: float = 0.2,
            cue_name: str = CUE_EVENT, proposer: Any | None = None) -> Prepared:
    """Signals (a `vad` from the truth's user speech), the simulated model's proposals (or those
    of `proposer`, which must propose from time alone: `context_free = True` and a
    `proposals(n)` method) and the truth's cues as events `Event(kind="cue", data={"name": kind})`
    (`cue_name` for cues without a kind).

    A proposer that reacts to what the agent did cannot be cached: run it with
    `designkit.core.Engine(...).replay(...)` and score the records with `evaluate`."""
    t = truth_of(truth)
    n = max(1, math.ceil(t.duration_s / dt - 1e-9))
    vad = speech_mask([tuple(r) for r in t.user_speech.tolist()], n, dt).astype(np.float64)
    if proposer is None:
        proposer = SimulatedProposer(moments_of(t), duration_s=t.duration_s, quality=quality, dt=dt, seed=seed)
    elif not getattr(proposer, "context_free", False) or not hasattr(proposer, "proposals"):
        raise InputError("proposer", expected="a context-free proposer with proposals(n) (e.g. SimulatedProposer)",
                         got=type(proposer).__name__, fix="run it with Engine.replay and score with evaluate()")
    events: dict[int, list[Event]] = {}
    for c, kind in zip(t.cues.tolist(), t.cue_kinds, strict=True):
        name = cue_name if kind == CUE_EVENT else kind
        events.setdefault(min(n - 1, math.floor(c / dt + 1e-9)), []).append(Event(t=c, kind=CUE_EVENT, data={"name": name}))
    return Prepared(PolicyReplay({"vad": vad}, proposer.proposals(n), dt=dt, events=events), t)


def label(policy: Policy) -> str:
    """A short name for a policy in a table."""
    spec = policy.to_dict()
    parts = [str(spec.get("style", spec.get("kind", "policy")))]
    if "confidence" in spec:
        parts.append(f"c={spec['confidence']:g}")
    if spec.get("initiative", 1.0) != 1.0:
        parts.append(f"i={spec['initiative']:g}")
    if spec.get("context", "focused") != "focused":
        parts.append(str(spec["context"]))
    return " ".join(parts)


def run_sessions(policy: Policy, sessions: Sequence[Prepared], *,
                 weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Session x metric for one policy over prepared sessions."""
    rows = [session_metrics(timeline_of(s.replay.run(policy)), s.truth, weights=weights) for s in sessions]
    names = [s.truth.name or f"session-{i}" for i, s in enumerate(sessions)]
    return pd.DataFrame(rows, index=pd.Index(names, name="session"))


def compare(policies: Sequence[Policy] | Mapping[str, Policy], sessions: Sequence[Any], *,
            quality: ModelQuality | None = None, seed: int = 0, level: float = 0.95,
            resamples: int = 1000, weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """One row per (policy, metric): mean over sessions with its percentile bootstrap CI.

    `sessions`: `Prepared` sessions (fastest: prepare once, compare many times) or truths
    (`SessionTruth` or objects with its fields), prepared here with the simulated model of the
    given `quality` (session i gets seed `seed + i`).
    """
    named = dict(policies) if isinstance(policies, Mapping) else {label(p): p for p in policies}
    prepared = [s if isinstance(s, Prepared) else prepare(s, quality=quality, seed=seed + i)
                for i, s in enumerate(sessions)]
    rows: list[dict[str, Any]] = []
    for name, policy in named.items():
        frame = run_sessions(policy, prepared, weights=weights)
        for metric in frame.columns:
            est = bootstrap_ci(frame[metric].to_numpy(dtype=np.float64), level=level,
                               resamples=resamples, seed=seed)
            rows.append({"policy": name, "metric": metric, "mean": est.mean, "low": est.low,
                         "high": est.high, "n": est.n})
    return pd.DataFrame(rows, columns=["policy", "metric", "mean", "low", "high", "n"])


def ci_table(frame: pd.DataFrame, metrics: Sequence[str] | None = None, digits: int = 2) -> pd.DataFrame:
    """`compare`'s output as policy x metric cells reading "mean [low, high]"."""
    chosen = frame if metrics is None else frame[frame["metric"].isin(list(metrics))]
    cells = chosen.assign(cell=[
        "n/a" if math.isnan(m) else f"{m:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"
        for m, lo, hi in zip(chosen["mean"], chosen["low"], chosen["high"], strict=True)])
    table = cells.pivot(index="policy", columns="metric", values="cell")
    order = list(dict.fromkeys(chosen["policy"]))
    cols = list(metrics) if metrics is not None else list(dict.fromkeys(chosen["metric"]))
    return table.reindex(index=order, columns=[c for c in cols if c in table.columns])


def synthetic_dialogues(n: int = 20, *, duration_s: float = 60.0, seed: int = 0) -> list[SessionTruth]:
    """Dialogue truths without audio: random user turns, a response due at each turn end and a
    backchannel opening in the middle of turns longer than 2 s. For quick studies and benchmarks."""
    from designkit.testing import random_turns

    out = []
    for i in range(n):
        rng = np.random.default_rng(seed + i)
        turns = random_turns(duration_s, rng, min_s=0.8, max_s=5.0, min_gap_s=0.8, max_gap_s=3.0)
        out.append(SessionTruth.make(
            duration_s=duration_s, user_speech=turns, respond_at=[e for _, e in turns],
            backchannel_at=[(s + e) / 2 for s, e in turns if e - s > 2.0], name=f"dialogue-{i:02d}"))
    return out


def prepare_log(log: Any, truth: Any | None = None) -> Prepared:
    """A recorded session (a session log) ready for other policies: its logged signals, its
    logged proposals (durations are not logged: policies use their defaults) and its events.
    Without a truth, the user's speech is the one the log saw."""
    import json

    from designkit.core.decisions import NOTHING, Proposal

    frame = log.frame
    header = log.header
    dt = float(header["dt"])
    signals = {name: frame[name].to_numpy(dtype=np.float64) for name in header["signals"]}
    cache: dict[tuple[Any, ...], Proposal] = {}
    proposals = []
    columns = [frame[c].tolist() for c in ("proposal_action", "proposal_confidence", "proposal_content",
                                             "proposal_source", "events", "faults", "coverage", "consent")]
    for key in zip(*columns[:4], strict=True):
        if key not in cache:
            cache[key] = NOTHING if key[0] == Action.SILENT.value and not key[3] else \
                Proposal(Action(key[0]), float(key[1]), 0.0, str(key[2]), 0.0, str(key[3]))
        proposals.append(cache[key])
    events: dict[int, list[Event]] = {}
    for k, raw in enumerate(columns[4]):
        if not raw:
            continue
        for e in json.loads(raw):
            if e["kind"] != "policy":
                events.setdefault(k, []).append(Event(t=e["t"], kind=e["kind"], data=e.get("data", {})))
    # Microturns the engine silenced before any policy had a say stay silenced, for the same reason.
    forced: dict[int, Reason] = {}
    for k, (faults, coverage, consent) in enumerate(zip(*columns[5:], strict=True)):
        if faults:
            forced[k] = Reason.FAULT
        elif float(coverage) == 0.0:
            forced[k] = Reason.GAP
        elif consent == "none":
            forced[k] = Reason.NO_CONSENT
    replay = PolicyReplay(signals, proposals, dt=dt, events=events, forced=forced)
    if truth is None:
        from designkit.metrics.timeline import runs

        truth = SessionTruth.make(duration_s=len(frame) * dt, user_speech=runs(replay.user, dt),
                                  name=str(header.get("name", "")))
    return Prepared(replay, truth_of(truth))
