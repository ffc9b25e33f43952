"""The `people` section of a study: conditions, tasks, questionnaire, order, consent.

    "people": {
      "conditions": ["calm", "eager"],            # names of the study's policies
      "tasks": [{"name": "plan", "text": "Plan a weekend trip with the agent.", "duration_s": 90}],
      "questionnaire": {"instruments": ["ueq_s"], "open_question": "What felt wrong?"},
      "order": "williams", "seed": 7,
      "keep": ["signals"]                         # + "audio" only when participants agree
    }

Every participant meets every condition once, in the order the square gives them, and does every
task in each (`sessions_for`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from designkit.errors import InputError, choice
from designkit.study.people.order import OrderScheme, Scheme
from designkit.study.people.questionnaire import Questionnaire

# What a study with people may keep: signals and decisions always; audio and video only when the
# participant agrees (and shared in a published app only when they agree to that too).
KEEPABLE = ("signals", "audio", "video")
DEFAULT_CONSENT = (
    "You will talk with a voice agent {sessions} times, a few minutes each, and answer a few questions "
    "after each time. We keep: {keep}, under the id {participant} only, never your name. You may "
    "stop at any moment, and ask us to delete everything kept about you.")
_KEEP_WORDS = {"signals": "when you and the agent spoke, and what the agent decided (no sound)",
               "audio": "the sound of the sessions", "video": "the camera images"}


@dataclass(frozen=True, slots=True)
class Task:
    """What a participant is asked to do in a session, and for how long (it stops by itself then)."""

    name: str
    text: str
    duration_s: float = 120.0

    def __post_init__(self) -> None:
        if not self.name or not all(c.isalnum() or c in "-_" for c in self.name):
            raise InputError("task name", expected="letters, digits, '-' or '_'", got=repr(self.name))
        if not isinstance(self.duration_s, (int, float)) or not math.isfinite(self.duration_s) \
                or self.duration_s <= 0:
            raise InputError(f"duration of task {self.name}", expected="seconds > 0", got=self.duration_s)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "text": self.text, "duration_s": self.duration_s}


DEFAULT_TASK = Task("chat", "Tell the agent about a trip you would like to make, and let it ask you about it.", 90.0)


@dataclass(frozen=True, slots=True)
class People:
    """A study's sessions with people (see the module). `conditions` name the study's policies."""

    conditions: tuple[str, ...]
    tasks: tuple[Task, ...] = (DEFAULT_TASK,)
    questionnaire: Questionnaire = field(default_factory=Questionnaire)
    order: Scheme = Scheme.WILLIAMS
    seed: int = 0
    keep: tuple[str, ...] = ("signals",)
    consent: str = DEFAULT_CONSENT

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        conditions = (self.conditions,) if isinstance(self.conditions, str) else tuple(self.conditions)
        set_(self, "order", choice(Scheme, self.order, "order scheme"))
        set_(self, "conditions", OrderScheme(conditions, self.order, self.seed).conditions)
        tasks = tuple(t if isinstance(t, Task) else Task(**dict(t)) for t in self.tasks)
        if not tasks or len({t.name for t in tasks}) != len(tasks):
            raise InputError("tasks", expected="at least one task, each name once", got=[t.name for t in tasks])
        set_(self, "tasks", tasks)
        if isinstance(self.questionnaire, Mapping):
            set_(self, "questionnaire", Questionnaire.from_dict(self.questionnaire))
        keep = tuple(dict.fromkeys(("signals", *((self.keep,) if isinstance(self.keep, str) else self.keep))))
        bad = [k for k in keep if k not in KEEPABLE]
        if bad:
            raise InputError("what a study keeps", expected=f"names from {list(KEEPABLE)}", got=bad)
        set_(self, "keep", keep)

    @property
    def scheme(self) -> OrderScheme:
        return OrderScheme(self.conditions, self.order, self.seed)

    def task(self, name: str) -> Task:
        for task in self.tasks:
            if task.name == name:
                return task
        raise InputError("task", expected=f"one of {[t.name for t in self.tasks]}", got=repr(name))

    def sessions_for(self, order: tuple[str, ...]) -> list[tuple[int, str, Task]]:
        """(position from 1, condition, task) of every session of a participant with this order."""
        return [(i, condition, task) for i, condition in enumerate(order, start=1) for task in self.tasks]

    def consent_text(self, participant: str) -> str:
        """The consent text shown to a participant (the study's, with its blanks filled)."""
        keep = "; ".join(_KEEP_WORDS[k] for k in self.keep)
        return self.consent.format(sessions=len(self.conditions) * len(self.tasks), keep=keep,
                                   participant=participant)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"conditions": list(self.conditions), "tasks": [t.to_dict() for t in self.tasks],
                               "questionnaire": self.questionnaire.to_dict(), "order": self.order.value,
                               "seed": self.seed, "keep": list(self.keep)}
        if self.consent != DEFAULT_CONSENT:
            out["consent"] = self.consent
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> People:
        valid = [f.name for f in fields(cls)]
        unknown = set(data) - set(valid)
        if unknown:
            raise InputError("people field", expected=f"one of {valid}", got=sorted(unknown))
        data = dict(data)
        if "tasks" in data:
            data["tasks"] = tuple(Task(**dict(t)) for t in data["tasks"])
        if "questionnaire" in data:
            data["questionnaire"] = Questionnaire.from_dict(data["questionnaire"])
        for key in ("conditions", "keep"):
            if key in data:
                data[key] = tuple(data[key])
        return cls(**data)
