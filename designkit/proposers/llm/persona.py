"""Who the agent is when it answers: a designer-editable persona, and the prompt it becomes.

A 135M model follows a short, concrete persona with a few example exchanges far better than an
abstract instruction alone: examples set the length, the tone and the habit of staying on the
question (measured by the `talkback` benchmark's `answers_on_persona`).

    cook = Persona("You are a friendly cooking assistant.")
    cook.messages(history=[("hi", "Hello!")], heard="how long do I boil an egg")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from designkit.errors import InputError
from designkit.proposers.llm.chat import Message

RULES = "Answer the user's last message in one short, friendly sentence of at most 20 words, on its topic."
# General examples: they show the form of an answer, not the content of a topic.
EXAMPLES: tuple[tuple[str, str], ...] = (
    ("what should I do with leftover bread", "Turn leftover bread into crunchy croutons or a quick bread pudding."),
    ("I went for a long walk this morning", "A morning walk is a lovely start; did you go somewhere nice?"),
)


@dataclass(frozen=True, slots=True)
class Persona:
    """The system text (`role` + `rules`), example exchanges, and how much history to send."""

    role: str = "You are a friendly, helpful assistant who talks with people."
    rules: str = RULES
    examples: tuple[tuple[str, str], ...] = EXAMPLES
    history_turns: int = 3
    max_words: int = 25

    def __post_init__(self) -> None:
        if not self.role.strip():
            raise InputError("persona role", expected="a sentence such as 'You are a cooking assistant.'",
                             got=repr(self.role))
        object.__setattr__(self, "examples", tuple((str(q), str(a)) for q, a in self.examples))

    def recent(self, history: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        """The last `history_turns` exchanges at least, up to twice as many less one: older ones leave
        in blocks of `history_turns`, not one a turn, so most prompts begin as the last one did and
        the model reads only the new exchange (its kept cache holds the rest)."""
        n = self.history_turns
        if n <= 0:
            return ()
        items = tuple(history)
        return items[max(0, (len(items) - n) // n * n):]

    @property
    def system(self) -> str:
        return f"{self.role.strip()} {self.rules.strip()}".strip()

    def messages(self, *, history: Sequence[tuple[str, str]], heard: str) -> list[Message]:
        """The chat to answer: persona, examples, recent exchanges (`recent`), what was heard."""
        out = [Message("system", self.system)]
        for asked, answered in (*self.examples, *self.recent(history)):
            out += [Message("user", asked), Message("assistant", answered)]
        out.append(Message("user", heard))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "rules": self.rules, "examples": [list(e) for e in self.examples],
                "history_turns": self.history_turns, "max_words": self.max_words}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Persona:
        return cls(role=data["role"], rules=data.get("rules", RULES),
                   examples=tuple(tuple(e) for e in data.get("examples", EXAMPLES)),  # type: ignore[misc]
                   history_turns=int(data.get("history_turns", 3)), max_words=int(data.get("max_words", 25)))


def prompt_text(messages: Sequence[Message]) -> str:
    """The prompt as a person reads it (for "why did it say that"): one `role: text` line each."""
    return "\n".join(f"{m.role}: {m.content}" for m in messages)
