"""What an agent says: a designer-editable script of lines per intent, and the proposer that uses it.

An intent is why the agent speaks: `answer` (its turn after the user's), `backchannel` ("mm-hm"
while the user talks), `count` (a rep number), `cue` (a breathing instruction), `correction` (a
language coach's nudge). Each intent has one or more lines, said in turn. A line may hold
`{said}`, the model's own content for that proposal (the rep number, the breathing phase).

Edits made while a session runs travel as "script" events, so a replay sees the same lines at the
same microturns:

    script = Script({"answer": ("I see.", "Go on."), "backchannel": ("mm-hm", "yeah")})
    proposer = ScriptedProposer(TurnTakingProposer(), script, intents={"model:turn_end": "answer"})
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from designkit.core.context import Context, EventKind
from designkit.core.decisions import NOTHING, Action, Proposal
from designkit.core.protocols import Proposer
from designkit.errors import InputError

INTENTS = ("answer", "backchannel", "count", "cue", "correction")
SCRIPT_KIND = EventKind.SCRIPT.value
# A fallback length estimate when no voice is at hand to measure a line (espeak-ng, 175 wpm).
SECONDS_PER_CHAR = 0.065


@dataclass(frozen=True, slots=True)
class Script:
    """Lines per intent (see the module docstring). Frozen; `with_lines` returns a new script."""

    lines: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        clean: dict[str, tuple[str, ...]] = {}
        for intent, lines in dict(self.lines).items():
            if intent not in INTENTS:
                raise InputError("script intent", expected=f"one of {list(INTENTS)}", got=repr(intent))
            kept = tuple(str(line).strip() for line in ((lines,) if isinstance(lines, str) else lines))
            kept = tuple(line for line in kept if line)
            if not kept:
                raise InputError(f"script lines for '{intent}'", expected="at least one line", got=list(lines))
            clean[intent] = kept
        object.__setattr__(self, "lines", clean)

    def line(self, intent: str, turn: int, said: str = "") -> str:
        """The `turn`-th line of `intent` (cycling), with `{said}` filled in."""
        lines = self.lines.get(intent)
        if not lines:
            return said
        return lines[turn % len(lines)].replace("{said}", said)

    def with_lines(self, intent: str, lines: tuple[str, ...] | list[str] | str) -> Script:
        return Script({**self.lines, intent: tuple(lines) if not isinstance(lines, str) else (lines,)})

    def to_dict(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self.lines.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Script:
        return cls({k: tuple(v) for k, v in data.items()})


def estimate_s(text: str) -> float:
    return round(0.3 + SECONDS_PER_CHAR * len(text), 3)


@dataclass(slots=True)
class ScriptedProposer:
    """Wraps a proposer: its proposals keep their timing and confidence, the words come from the script.

    `intents` maps a proposal's `source` (or its action's name) to an intent; proposals whose
    intent has no lines keep their own content. `measure` gives a line's spoken length (the live
    voice renders it once and caches it); without it the length is estimated from the text.
    """

    inner: Proposer
    script: Script
    intents: Mapping[str, str] = field(default_factory=dict)
    measure: Callable[[str], float] | None = None
    _initial: Script | None = field(default=None, repr=False)
    _said: dict[str, int] = field(default_factory=dict, repr=False)
    _offered: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._initial = self.script

    def reset(self) -> None:
        self.inner.reset()
        self._said = {}
        self._offered = None
        if self._initial is not None:
            self.script = self._initial

    def prepare(self, fills: Mapping[str, Sequence[str]] | None = None) -> None:
        """Measure every line now (with each of `fills[intent]` for `{said}`), so that choosing a
        line inside a microturn never waits for a synthesis."""
        if self.measure is None:
            return
        for intent, lines in self.script.lines.items():
            for line in lines:
                for said in (fills or {}).get(intent, ("",)) if "{said}" in line else ("",):
                    self.measure(line.replace("{said}", said))

    def intent_of(self, proposal: Proposal) -> str | None:
        source = proposal.source.split("#")[0]
        return self.intents.get(source) or self.intents.get(proposal.action.value)

    def propose(self, context: Context) -> Proposal:
        for event in context.events:
            if event.kind == SCRIPT_KIND:
                self.script = Script.from_dict(event.data["lines"])
        # A line is used up once the policy let the agent say it (an intervention at the end of the
        # last microturn); a withheld proposal offers the same line again.
        if self._offered is not None and context.since_intervention_s <= context.dt + 1e-9:
            self._said[self._offered] = self._said.get(self._offered, 0) + 1
        self._offered = None
        proposal = self.inner.propose(context)
        if proposal is NOTHING or proposal.action is Action.SILENT:
            return proposal
        intent = self.intent_of(proposal)
        if intent is None or intent not in self.script.lines:
            return proposal
        self._offered = intent
        # "source#n" picks line n (a breathing phase, say) instead of the next line in turn.
        _, sep, picked = proposal.source.rpartition("#")
        turn = int(picked) if sep and picked.isdigit() else self._said.get(intent, 0)
        text = self.script.line(intent, turn, proposal.content)
        duration = self.measure(text) if self.measure is not None else estimate_s(text)
        return replace(proposal, content=text, duration_s=max(0.2, round(duration, 3)))
