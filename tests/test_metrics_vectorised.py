"""The array forms of task success, response latencies, interval merging and overlap, the agent's
voice and proposal groups equal their one-at-a-time definitions (the explorer redraws with the array forms; the definitions are the readable rule)."""

from __future__ import annotations

import math

import numpy as np

from designkit.core.decisions import Action
from designkit.metrics.intervals import merge, overlap_seconds
from designkit.metrics.session import session_metrics
from designkit.metrics.task_success import task_success, turn_end_latencies
from designkit.metrics.timeline import Timeline, _groups, timeline_of
from designkit.policy import Policy
from designkit.study.prepare import prepare, synthetic_dialogues

VOICED = {a.value for a in Action if a.is_voiced}


def task_success_by_turn(ends, user, voiced, said, margin=0.5, latency=2.0):  # type: ignore[no-untyped-def]
    """The rule turn end by turn end, as its docstring states it."""
    onsets = np.sort(np.asarray([s for s, _ in user], dtype=float))
    voiced, said = np.sort(voiced), np.sort(said)
    answered = cut_in = 0
    previous = -math.inf
    for e in np.sort(ends).tolist():
        later = onsets[onsets > e + 1e-9]
        nxt = later[0] if len(later) else math.inf
        window = said[(said >= e - margin - 1e-9) & (said <= e + latency + 1e-9) & (said < nxt)]
        started = onsets[onsets > previous + 1e-9]
        begin = started[0] if len(started) else e
        early = bool(np.any((voiced >= begin - 1e-9) & (voiced < e - margin - 1e-9)))
        cut_in += early
        answered += len(window) > 0 and not early
        previous = e
    return answered, len(ends), cut_in


def voice_by_microturn(actions, durations, dt):  # type: ignore[no-untyped-def]
    """The engine's voice rule walked microturn by microturn: (spans, began as a backchannel)."""
    out, backchannel, until = [], [], 0.0
    for k, action in enumerate(actions):
        start, end = k * dt, (k + 1) * dt
        speaking = until > start + 1e-9
        if action in VOICED:
            if not speaking:
                out.append([end, end])
                backchannel.append(action == Action.BACKCHANNEL.value)
            until = end + float(durations[k])
            out[-1][1] = until
        elif action != Action.CONTINUE.value and speaking:
            until = min(until, end)
            out[-1][1] = until
    return np.asarray(out, dtype=float).reshape(-1, 2), np.asarray(backchannel, dtype=bool)


def test_task_success_equals_its_turn_by_turn_rule() -> None:
    rng = np.random.default_rng(0)
    grid = np.round(np.arange(0, 32, 0.2), 1)
    for _ in range(1500):
        starts = np.sort(rng.choice(grid[:150], size=int(rng.integers(0, 8)), replace=False))
        user = [(s, s + rng.choice([0.2, 0.4, 1.0, 2.0])) for s in starts.tolist()]
        ends = rng.choice(grid, size=int(rng.integers(0, 6)), replace=False)
        voiced = rng.choice(grid, size=int(rng.integers(0, 8)))
        said = np.concatenate([voiced, rng.choice(grid, size=int(rng.integers(0, 3)))])
        found = task_success(turn_ends=ends, user_speech=user, voiced_onsets=voiced, answers=said)
        assert (found.answered, found.turns, found.cut_in) == task_success_by_turn(ends, user, voiced, said)


def test_agent_speech_equals_the_voice_walked_microturn_by_microturn() -> None:
    rng = np.random.default_rng(1)
    names = [a.value for a in Action]
    weights = np.array([0.5 if a == "silent" else 0.3 if a == "continue" else 0.05 for a in names])
    for _ in range(1500):
        n = int(rng.integers(1, 60))
        actions = tuple(rng.choice(names, size=n, p=weights / weights.sum()).tolist())
        durations = rng.choice([0.0, 0.2, 0.25, 0.4, 1.0, 1.5], size=n)
        flags = np.zeros(n, dtype=bool)
        timeline = Timeline(0.2, actions, ("x",) * n, durations, flags, np.full(n, -1), flags, "")
        spans, backchannel = voice_by_microturn(actions, durations, 0.2)
        np.testing.assert_array_equal(timeline.agent_speech(), spans)
        np.testing.assert_array_equal(timeline.agent_speech(turns_only=True),
                                      spans[~backchannel] if len(spans) else spans)


def test_proposal_groups_are_runs_of_one_proposal() -> None:
    rng = np.random.default_rng(2)
    for _ in range(500):
        n = int(rng.integers(1, 40))
        keys = rng.integers(0, 3, size=n).tolist()
        present = (rng.random(n) < 0.6).tolist()
        expected, group, previous = [], -1, None
        for key, here in zip(keys, present, strict=True):
            if here and key != previous:
                group += 1
            expected.append(group if here else -1)
            previous = key if here else None
        assert _groups(keys, present).tolist() == expected
        assert _groups([(k, "same") for k in keys], present).tolist() == expected


def test_only_some_metrics_gives_the_same_values_as_all_of_them() -> None:
    truth = synthetic_dialogues(1, duration_s=120.0, seed=3)[0]
    prepared = prepare(truth, seed=3)
    timeline = timeline_of(prepared.run(Policy(confidence=0.5)))
    everything = session_metrics(timeline, prepared.truth)
    wanted = ("task_success", "attention_cost", "response_latency_s", "share:silent:below_confidence")
    some = session_metrics(timeline, prepared.truth, only=wanted)
    assert set(wanted) <= set(some) and len(some) < len(everything)
    np.testing.assert_equal({k: some[k] for k in wanted}, {k: everything[k] for k in wanted})


def merge_one_by_one(intervals):  # type: ignore[no-untyped-def]
    """Sorted intervals joined where they overlap or touch, one after another."""
    out: list[list[float]] = []
    for start, end in intervals.tolist():
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return np.asarray(out, dtype=float).reshape(-1, 2)


def overlap_walked(a, b):  # type: ignore[no-untyped-def]
    """Seconds both sets are active: two pointers over the merged sets, summed as they meet."""
    a, b = merge_one_by_one(a), merge_one_by_one(b)
    i = j = 0
    out = 0.0
    while i < len(a) and j < len(b):
        start, end = max(a[i, 0], b[j, 0]), min(a[i, 1], b[j, 1])
        if end > start:
            out += end - start
        if a[i, 1] < b[j, 1]:
            i += 1
        else:
            j += 1
    return out


def latencies_by_turn(ends, user, agent):  # type: ignore[no-untyped-def]
    """The first agent onset at or after each turn end and before the user's next onset, minus it."""
    onsets = np.sort(np.asarray([s for s, _ in user], dtype=float))
    out = []
    for e in np.sort(ends).tolist():
        later = onsets[onsets > e + 1e-9]
        after = np.sort(agent)[np.sort(agent) >= e - 1e-9]
        if len(after) and (not len(later) or after[0] < later[0]):
            out.append(float(after[0]) - e)
    return out


def random_intervals(rng: np.random.Generator, count: int) -> np.ndarray:
    grid = np.round(np.arange(0, 20, 0.2), 1)
    starts = np.sort(rng.choice(grid, size=count))
    return np.column_stack([starts, starts + rng.choice([0.0, 0.2, 0.4, 1.0, 3.0], size=count)])


def test_merged_intervals_and_their_overlap_equal_the_walk_one_by_one() -> None:
    rng = np.random.default_rng(4)
    for _ in range(1500):
        a = random_intervals(rng, int(rng.integers(0, 9)))
        b = random_intervals(rng, int(rng.integers(0, 9)))
        np.testing.assert_array_equal(merge(a), merge_one_by_one(a) if len(a) else a)
        assert overlap_seconds(a, b) == overlap_walked(a, b)  # the same sum, to the last bit


def test_response_latencies_equal_the_turn_by_turn_rule() -> None:
    rng = np.random.default_rng(5)
    grid = np.round(np.arange(0, 32, 0.2), 1)
    for _ in range(1500):
        user = random_intervals(rng, int(rng.integers(0, 8)))
        ends = rng.choice(grid, size=int(rng.integers(0, 6)), replace=False)
        agent = rng.choice(grid, size=int(rng.integers(0, 8)))
        found = turn_end_latencies(turn_ends=ends, user_speech=user, voiced_onsets=agent)
        assert found.tolist() == latencies_by_turn(ends, [tuple(r) for r in user.tolist()], agent)


def test_held_proposals_from_the_cached_inputs_are_the_proposal_groups() -> None:
    truth = synthetic_dialogues(1, duration_s=300.0, seed=6)[0]
    prepared = prepare(truth, seed=6)
    proposals = prepared.inputs.proposals
    present = [not p.is_empty for p in proposals]
    timeline = timeline_of(prepared.run(Policy(confidence=0.5)))
    assert timeline.proposal_group.tolist() == _groups([id(p) for p in proposals], present).tolist()
    assert timeline.proposed.tolist() == present
    assert timeline.proposal_group.max() > 20  # many proposals, each held a few microturns
