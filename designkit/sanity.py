"""Sanity anchors: what every metric must score for an oracle and for the two null agents.

    from designkit import sanity, scenarios
    for scenario in scenarios.get("dialogue-basic", n=2):
        failures = sanity.check(scenario)        # [] when every metric scores its anchors

Three agents run through the real engine on a scenario's own audio (the user's speech comes
from the truth, through `TruthVAD`, so the check is about the metrics, not about a VAD):

- *oracle*: `OracleProposer` proposes exactly what the truth asks for (answer each real turn
  end, backchannel in the openings, speak at each TimeSpeak target, react to each cue at the
  user's next pause, or by caption when there is none), each utterance ending before the user
  speaks again; `FollowProposals` acts on every proposal.
- *never*: the same proposals, and `NeverSpeak` keeps quiet.
- *always*: `AlwaysSpeak` talks in every microturn and never yields.

`ANCHORS` says, metric by metric, what each must score (a number worked out from the truth and
the oracle's plan, or NaN where the metric does not apply), read from each metric's declaration
in `designkit.metrics.catalogue`; `check` lists every miss. To try other anchors, pass a copy of
`ANCHORS` with your rows to `check(scenario, anchors=...)`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from designkit.core.decisions import BACKCHANNEL_S, NOTHING, TURN_S, Action, Proposal
from designkit.core.engine import Context, Engine
from designkit.core.session import Session
from designkit.metrics.anchors import AGENTS, Expect, Expected, Facts, Planned
from designkit.metrics.catalogue import CATALOGUE
from designkit.metrics.session import CUE_WINDOW_S, SessionTruth, session_metrics, truth_of
from designkit.metrics.timeline import timeline_of
from designkit.perception.truth_vad import TruthVAD
from designkit.policy.anchors import AlwaysSpeak, FollowProposals, NeverSpeak

TARGET_S, CUE_S = 1.0, 1.0


class OracleProposer:
    """Proposes, from a session's truth, exactly what a perfect agent would do, one microturn each.

    Context-free (proposals depend on time only), so `designkit.metrics.compare.prepare` can cache
    it too. `plan` lists what it will propose.
    """

    context_free = True

    def __init__(self, truth: Any, *, dt: float = 0.2) -> None:
        self.truth = truth_of(truth)
        self.dt = float(dt)
        self.plan = _plan(self.truth, self.dt)
        self._by_index = {p.k: Proposal(p.action, 1.0, 1.0, f"{p.source} {i}", p.duration_s, p.source)
                          for i, p in enumerate(self.plan)}

    def reset(self) -> None:
        return None

    def propose(self, context: Context) -> Proposal:
        return self._by_index.get(context.index, NOTHING)

    def proposals(self, n: int) -> list[Proposal]:
        return [self._by_index.get(k, NOTHING) for k in range(n)]


def _user_silent(user: np.ndarray, start: float, end: float) -> bool:
    return not bool(np.any((user[:, 0] < end) & (user[:, 1] > start))) if len(user) else True


def _plan(truth: SessionTruth, dt: float) -> list[Planned]:
    user = truth.user_speech
    wanted: list[tuple[int, int, Action, float, str]] = []  # (k, priority, action, duration, source)
    for t in truth.respond_at.tolist():
        wanted.append((math.floor(t / dt + 1e-9), 0, Action.SPEAK, TURN_S, "turn_end"))
    for t in truth.targets.tolist():
        wanted.append((math.floor(t / dt + 1e-9), 0, Action.SPEAK, TARGET_S, "target"))
    cues = truth.cues.tolist()
    for i, c in enumerate(cues):
        first = math.floor(c / dt + 1e-9)
        close = min(c + CUE_WINDOW_S, cues[i + 1] if i + 1 < len(cues) else math.inf)
        last = math.floor(close / dt - 1e-9) - 1
        quiet = next((k for k in range(first, last + 1) if _user_silent(user, (k + 1) * dt, (k + 1) * dt + 0.4)), None)
        wanted.append((first, 0, Action.CAPTION, CUE_S, "cue") if quiet is None
                      else (quiet, 0, Action.SPEAK, CUE_S, "cue"))
    for t in truth.backchannel_at.tolist():
        wanted.append((math.floor(t / dt + 1e-9), 1, Action.BACKCHANNEL, BACKCHANNEL_S, "backchannel"))
    n = max(1, math.ceil(truth.duration_s / dt - 1e-9))
    placed: list[tuple[int, int, Action, float, str]] = []
    for k, prio, action, duration, source in sorted(wanted, key=lambda w: (w[0], w[1])):
        if placed and k <= placed[-1][0] + 1:  # one silent microturn between two acts
            if prio == 1:
                continue
            if placed[-1][1] == 1:
                placed.pop()
            if placed:
                k = max(k, placed[-1][0] + 2)
        if k < n - 1:
            placed.append((k, prio, action, duration, source))
    out: list[Planned] = []
    onsets = user[:, 0] if len(user) else np.zeros(0)
    for i, (k, _, action, duration, source) in enumerate(placed):
        onset = (k + 1) * dt
        limit = ((placed[i + 1][0] + 1) * dt - dt - onset) if i + 1 < len(placed) else math.inf
        if action.is_voiced:
            later = onsets[onsets > onset + 1e-9]
            limit = min(limit, float(later[0]) - onset if len(later) else math.inf)
        out.append(Planned(k, action, round(max(0.05, min(duration, limit - 1e-3)), 6), source))
    return out


def run_agents(scenario: Any, *, dt: float = 0.2) -> dict[str, dict[str, float]]:
    """Each anchor agent's metrics on one scenario (audio + truth), through the real engine."""
    truth = truth_of(scenario)
    audio = np.asarray(scenario.audio, dtype=np.float32)
    session = Session.from_array(audio, chunk_s=1.0, dt=dt, name=truth.name)
    oracle = OracleProposer(truth, dt=dt)
    vad = TruthVAD([tuple(r) for r in truth.user_speech.tolist()])
    out: dict[str, dict[str, float]] = {}
    for agent, policy in (("oracle", FollowProposals()), ("never", NeverSpeak()), ("always", AlwaysSpeak())):
        engine = Engine([vad], policy, proposer=oracle, dt=dt, replay_workers=1)
        out[agent] = session_metrics(timeline_of(engine.replay(session)), truth)
    return out


def facts_of(truth: Any, *, dt: float = 0.2, n: int | None = None) -> Facts:
    t = truth_of(truth)
    plan = tuple(_plan(t, dt))
    sources: dict[str, int] = {}
    for p in plan:
        sources[p.source] = sources.get(p.source, 0) + 1
    return Facts(t, plan, n if n is not None else max(1, math.ceil(t.duration_s / dt - 1e-9)), dt, sources)


# metric -> agent -> expectation, from each metric's declaration (`designkit.metrics.catalogue`).
# Exact numbers are worked out from the truth and the oracle's plan; (low, high) is a range; NaN
# says the metric does not apply (and must come out NaN).
ANCHORS: dict[str, dict[str, Expect]] = {name: m.anchors.by_agent() for name, m in CATALOGUE.items()}


@dataclass(frozen=True, slots=True)
class Miss:
    """One metric that did not score its anchor."""

    scenario: str
    metric: str
    agent: str
    expected: Expected
    got: float

    def __str__(self) -> str:
        return f"{self.scenario}: {self.metric} for the {self.agent} agent is {self.got!r}, expected {self.expected!r}"


def _meets(got: float, expected: Expected, tol: float = 1e-6) -> bool:
    if isinstance(expected, tuple):
        return math.isfinite(got) and expected[0] - tol <= got <= expected[1] + tol
    if math.isnan(expected):
        return math.isnan(got)
    return math.isfinite(got) and abs(got - expected) <= tol * max(1.0, abs(expected))


def anchors_for(metrics: Sequence[str]) -> dict[str, dict[str, Expect]]:
    """The anchors of these metric names, from their declarations."""
    missing = [m for m in metrics if m not in CATALOGUE]
    if missing:
        raise KeyError(f"no sanity anchor for metric {missing[0]!r}: declare it (anchors included) in "
                       "designkit.metrics.catalogue")
    return {m: CATALOGUE[m].anchors.by_agent() for m in metrics}


def check(scenario: Any, *, metrics: Sequence[str] | None = None, dt: float = 0.2,
          anchors: Mapping[str, Mapping[str, Expect]] | None = None) -> list[Miss]:
    """Every (metric, agent) whose score on this scenario misses its anchor; [] when all hold.

    A share column missing from a session's metrics (no proposal withheld for that reason) reads
    0 when there were proposals, NaN when there were none. The always-agent must also cost more
    attention than the oracle.
    """
    if metrics is None:
        from designkit.metrics import METRICS

        metrics = METRICS
    table = dict(anchors) if anchors is not None else anchors_for(metrics)
    scores = run_agents(scenario, dt=dt)
    n = max(1, math.ceil(len(np.asarray(scenario.audio)) / 16_000 / dt - 1e-9))
    facts = facts_of(scenario, dt=dt, n=n)
    name = facts.truth.name or str(getattr(scenario, "name", "scenario"))
    misses: list[Miss] = []
    for metric in metrics:
        for agent in AGENTS:
            expected = table[metric][agent](facts)
            got = scores[agent].get(metric, math.nan)
            if metric.startswith("share:") and metric not in scores[agent] and facts.acts > 0:
                got = 0.0
            if not _meets(float(got), expected):
                misses.append(Miss(name, metric, agent, expected, float(got)))
    if "attention_cost" in metrics and not scores["always"]["attention_cost"] > scores["oracle"]["attention_cost"]:
        misses.append(Miss(name, "attention_cost", "always", (scores["oracle"]["attention_cost"], math.inf),
                           scores["always"]["attention_cost"]))
    return misses


__all__ = ["AGENTS", "ANCHORS", "Facts", "Miss", "OracleProposer", "Planned", "anchors_for", "check",
           "facts_of", "run_agents"]
