"""The Policy spec: validated, immutable, round-trips, and its dial is monotone."""

from __future__ import annotations

import json

import pytest

from designkit.core.context import Context
from designkit.core.decisions import Action, Decision, Proposal, Reason
from designkit.errors import InputError
from designkit.policy import CueSpeak, Policy, TimeSpeak, dial
from designkit.policy.loader import policy_from_dict


def test_round_trip_through_json_and_the_loader() -> None:
    policy = Policy(style="barge_in", confidence=0.8, budget_per_min=float("inf"), context="stressed",
                    initiative=0.4, after_false_interruption="drop",
                    schedules=(TimeSpeak.parse("every 6 s", content="breathe"), TimeSpeak.parse("at 01:30"),
                               TimeSpeak.parse("30 s after event start")),
                    cues=(CueSpeak("inhale", action="backchannel", window_s=2.0),))
    data = json.loads(json.dumps(policy.to_dict()))
    assert Policy.from_dict(data) == policy
    assert policy_from_dict(data) == policy


def test_replace_returns_a_new_policy_and_leaves_the_old_one() -> None:
    calm = Policy(style="wait_for_pause", confidence=0.7, budget_per_min=2)
    public = calm.replace(context="public")
    assert calm.context.value == "focused" and public.context.value == "public"
    assert public.replace(context="focused") == calm


@pytest.mark.parametrize(("knobs", "message"), [
    ({"style": "shout"}, "barge_in"),
    ({"context": "party"}, "do_not_disturb"),
    ({"confidence": 1.2}, "[0, 1]"),
    ({"confidence": -0.1}, "[0, 1]"),
    ({"initiative": 2}, "[0, 1]"),
    ({"yield_microturns": 0}, ">= 1"),
    ({"after_false_interruption": "retry"}, "resume"),
    ({"budget_per_min": -1}, ">= 0"),
])
def test_bad_knobs_say_what_is_valid(knobs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Policy(**knobs)  # type: ignore[arg-type]


def test_a_typo_in_a_knob_lists_the_valid_names() -> None:
    with pytest.raises(InputError, match="confidence"):
        Policy().replace(confidense=0.5)
    with pytest.raises(InputError, match="budget_per_min"):
        Policy.from_dict({"budget": 3})


def test_schedules_in_the_past_and_overlapping_cue_rules_are_errors() -> None:
    with pytest.raises(InputError, match="past"):
        TimeSpeak(at_s=-1.0)
    policy = Policy(schedules=(TimeSpeak.parse("at 00:30"),))
    policy.check_schedules(10.0)
    with pytest.raises(InputError, match="now"):
        policy.check_schedules(31.0)
    with pytest.raises(InputError, match="one rule per cue"):
        Policy(cues=(CueSpeak("inhale"), CueSpeak("inhale", window_s=1.0)))
    with pytest.raises(InputError, match="every N s"):
        TimeSpeak.parse("sometimes")


def test_schedule_text_forms() -> None:
    assert TimeSpeak.parse("every 6 s").every_s == 6.0
    assert TimeSpeak.parse("at 01:02").at_s == 62.0
    later = TimeSpeak.parse("30 s after event door")
    assert (later.after_event, later.delay_s) == ("door", 30.0)


def test_the_initiative_dial_moves_every_knob_one_way() -> None:
    levels = [dial(x / 10) for x in range(11)]
    thresholds = [p.threshold for p in levels]
    budgets = [p.budget.per_min for p in levels]
    gaps = [p.budget.min_gap_s for p in levels]
    assert thresholds == sorted(thresholds, reverse=True)
    assert budgets == sorted(budgets)
    assert gaps == sorted(gaps, reverse=True)
    assert levels[0].threshold == 1.0 and levels[0].budget.per_min == 0.0
    assert levels[-1].threshold == Policy().confidence


def _context(**kw: object) -> Context:
    base: dict[str, object] = {"index": 10, "t": 2.0, "dt": 0.2, "signals": {"vad": 0.0}}
    base.update(kw)
    return Context(**base)  # type: ignore[arg-type]


def test_every_decision_has_a_reason_and_the_same_inputs_give_the_same_decision() -> None:
    proposal = Proposal(Action.SPEAK, 0.9, 0.5, "hello", 1.0)
    context = _context(user_silence_s=1.0)
    policy = Policy()
    first = policy.decide(proposal, context)
    assert first == policy.decide(proposal, context) == Decision(Action.SPEAK, Reason.TURN_END, 0.9, "hello", 1.0)
    assert policy.decide(Proposal(Action.SPEAK, 0.3), context).reason is Reason.BELOW_CONFIDENCE
    assert policy.decide(proposal, _context(user_silence_s=0.2)).reason is Reason.WAITING_FOR_PAUSE
    assert policy.decide(proposal, _context(user_speaking=True, user_speech_s=1.0)).reason is Reason.USER_SPEAKING
    assert policy.decide(proposal, _context(interventions_last_minute=12)).reason is Reason.BUDGET_EXHAUSTED
    assert policy.decide(proposal, _context(since_intervention_s=0.4)).reason is Reason.MIN_GAP


@pytest.mark.parametrize(("knobs", "action", "reason"), [
    ({"style": "barge_in"}, Action.INTERRUPT, Reason.BARGE_IN),
    ({"style": "wait_for_pause"}, Action.SILENT, Reason.USER_SPEAKING),
    ({"style": "backchannel_only"}, Action.SILENT, Reason.STYLE_FORBIDS),
    ({"style": "caption_only"}, Action.CAPTION, Reason.CAPTION_INSTEAD),
    ({"context": "public"}, Action.CAPTION, Reason.CAPTION_INSTEAD),
    ({"context": "do_not_disturb"}, Action.SILENT, Reason.QUIET_MODE),
    ({"initiative": 0.0}, Action.SILENT, Reason.LOW_INITIATIVE),
])
def test_what_a_wish_to_speak_over_the_user_becomes(knobs: dict[str, object], action: Action, reason: Reason) -> None:
    decision = Policy(**knobs).decide(Proposal(Action.SPEAK, 0.95), _context(user_speaking=True, user_speech_s=2.0))  # type: ignore[arg-type]
    assert (decision.action, decision.reason) == (action, reason)


def test_public_mode_drops_voiced_backchannels_and_stressed_mode_shortens() -> None:
    bc = Proposal(Action.BACKCHANNEL, 0.9, 0.5, "mm", 0.5)
    speaking = _context(user_speaking=True, user_speech_s=2.0)
    assert Policy().decide(bc, speaking).action is Action.BACKCHANNEL
    assert Policy(context="public").decide(bc, speaking).reason is Reason.QUIET_MODE
    turn = Proposal(Action.SPEAK, 0.95, 0.5, "ok", 2.0)
    pause = _context(user_silence_s=2.0)
    assert Policy(context="stressed").decide(turn, pause).duration_s < Policy().decide(turn, pause).duration_s
    assert Policy(style="ask_first").decide(turn, pause).action is Action.ASK


def test_a_stressed_user_needs_more_confidence() -> None:
    proposal = Proposal(Action.SPEAK, 0.7)
    pause = _context(user_silence_s=2.0)
    assert Policy(confidence=0.6).decide(proposal, pause).action is Action.SPEAK
    assert Policy(confidence=0.6, context="stressed").decide(proposal, pause).reason is Reason.BELOW_CONFIDENCE


def test_a_turn_end_the_model_is_sure_of_waits_a_shorter_pause() -> None:
    """pause_s 0.6, sure_confidence 0.9: at 0.2 s of silence a 0.95 turn end is answered, a 0.8
    one keeps waiting until 0.6 s; without the knob both wait. Stressed mode still adds 0.4 s."""
    sure, unsure = Proposal(Action.SPEAK, 0.95, 0.5, "ok", 1.0), Proposal(Action.SPEAK, 0.8, 0.5, "ok", 1.0)
    policy = Policy(pause_s=0.6, sure_confidence=0.9)
    short, long = _context(user_silence_s=0.2), _context(user_silence_s=0.6)
    assert policy.decide(sure, short).action is Action.SPEAK
    assert policy.decide(unsure, short).reason is Reason.WAITING_FOR_PAUSE
    assert policy.decide(unsure, long).action is Action.SPEAK
    assert Policy(pause_s=0.6).decide(sure, short).reason is Reason.WAITING_FOR_PAUSE
    stressed = policy.replace(context="stressed")
    assert stressed.decide(sure, short).reason is Reason.WAITING_FOR_PAUSE
    assert stressed.decide(sure, _context(user_silence_s=0.6)).action is Action.SPEAK
    assert Policy.from_dict(policy.to_dict()) == policy
    with pytest.raises(InputError, match="sure_confidence"):
        Policy(sure_confidence=1.5)
