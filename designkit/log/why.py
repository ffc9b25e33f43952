"""Why did it say that: for each utterance, what the agent heard, why it spoke and the prompt it answered.

A talking agent's answers land as arrivals of the `answer` worker (`designkit.proposers.answer`),
which hold the words heard and the prompt only when the consent keeps `transcript`. `WhyTracker`
follows a session microturn by microturn (live, or a log's rows): it remembers each answer as it
lands and, when the agent says something, puts together what a person would ask about it. Nothing
is added that the log does not keep: without `transcript` it says why and how sure, not the words.

    tracker = WhyTracker()
    why = tracker.step(action="speak", reason="speak:turn_end", confidence=0.82, content="Boil it.", events=[...])
    why.lines()   # ['why: speaks: the person finished (sure 0.82)', 'heard: “how long…”', 'prompt: …']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from designkit.core.context import EventKind
from designkit.core.decisions import reason_label
from designkit.core.streams import Event

ANSWERS = "answer"  # the perceiver whose arrivals are answers
VOICED = ("speak", "backchannel", "interrupt", "caption", "ask")
_KEEP = 64  # answers remembered (a session says each within seconds of its landing)


@dataclass(frozen=True, slots=True)
class Why:
    """One utterance explained: what was said, the decision's reason and confidence, and (where the
    consent kept them) the words heard and the prompt the model answered."""

    said: str
    reason: str
    confidence: float
    heard: str = ""
    prompt: str = ""
    model: str = ""
    asked: bool = False  # the words heard asked a question (kept even where the words are not)

    def lines(self) -> list[str]:
        question = ", heard a question" if self.asked else ""
        out = [f"why: {reason_label(self.reason)} (sure {self.confidence:.2f}{question})"]
        if self.heard:
            out.append(f"heard: “{self.heard}”")
        if self.prompt:
            out.append(f"prompt ({self.model}): {self.prompt}" if self.model else f"prompt: {self.prompt}")
        return out

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"said": self.said, "reason": self.reason, "label": reason_label(self.reason),
                               "confidence": round(self.confidence, 3)}
        out.update({k: v for k, v in (("heard", self.heard), ("prompt", self.prompt), ("model", self.model),
                                      ("asked", self.asked)) if v})
        return out


@dataclass(slots=True)
class WhyTracker:
    """Remembers the answers that landed; `step` explains the microturn's utterance (None if none)."""

    _answers: dict[str, tuple[str, str, str, bool]] = field(default_factory=dict)  # said -> heard, prompt, model, asked
    _turns: dict[int, tuple[str, str, bool]] = field(default_factory=dict)  # turn -> heard, prompt, asked

    def step(self, *, action: str, reason: str, confidence: float, content: str,
             events: Iterable[Event | Mapping[str, Any]] = ()) -> Why | None:
        for event in events:
            self._remember(event)
        if action not in VOICED or not content:
            return None
        heard, prompt, model, asked = self._answers.get(content, ("", "", "", False))
        return Why(content, reason, float(confidence), heard, prompt, model, asked)

    def _remember(self, event: Event | Mapping[str, Any]) -> None:
        kind = event.kind if isinstance(event, Event) else event.get("kind")
        data: Mapping[str, Any] = event.data if isinstance(event, Event) else event.get("data", {})
        if kind != EventKind.ARRIVAL.value or data.get("perceiver") != ANSWERS or "result" not in data:
            return
        result = data["result"]
        text, turn = str(result.get("text", "")), int(result.get("turn", -1))
        if int(result.get("part", 0)) == 0:
            self._turns[turn] = (str(result.get("heard", "")), str(result.get("prompt", "")),
                                 bool(result.get("asked", False)))
        if not text:
            return
        heard, prompt, asked = self._turns.get(turn, ("", "", False))
        self._answers[text] = (heard, prompt, str(result.get("model", "")), asked)
        while len(self._answers) > _KEEP:
            self._answers.pop(next(iter(self._answers)))
