"""False interruptions per minute, on timelines short enough to check by hand: the agent took a turn
where the person had not finished (started over them, or in a pause they went on from)."""

from __future__ import annotations

import pytest

from designkit.metrics.catalogue import CATALOGUE
from designkit.metrics.turn_taking import false_interruptions_per_min


def test_turns_started_over_the_person_or_in_a_pause_they_went_on_from_count() -> None:
    # The person speaks 0-2, 2.5-4 and 6-8 s of a 30 s session (half a minute).
    user = [(0.0, 2.0), (2.5, 4.0), (6.0, 8.0)]
    turns = [
        (1.0, 1.8),   # starts while the person speaks: false
        (2.1, 3.0),   # starts in the 2.0-2.5 pause, the person goes on at 2.5 while it talks: false
        (4.4, 5.5),   # starts after 4.0, over before the person's 6.0: a real turn end
        (8.0, 9.0),   # starts exactly at the person's end (end is open): a real turn end
    ]
    # 2 false turns in 0.5 minute = 4 per minute
    assert false_interruptions_per_min(user_speech=user, agent_turns=turns, duration_s=30.0) == 4.0


def test_a_turn_that_ends_as_the_person_resumes_is_not_false() -> None:
    # The person resumes at 3.0, exactly when the turn is over: it had finished (the bound is open).
    assert false_interruptions_per_min(user_speech=[(0.0, 2.0), (3.0, 4.0)], agent_turns=[(2.2, 3.0)],
                                       duration_s=60.0) == 0.0


@pytest.mark.parametrize(("user", "turns"), [([], [(1.0, 2.0)]), ([(0.0, 1.0)], []), ([], [])])
def test_no_person_or_no_turn_is_zero(user: list[tuple[float, float]], turns: list[tuple[float, float]]) -> None:
    assert false_interruptions_per_min(user_speech=user, agent_turns=turns, duration_s=12.0) == 0.0


def test_it_is_declared_once_with_its_label_unit_and_direction() -> None:
    metric = CATALOGUE["false_interruptions_per_min"]
    assert (metric.label, metric.unit, metric.better.value) == ("took a pause for a turn end", "per minute", "lower")
