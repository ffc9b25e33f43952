"""Wizard-of-Oz modes in scripted sessions: what an operator and a participant would notice.

Override: the policy runs and the operator acts at any time. Veto: each proposal waits for the
operator, and a timeout does what the designer chose. Full wizard: only the operator starts
anything. Every path of the engine (replay, cached replay) gives the same decisions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designkit.core import Engine, Event, Microturn, StepRecord
from designkit.core.cached import CachedInputs
from designkit.core.decisions import Action, Reason
from designkit.perception.truth_vad import TruthVAD
from designkit.policy import Policy
from designkit.proposers.simulated import Moment, SimulatedProposer
from designkit.testing import random_turns

DT = 0.2
SILENCE = np.zeros(3200, dtype=np.float32)
USER = [(1.0, 3.0), (5.0, 7.0), (9.0, 10.0)]
# The model wants to answer each turn right after it ends.
MOMENTS = [Moment(3.2, content="I see."), Moment(7.2, content="Right."), Moment(10.2, content="Okay.")]


def wizard(t: float, action: str, **data: object) -> Event:
    return Event(t=t, kind="wizard", data={"action": action, **data})


def microturns(duration_s: float, events: Sequence[Event]) -> list[Microturn]:
    by_index: dict[int, list[Event]] = {}
    for e in events:
        by_index.setdefault(int(e.t / DT + 1e-9), []).append(e)
    return [Microturn(index=k, dt=DT, audio=SILENCE, coverage=1.0, events=tuple(by_index.get(k, ())))
            for k in range(round(duration_s / DT))]


def run(events: Sequence[Event], duration_s: float = 12.0, *, user: Sequence[tuple[float, float]] = USER,
        moments: Sequence[Moment] = MOMENTS, policy: Policy | None = None) -> list[StepRecord]:
    """Replay, and check that the cached replay decides exactly the same."""
    policy = policy or Policy(pause_s=0.2)
    turns = microturns(duration_s, events)
    vad = TruthVAD(user)
    proposer = SimulatedProposer(moments, duration_s=duration_s)
    records = Engine([vad], policy, proposer=proposer).replay(turns)
    inputs = CachedInputs.make(vad.replay(turns), proposer.proposals(len(turns)), dt=DT,
                               events={m.index: m.events for m in turns if m.events})
    fast = Engine((), policy, dt=DT).replay_cached(inputs)
    assert [r.decision for r in records] == list(fast.decisions)
    return records


def spoken(records: Sequence[StepRecord]) -> list[tuple[int, str, str]]:
    return [(r.index, r.decision.action.value, r.decision.reason.value) for r in records
            if r.decision.action.is_intervention]


def test_in_override_mode_the_policy_answers_each_turn_and_the_operator_can_add_a_line() -> None:
    records = run([wizard(0.0, "mode", mode="override"), wizard(4.1, "speak", content="One more thing.")])
    said = spoken(records)
    assert [s[2] for s in said] == ["speak:turn_end", "wizard", "speak:turn_end", "speak:turn_end"]
    assert said[1][0] == 20  # the operator's line in the microturn it arrived in


def test_in_full_wizard_mode_the_policy_starts_nothing_and_only_the_operator_speaks() -> None:
    records = run([wizard(0.0, "mode", mode="full"), wizard(7.5, "speak", content="Tell me more.")])
    assert spoken(records) == [(37, "speak", "wizard")]
    # The model still proposed at each turn end: the log shows what it wanted.
    assert {r.proposal.content for r in records if r.proposal.action is Action.SPEAK} == {"I see.", "Right.", "Okay."}


def test_in_veto_mode_a_proposal_waits_and_an_approval_in_time_lets_it_speak() -> None:
    first = run([wizard(0.0, "mode", mode="veto", veto_ms=1000)])
    index = spoken(run([]))[0][0]  # where the policy alone would speak
    assert not any(r.decision.action.is_intervention for r in first[index:index + 5])
    approved = run([wizard(0.0, "mode", mode="veto", veto_ms=1000), wizard((index + 2) * DT, "approve", answers=index)])
    said = spoken(approved)
    assert said[0] == (index + 2, "speak", "wizard")  # spoken when approved, with the proposal's content
    assert approved[index + 2].decision.content == "I see."


def test_a_denied_proposal_is_not_said_and_the_model_asking_again_waits_again() -> None:
    index = spoken(run([]))[0][0]
    records = run([wizard(0.0, "mode", mode="veto", veto_ms=1000, on_timeout="approve"),
                   wizard((index + 1) * DT, "deny", answers=index)])
    assert records[index + 1].decision == records[index].decision  # silent: the operator said no
    asked_again = spoken(records)[0]
    assert asked_again[0] == index + 2 + 5  # the model's next wish waited its full second
    assert asked_again[2] == "speak:turn_end"


@pytest.mark.parametrize(("veto_ms", "on_timeout"), [(600, "approve"), (1000, "approve"), (1000, "deny")])
def test_an_unanswered_proposal_does_what_the_designer_chose_when_its_wait_ends(veto_ms: int, on_timeout: str) -> None:
    index = spoken(run([]))[0][0]
    records = run([wizard(0.0, "mode", mode="veto", veto_ms=veto_ms, on_timeout=on_timeout)])
    deadline = index + round(veto_ms / 1000 / DT)  # the first microturn whose end reaches the wait's end
    before = [r for r in records[index:deadline] if r.decision.action.is_intervention]
    assert before == []
    at = records[deadline].decision
    if on_timeout == "approve":
        assert (at.action, at.reason, at.content) == (Action.SPEAK, Reason.TURN_END, "I see.")
    else:
        assert (at.action, at.reason) == (Action.SILENT, Reason.WIZARD)


def test_a_late_answer_changes_nothing() -> None:
    index = spoken(run([]))[0][0]
    base = [wizard(0.0, "mode", mode="veto", veto_ms=600, on_timeout="deny")]
    late = run([*base, wizard((index + 5) * DT, "approve", answers=index)])
    assert [r.decision for r in late] == [r.decision for r in run(base)]


def test_hold_keeps_the_agent_silent_until_released_and_interrupt_speaks_over_the_person() -> None:
    records = run([wizard(0.0, "hold"), wizard(8.0, "release"), wizard(9.4, "interrupt", content="Sorry!")])
    said = spoken(records)
    assert all(s[0] >= 40 for s in said)  # nothing before the release at 8 s
    assert (47, "interrupt", "wizard") in said  # over the person's turn (9-10 s)
    assert records[47].user_speaking


def test_a_note_changes_nothing_the_agent_does() -> None:
    noted = run([wizard(4.0, "note", note="participant smiled")])
    assert [r.decision for r in noted] == [r.decision for r in run([])]


def test_switching_modes_live_applies_from_the_microturn_it_arrives_in() -> None:
    records = run([wizard(0.0, "mode", mode="full"), wizard(6.0, "mode", mode="override")])
    assert [s[2] for s in spoken(records)] == ["speak:turn_end", "speak:turn_end"]  # the turns after 6 s


def test_falling_back_to_the_policy_releases_a_hold() -> None:
    records = run([wizard(0.0, "mode", mode="full"), wizard(1.0, "hold"),
                   wizard(6.0, "mode", mode="override", release=True, by="relay")])
    assert [s[2] for s in spoken(records)] == ["speak:turn_end", "speak:turn_end"]


def test_a_mode_event_the_engine_cannot_read_is_a_fault_and_the_session_goes_on() -> None:
    records = run([wizard(1.0, "mode", mode="sideways"), wizard(2.0, "mode", mode="full")])
    assert records[5].decision.reason is Reason.FAULT and "sideways" in records[5].faults[0]
    assert spoken(records) == []  # the full-wizard switch after it applied


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), mode=st.sampled_from(["override", "veto", "full"]),
       veto_ms=st.sampled_from([0, 300, 1000, 2500]), on_timeout=st.sampled_from(["approve", "deny"]))
def test_every_way_of_replaying_a_wizard_session_decides_the_same(seed: int, mode: str, veto_ms: int,
                                                                 on_timeout: str) -> None:
    rng = np.random.default_rng(seed)
    user = random_turns(30.0, rng)
    moments = [Moment(e + 0.2, content="Mm.") for _, e in user]
    events = [wizard(0.0, "mode", mode=mode, veto_ms=veto_ms, on_timeout=on_timeout)]
    for _ in range(6):
        t = float(rng.uniform(0, 30))
        action = str(rng.choice(["speak", "stop", "hold", "release", "approve", "deny", "backchannel", "note"]))
        events.append(wizard(t, action, answers=int(t / DT) - int(rng.integers(0, 4))))
    events.append(wizard(float(rng.uniform(0, 30)), "mode", mode=str(rng.choice(["override", "veto", "full"]))))
    run(events, 30.0, user=user, moments=moments)  # asserts replay == cached replay


def test_a_mode_reads_back_from_the_event_it_writes() -> None:
    from designkit.core.wizard_modes import ModeState, OnTimeout, WizardMode

    state = ModeState(WizardMode.VETO, 0.6, OnTimeout.APPROVE)
    assert ModeState.from_data(state.to_dict()) == state
    assert ModeState.from_data({"mode": "full"}, state) == ModeState(WizardMode.FULL, 0.6, OnTimeout.APPROVE)
