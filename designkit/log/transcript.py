"""A session log as lines a person reads: one line per change of who speaks and why."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol


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
    short = reason.split(":", 1)[-1]
    if action == "silent":
        return f"agent silent ({short})"
    if action == "continue":
        return "agent speaking"
    if action == "yield":
        return f"agent yields ({short})"
    said = f" “{content}”" if content else ""
    return f"agent {action}s{said} ({short})"


def render_transcript(log: Rows) -> str:
    """`00:12.4  user speaking · agent silent (user_speaking)`, one line per change."""
    names = log.columns
    at = {n: i for i, n in enumerate(names)}
    lines: list[str] = []
    previous = ""
    for row in log.rows:
        t = float(row[at["t"]])
        for gap in json.loads(row[at["gaps"]] or "[]"):
            if abs(float(gap["start"]) - t) < float(row[at["dt"]]) or not previous:
                lines.append(f"{clock(t)}  gap: {gap['kind']} {gap['start']:.2f}–{gap['end']:.2f} s")
        for event in json.loads(row[at["events"]] or "[]"):
            lines.append(f"{clock(t)}  event: {event['kind']} {json.dumps(event.get('data', {}))}")
        for fault in json.loads(row[at["faults"]] or "[]"):
            lines.append(f"{clock(t)}  fault: {fault}")
        user = "speaking" if row[at["user_speaking"]] else "silent"
        agent = _agent(row[at["action"]], row[at["reason"]], row[at["content"]], row[at["agent_speaking"]])
        state = f"user {user} · {agent}"
        if state != previous:
            lines.append(f"{clock(t)}  {state}")
            previous = state
    return "\n".join(lines)
