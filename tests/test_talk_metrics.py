"""Talking-back metrics, computed by hand on timelines short enough to read.

The person asks two questions; the agent says "hmm" and answers each. Every expected value below
was worked out on paper from the timeline drawn in the test's docstring.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from designkit.core.decisions import Action, Reason
from designkit.metrics.session import session_metrics
from designkit.metrics.thinking import answered_turn_ends, talk_back
from designkit.metrics.timeline import Timeline
from designkit.metrics.truth import SessionTruth

SILENT, QUIET = Action.SILENT.value, Reason.BELOW_CONFIDENCE.value


def test_the_answer_is_timed_from_the_persons_last_word() -> None:
    """user 0-2 s and 5-6 s; answers at 2.8 and 6.4: waits 0.8 and 0.4 s."""
    talk = talk_back(user_speech=[(0.0, 2.0), (5.0, 6.0)], answers=[2.8, 6.4], thinking_at=[], sounds=0)
    assert talk.first_word_s.tolist() == pytest.approx([0.8, 0.4])
    assert talk.thinking_s.tolist() == [0.0, 0.0]
    assert talk.fillers_per_answer == 0.0


def test_a_pause_inside_a_turn_is_not_answered() -> None:
    """user 0-1, 1.4-2 (a pause, then more words), answer at 2.6: one answered end, at 2.0."""
    ends, onsets = answered_turn_ends(user_speech=[(0.0, 1.0), (1.4, 2.0)], answers=[2.6])
    assert ends.tolist() == [2.0] and onsets.tolist() == [2.6]


def test_only_the_first_answer_counts_and_a_start_over_the_person_is_not_an_answer() -> None:
    """user 0-2 and 3-4; speaks at 2.2 and 2.6 (one turn end, first answer 2.2), then at 3.5 (over
    the person: no answer to the second end)."""
    ends, onsets = answered_turn_ends(user_speech=[(0.0, 2.0), (3.0, 4.0)], answers=[2.2, 2.6, 3.5])
    assert ends.tolist() == [2.0] and onsets.tolist() == [2.2]


def test_thinking_runs_from_the_first_thinking_moment_to_the_first_word() -> None:
    """user 0-2; thinking takes effect at 2.4, 2.6, 2.8 ("hmm" at 2.6); answer at 3.2:
    thought 0.8 s, one filler for one answer. A thinking moment before the turn end (1.0) does not count."""
    talk = talk_back(user_speech=[(0.0, 2.0)], answers=[3.2], thinking_at=[1.0, 2.4, 2.6, 2.8], sounds=1)
    assert talk.first_word_s.tolist() == pytest.approx([1.2])
    assert talk.thinking_s.tolist() == pytest.approx([0.8])
    assert talk.fillers_per_answer == 1.0


def test_nothing_answered_is_not_a_number() -> None:
    talk = talk_back(user_speech=[(0.0, 2.0)], answers=[], thinking_at=[2.2], sounds=1)
    assert len(talk.first_word_s) == 0 and math.isnan(talk.fillers_per_answer)
    empty = talk_back(user_speech=np.zeros((0, 2)), answers=[0.2], thinking_at=[], sounds=0)
    assert len(empty.answers) == 0 and math.isnan(empty.fillers_per_answer)
    # an answer at exactly the turn end (t = 0 after a turn that ended at 0) waits 0 s
    assert talk_back(user_speech=[(0.0, 0.0)], answers=[0.0], thinking_at=[], sounds=0).first_word_s.tolist() == [0.0]


def _timeline(steps: list[tuple[int, str, str]], n: int, user: list[bool]) -> Timeline:
    actions, reasons = [SILENT] * n, [QUIET] * n
    durations = np.zeros(n)
    for k, action, reason in steps:
        actions[k], reasons[k] = action, reason
        durations[k] = 0.4
    return Timeline(0.2, tuple(actions), tuple(reasons), durations, np.zeros(n, bool), np.full(n, -1),
                    np.asarray(user, bool))


def test_a_session_row_reads_them_from_the_timeline() -> None:
    """dt 0.2 s, 20 microturns. The person speaks in microturns 0-4 (0-1 s) and 10-12 (2-2.6 s).

    Turn 1: thinking in microturns 5-7 (takes effect at 1.2, 1.4, 1.6), "hmm" in 6 (backchannel:thinking),
    the answer in 8 (onset 1.8): first word 0.8 s, thought 0.6 s.
    Turn 2: the answer is ready at once, in microturn 13 (onset 2.8): first word 0.2 s, thought 0 s.
    Means: first word 0.5 s, thinking 0.3 s; one filler over two answers: 0.5.
    """
    user = [k < 5 or 10 <= k < 13 for k in range(20)]
    steps = [(5, SILENT, Reason.THINKING.value), (6, Action.BACKCHANNEL.value, Reason.THINKING_FILLER.value),
             (7, SILENT, Reason.THINKING.value), (8, Action.SPEAK.value, Reason.TURN_END.value),
             (13, Action.SPEAK.value, Reason.TURN_END.value)]
    row = session_metrics(_timeline(steps, 20, user), SessionTruth.make(duration_s=4.0))
    assert row["first_word_s"] == pytest.approx(0.5)
    assert row["thinking_s"] == pytest.approx(0.3)
    assert row["fillers_per_answer"] == pytest.approx(0.5)


def test_a_holding_line_is_a_thinking_sound_not_the_answer() -> None:
    """The person speaks in microturns 0-4; "Let me think about that." in 6 (speak:thinking), the answer
    in 9 (onset 2.0): first word 1.0 s, thought from 1.2 (microturn 5) to 2.0: 0.8 s, one sound."""
    user = [k < 5 for k in range(15)]
    steps = [(5, SILENT, Reason.THINKING.value), (6, Action.SPEAK.value, Reason.THINKING_LINE.value),
             (9, Action.SPEAK.value, Reason.TURN_END.value)]
    row = session_metrics(_timeline(steps, 15, user), SessionTruth.make(duration_s=3.0))
    assert row["first_word_s"] == pytest.approx(1.0)
    assert row["thinking_s"] == pytest.approx(0.8)
    assert row["fillers_per_answer"] == 1.0


def test_an_answer_said_in_parts_is_one_intervention_as_the_budget_counts_it() -> None:
    """The person speaks in microturns 0-4; the answer's first part in 5 (takes effect at 1.2 s), its
    next parts in 7 and 9 (speak:goes_on), a backchannel to the next turn in 12: two interventions,
    at 1.2 and 2.6 s, a speak and a backchannel; the first word still comes 0.2 s after the turn."""
    user = [k < 5 or 11 <= k < 14 for k in range(20)]
    steps = [(5, Action.SPEAK.value, Reason.TURN_END.value), (7, Action.SPEAK.value, Reason.GOES_ON.value),
             (9, Action.SPEAK.value, Reason.GOES_ON.value), (12, Action.BACKCHANNEL.value,
                                                             Reason.BACKCHANNEL_OPPORTUNITY.value)]
    timeline = _timeline(steps, 20, user)
    times, kinds = timeline.interventions()
    assert times.tolist() == pytest.approx([1.2, 2.6]) and kinds == (Action.SPEAK.value, Action.BACKCHANNEL.value)
    row = session_metrics(timeline, SessionTruth.make(duration_s=4.0))
    assert row["interventions_per_min"] == pytest.approx(2 / (4.0 / 60))
    assert row["first_word_s"] == pytest.approx(0.2)


def test_a_session_that_never_answers_has_no_talk_metrics() -> None:
    row = session_metrics(_timeline([], 10, [k < 5 for k in range(10)]), SessionTruth.make(duration_s=2.0))
    assert math.isnan(row["first_word_s"]) and math.isnan(row["thinking_s"]) and math.isnan(row["fillers_per_answer"])
