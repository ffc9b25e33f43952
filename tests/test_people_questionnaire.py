"""The questionnaire: timing items by default, reversed items, SUS and UEQ-S scored by hand."""

from __future__ import annotations

import math

import pytest

from designkit.errors import InputError
from designkit.study.people.questionnaire import Item, Questionnaire, sus_score, ueq_s_scores


def test_the_default_asks_four_timing_statements_on_seven_points() -> None:
    items = Questionnaire().all_items()
    assert [i.id for i in items] == ["interrupted", "waited_too_long", "attentive", "quiet_when_right"]
    assert all(i.points == 7 for i in items)
    assert [i.id for i in items if i.reversed] == ["interrupted", "waited_too_long"]


def test_a_reversed_item_is_flipped_only_when_scored() -> None:
    interrupted = Questionnaire().item("interrupted")
    assert interrupted.check(6) == 6
    assert interrupted.scored(6) == 2.0  # 7 + 1 - 6
    assert Questionnaire().item("attentive").scored(6) == 6.0


def test_sus_by_hand() -> None:
    # odd items 4,4,5,4,5 -> 3+3+4+3+4 = 17; even items 2,1,2,2,1 -> 3+4+3+3+4 = 17; 34 x 2.5
    answers = [4, 2, 4, 1, 5, 2, 4, 2, 5, 1]
    assert sus_score(answers) == 85.0
    assert sus_score([5, 1] * 5) == 100.0
    assert sus_score([1, 5] * 5) == 0.0
    q = Questionnaire(items=(), instruments=("sus",))
    assert q.scores({f"sus_{i}": a for i, a in enumerate(answers, start=1)}) == {"sus": 85.0}


def test_ueq_s_by_hand() -> None:
    # centred: 1, 2, 0, 3 | -1, -2, 0, 1
    scores = ueq_s_scores([5, 6, 4, 7, 3, 2, 4, 5])
    assert scores == {"ueq_s_pragmatic": 1.5, "ueq_s_hedonic": -0.5, "ueq_s_overall": 0.5}


def test_an_instrument_with_an_unanswered_item_has_no_score() -> None:
    q = Questionnaire(instruments=("sus", "ueq_s"))
    scores = q.scores({"sus_1": 3, "ueq_s_1": 4})
    assert math.isnan(scores["sus"]) and math.isnan(scores["ueq_s_overall"])


def test_answers_off_the_scale_or_to_unknown_items_are_refused() -> None:
    q = Questionnaire(instruments=("sus",))
    with pytest.raises(InputError, match=r"1\.\.5"):
        q.check({"sus_1": 6})
    with pytest.raises(InputError, match=r"1\.\.7"):
        q.check({"attentive": 2.5})
    with pytest.raises(InputError, match="ids from"):
        q.check({"helpful": 3})


def test_a_questionnaire_round_trips_through_json_with_own_items() -> None:
    q = Questionnaire(items=(Item("too_chatty", "It talked too much.", points=5, reversed=True),),
                      instruments=("ueq_s",), open_question="What felt wrong?")
    assert Questionnaire.from_dict(q.to_dict()) == q
    assert [i.id for i in q.all_items()][:2] == ["too_chatty", "ueq_s_1"]
    with pytest.raises(InputError, match="instrument"):
        Questionnaire(instruments=("nasa_tlx",))
