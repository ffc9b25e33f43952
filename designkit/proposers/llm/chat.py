"""What every language-model runtime speaks: chat messages in, text pieces out, as they come.

    model.stream([Message("system", persona), Message("user", "how long do eggs boil?")], max_tokens=48)
    -> "About", " seven", " minutes", ...

A runtime is anything with `name` and `stream(messages, *, max_tokens)`: the local GGUF model
(`local_gguf.py`), an OpenAI-compatible endpoint (`endpoint.py`) or the deterministic stub
(`stub.py`) that tests use.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from designkit.errors import InputError

ROLES = ("system", "user", "assistant")


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message: `role` is system, user or assistant."""

    role: str
    content: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise InputError("chat message role", expected=f"one of {list(ROLES)}", got=repr(self.role))

    def to_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


class LanguageModel(Protocol):
    """A chat model that streams its answer piece by piece (tokens or words)."""

    name: str

    def load(self) -> None:
        """Be ready to answer (load weights); a runtime with nothing to load returns at once."""
        ...

    def stream(self, messages: Sequence[Message], *, max_tokens: int) -> Iterator[str]: ...
