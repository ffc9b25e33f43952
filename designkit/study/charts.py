"""Altair charts of sessions and studies: people would rather look at timing than read it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from designkit.errors import MissingExtraError

if TYPE_CHECKING:
    import altair as alt

    from designkit.log.reader import SessionLog

# One colour per reason family, so silence reads as silence across charts.
REASON_COLORS = {
    "silent:user_speaking": "#c7d2de",
    "silent:nothing_to_say": "#e6e9ed",
    "silent:below_confidence": "#f2c14e",
    "silent:budget_exhausted": "#f78154",
    "silent:quiet_mode": "#9aa5b1",
    "silent:waiting_for_pause": "#b8c4ce",
    "silent:fault": "#d7263d",
    "silent:gap": "#5c5c5c",
    "speak:turn_end": "#2e86ab",
    "speak:schedule": "#1b998b",
    "speak:cue": "#3d5a80",
    "backchannel:opportunity": "#81b29a",
    "interrupt:barge_in": "#e07a5f",
    "continue:speaking": "#a9cce3",
    "yield:user_barge_in": "#6a4c93",
    "wizard": "#ff006e",
}


def _altair() -> Any:
    try:
        import altair as alt
    except ImportError as exc:
        raise MissingExtraError("altair", "study") from exc
    return alt


def runs(flags: pd.Series, t: pd.Series, dt: float) -> list[tuple[float, float]]:
    """Intervals where a boolean column is true, from per-microturn rows."""
    out: list[tuple[float, float]] = []
    start = None
    for on, time in zip(flags.to_numpy(), t.to_numpy(), strict=True):
        if on and start is None:
            start = float(time)
        elif not on and start is not None:
            out.append((start, float(time)))
            start = None
    if start is not None:
        out.append((start, float(t.iloc[-1]) + dt))
    return out


def timeline_frame(log: SessionLog) -> pd.DataFrame:
    """Lane rows (lane, start, end, label) for a session: user, agent and each decision."""
    frame = log.frame
    dt = float(log.header["dt"])
    rows = [{"lane": "user", "start": a, "end": b, "label": "speaking"}
            for a, b in runs(frame["user_speaking"], frame["t"], dt)]
    rows += [{"lane": "agent", "start": a, "end": b, "label": "speaking"}
             for a, b in runs(frame["agent_speaking"], frame["t"], dt)]
    rows += [{"lane": "decision", "start": float(t), "end": float(t) + dt, "label": str(r)}
             for t, r in zip(frame["t"], frame["reason"], strict=True)]
    return pd.DataFrame(rows, columns=["lane", "start", "end", "label"])


def timeline(log: SessionLog, *, width: int = 700) -> alt.Chart:
    """User and agent speech as lanes over time, with each microturn's decision coloured by reason."""
    alt = _altair()
    data = timeline_frame(log)
    reasons = sorted(set(data["label"]) - {"speaking"})
    domain = ["speaking", *reasons]
    colors = ["#444444", *[REASON_COLORS.get(r, "#999999") for r in reasons]]
    return (
        alt.Chart(data)
        .mark_bar(height=18)
        .encode(
            x=alt.X("start:Q", title="time (s)"),
            x2="end:Q",
            y=alt.Y("lane:N", sort=["user", "agent", "decision"], title=None),
            color=alt.Color("label:N", scale=alt.Scale(domain=domain, range=colors), title="state / reason"),
            tooltip=["lane", "label", alt.Tooltip("start:Q", format=".1f"), alt.Tooltip("end:Q", format=".1f")],
        )
        .properties(width=width, height=90, title=str(log.header.get("name") or "session"))
    )
