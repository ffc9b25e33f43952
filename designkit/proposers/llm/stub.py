"""A deterministic language model for tests and demos without a model: answers from a table.

The answer is the line of the first keyword found in the last user message (else `fallback`),
streamed word by word, so the streaming, sentence and voice paths run exactly as with a model.

    StubModel({"egg": "Boil an egg for about seven minutes."}, fallback="Tell me more about that.")
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from designkit.proposers.llm.chat import Message


@dataclass(frozen=True, slots=True)
class StubModel:
    """Keyword -> answer lines; the same messages always give the same pieces."""

    answers: Mapping[str, str] = field(default_factory=dict)
    fallback: str = "I see, tell me more about that."
    name: str = "stub"

    def load(self) -> None:
        return None

    def stream(self, messages: Sequence[Message], *, max_tokens: int) -> Iterator[str]:
        asked = next((m.content.lower() for m in reversed(messages) if m.role == "user"), "")
        line = next((text for key, text in self.answers.items() if key.lower() in asked), self.fallback)
        for i, word in enumerate(line.split()[:max_tokens]):
            yield word if i == 0 else " " + word
