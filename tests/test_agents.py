"""The four agents without a browser: what they say, when, and that live stepping equals replay."""

from __future__ import annotations

import numpy as np
import pytest

from designkit.agents import Script, ScriptedProposer, audio_models_installed
from designkit.agents.breathing import build as breathing
from designkit.agents.breathing import parse_pattern
from designkit.agents.language import CorrectionProposer
from designkit.core import Engine, Session
from designkit.core.decisions import Action, Proposal
from designkit.core.streams import Event
from designkit.errors import InputError
from designkit.perception.audio.energy import EnergyVAD
from designkit.policy import Policy
from designkit.testing import scripted_session

needs_models = pytest.mark.skipif(not audio_models_installed(), reason="needs onnxruntime + silero-vad")


def spoken(decisions: list) -> list[tuple[float, str]]:
    return [(round(r.t + r.dt, 2), r.decision.content) for r in decisions
            if r.decision.action in (Action.SPEAK, Action.INTERRUPT, Action.CAPTION)]


def test_a_script_refuses_unknown_intents_and_empty_lines() -> None:
    with pytest.raises(InputError, match="script intent"):
        Script({"greeting": ("hi",)})
    with pytest.raises(InputError, match="at least one line"):
        Script({"answer": ("  ",)})
    script = Script({"count": ("{said}!",)})
    assert script.line("count", 0, "7") == "7!"
    assert Script.from_dict(script.to_dict()) == script


def test_breathing_cues_land_on_the_4_2_6_schedule_when_nobody_speaks() -> None:
    agent = breathing(pattern="4-2-6", start_s=1.0)
    quiet = np.zeros(16000 * 26, np.int16)
    said = spoken(agent.engine.replay(Session.from_array(quiet, chunk_s=0.2)))
    assert said == [(1.0, "Breathe in"), (5.0, "Hold"), (7.0, "Breathe out"), (13.0, "Breathe in"),
                    (17.0, "Hold"), (19.0, "Breathe out"), (25.0, "Breathe in")]
    assert parse_pattern("4-7-8") == (4.0, 7.0, 8.0)
    with pytest.raises(InputError):
        parse_pattern("4-2")


def test_the_breathing_coach_waits_while_the_user_talks_then_starts_a_new_cycle() -> None:
    agent = breathing(pattern="4-2-6", start_s=1.0)
    # The scripted "speech" is loud noise: the loudness detector hears it (Silero rightly does not).
    engine = Engine([EnergyVAD()], agent.engine.policy, proposer=agent.engine.proposer)
    session = scripted_session([(3.0, 6.0)], 20.0, seed=2)  # the user talks from 3 s to 6 s
    said = spoken(engine.replay(session))
    assert said[0] == (1.0, "Breathe in")
    assert all(not 3.0 <= t <= 6.0 for t, _ in said)  # nothing said over the user
    restart = next(t for t, line in said if t > 6.0)
    assert 6.8 <= restart <= 7.8 and dict(said)[restart] == "Breathe in"  # a new cycle ~1 s after


def test_an_edited_line_is_used_from_the_microturn_after_the_edit_and_replays_the_same() -> None:
    class EveryTwoSeconds:
        def reset(self) -> None:
            return None

        def propose(self, context):  # type: ignore[no-untyped-def]
            if round(context.end * 10) % 20 == 0:
                return Proposal(Action.SPEAK, confidence=1.0, urgency=1.0, source="model:turn_end")
            return Proposal()

    proposer = ScriptedProposer(EveryTwoSeconds(), Script({"answer": ("first",)}), intents={"model:turn_end": "answer"})
    edit = Event(t=3.0, kind="script", data={"lines": {"answer": ["second"]}})
    session = Session.from_array(np.zeros(16000 * 6, np.int16), chunk_s=0.2, events=(edit,))
    engine = Engine([], Policy(confidence=0.5, min_gap_s=0.0), proposer=proposer)
    said = spoken(engine.replay(session))
    assert said == [(2.0, "first"), (4.0, "second"), (6.0, "second")]


def test_the_language_coach_corrects_once_per_utterance() -> None:
    from designkit.core.context import Context

    proposer = CorrectionProposer("es")

    def ctx(end: float, cue: float, since: float, silence: float) -> Context:
        return Context(index=int(end / 0.2) - 1, t=end - 0.2, dt=0.2, signals={"cue_code_switch": cue},
                       user_speaking=silence == 0, user_silence_s=silence or float("inf") if silence else 0.0,
                       since_intervention_s=since)

    assert proposer.propose(ctx(2.0, 1.0, 99, 0)).source == "cue:code_switch"
    assert proposer.propose(ctx(2.2, 0.0, 0.2, 0)).action is Action.SILENT  # said in the last microturn
    assert proposer.propose(ctx(2.4, 1.0, 0.4, 0)).action is Action.SILENT  # same utterance: let go
    assert proposer.propose(ctx(4.0, 1.0, 2.0, 1.0)).action is Action.SPEAK  # a new utterance


@needs_models
def test_the_live_session_runs_the_model_stack_by_default(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from designkit.widgets import LiveSession

    session = LiveSession(log_dir=tmp_path, voice=False)
    assert session.listening.startswith("Silero VAD + turn-taking model")
    assert [p.name for p in session.engine.perceivers] == ["silero_vad", "turn_taking"]
    assert "answers with its scripted lines" in session.listening  # agents.conversation() talks where it can


@needs_models
def test_the_conversation_agent_steps_exactly_as_it_replays() -> None:
    from designkit.agents import conversation

    session = scripted_session([(0.6, 2.4), (3.6, 5.0), (7.0, 9.0)], 12.0, seed=4)
    engine = conversation.build(talk=False).engine  # the scripted lines (a talking one: test_talk_answer.py)
    replayed = engine.replay(session)
    engine.reset()
    stepped = engine.step_through(session)
    assert [r.decision for r in stepped] == [r.decision for r in replayed]
    assert [r.signals for r in stepped] == [r.signals for r in replayed]
