"""A session log as lines a person reads: one line per change of who speaks and why."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

from designkit.core.decisions import reason_label
from designkit.log.why import WhyTracker


class Rows(Protocol):
    """What a transcript reads of a session log (`SessionLog` has these)."""

    @property
    def columns(self) -> Sequence[str]: ...

    @property
    def rows(self) -> Sequence[Sequence[Any]]: ...


def clock(t: float) -> str:
    """`mm:ss.s`, the way designers read timelines."""
    minutes, seconds = divmod(max(t, 0.0), 60.0)
    return f"{int(minutes):02d}:{seconds:04.1f}"


def _agent(action: str, reason: str, content: str, agent_speaking: bool) -> str:
    """The agent's part of a line: the reason in plain words, its code in brackets."""
    short = reason.split(":", 1)[-1]
    if action == "continue":
        return "agent speaking"
    said = f" “{content}”" if content else ""
    return f"agent {reason_label(reason)}{said} ({short})"


def render_transcript(log: Rows) -> str:
    """`00:12.4  user speaking · agent quiet: the person is talking (user_speaking)`, one line per change;
    under each utterance, why it was said (reason and confidence, and for an answer in words what
    was heard and the prompt, where the log keeps them: `designkit.log.why`)."""
    names = log.columns
    at = {n: i for i, n in enumerate(names)}
    lines: list[str] = []
    previous = ""
    why = WhyTracker()
    for row in log.rows:
        t = float(row[at["t"]])
        events = json.loads(row[at["events"]] or "[]")
        for gap in json.loads(row[at["gaps"]] or "[]"):
            if abs(float(gap["start"]) - t) < float(row[at["dt"]]) or not previous:
                lines.append(f"{clock(t)}  gap: {gap['kind']} {gap['start']:.2f}–{gap['end']:.2f} s")
        for event in events:
            lines.append(f"{clock(t)}  event: {event['kind']} {json.dumps(event.get('data', {}))}")
        for fault in json.loads(row[at["faults"]] or "[]"):
            lines.append(f"{clock(t)}  fault: {fault}")
        user = "speaking" if row[at["user_speaking"]] else "silent"
        agent = _agent(row[at["action"]], row[at["reason"]], row[at["content"]], row[at["agent_speaking"]])
        state = f"user {user} · {agent}"
        if state != previous:
            lines.append(f"{clock(t)}  {state}")
            previous = state
        said = why.step(action=row[at["action"]], reason=row[at["reason"]], confidence=float(row[at["confidence"]]),
                        content=row[at["content"]], events=events)
        if said is not None:
            lines.extend(f"{'':9}{line}".replace("\n", f"\n{'':11}") for line in said.lines())
    return "\n".join(lines)
