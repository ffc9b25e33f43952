"""evaluate(logs, truths) and compare(policies, sessions): tables a designer reads."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from designkit.cli import main
from designkit.core import Engine
from designkit.log import read_log, replay_to_log
from designkit.metrics.session import SessionTruth, evaluate
from designkit.metrics.timeline import Timeline, timeline_of
from designkit.perception.truth_vad import TruthVAD
from designkit.policy import Policy, TimeSpeak
from designkit.proposers.simulated import PERFECT, Moment, SimulatedProposer
from designkit.study.compare import ci_table, compare
from designkit.study.prepare import prepare, synthetic_dialogues
from designkit.testing import scripted_session


def _hand_timeline() -> Timeline:
    # dt 1 s: speak (2 s) at microturn 1 -> voice 2..4; a yield at 2 cuts it at 3; backchannel at 5 -> 6..6.5.
    actions = ("silent", "speak", "yield", "silent", "silent", "backchannel", "silent", "silent")
    reasons = ("silent:nothing_to_say", "speak:turn_end", "yield:user_barge_in", "silent:user_speaking",
               "silent:below_confidence", "backchannel:opportunity", "silent:nothing_to_say", "silent:nothing_to_say")
    durations = np.array([0, 2.0, 0, 0, 0, 0.5, 0, 0])
    proposed = np.array([False, True, False, True, True, True, False, False])
    groups = np.array([-1, 0, -1, 1, 1, 2, -1, -1])
    user = np.array([False, False, True, True, False, False, False, False])
    return Timeline(1.0, actions, reasons, durations, proposed, groups, user, "hand")


def test_timeline_rebuilds_agent_speech_with_the_engine_rules() -> None:
    t = _hand_timeline()
    np.testing.assert_allclose(t.agent_speech(), [[2.0, 3.0], [6.0, 6.5]])
    np.testing.assert_allclose(t.agent_speech(turns_only=True), [[2.0, 3.0]])
    times, kinds = t.interventions()
    assert times.tolist() == [2.0, 6.0] and kinds == ("speak", "backchannel")
    starts, withheld = t.proposals()
    assert starts.tolist() == [1.0, 3.0, 5.0] and withheld.tolist() == [False, True, False]


def test_evaluate_hand_timeline() -> None:
    truth = SessionTruth.make(duration_s=8.0, user_speech=[(2.5, 4.0)], respond_at=[1.0], name="hand")
    row = evaluate([_hand_timeline()], [truth]).loc["hand"]
    assert row["interventions_per_min"] == pytest.approx(2 / (8 / 60))
    assert row["overlap_ratio"] == pytest.approx(0.5 / 1.5)  # 2.5..3 of 1.5 s of voice
    assert row["yield_latency_s"] == pytest.approx(0.5)  # user at 2.5, voice stops at 3.0
    assert row["share:silent:user_speaking"] == pytest.approx(0.25)  # 1 of 4 proposal microturns
    assert row["share:silent:below_confidence"] == pytest.approx(0.25)
    assert row["deliberate_silence_precision"] == pytest.approx(1.0)  # the proposal at 3 s was not needed
    assert row["silence_regret_per_min"] == 0.0


def test_log_and_replay_give_the_same_metrics(tmp_path: Path) -> None:
    user = [(1.0, 3.0), (4.0, 6.5), (10.0, 12.0)]
    session = scripted_session(user, 14.0, seed=1)
    moments = [Moment(3.1), Moment(6.6), Moment(12.1)]
    engine = Engine([TruthVAD(user)], Policy(pause_s=0.2, schedules=(TimeSpeak(at_s=9.0),)),
                    proposer=SimulatedProposer(moments, duration_s=14.0, quality=PERFECT))
    records = engine.replay(session)
    log = replay_to_log(engine, session, tmp_path / "s.parquet")
    truth = SessionTruth.make(duration_s=14.0, user_speech=user, respond_at=[3.0, 6.5, 12.0], targets=[9.0])
    from_records = evaluate([records], [truth])
    from_log = evaluate([read_log(tmp_path / "s.parquet")], [truth])
    assert from_records.iloc[0].equals(from_log.iloc[0])
    assert timeline_of(log).agent_speech().tolist() == timeline_of(records).agent_speech().tolist()
    assert from_records.iloc[0]["timespeak_hit_rate"] == 1.0
    assert from_records.iloc[0]["task_success"] == 1.0


def test_compare_gives_means_with_intervals_per_policy() -> None:
    sessions = [prepare(t, seed=i) for i, t in enumerate(synthetic_dialogues(8, duration_s=60.0))]
    policies = {"eager": Policy(style="barge_in", confidence=0.3), "calm": Policy(confidence=0.9),
                "quiet": Policy(style="backchannel_only")}
    table = compare(policies, sessions)
    assert set(table["policy"]) == set(policies)
    finite = table.dropna(subset=["mean"])
    assert (finite["low"] <= finite["mean"] + 1e-12).all() and (finite["mean"] <= finite["high"] + 1e-12).all()
    cost = table[table["metric"] == "interventions_per_min"].set_index("policy")["mean"]
    assert cost["eager"] > cost["calm"]
    success = table[table["metric"] == "task_success"].set_index("policy")["mean"]
    assert success["quiet"] == 0.0 and success["eager"] > 0.3
    cells = ci_table(table, ["task_success", "attention_cost"])
    assert list(cells.index) == ["eager", "calm", "quiet"]
    assert cells.loc["quiet", "task_success"] == "0.00 [0.00, 0.00]"


def test_evaluate_checks_its_inputs() -> None:
    from designkit.errors import InputError

    with pytest.raises(InputError):
        evaluate([_hand_timeline()], [])
    with pytest.raises(InputError):
        SessionTruth.make(duration_s=5.0, user_speech=[(3.0, 1.0)])
    # A mapping works as a truth; without user speech the timeline's own (2..4 s) is used, and the
    # agent's turn at 2.0 s starts more than 0.5 s before that turn ends.
    row = evaluate([_hand_timeline()], [{"duration_s": 8.0}]).iloc[0]
    assert row["early_interruption_rate"] == 1.0 and not math.isnan(row["overlap_ratio"])


def test_cli_evaluates_logs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    session = scripted_session([(1.0, 3.0)], 6.0)
    engine = Engine([TruthVAD([(1.0, 3.0)])], Policy(pause_s=0.2),
                    proposer=SimulatedProposer([Moment(3.1)], duration_s=6.0, quality=PERFECT))
    replay_to_log(engine, session, tmp_path / "a.parquet")
    assert main(["evaluate", str(tmp_path / "a.parquet"), "--json"]) == 0
    out = capsys.readouterr().out
    assert '"interventions_per_min": 10.0' in out


def test_a_recorded_session_replays_its_own_decisions_from_the_log() -> None:
    from designkit.log import replay_to_log
    from designkit.study.prepare import prepare_log
    from designkit.testing import rechunk

    user = [(1.0, 3.0), (4.0, 6.5), (10.0, 12.0)]
    # Some audio went missing: those microturns were silenced as gaps, and stay so.
    session = rechunk(scripted_session(user, 14.0, seed=2), np.random.default_rng(5), max_s=0.5, drop=0.15)
    policy = Policy(pause_s=0.2, schedules=(TimeSpeak.parse("every 5 s"),))
    engine = Engine([TruthVAD(user)], policy,
                    proposer=SimulatedProposer([Moment(3.1), Moment(6.6), Moment(12.1)], duration_s=14.0))
    log = replay_to_log(engine, session)
    again = prepare_log(log).run(policy)
    assert [d.action.value for d in again.decisions] == list(log.frame["action"])
    assert [d.reason.value for d in again.decisions] == list(log.frame["reason"])
    assert "silent:gap" in set(log.frame["reason"])


def test_scenario_truth_is_read_as_session_truth() -> None:
    from designkit.metrics.session import truth_of
    from designkit.policy import CueSpeak
    from designkit.scenarios.truth import Cue, Segment, Truth

    truth = Truth(duration=20.0, user_speech=(Segment(1.0, 3.0), Segment(5.0, 8.0)), turn_ends=(3.0, 8.0),
                  holds=((3.0, 3.5),), backchannel_opportunities=(6.5,), cues=(Cue(12.0, "switch"),),
                  targets=(15.0,))
    plain = truth_of(truth)
    assert plain.respond_at.tolist() == [3.0, 8.0] and plain.backchannel_at.tolist() == [6.5]
    assert plain.cue_kinds == ("switch",) and plain.should_not_speak.tolist() == [[3.0, 3.5]]
    # The cue reaches a CueSpeak rule by its kind, in the microturn it happened.
    table = compare({"cued": Policy(cues=(CueSpeak("switch"),))}, [prepare(truth)]).set_index("metric")["mean"]
    assert table["cue_recall"] == 1.0 and table["cue_latency_s"] == pytest.approx(0.2)
