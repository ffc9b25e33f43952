"""The four ready agents as live widgets: one call each returns a LiveSession to display.

    from designkit.widgets import agents
    session = agents.conversation()              # display(session, Controls(session))
    session = agents.breathing_coach("4-2-6")
    session = agents.language_coach("es", at_once=False)
    session = agents.exercise_coach("squat", aloud=True)

Each takes the LiveSession's own keywords too (`log_dir`, `voice`, `name`, ...). The lines the
agent says are in `session.script`; `Controls(session)` shows them for editing.
"""

from __future__ import annotations

from typing import Any

from designkit.agents import breathing, exercise, language
from designkit.agents import conversation as _conversation
from designkit.proposers.answer_proposer import QUESTION_CONFIDENCE
from designkit.widgets.live import LiveSession


def conversation(*, policy: Any = None, script: Any = None, talk: bool | None = None, model: Any = None,
                 persona: Any = None, question_confidence: float | None = QUESTION_CONFIDENCE, **live: Any) -> LiveSession:
    """Talk with the turn-taking model: answers at turn ends, backchannels, yields on barge-in.

    It answers in words (Whisper + a language model; docs/talk-back.md) where the `talk` extra is
    installed, else with its scripted lines; `talk=False` keeps the lines, `talk=True` insists on words.
    `question_confidence` is how sure a heard question ends the turn (None: the turn-taking model alone)."""
    agent = _conversation.build(policy=policy, script=script, talk=talk, model=model, persona=persona,
                                question_confidence=question_confidence)
    return LiveSession(agent=agent, **live)


def breathing_coach(pattern: str = "4-2-6", *, start_s: float = 1.0, policy: Any = None, script: Any = None,
                    **live: Any) -> LiveSession:
    """"Breathe in / hold / breathe out" on `pattern`; pauses while you talk, then starts again."""
    return LiveSession(agent=breathing.build(pattern=pattern, start_s=start_s, policy=policy, script=script), **live)


def language_coach(target: str = "es", *, at_once: bool = True, policy: Any = None, script: Any = None,
                   lid: Any = None, **live: Any) -> LiveSession:
    """Practise `target`; a switch to another language gets a correction (at once or at your next pause)."""
    return LiveSession(agent=language.build(target=target, at_once=at_once, policy=policy, script=script, lid=lid),
                       **live)


def exercise_coach(exercise_name: str = "squat", *, aloud: bool = True, pose: bool | None = None,
                   policy: Any = None, script: Any = None, **live: Any) -> LiveSession:
    """Reps from the camera, counted aloud (`aloud=True`) or on screen."""
    agent = exercise.build(exercise=exercise_name, aloud=aloud, pose=pose, policy=policy, script=script)
    return LiveSession(agent=agent, **live)

