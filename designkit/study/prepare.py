"""Sessions prepared once for any policy: cached signals, proposals and events, with their truth.

Sessions with known truth are prepared once (a `vad` from the truth, the simulated model's
proposals, cue events); each policy then only re-decides (`designkit.policy.replay.PolicyReplay`,
equal to the engine's replay), which is what keeps a slider redraw fast. Used by
`designkit.study.compare`, the runner, the explorer and publish.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from designkit.core.context import EventKind
from designkit.core.decisions import NOTHING, Action, Proposal, Reason
from designkit.core.microturns import speech_mask
from designkit.core.streams import Event
from designkit.errors import InputError
from designkit.metrics.session import SessionTruth, truth_of
from designkit.metrics.timeline import runs
from designkit.policy.replay import PolicyReplay
from designkit.proposers.simulated import ModelQuality, Moment, SimulatedProposer
from designkit.testing import random_turns

CUE_EVENT = EventKind.CUE.value  # cues without a kind of their own are named this


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
        truth = SessionTruth.make(duration_s=len(frame) * dt, user_speech=runs(replay.user, dt),
                                  name=str(header.get("name", "")))
    return Prepared(replay, truth_of(truth))
