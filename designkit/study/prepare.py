"""Sessions prepared once for any policy, and the one loop "a policy over prepared sessions ->
session metrics" that compare, the runner, the explorer and publish share.

A session with known truth is prepared once (a `vad` from the truth, the simulated model's
proposals at the study's model moments, cue events: `CachedInputs`); each policy then only
re-decides it with `Engine.replay_cached` (the engine's own decision loop), which is what keeps a
slider redraw fast.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from designkit.core.cached import CachedInputs, Replayed
from designkit.core.context import EventKind
from designkit.core.decisions import BACKCHANNEL_S, NOTHING, TURN_S, Action, Proposal, Reason
from designkit.core.engine import Engine
from designkit.core.microturns import speech_mask
from designkit.core.protocols import Decider
from designkit.core.session import NO_CONSENT_LABEL
from designkit.core.state import forced_silence
from designkit.core.streams import Event
from designkit.errors import InputError
from designkit.metrics.session import SessionTruth, session_metrics, truth_of
from designkit.metrics.timeline import runs, timeline_of
from designkit.proposers.simulated import ModelQuality, Moment, SimulatedProposer
from designkit.study.spec import DEFAULT_MOMENTS
from designkit.testing import random_turns

CUE_EVENT = EventKind.CUE.value  # cues without a kind of their own are named this
MOMENT_S = 0.8  # how long the simulated model speaks at a target, rep or cue


@dataclass(frozen=True, slots=True)
class Preparation:
    """How a study prepares each session for any policy, passed whole from the study to the
    runner's jobs, the explorer and its worker processes: the simulated model's `quality` and the
    truth times it proposes at (`model_moments`, see `Study.model_moments`), the truth times scored
    as TimeSpeak targets (`targets_from`) and the microturn length `dt`."""

    quality: ModelQuality = field(default_factory=ModelQuality)
    model_moments: tuple[str, ...] = DEFAULT_MOMENTS
    targets_from: str = "targets"
    dt: float = 0.2

    @classmethod
    def of(cls, study: Any, quality: str | None = None) -> Preparation:
        """A study's preparation with its model quality named `quality` (default: its first)."""
        return cls(study.quality(quality or study.qualities[0][0]), tuple(study.model_moments), study.targets_from,
                   study.dt)


@dataclass(frozen=True, slots=True)
class Prepared:
    """One session ready for any policy: its cached inputs and its truth."""

    inputs: CachedInputs
    truth: SessionTruth

    def run(self, policy: Decider) -> Replayed:
        """What `policy` does over this session: the engine's decision loop on the cached inputs."""
        return Engine((), policy, dt=self.inputs.dt).replay_cached(self.inputs)

    @property
    def replay(self) -> Prepared:
        """Deprecated (`prepared.replay.run(policy)` from before the one decision loop): use
        `prepared.run(policy)`."""
        warnings.warn("Prepared.replay is deprecated: call Prepared.run(policy)", DeprecationWarning, stacklevel=2)
        return self


def session_rows(policy: Decider, sessions: Sequence[Prepared], *, weights: Mapping[str, float] | None = None,
                 only: Collection[str] | None = None) -> list[dict[str, float]]:
    """Every session metric of `policy` over each prepared session (or `only` these): THE loop
    compare, the runner, the explorer and publish share."""
    return [session_metrics(timeline_of(s.run(policy)), s.truth, weights=weights, only=only) for s in sessions]


def moments_of(truth: SessionTruth) -> list[Moment]:
    """What the agent should do, from truth: speak at turn ends, backchannel at openings."""
    return ([Moment(float(t), Action.SPEAK, duration_s=TURN_S, source="turn_end") for t in truth.respond_at]
            + [Moment(float(t), Action.BACKCHANNEL, "mm-hm", BACKCHANNEL_S, "backchannel") for t in truth.backchannel_at])


def truth_times(truth: Any, name: str) -> list[float]:
    """One kind of time from a scenario truth (or a SessionTruth): turn ends, targets, reps, cues..."""
    aliases = {"turn_ends": "respond_at", "backchannel_opportunities": "backchannel_at"}
    if name == "cues":
        return [float(getattr(c, "t", c)) for c in getattr(truth, "cues", ())]
    values = getattr(truth, name, None)
    if values is None:
        values = getattr(truth, aliases.get(name, name), ())
    return [float(v) for v in list(values)]


def moments_for(truth: Any, names: Sequence[str] = DEFAULT_MOMENTS) -> list[Moment]:
    """Where a study's simulated model proposes (`Study.model_moments`): turn ends and backchannel
    openings by default, or other truth times (targets, reps, cues)."""
    if tuple(names) == DEFAULT_MOMENTS:
        return moments_of(truth_of(truth))
    moments = []
    for name in names:
        for t in truth_times(truth, name):
            if name == "backchannel_opportunities":
                moments.append(Moment(t, Action.BACKCHANNEL, "mm-hm", BACKCHANNEL_S, "backchannel"))
            else:
                moments.append(Moment(t, Action.SPEAK, duration_s=TURN_S if name == "turn_ends" else MOMENT_S,
                                      source=name))
    return moments


def study_truth(truth: Any, targets_from: str = "targets") -> SessionTruth:
    """A scenario's truth as a study scores it: `targets_from` times are the TimeSpeak targets."""
    session = truth_of(truth)
    if targets_from != "targets":
        session = replace(session, targets=np.asarray(sorted(truth_times(truth, targets_from)), dtype=np.float64))
    return session


def prepare_truth(truth: Any, preparation: Preparation, *, seed: int) -> Prepared:
    """A study's session ready for any policy, as `preparation` says: the simulated model proposes
    at its model moments, and its `targets_from` times are scored as TimeSpeak targets."""
    session = study_truth(truth, preparation.targets_from)
    quality, dt = preparation.quality, preparation.dt
    if preparation.model_moments == DEFAULT_MOMENTS:
        return prepare(session, quality=quality, seed=seed, dt=dt)
    proposer = SimulatedProposer(moments_for(truth, preparation.model_moments), duration_s=session.duration_s,
                                 quality=quality, dt=dt, seed=seed)
    return prepare(session, dt=dt, proposer=proposer)


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
    return Prepared(CachedInputs.make({"vad": vad}, proposer.proposals(n), dt=dt, events=events), t)


def synthetic_dialogues(n: int = 20, *, duration_s: float = 60.0, seed: int = 0) -> list[SessionTruth]:
    """Dialogue truths without audio: random user turns, a response due at each turn end and a
    backchannel opening in the middle of turns longer than 2 s. For quick studies and benchmarks."""
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
            if e["kind"] != EventKind.POLICY:
                events.setdefault(k, []).append(Event(t=e["t"], kind=e["kind"], data=e.get("data", {})))
    # Microturns the engine silenced before any policy had a say stay silenced, by the engine's rule
    # (a fault of the policy itself is not one of them: another policy may not fail).
    forced: dict[int, Reason] = {}
    for k, (faults, coverage, consent) in enumerate(zip(*columns[5:], strict=True)):
        perception_faults = any(not f.startswith("policy:") for f in json.loads(faults or "[]"))
        reason = forced_silence(perception_faults=perception_faults, coverage=float(coverage),
                                consent_active=consent != NO_CONSENT_LABEL)
        if reason is not None:
            forced[k] = reason
    inputs = CachedInputs.make(signals, proposals, dt=dt, events=events, forced=forced)
    if truth is None:
        truth = SessionTruth.make(duration_s=len(frame) * dt, user_speech=runs(inputs.user_speaking("vad", 0.5), dt),
                                  name=str(header.get("name", "")))
    return Prepared(inputs, truth_of(truth))
