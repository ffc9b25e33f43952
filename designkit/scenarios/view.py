"""See a scenario's truth as lanes over time (Altair, from the `study` extra)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from designkit.errors import MissingExtraError
from designkit.scenarios.truth import Truth

LANES = ["user speech", "hold", "should not speak", "agent (reference)", "noise", "turn end", "backchannel",
         "barge-in", "cue", "target", "rep"]


def truth_frame(truth: Truth) -> pd.DataFrame:
    """One row per span or point: lane, start, end, label."""
    rows: list[dict[str, Any]] = []
    rows += [{"lane": "user speech", "start": s.start, "end": s.end, "label": s.text} for s in truth.user_speech]
    rows += [{"lane": "hold", "start": a, "end": b, "label": f"{b - a:.1f} s pause"} for a, b in truth.holds]
    rows += [{"lane": "should not speak", "start": a, "end": b, "label": ""} for a, b in truth.should_not_speak]
    rows += [{"lane": "agent (reference)", "start": a, "end": b, "label": ""} for a, b in truth.agent_turns]
    rows += [{"lane": "noise", "start": n.start, "end": n.end, "label": n.kind} for n in truth.noises]
    points = [("turn end", truth.turn_ends, ""), ("backchannel", truth.backchannel_opportunities, ""),
              ("barge-in", truth.barge_ins, ""), ("target", truth.targets, ""), ("rep", truth.reps, "")]
    for lane, times, label in points:
        rows += [{"lane": lane, "start": t, "end": t + 0.08, "label": label} for t in times]
    rows += [{"lane": "cue", "start": c.t, "end": c.t + 0.08, "label": c.kind} for c in truth.cues]
    return pd.DataFrame(rows, columns=["lane", "start", "end", "label"])


def truth_chart(truth: Truth, *, title: str = "", width: int = 700) -> Any:
    """The truth as lanes: who speaks, where pauses and cues are, what the agent should do."""
    try:
        import altair as alt
    except ImportError as exc:
        raise MissingExtraError("altair", "study") from exc
    data = truth_frame(truth)
    lanes = [lane for lane in LANES if lane in set(data["lane"])]
    return (
        alt.Chart(data)
        .mark_bar(height=14)
        .encode(
            x=alt.X("start:Q", title="time (s)", scale=alt.Scale(domain=[0, truth.duration])),
            x2="end:Q",
            y=alt.Y("lane:N", sort=lanes, title=None),
            color=alt.Color("lane:N", sort=lanes, legend=None),
            tooltip=["lane", "label", alt.Tooltip("start:Q", format=".2f"), alt.Tooltip("end:Q", format=".2f")],
        )
        .properties(width=width, height=22 * len(lanes), title=title or "ground truth")
    )
