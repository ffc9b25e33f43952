"""Which condition a participant meets first: a Latin square, balanced for carry-over where it can be.

    scheme = OrderScheme(conditions=("calm", "eager"), seed=7)
    scheme.rows()                 # (('eager', 'calm'), ('calm', 'eager'))
    book = OrderBook.open("studies/timing-with-people/people")
    book.order("P01", scheme)     # the same tuple every time for P01, saved in order.json

A Williams design (Williams 1949, "Experimental designs balanced for the estimation of residual
effects of treatments", Australian Journal of Scientific Research A 2(2):149-168) is a Latin square
in which every condition follows every other condition equally often: for an even number of
conditions one square of n rows does it; for an odd number the square and its mirror (2n rows).
Its first row is 0, 1, n-1, 2, n-2, ...; row r adds r to every entry (mod n).

The seed shuffles which condition stands for which number and the order of the rows, so two
studies with the same conditions do not all start with the same one. Participant k (0, 1, ... in
the order they are first seen) gets row k mod rows. The book of who got which position is saved
beside the participants' folders, so participant k always gets the same order, in a later kernel or
on another machine with the same study folder.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from designkit.errors import InputError, choice

ORDER_FILE = "order.json"
MIN_CONDITIONS = 2
MAX_CONDITIONS = 4


class Scheme(str, Enum):
    """How orders are drawn."""

    WILLIAMS = "williams"  # balanced for first-order carry-over (n rows, 2n when n is odd)
    LATIN = "latin"        # a cyclic Latin square: each condition once in each position (n rows)


def williams_rows(n: int) -> list[list[int]]:
    """The rows of a Williams design over conditions 0..n-1 (n rows when n is even, else 2n)."""
    first = [0]
    low, high = 1, n - 1
    while len(first) < n:
        first.append(low)
        low += 1
        if len(first) < n:
            first.append(high)
            high -= 1
    rows = [[(c + r) % n for c in first] for r in range(n)]
    if n % 2:
        rows += [row[::-1] for row in rows]
    return rows


def latin_rows(n: int) -> list[list[int]]:
    """A cyclic Latin square over conditions 0..n-1."""
    return [[(c + r) % n for c in range(n)] for r in range(n)]


@dataclass(frozen=True, slots=True)
class OrderScheme:
    """The conditions of a study with people and how their order is balanced (see the module)."""

    conditions: tuple[str, ...]
    scheme: Scheme = Scheme.WILLIAMS
    seed: int = 0

    def __post_init__(self) -> None:
        conditions = (self.conditions,) if isinstance(self.conditions, str) else tuple(self.conditions)
        if not MIN_CONDITIONS <= len(conditions) <= MAX_CONDITIONS or len(set(conditions)) != len(conditions):
            raise InputError("conditions", expected=f"{MIN_CONDITIONS} to {MAX_CONDITIONS} distinct names",
                             got=list(conditions))
        object.__setattr__(self, "conditions", tuple(str(c) for c in conditions))
        object.__setattr__(self, "scheme", choice(Scheme, self.scheme, "order scheme"))
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise InputError("order seed", expected="an integer", got=repr(self.seed))

    def rows(self) -> tuple[tuple[str, ...], ...]:
        """Every order of the square, in the order participants receive them."""
        n = len(self.conditions)
        rows = williams_rows(n) if self.scheme is Scheme.WILLIAMS else latin_rows(n)
        rng = random.Random(f"designkit-order-{self.seed}")
        labels = list(self.conditions)
        rng.shuffle(labels)
        rng.shuffle(rows)
        return tuple(tuple(labels[i] for i in row) for row in rows)

    def order_for(self, k: int) -> tuple[str, ...]:
        """The order of participant number `k` (0-based)."""
        if not isinstance(k, int) or k < 0:
            raise InputError("participant number", expected="a whole number >= 0", got=repr(k))
        rows = self.rows()
        return rows[k % len(rows)]

    def to_dict(self) -> dict[str, Any]:
        return {"conditions": list(self.conditions), "scheme": self.scheme.value, "seed": self.seed}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OrderScheme:
        unknown = set(data) - {"conditions", "scheme", "seed"}
        if unknown:
            raise InputError("order field", expected="one of ['conditions', 'scheme', 'seed']", got=sorted(unknown))
        return cls(tuple(data.get("conditions", ())), data.get("scheme", Scheme.WILLIAMS), int(data.get("seed", 0)))


def check_participant(participant: str) -> str:
    """A pseudonymous participant id: letters, digits, '-' and '_' (no spaces, so no full names)."""
    text = str(participant).strip()
    if not text or len(text) > 32 or not all(c.isalnum() or c in "-_" for c in text):
        raise InputError("participant id", expected="a short pseudonymous id of letters, digits, '-' or '_' "
                         "(e.g. P07; never a name)", got=repr(participant))
    return text


@dataclass(frozen=True, slots=True)
class OrderBook:
    """Who got which position in the square, saved as `order.json` in `folder`.

    A new participant takes the lowest free number; a forgotten participant's number is freed, so
    the next new participant restores the balance the square had.
    """

    folder: Path
    scheme: OrderScheme
    numbers: Mapping[str, int] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.folder / ORDER_FILE

    @classmethod
    def open(cls, folder: str | os.PathLike[str], scheme: OrderScheme) -> OrderBook:
        """The book saved in `folder`, or a new empty one. A saved book drawn for other conditions,
        scheme or seed is an error: orders already given must not change under a study."""
        path = Path(folder) / ORDER_FILE
        if not path.is_file():
            return cls(Path(folder), scheme, {})
        data = json.loads(path.read_text())
        saved = OrderScheme.from_dict(data["scheme"])
        if saved != scheme:
            raise InputError("order of conditions", expected=f"the saved scheme {saved.to_dict()}",
                             got=scheme.to_dict(), fix=f"keep the study's conditions and seed, or remove {path}")
        return cls(Path(folder), scheme, {str(k): int(v) for k, v in data["participants"].items()})

    def number(self, participant: str) -> int | None:
        return self.numbers.get(check_participant(participant))

    def assign(self, participant: str) -> tuple[OrderBook, int]:
        """The book with `participant` in it (saved), and their number."""
        pid = check_participant(participant)
        if pid in self.numbers:
            return self, self.numbers[pid]
        taken = set(self.numbers.values())
        k = next(i for i in range(len(taken) + 1) if i not in taken)
        book = OrderBook(self.folder, self.scheme, {**self.numbers, pid: k})
        book.save()
        return book, k

    def order(self, participant: str) -> tuple[str, ...]:
        """The conditions in the order `participant` meets them (assigning a number if new)."""
        book, k = self.assign(participant)
        return book.scheme.order_for(k)

    def without(self, participant: str) -> OrderBook:
        """The book with `participant` forgotten (saved)."""
        pid = check_participant(participant)
        book = OrderBook(self.folder, self.scheme, {p: k for p, k in self.numbers.items() if p != pid})
        book.save()
        return book

    def save(self) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        data = {"scheme": self.scheme.to_dict(), "rows": [list(r) for r in self.scheme.rows()],
                "participants": dict(sorted(self.numbers.items(), key=lambda kv: kv[1]))}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2) + "\n")
        tmp.replace(self.path)
        return self.path
