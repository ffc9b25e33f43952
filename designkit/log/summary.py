"""What a log says at a glance: who spoke how much, how often the agent stepped in, and why it kept quiet."""

from __future__ import annotations

from typing import Any

from designkit.log.reader import SessionLog

INTERVENTIONS = ("speak", "backchannel", "interrupt", "caption", "ask")


def summarize(log: SessionLog) -> dict[str, Any]:
    """Shares of microturns per reason and per speaker, interventions per minute."""
    frame = log.frame
    minutes = max(log.duration / 60.0, 1e-9)
    reasons = frame["reason"].value_counts(normalize=True).sort_index()
    return {
        "microturns": len(frame),
        "minutes": round(log.duration / 60.0, 3),
        "user_speaking_share": round(float(frame["user_speaking"].mean()), 4) if len(frame) else 0.0,
        "agent_speaking_share": round(float(frame["agent_speaking"].mean()), 4) if len(frame) else 0.0,
        "interventions_per_min": round(float(frame["action"].isin(INTERVENTIONS).sum()) / minutes, 3),
        "yields": int((frame["action"] == "yield").sum()),
        "gap_microturns": int((frame["coverage"] < 1.0).sum()),
        "faults": int((frame["reason"] == "silent:fault").sum()),
        "reason_shares": {str(k): round(float(v), 4) for k, v in reasons.items()},
    }
