"""One colour per decision reason, for every chart and for the live strip (widgets/live.js gets
this table from the kernel), so a reason reads the same everywhere.

Silence is muted (greys and soft tints, each reason its own), taking the floor is in colour;
faults are red and gaps black, as on the live strip.
"""

from __future__ import annotations

from designkit.core.decisions import Reason

REASON_COLOURS: dict[str, str] = {
    Reason.USER_SPEAKING.value: "#d0d5db",
    Reason.NOTHING_TO_SAY.value: "#eceff2",
    Reason.BELOW_CONFIDENCE.value: "#f2c14e",
    Reason.BUDGET_EXHAUSTED.value: "#f78154",
    Reason.QUIET_MODE.value: "#7d8b99",
    Reason.WAITING_FOR_PAUSE.value: "#a9b8c6",
    Reason.STYLE_FORBIDS.value: "#c9b6d9",
    Reason.MIN_GAP.value: "#cfa68a",
    Reason.LOW_INITIATIVE.value: "#9fc5b0",
    Reason.DROPPED.value: "#e4a3a3",
    Reason.FAULT.value: "#ff0000",
    Reason.GAP.value: "#000000",
    Reason.NO_CONSENT.value: "#f7f7f7",
    Reason.TURN_END.value: "#2b7de9",
    Reason.SCHEDULE.value: "#1b998b",
    Reason.CUE.value: "#3d5a80",
    Reason.RESUME.value: "#5fa8d3",
    Reason.BACKCHANNEL_OPPORTUNITY.value: "#2bb673",
    Reason.BARGE_IN.value: "#e9542b",
    Reason.CAPTION_INSTEAD.value: "#9b59b6",
    Reason.ASK_FIRST.value: "#c17817",
    Reason.SPEAKING.value: "#8fb8f0",
    Reason.USER_BARGE_IN.value: "#e0b000",
    Reason.STOP_REQUESTED.value: "#6a4c93",
    Reason.WIZARD.value: "#d6336c",
}
UNKNOWN = "#666666"
# Who speaks, in timelines beside the reasons.
SPEECH_COLOURS = {"user speaks": "#444444", "agent speaks": "#2e86ab"}


def reason_colour(reason: Reason | str) -> str:
    """The colour of a reason (a Reason or its "family:why" name)."""
    return REASON_COLOURS.get(getattr(reason, "value", str(reason)), UNKNOWN)


def scale(labels: list[str]) -> tuple[list[str], list[str]]:
    """(domain, range) for a chart's colour scale over these reason (or speech) labels."""
    return labels, [SPEECH_COLOURS.get(label) or reason_colour(label) for label in labels]
