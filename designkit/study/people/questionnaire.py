"""What a participant is asked after each session, and how the answers are scored.

    questionnaire = Questionnaire()                        # the timing items, 1-7
    questionnaire = Questionnaire(instruments=("sus", "ueq_s"), open_question="Anything else?")
    questionnaire.scores({"interrupted": 6, "waited_too_long": 2, ...})

An item is a statement rated on a Likert scale (1..7 by default). `reversed=True` marks an item
where agreeing is bad ("It interrupted me"): its raw answer is kept as given, and `scored(item,
value)` flips it (scale + 1 - value) so that higher is better in composite scores. The analysis
compares raw answers item by item and says which items are reversed.

Two standard, free instruments can be added by name:
- SUS, the System Usability Scale (Brooke 1996, "SUS: a 'quick and dirty' usability scale", in
  Usability Evaluation in Industry, 189-194): 10 items, 1..5. Score = 2.5 x (sum over odd items
  of (answer - 1) + sum over even items of (5 - answer)), from 0 to 100.
- UEQ-S, the short User Experience Questionnaire (Schrepp, Hinderks & Thomaschewski 2017,
  "Design and Evaluation of a Short Version of the User Experience Questionnaire (UEQ-S)",
  IJIMAI 4(6):103-108): 8 semantic-differential items, 1..7 with the negative pole on the left;
  each answer becomes answer - 4 (-3..+3); pragmatic quality = mean of items 1-4, hedonic quality
  = mean of items 5-8, overall = mean of all 8.
An instrument's score needs every one of its items answered; otherwise it is NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from designkit.errors import InputError


@dataclass(frozen=True, slots=True)
class Item:
    """One Likert statement: `id` (a column name), the `text` shown, the scale 1..`points`."""

    id: str
    text: str
    points: int = 7
    reversed: bool = False
    low: str = "strongly disagree"
    high: str = "strongly agree"
    instrument: str = ""

    def __post_init__(self) -> None:
        if not self.id or not all(c.isalnum() or c == "_" for c in self.id):
            raise InputError("questionnaire item id", expected="letters, digits and '_'", got=repr(self.id))
        if not isinstance(self.points, int) or not 3 <= self.points <= 11:
            raise InputError(f"scale of item {self.id}", expected="3 to 11 points", got=self.points)

    def check(self, value: Any) -> int:
        """An answer as an int on this item's scale, or an InputError."""
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) \
                or not 1 <= value <= self.points:
            raise InputError(f"answer to {self.id!r}", expected=f"a whole number 1..{self.points}", got=repr(value))
        return int(value)

    def scored(self, value: float) -> float:
        """The answer with higher = better: reversed items flipped (points + 1 - value)."""
        return float(self.points + 1 - value) if self.reversed else float(value)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "points": self.points, "reversed": self.reversed,
                "low": self.low, "high": self.high}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Item:
        valid = {"id", "text", "points", "reversed", "low", "high"}
        unknown = set(data) - valid
        if unknown:
            raise InputError("questionnaire item field", expected=f"one of {sorted(valid)}", got=sorted(unknown))
        return cls(**{k: v for k, v in data.items()})


# About timing, the kit's own default: each statement names one thing a policy's knobs change.
TIMING_ITEMS = (
    Item("interrupted", "It interrupted me.", reversed=True),
    Item("waited_too_long", "It waited too long to answer.", reversed=True),
    Item("attentive", "It felt attentive."),
    Item("quiet_when_right", "It stayed quiet when it should have."),
)

_SUS_TEXT = (
    "I think that I would like to use this system frequently.",
    "I found the system unnecessarily complex.",
    "I thought the system was easy to use.",
    "I think that I would need the support of a technical person to be able to use this system.",
    "I found the various functions in this system were well integrated.",
    "I thought there was too much inconsistency in this system.",
    "I would imagine that most people would learn to use this system very quickly.",
    "I found the system very cumbersome to use.",
    "I felt very confident using the system.",
    "I needed to learn a lot of things before I could get going with this system.",
)
SUS_ITEMS = tuple(Item(f"sus_{i}", text, points=5, reversed=i % 2 == 0, instrument="sus")
                  for i, text in enumerate(_SUS_TEXT, start=1))

_UEQ_S_POLES = (
    ("obstructive", "supportive"), ("complicated", "easy"), ("inefficient", "efficient"),
    ("confusing", "clear"), ("boring", "exciting"), ("not interesting", "interesting"),
    ("conventional", "inventive"), ("usual", "leading edge"),
)
UEQ_S_ITEMS = tuple(Item(f"ueq_s_{i}", f"{low} - {high}", points=7, low=low, high=high, instrument="ueq_s")
                    for i, (low, high) in enumerate(_UEQ_S_POLES, start=1))
INSTRUMENTS: dict[str, tuple[Item, ...]] = {"sus": SUS_ITEMS, "ueq_s": UEQ_S_ITEMS}
# The scores each instrument adds to a session's answers (rows of the study's table).
INSTRUMENT_SCORES = {"sus": ("sus",), "ueq_s": ("ueq_s_pragmatic", "ueq_s_hedonic", "ueq_s_overall")}


def sus_score(answers: Sequence[float]) -> float:
    """The SUS score (0..100) of 10 answers 1..5, in item order (Brooke 1996; see the module)."""
    if len(answers) != 10:
        raise InputError("SUS answers", expected="10 answers", got=len(answers))
    if any(not isinstance(a, (int, float)) or math.isnan(a) for a in answers):
        return math.nan
    odd = sum(a - 1 for a in answers[0::2])
    even = sum(5 - a for a in answers[1::2])
    return 2.5 * (odd + even)


def ueq_s_scores(answers: Sequence[float]) -> dict[str, float]:
    """UEQ-S pragmatic, hedonic and overall (-3..+3) of 8 answers 1..7, in item order
    (Schrepp, Hinderks & Thomaschewski 2017; see the module)."""
    if len(answers) != 8:
        raise InputError("UEQ-S answers", expected="8 answers", got=len(answers))
    if any(not isinstance(a, (int, float)) or math.isnan(a) for a in answers):
        return dict.fromkeys(INSTRUMENT_SCORES["ueq_s"], math.nan)
    centred = [a - 4 for a in answers]
    return {"ueq_s_pragmatic": sum(centred[:4]) / 4, "ueq_s_hedonic": sum(centred[4:]) / 4,
            "ueq_s_overall": sum(centred) / 8}


@dataclass(frozen=True, slots=True)
class Questionnaire:
    """The Likert `items` (the timing set by default), standard `instruments` by name ("sus",
    "ueq_s"), and an optional `open_question` answered in words."""

    items: tuple[Item, ...] = TIMING_ITEMS
    instruments: tuple[str, ...] = ()
    open_question: str = ""

    def __post_init__(self) -> None:
        items = tuple(i if isinstance(i, Item) else Item.from_dict(i) for i in self.items)
        object.__setattr__(self, "items", items)
        instruments = (self.instruments,) if isinstance(self.instruments, str) else tuple(self.instruments)
        unknown = [n for n in instruments if n not in INSTRUMENTS]
        if unknown:
            raise InputError("questionnaire instrument", expected=f"names from {list(INSTRUMENTS)}", got=unknown)
        object.__setattr__(self, "instruments", instruments)
        ids = [i.id for i in self.all_items()]
        if len(set(ids)) != len(ids) or not ids:
            raise InputError("questionnaire item ids", expected="at least one item, each id once", got=ids)

    def all_items(self) -> tuple[Item, ...]:
        """Every item asked, in order: own items, then each instrument's."""
        return self.items + tuple(i for name in self.instruments for i in INSTRUMENTS[name])

    def item(self, item_id: str) -> Item:
        for item in self.all_items():
            if item.id == item_id:
                return item
        raise InputError("questionnaire item", expected=f"one of {[i.id for i in self.all_items()]}",
                         got=repr(item_id))

    def check(self, answers: Mapping[str, Any]) -> dict[str, int]:
        """Answers by item id, each checked against its scale; unknown ids are an error."""
        known = {i.id: i for i in self.all_items()}
        unknown = set(answers) - set(known)
        if unknown:
            raise InputError("questionnaire answers", expected=f"ids from {list(known)}", got=sorted(unknown))
        return {k: known[k].check(v) for k, v in answers.items()}

    def scores(self, answers: Mapping[str, Any]) -> dict[str, float]:
        """Each instrument's score(s) from one session's answers (NaN when an item is missing)."""
        checked = self.check(answers)
        out: dict[str, float] = {}
        for name in self.instruments:
            values = [float(checked.get(i.id, math.nan)) for i in INSTRUMENTS[name]]
            if name == "sus":
                out["sus"] = sus_score(values)
            else:
                out.update(ueq_s_scores(values))
        return out

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"items": [i.to_dict() for i in self.items], "instruments": list(self.instruments)}
        if self.open_question:
            out["open_question"] = self.open_question
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Questionnaire:
        valid = {"items", "instruments", "open_question"}
        unknown = set(data) - valid
        if unknown:
            raise InputError("questionnaire field", expected=f"one of {sorted(valid)}", got=sorted(unknown))
        items = tuple(Item.from_dict(i) for i in data["items"]) if "items" in data else TIMING_ITEMS
        return cls(items, tuple(data.get("instruments", ())), str(data.get("open_question", "")))
