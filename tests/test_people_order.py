"""Balanced order: every participant k meets the conditions in the same, saved, balanced order."""

from __future__ import annotations

import json
from collections import Counter
from itertools import pairwise

import pytest

from designkit.errors import InputError
from designkit.study.people.order import OrderBook, OrderScheme, Scheme, latin_rows, williams_rows


@pytest.mark.parametrize("n", [2, 3, 4])
def test_a_williams_design_puts_each_condition_in_each_position_and_after_each_other_equally(n: int) -> None:
    rows = williams_rows(n)
    assert len(rows) == (n if n % 2 == 0 else 2 * n)
    for position in range(n):
        assert Counter(row[position] for row in rows) == dict.fromkeys(range(n), len(rows) // n)
    follows = Counter(pair for row in rows for pair in pairwise(row))
    assert set(follows) == {(a, b) for a in range(n) for b in range(n) if a != b}
    assert len(set(follows.values())) == 1


def test_the_williams_square_for_four_conditions_is_the_textbook_one() -> None:
    assert williams_rows(4) == [[0, 1, 3, 2], [1, 2, 0, 3], [2, 3, 1, 0], [3, 0, 2, 1]]
    assert latin_rows(3) == [[0, 1, 2], [1, 2, 0], [2, 0, 1]]


def test_two_conditions_are_each_first_for_half_of_the_participants() -> None:
    scheme = OrderScheme(("calm", "eager"), seed=3)
    firsts = Counter(scheme.order_for(k)[0] for k in range(4))
    assert firsts == {"calm": 2, "eager": 2}


def test_the_seed_draws_the_square_and_the_same_seed_draws_it_again() -> None:
    a = OrderScheme(("a", "b", "c", "d"), seed=1)
    assert a.rows() == OrderScheme(("a", "b", "c", "d"), seed=1).rows()
    assert {OrderScheme(("a", "b", "c", "d"), seed=s).rows()[0] for s in range(8)} != {a.rows()[0]}
    assert OrderScheme(("a", "b", "c"), scheme="latin").scheme is Scheme.LATIN


def test_participant_k_keeps_their_order_in_a_later_kernel(tmp_path) -> None:
    scheme = OrderScheme(("calm", "eager", "quiet"), seed=5)
    book = OrderBook.open(tmp_path, scheme)
    for pid in ("P01", "P02", "P03"):
        book, _ = book.assign(pid)
    again = OrderBook.open(tmp_path, scheme)  # as a new kernel would
    assert again.number("P02") == 1
    assert again.order("P02") == scheme.order_for(1)
    saved = json.loads((tmp_path / "order.json").read_text())
    assert saved["participants"] == {"P01": 0, "P02": 1, "P03": 2}
    assert [tuple(r) for r in saved["rows"]] == list(scheme.rows())


def test_a_forgotten_participants_place_goes_to_the_next_new_one(tmp_path) -> None:
    scheme = OrderScheme(("calm", "eager"))
    book = OrderBook.open(tmp_path, scheme)
    for pid in ("P01", "P02", "P03"):
        book, _ = book.assign(pid)
    book = book.without("P02")
    assert "P02" not in (tmp_path / "order.json").read_text()
    book, k = book.assign("P04")
    assert k == 1


def test_a_saved_book_for_other_conditions_is_refused(tmp_path) -> None:
    OrderBook.open(tmp_path, OrderScheme(("calm", "eager"))).assign("P01")
    with pytest.raises(InputError, match="saved scheme"):
        OrderBook.open(tmp_path, OrderScheme(("calm", "eager"), seed=9))


@pytest.mark.parametrize("bad", ["", "Jane Doe", "x" * 40, "P/1"])
def test_a_participant_id_must_be_a_short_pseudonym(tmp_path, bad: str) -> None:
    with pytest.raises(InputError, match="pseudonymous"):
        OrderBook.open(tmp_path, OrderScheme(("a", "b"))).assign(bad)


@pytest.mark.parametrize("conditions", [("a",), ("a", "b", "c", "d", "e"), ("a", "a")])
def test_two_to_four_distinct_conditions(conditions) -> None:
    with pytest.raises(InputError, match="conditions"):
        OrderScheme(conditions)
