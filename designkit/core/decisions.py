"""What the model proposes and what the policy decides, each decision with its reason."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from designkit.errors import InputError


class Action(str, Enum):
    """What the agent does in a microturn. Silence is an action too."""

    SILENT = "silent"
    SPEAK = "speak"
    BACKCHANNEL = "backchannel"
    INTERRUPT = "interrupt"
    CAPTION = "caption"
    ASK = "ask"
    CONTINUE = "continue"
    YIELD = "yield"

    @property
    def is_intervention(self) -> bool:
        """True for actions that start something the user notices."""
        return self in _INTERVENTIONS

    @property
    def is_voiced(self) -> bool:
        """True for actions the user hears."""
        return self in _VOICED


_INTERVENTIONS = frozenset(
    {Action.SPEAK, Action.BACKCHANNEL, Action.INTERRUPT, Action.CAPTION, Action.ASK}
)
_VOICED = frozenset({Action.SPEAK, Action.BACKCHANNEL, Action.INTERRUPT, Action.ASK})


class Reason(str, Enum):
    """Why a decision was taken. Every decision carries one; silent ones say why the agent kept quiet."""

    # silence, as a designed outcome
    USER_SPEAKING = "silent:user_speaking"
    BELOW_CONFIDENCE = "silent:below_confidence"
    BUDGET_EXHAUSTED = "silent:budget_exhausted"
    QUIET_MODE = "silent:quiet_mode"
    NOTHING_TO_SAY = "silent:nothing_to_say"
    FAULT = "silent:fault"
    GAP = "silent:gap"
    NO_CONSENT = "silent:no_consent"
    WAITING_FOR_PAUSE = "silent:waiting_for_pause"
    STYLE_FORBIDS = "silent:style_forbids"
    MIN_GAP = "silent:min_gap"
    LOW_INITIATIVE = "silent:low_initiative"
    DROPPED = "silent:dropped_after_false_interruption"
    THINKING = "silent:thinking"
    # taking the floor
    TURN_END = "speak:turn_end"
    SCHEDULE = "speak:schedule"
    CUE = "speak:cue"
    RESUME = "speak:resume"
    BACKCHANNEL_OPPORTUNITY = "backchannel:opportunity"
    THINKING_FILLER = "backchannel:thinking"
    THINKING_LINE = "speak:thinking"
    GOES_ON = "speak:goes_on"
    BARGE_IN = "interrupt:barge_in"
    CAPTION_INSTEAD = "caption:instead_of_voice"
    ASK_FIRST = "ask:first"
    # holding or giving it up
    SPEAKING = "continue:speaking"
    USER_BARGE_IN = "yield:user_barge_in"
    STOP_REQUESTED = "yield:stop"
    # an operator decided
    WIZARD = "wizard"

    @property
    def is_silence(self) -> bool:
        return self.value.startswith("silent:")

    @property
    def label(self) -> str:
        """The reason in a designer's words, for widgets, charts and transcripts (logs keep the code)."""
        return REASON_LABELS[self]



# Plain words for every reason code: what a person watching the session would say happened.
# docs/glossary.md explains each one at more length; a test keeps both complete.
REASON_LABELS: dict[Reason, str] = {
    Reason.USER_SPEAKING: "quiet: the person is talking",
    Reason.BELOW_CONFIDENCE: "quiet: not sure enough",
    Reason.BUDGET_EXHAUSTED: "quiet: spoke enough this minute",
    Reason.QUIET_MODE: "quiet: quiet mode is on",
    Reason.NOTHING_TO_SAY: "quiet: nothing to say",
    Reason.FAULT: "quiet: something broke (logged)",
    Reason.GAP: "quiet: audio went missing",
    Reason.NO_CONSENT: "quiet: no consent yet",
    Reason.WAITING_FOR_PAUSE: "quiet: waiting for a pause",
    Reason.STYLE_FORBIDS: "quiet: this style does not do that",
    Reason.MIN_GAP: "quiet: too soon after the last time",
    Reason.LOW_INITIATIVE: "quiet: leaving the lead to the person",
    Reason.DROPPED: "quiet: dropped after a false interruption",
    Reason.THINKING: "quiet: thinking of an answer",
    Reason.TURN_END: "speaks: the person finished",
    Reason.SCHEDULE: "speaks: it is time (schedule)",
    Reason.CUE: "speaks: a cue was seen or heard",
    Reason.RESUME: "speaks: picks up where it stopped",
    Reason.BACKCHANNEL_OPPORTUNITY: "backchannel: a short 'mm-hm'",
    Reason.THINKING_FILLER: "thinks aloud with a filler ('hmm')",
    Reason.THINKING_LINE: "thinks aloud with a holding line",
    Reason.GOES_ON: "speaks: goes on with its answer",
    Reason.BARGE_IN: "interrupts the person",
    Reason.CAPTION_INSTEAD: "shows a caption instead of speaking",
    Reason.ASK_FIRST: "asks before speaking",
    Reason.SPEAKING: "keeps talking",
    Reason.USER_BARGE_IN: "stops: the person talked over it",
    Reason.STOP_REQUESTED: "stops: asked to stop",
    Reason.WIZARD: "an operator decided",
}

# The same for actions (the first word of a reason code).
ACTION_LABELS: dict[Action, str] = {
    Action.SILENT: "stays quiet",
    Action.SPEAK: "speaks",
    Action.BACKCHANNEL: "backchannels ('mm-hm')",
    Action.INTERRUPT: "interrupts",
    Action.CAPTION: "shows a caption",
    Action.ASK: "asks first",
    Action.CONTINUE: "keeps talking",
    Action.YIELD: "stops talking",
}


def reason_label(code: str) -> str:
    """The plain label of a reason code as stored in a log (an unknown code is shown as it is)."""
    try:
        return Reason(code).label
    except ValueError:
        return code


# How long an utterance lasts when nothing says otherwise (a proposal's or a button's `duration_s` of 0).
TURN_S = 1.5
BACKCHANNEL_S = 0.4


def _check_unit(what: str, value: float) -> float:
    if not isinstance(value, (int, float)) or not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise InputError(what, expected="a number in [0, 1]", got=value)
    return float(value)


@dataclass(frozen=True, slots=True)
class Proposal:
    """What the model would like to do this microturn, before any policy has a say."""

    action: Action = Action.SILENT
    confidence: float = 0.0
    urgency: float = 0.0
    content: str = ""
    duration_s: float = 0.0
    source: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "confidence", _check_unit("proposal confidence", self.confidence))
        object.__setattr__(self, "urgency", _check_unit("proposal urgency", self.urgency))
        if not math.isfinite(self.duration_s) or self.duration_s < 0:
            raise InputError("proposal duration_s", expected="seconds >= 0", got=self.duration_s)

    @property
    def is_empty(self) -> bool:
        return self.action is Action.SILENT


NOTHING = Proposal()


@dataclass(frozen=True, slots=True)
class Decision:
    """What the agent does this microturn and why. `duration_s` is how long a new utterance lasts."""

    action: Action
    reason: Reason
    confidence: float = 0.0
    content: str = ""
    duration_s: float = 0.0

    @classmethod
    def silent(cls, reason: Reason) -> Decision:
        return _SILENT_BY_REASON.get(reason) or cls(Action.SILENT, reason)


_SILENT_BY_REASON = {r: Decision(Action.SILENT, r) for r in Reason if r.is_silence}
