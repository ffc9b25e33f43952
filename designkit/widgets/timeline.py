"""What the live timeline strip draws for each microturn (colours: `designkit.study.colours`).

The strip itself is drawn in the browser (`widgets/live.js`, a canvas, last 30 s); the kernel
only sends one small dict per microturn, built here so tests can check it without a browser.
"""

from __future__ import annotations

from typing import Any

from designkit.core.context import EventKind, StepRecord
from designkit.study.colours import reason_colour, reason_colours


def timeline_point(record: StepRecord, *, vad_signal: str = "vad") -> dict[str, Any]:
    """One microturn as the strip draws it: speech rows, the decision, cues and targets, gaps."""
    decision = record.decision
    cues = [e.data.get("name", e.kind) for e in record.events if e.kind in (EventKind.CUE, "target")]
    vad = record.signals.get(vad_signal)
    return {
        "index": record.index,
        "t": record.t,
        "user": record.user_speaking,
        "agent": record.agent_speaking,
        "vad": None if vad is None or vad != vad else round(float(vad), 3),
        "action": decision.action.value,
        "reason": decision.reason.value,
        "content": decision.content,
        "proposal": record.proposal.action.value,
        "confidence": round(record.proposal.confidence, 3),
        "gaps": [g.kind.value for g in record.gaps],
        "events": [e.kind for e in record.events],
        "cues": cues,
        "fault": bool(record.faults),
    }


__all__ = ["reason_colour", "reason_colours", "timeline_point"]
