"""Model signals become proposals with confidence; a failing perceiver makes the loop silent, not dead."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pytest

from designkit.core import Engine
from designkit.core.clock import VirtualClock
from designkit.core.context import Context
from designkit.core.decisions import Action, Reason
from designkit.core.microturns import Microturn
from designkit.errors import InputError
from designkit.perception.audio.silero import SileroVAD
from designkit.perception.audio.turn_taking import TurnTakingModel, untrained
from designkit.policy import Policy, SpeakAfterSilence
from designkit.proposers.turn_taking import TurnTakingProposer
from designkit.testing import scripted_session


def context(*, eot: float = 0.0, bc: float = 0.0, user_speaking: bool = False, silence_s: float = 0.4,
            agent_speaking: bool = False, spoke: bool = True) -> Context:
    return Context(index=10, t=2.0, dt=0.2, signals={"eot": eot, "bc": bc}, user_speaking=user_speaking,
                   user_silence_s=math.inf if user_speaking else silence_s,
                   user_spoke_since_agent=spoke, agent_speaking=agent_speaking)


def test_a_likely_turn_end_proposes_to_respond_with_that_confidence() -> None:
    proposal = TurnTakingProposer(respond_duration_s=1.8).propose(context(eot=0.83))
    assert proposal.action is Action.SPEAK and proposal.confidence == pytest.approx(0.83)
    assert proposal.source == "model:turn_end" and proposal.duration_s == 1.8


def test_while_the_user_speaks_a_backchannel_opportunity_proposes_mm_hm_then_the_next_word() -> None:
    proposer = TurnTakingProposer()
    first = proposer.propose(context(bc=0.7, eot=0.9, user_speaking=True))
    second = proposer.propose(context(bc=0.6, user_speaking=True))
    assert first.action is Action.BACKCHANNEL and first.content == "mm-hm" and first.confidence == pytest.approx(0.7)
    assert second.content == "yeah"
    proposer.reset()
    assert proposer.propose(context(bc=0.6, user_speaking=True)).content == "mm-hm"


@pytest.mark.parametrize("case", [
    {"eot": 0.9, "agent_speaking": True},          # yielding is the policy's call
    {"eot": 0.9, "spoke": False},                  # nobody spoke since the agent did
    {"eot": 0.1, "bc": 0.2},                       # below min_confidence
    {"eot": math.nan, "bc": math.nan},             # a faulty signal is no reason to speak
    {"bc": 0.9, "silence_s": 3.0},                 # too long after the user's speech for "mm-hm"
])
def test_no_proposal_when_the_model_has_no_reason(case: dict[str, float | bool]) -> None:
    assert TurnTakingProposer().propose(context(**case)).action is Action.SILENT  # type: ignore[arg-type]


def test_bad_settings_are_refused() -> None:
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        TurnTakingProposer(min_confidence=2.0)
    with pytest.raises(InputError, match="at least one word"):
        TurnTakingProposer(backchannels=())


class FailsAt:
    """A perceiver that raises in chosen microturns (a model crashing mid-session)."""

    name = "flaky"
    columns = ("flaky",)

    def __init__(self, bad: set[int]) -> None:
        self.bad = bad

    def reset(self) -> None:
        return None

    def step(self, microturn: Microturn) -> Mapping[str, float]:
        if microturn.index in self.bad:
            raise RuntimeError("model crashed")
        return {"flaky": 0.0}

    def replay(self, microturns: Sequence[Microturn]) -> Mapping[str, npt.NDArray[np.float64]]:
        if any(m.index in self.bad for m in microturns):
            raise RuntimeError("model crashed")
        return {"flaky": np.zeros(len(microturns))}


def test_a_failing_perceiver_gives_silent_fault_is_logged_and_the_loop_goes_on() -> None:
    session = list(scripted_session([(0.4, 1.4)], 4.0, seed=2).microturns())
    engine = Engine([SileroVAD(), TurnTakingModel(net=untrained(seed=3)), FailsAt({3, 12})],
                    SpeakAfterSilence(), proposer=TurnTakingProposer())
    records = engine.replay(session)
    assert len(records) == len(session)
    for record in records:
        if record.index in (3, 12):
            assert record.decision.reason is Reason.FAULT
            assert record.faults and "flaky" in record.faults[0] and "model crashed" in record.faults[0]
            assert math.isnan(record.signals["flaky"]) and not math.isnan(record.signals["eot"])
        else:
            assert record.decision.reason is not Reason.FAULT and not record.faults
    engine.reset()
    stepped = [engine.step(turn) for turn in session]
    assert stepped == [r.decision for r in records]


def test_the_audio_stack_drives_a_policy_the_same_live_and_in_replay() -> None:
    session = list(scripted_session([(0.4, 2.0), (2.6, 3.4)], 6.0, seed=4).microturns())
    engine = Engine([SileroVAD(), TurnTakingModel(net=untrained(seed=6))], Policy(),
                    proposer=TurnTakingProposer(min_confidence=0.0))
    replayed = engine.replay(session)
    engine.reset()
    assert [engine.step(turn) for turn in session] == [r.decision for r in replayed]
    assert all(r.proposal.source in ("", "model:turn_end", "model:backchannel") for r in replayed)


class SlowAt:
    """A perceiver that takes 0.5 s (on the engine's clock) in chosen microturns."""

    name = "slow"
    columns = ("slow",)

    def __init__(self, clock: VirtualClock, slow: set[int]) -> None:
        self.clock = clock
        self.slow = slow

    def reset(self) -> None:
        return None

    def step(self, microturn: Microturn) -> Mapping[str, float]:
        if microturn.index in self.slow:
            self.clock.advance(0.5)
        return {"slow": 1.0}

    def replay(self, microturns: Sequence[Microturn]) -> Mapping[str, npt.NDArray[np.float64]]:
        return {"slow": np.ones(len(microturns))}


def test_a_perceiver_that_times_out_live_gives_silent_fault_and_the_loop_goes_on() -> None:
    clock = VirtualClock()
    session = list(scripted_session([(0.4, 1.4)], 3.0, seed=2).microturns())
    engine = Engine([SileroVAD(), SlowAt(clock, {4})], SpeakAfterSilence(), clock=clock,
                    perceiver_timeout_s=0.1, proposer=TurnTakingProposer())
    decisions = [engine.step(turn) for turn in session]
    assert decisions[4].reason is Reason.FAULT
    assert engine.last_record is not None and len(decisions) == len(session)
    assert all(d.reason is not Reason.FAULT for i, d in enumerate(decisions) if i != 4)
