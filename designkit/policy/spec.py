"""Policy: the designer's spec of when the agent may speak, backchannel, interrupt or stay silent.

    calm = Policy(style="wait_for_pause", confidence=0.7, budget_per_min=2)
    public = calm.replace(context="public")          # a new policy; calm is unchanged
    assert Policy.from_dict(public.to_dict()) == public

`decide(proposal, context)` is pure: the same proposal and context give the same decision, and
every decision carries a reason (`designkit.core.Reason`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from enum import Enum
from typing import Any

from designkit.core.context import Context
from designkit.core.decisions import BACKCHANNEL_S, TURN_S, Action, Decision, Proposal, Reason
from designkit.core.protocols import Decider
from designkit.errors import InputError, choice
from designkit.policy.budget import Budget
from designkit.policy.cues import CueSpeak, check_rules
from designkit.policy.knobs import Control, Knob, choices, knob, knobs_of
from designkit.policy.modes import EFFECTS, Mode, ModeEffect
from designkit.policy.schedules import TimeSpeak
from designkit.policy.styles import Style
from designkit.policy.thinking import (
    ANSWER_MORE_SOURCE,
    TALK_SOURCES,
    THINKING_SOURCE,
    Thinking,
    ThinkingMode,
    same_turn,
)

EPS = 1e-9
ASK_S = 1.0
# How far the initiative dial moves each knob when it goes from 1 down to 0 (documented on Policy).
INITIATIVE_GAP_S = 10.0
INITIATIVE_PAUSE_S = 1.0
# The pause a turn end the model is sure of waits for, instead of `pause_s` (see `sure_confidence`).
SURE_PAUSE_S = 0.2


class AfterFalseInterruption(str, Enum):
    """What the agent does after it yielded to a sound that turned out short (a false interruption)."""

    RESUME = "resume"
    DROP = "drop"


def _unit(what: str, value: float) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0.0 <= value <= 1.0:
        raise InputError(what, expected="a number in [0, 1]", got=value)
    return float(value)


def _seconds(what: str, value: float) -> float:
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise InputError(what, expected="seconds >= 0", got=value)
    return float(value)


@dataclass(frozen=True, slots=True)
class Policy(Decider):
    """When the agent may take the floor, and why it stays silent.

    Knobs (all validated; a wrong name in `replace`/`from_dict` lists the valid ones). Each field
    declares how a person turns it (`knob(...)`: control, range, step, unit, plain label, hint and
    glossary entry; all of them in `KNOBS`):

    - `style`: `barge_in`, `wait_for_pause`, `backchannel_only`, `caption_only`, `ask_first`
      (see `designkit.policy.styles.Style`).
    - `confidence`: proposals below this confidence are withheld (`silent:below_confidence`).
    - `budget_per_min`, `min_gap_s`: the attention budget (`silent:budget_exhausted`, `silent:min_gap`).
    - `context`: `focused`, `stressed`, `public`, `do_not_disturb` (see `designkit.policy.modes.Mode`).
    - `initiative` (the dial, 0..1, default 1): how much the agent acts on its own. Monotone:
      threshold = confidence + (1 - initiative)(1 - confidence); budget = budget_per_min x initiative;
      min gap = min_gap_s + 10 s x (1 - initiative); pause wait = pause_s + 1 s x (1 - initiative).
      At 0 the model never acts on its own (`silent:low_initiative`): only the targets the user
      set (schedules, cue rules) fire.
    - `yield_microturns`: stop within this many microturns of the user starting to speak over the agent.
    - `false_interruption_s`, `after_false_interruption`: if the sound that made the agent yield
      lasted less than this, `resume` the cut utterance or `drop` it.
    - `pause_s`: the silence `wait_for_pause` and `ask_first` wait for before taking a turn.
    - `sure_confidence` (None: off): a model's turn end at least this confident waits only
      0.2 s of silence instead of `pause_s` (initiative and context mode still add their wait):
      a sure model answers sooner, an unsure one still waits out pauses inside a turn.
    - `schedules` (TimeSpeak) and `cues` (CueSpeak): user-set targets; they bypass confidence,
      initiative and budget, but follow the style and the context mode.
    """

    style: Style = field(default=Style.WAIT_FOR_PAUSE, metadata=knob(
        "interruption style", "How the agent may take the floor.", glossary="style", control=Control.CHOICE,
        choices=choices(Style, {Style.BARGE_IN: "may interrupt", Style.WAIT_FOR_PAUSE: "waits for a pause",
                                Style.BACKCHANNEL_ONLY: "only backchannels", Style.CAPTION_ONLY: "captions only",
                                Style.ASK_FIRST: "asks first"})))
    confidence: float = field(default=0.6, metadata=knob(
        "confidence threshold", "Proposals less sure than this are withheld.", glossary="confidence threshold",
        unit="0–1", low=0.0, high=1.0, step=0.05))
    budget_per_min: float = field(default=12.0, metadata=knob(
        "attention budget", "The most interventions the agent may make in any minute.",
        glossary="attention budget", unit="per minute", low=0.5, high=30.0, step=0.5))
    min_gap_s: float = field(default=1.0, metadata=knob(
        "gap between interventions", "The least time between two interventions.", glossary="attention budget",
        unit="s", low=0.0, high=20.0, step=0.5))
    context: Mode = field(default=Mode.FOCUSED, metadata=knob(
        "context mode", "The person's situation, which shifts the other knobs.", glossary="context mode",
        control=Control.CHOICE,
        choices=choices(Mode, {Mode.FOCUSED: "focused", Mode.STRESSED: "stressed", Mode.PUBLIC: "in public",
                               Mode.DO_NOT_DISTURB: "do not disturb"})))
    initiative: float = field(default=1.0, metadata=knob(
        "initiative", "How much the agent acts on its own (0: only what the person asked for).",
        glossary="initiative", unit="0–1", low=0.0, high=1.0, step=0.05))
    yield_microturns: int = field(default=1, metadata=knob(
        "yield within", "How fast the agent stops when the person talks over it.", glossary="yield rule",
        control=Control.WHOLE, unit="microturns", low=1, high=5, step=1))
    false_interruption_s: float = field(default=0.6, metadata=knob(
        "false interruption under", "A sound that cut the agent off and lasted less than this was not meant.",
        glossary="false interruption", unit="s", low=0.0, high=2.0, step=0.1))
    after_false_interruption: AfterFalseInterruption = field(default=AfterFalseInterruption.RESUME, metadata=knob(
        "after a false interruption", "Whether the agent picks up what was cut off.",
        glossary="false interruption", control=Control.CHOICE,
        choices=choices(AfterFalseInterruption, {AfterFalseInterruption.RESUME: "resume what was cut off",
                                                 AfterFalseInterruption.DROP: "drop it"})))
    pause_s: float = field(default=0.6, metadata=knob(
        "pause before a turn", "The silence the agent waits for before taking a turn.", glossary="pause",
        unit="s", low=0.0, high=2.0, step=0.1))
    sure_confidence: float | None = field(default=None, metadata=knob(
        "sure turn end from", f"A turn end at least this sure waits only {SURE_PAUSE_S:g} s of silence.",
        glossary="pause", unit="0–1", low=0.0, high=1.0, step=0.05, off="off: every turn end waits the pause"))
    schedules: tuple[TimeSpeak, ...] = field(default=(), metadata=knob(
        "schedules", "Times the person asked the agent to speak at ('every 6 s').", glossary="TimeSpeak",
        control=Control.RULES))
    cues: tuple[CueSpeak, ...] = field(default=(), metadata=knob(
        "cue rules", "What the agent does when a cue is seen or heard.", glossary="CueSpeak", control=Control.RULES))
    ask_content: str = field(default="May I add something?", metadata=knob(
        "the ask-first question", "What `ask_first` says before it speaks.", glossary="ask", control=Control.TEXT))
    thinking: ThinkingMode = field(default=ThinkingMode.SILENT, metadata=knob(
        "while thinking", "What the agent does while its answer is being written.", glossary="thinking",
        control=Control.CHOICE,
        choices=choices(ThinkingMode, {ThinkingMode.SILENT: "stays silent", ThinkingMode.FILLER: "says 'hmm'",
                                       ThinkingMode.BACKCHANNEL: "says 'mm-hm'",
                                       ThinkingMode.HOLDING_LINE: "says a holding line"})))
    thinking_after_s: float = field(default=0.4, metadata=knob(
        "thinking sound after", "How late an answer may be before the thinking sound.", glossary="thinking",
        unit="s", low=0.0, high=3.0, step=0.1))
    # Effective values, derived once (not part of the spec).
    _effect: ModeEffect = field(init=False, repr=False, compare=False)
    _threshold: float = field(init=False, repr=False, compare=False)
    _budget: Budget = field(init=False, repr=False, compare=False)
    _pause: float = field(init=False, repr=False, compare=False)
    _sure_pause: float = field(init=False, repr=False, compare=False)
    _thinking: Thinking = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "style", choice(Style, self.style, "interruption style"))
        set_(self, "context", choice(Mode, self.context, "context mode"))
        set_(self, "confidence", _unit("confidence threshold", self.confidence))
        set_(self, "initiative", _unit("initiative", self.initiative))
        if not isinstance(self.yield_microturns, int) or self.yield_microturns < 1:
            raise InputError("yield_microturns", expected="a whole number >= 1", got=self.yield_microturns)
        set_(self, "false_interruption_s", _seconds("false_interruption_s", self.false_interruption_s))
        set_(self, "pause_s", _seconds("pause_s", self.pause_s))
        set_(self, "_thinking", Thinking(self.thinking, self.thinking_after_s))
        set_(self, "thinking", self._thinking.mode)
        set_(self, "thinking_after_s", self._thinking.after_s)
        if self.sure_confidence is not None:
            set_(self, "sure_confidence", _unit("sure_confidence", self.sure_confidence))
        set_(self, "after_false_interruption",
             choice(AfterFalseInterruption, self.after_false_interruption, "after_false_interruption"))
        schedules = tuple(self.schedules)
        for s in schedules:
            if not isinstance(s, TimeSpeak):
                raise InputError("schedule", expected="a TimeSpeak (or TimeSpeak.parse('every 6 s'))",
                                 got=type(s).__name__)
        set_(self, "schedules", schedules)
        set_(self, "cues", check_rules(self.cues))
        Budget(self.budget_per_min, self.min_gap_s)  # validates
        effect = EFFECTS[self.context]
        initiative = self.initiative
        threshold = self.confidence + (1 - initiative) * (1 - self.confidence)
        set_(self, "_effect", effect)
        set_(self, "_threshold", min(1.0, threshold + effect.confidence_add))
        set_(self, "_budget", Budget(self.budget_per_min * initiative * effect.budget_scale,
                                     (self.min_gap_s + INITIATIVE_GAP_S * (1 - initiative)) * effect.gap_scale))
        added = INITIATIVE_PAUSE_S * (1 - initiative) + effect.pause_add_s
        set_(self, "_pause", self.pause_s + added)
        set_(self, "_sure_pause", min(self.pause_s, SURE_PAUSE_S) + added)

    # -- the spec API ---------------------------------------------------------------------
    @classmethod
    def knobs(cls) -> tuple[str, ...]:
        """The names `replace` and `from_dict` accept."""
        return tuple(f.name for f in fields(cls) if not f.name.startswith("_"))

    def replace(self, **knobs: Any) -> Policy:
        """A new policy with some knobs changed; this one is unchanged."""
        unknown = set(knobs) - set(self.knobs())
        if unknown:
            raise InputError("policy knob", expected=f"one of {list(self.knobs())}", got=sorted(unknown))
        return replace(self, **knobs)

    def check_schedules(self, now: float) -> None:
        """Raise `InputError` if a fixed-time schedule is already in the past at `now` (seconds)."""
        for schedule in self.schedules:
            schedule.check_not_past(now)

    @property
    def threshold(self) -> float:
        """The confidence a proposal needs after initiative and context mode are applied."""
        return self._threshold

    @property
    def budget(self) -> Budget:
        """The attention budget after initiative and context mode are applied."""
        return self._budget

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": "policy"}
        for name in self.knobs():
            value = getattr(self, name)
            if isinstance(value, Enum):
                value = value.value
            elif name in ("schedules", "cues"):
                value = [v.to_dict() for v in value]
            elif isinstance(value, float) and math.isinf(value):
                value = None
            out[name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        data = {k: v for k, v in data.items() if k != "kind"}
        unknown = set(data) - set(cls.knobs())
        if unknown:
            raise InputError("policy field", expected=f"one of {list(cls.knobs())}", got=sorted(unknown))
        if data.get("budget_per_min", 0.0) is None:
            data["budget_per_min"] = math.inf
        data["schedules"] = tuple(TimeSpeak.from_dict(s) for s in data.get("schedules", ()))
        data["cues"] = tuple(CueSpeak.from_dict(c) for c in data.get("cues", ()))
        return cls(**data)

    # -- deciding -------------------------------------------------------------------------
    def idle(self, user_speaking: bool, end: float, dt: float) -> Decision | None:
        """What `decide` returns for an empty proposal in the microturn ending at `end` while the
        agent is silent, `after_cut` cannot act and no events arrived; None when it might act anyway
        (a schedule due, cue rules, event-relative schedules). Replays use it to skip building a
        context; it never changes a decision."""
        if self.cues:
            return None
        for schedule in self.schedules:
            if schedule.after_event is not None or schedule.in_window(end, dt) is not None:
                return None
        return _IDLE_SPEAKING if user_speaking else _IDLE_QUIET

    def decide(self, proposal: Proposal, context: Context) -> Decision:
        """Proposal + context -> decision with its reason. Pure."""
        if context.agent_speaking:
            held = self._while_speaking(context)
            if held is not None:
                return held
        if context.cut_remaining_s > 0 and not context.user_speaking:
            after = self.after_cut(context.user_silence_s, context.since_cut_s, context.user_last_speech_s,
                                   context.cut_remaining_s, context.dt)
            if after is not None:
                return after
        target = self._target(proposal, context)
        if target is not None:
            return target
        return self.answer(proposal, context.user_speaking, context.user_silence_s,
                           context.interventions_last_minute, context.since_intervention_s)

    def answer(self, proposal: Proposal, user_speaking: bool, user_silence_s: float,
               interventions_last_minute: int, since_intervention_s: float) -> Decision:
        """What the model's `proposal` becomes once the agent's voice, a cut-off utterance and the
        designer's schedules and cue rules had their say (`decide`'s last step): withheld with its
        reason, or shaped by the style and the context mode. Replays of a policy `without_targets`
        call it directly for a silent agent, without building a context."""
        if proposal.action is _SILENT:
            return _IDLE_SPEAKING if user_speaking else _IDLE_QUIET
        if self.initiative <= 0.0:
            return _LOW_INITIATIVE
        if not self._effect.model_initiated:
            return _QUIET_MODE
        if proposal.confidence < self._threshold - EPS:
            return _BELOW_CONFIDENCE
        source = proposal.source
        talk = source in TALK_SOURCES  # (an answer in words: `thinking`)
        # The answer after a thinking sound belongs to the same turn: the minimum gap does not hold it.
        if not (talk and same_turn(since_intervention_s, user_silence_s)):
            blocked = self._budget.blocks(interventions_last_minute, since_intervention_s)
            if blocked is not None:
                return Decision.silent(blocked)
        decision = self._shape(proposal.action, None, proposal.content, proposal.duration_s,
                               proposal.confidence, user_speaking, user_silence_s, interrupt=self.style is _BARGE_IN)
        if source == THINKING_SOURCE and decision.action.is_intervention:
            # The policy would answer now, but the words are not ready: the `thinking` knob decides.
            return self._thinking.while_thinking(user_silence_s, since_intervention_s, interventions_last_minute)
        if source == ANSWER_MORE_SOURCE and decision.reason is Reason.TURN_END:
            return replace(decision, reason=Reason.GOES_ON)  # the same time on the floor: not counted again
        return decision

    @property
    def without_targets(self) -> bool:
        """True when no schedule or cue rule of the designer's can act: `idle` then depends only on
        whether the user speaks, and for a silent agent `decide` is `after_cut` (when something was
        cut off and the user is silent) and then `answer`. Replays use it to decide a quiet
        stretch at once and to answer proposals without a context."""
        return not self.cues and not self.schedules

    def speaking(self, user_speaking: bool, user_speech_s: float, agent_speech_s: float,
                 agent_remaining_s: float, dt: float) -> Decision | None:
        """What `decide` returns while the agent speaks, whatever the proposal (go on, or yield to
        a barge-in); None when the utterance ends this microturn and the proposal decides.
        Replays call it to skip building a context; `decide` uses it too.

        With the user silent it depends only on `agent_remaining_s`, and goes on for any time left
        once it goes on for less (`silent_user_speaking_is_monotone`): replays decide such a
        stretch of the agent's utterance at once."""
        if user_speaking:
            # The user started over us (not: we started over the user, as barge_in does).
            started_over_us = user_speech_s <= agent_speech_s + EPS
            due = user_speech_s >= self.yield_microturns * dt - EPS
            if started_over_us and due:
                return Decision(Action.YIELD, Reason.USER_BARGE_IN)
            return _SPEAKING
        if agent_remaining_s > EPS:
            return _SPEAKING
        return None

    @property
    def silent_user_speaking_is_monotone(self) -> bool:
        """See `speaking`: True for every `Policy`."""
        return True

    def _while_speaking(self, context: Context) -> Decision | None:
        return self.speaking(context.user_speaking, context.user_speech_s, context.agent_speech_s,
                             context.agent_remaining_s, context.dt)

    def after_cut(self, user_silence_s: float, since_cut_s: float, user_last_speech_s: float,
                  cut_remaining_s: float, dt: float) -> Decision | None:
        """Right after the user stops, a short sound that cut us off was a false interruption:
        resume or drop what was cut off (`cut_remaining_s` seconds of it); None otherwise, and
        always None later than the microturn right after the user stops (replays rely on it).
        `decide` asks it while the user is silent and something was cut off; so do replays."""
        just_stopped = user_silence_s <= dt + EPS
        after_cut = user_silence_s <= since_cut_s + EPS
        short = user_last_speech_s < self.false_interruption_s - EPS
        if not (just_stopped and after_cut and short):
            return None
        if self.after_false_interruption is AfterFalseInterruption.DROP:
            return Decision.silent(Reason.DROPPED)
        return Decision(Action.SPEAK, Reason.RESUME, 1.0, "", cut_remaining_s)

    def _target(self, proposal: Proposal, context: Context) -> Decision | None:
        for schedule in self.schedules:
            if schedule.target(context) is not None:
                decision = self._shape(schedule.action, Reason.SCHEDULE, schedule.content,
                                       schedule.duration_s, 1.0, context.user_speaking, context.user_silence_s,
                                       interrupt=self.style is Style.BARGE_IN)
                if decision.action.is_intervention:
                    return decision
        for rule in self.cues:
            if rule.onset(proposal, context, self._threshold) is not None:
                decision = self._shape(rule.action, Reason.CUE, rule.content, rule.duration_s,
                                       proposal.confidence if proposal.source == rule.key else 1.0,
                                       context.user_speaking, context.user_silence_s, interrupt=rule.interrupt or self.style is Style.BARGE_IN)
                if decision.action.is_intervention:
                    return decision
        return None

    def _shape(self, wish: Action, reason: Reason | None, content: str, duration_s: float,
               confidence: float, user_speaking: bool, user_silence_s: float, *, interrupt: bool) -> Decision:
        """What a wish to act becomes under the style and the context mode."""
        effect = self._effect
        if wish is _BACKCHANNEL:
            if self.style is _CAPTION_ONLY:
                return Decision.silent(Reason.STYLE_FORBIDS)
            if not effect.voice:
                return Decision.silent(Reason.QUIET_MODE)
            return Decision(Action.BACKCHANNEL, reason or Reason.BACKCHANNEL_OPPORTUNITY, confidence,
                            content or "mm-hm", (duration_s or BACKCHANNEL_S) * effect.duration_scale)
        style = self.style
        if style is _BACKCHANNEL_ONLY and reason is None:
            return _STYLE_FORBIDS
        length = (duration_s or TURN_S) * effect.duration_scale
        if style is _CAPTION_ONLY or not effect.voice or wish is _CAPTION:
            return Decision(Action.CAPTION, reason or Reason.CAPTION_INSTEAD, confidence, content, length)
        if user_speaking:
            if interrupt:
                return Decision(Action.INTERRUPT, reason or Reason.BARGE_IN, confidence, content, length)
            return _IDLE_SPEAKING
        if reason is None and style in _WAITS_FOR_PAUSE:
            sure = self.sure_confidence is not None and confidence >= self.sure_confidence - EPS
            if user_silence_s < (self._sure_pause if sure else self._pause) - EPS:
                return _WAITING_FOR_PAUSE
            if style is _ASK_FIRST:
                return Decision(Action.ASK, Reason.ASK_FIRST, confidence, self.ask_content, ASK_S)
        return Decision(Action.SPEAK, reason or Reason.TURN_END, confidence, content, length)


# Enum members looked up once: `Action.SILENT` on its class costs ~0.1 µs in Python 3.11, and
# `answer` and `_shape` run for nearly every proposal of every replay.
_SILENT, _BACKCHANNEL, _CAPTION = Action.SILENT, Action.BACKCHANNEL, Action.CAPTION
_BARGE_IN, _BACKCHANNEL_ONLY, _CAPTION_ONLY, _ASK_FIRST = (Style.BARGE_IN, Style.BACKCHANNEL_ONLY, Style.CAPTION_ONLY,
                                                          Style.ASK_FIRST)
_SPEAKING = Decision(Action.CONTINUE, Reason.SPEAKING)
_IDLE_SPEAKING = Decision.silent(Reason.USER_SPEAKING)
_IDLE_QUIET = Decision.silent(Reason.NOTHING_TO_SAY)
_LOW_INITIATIVE = Decision.silent(Reason.LOW_INITIATIVE)
_QUIET_MODE = Decision.silent(Reason.QUIET_MODE)
_BELOW_CONFIDENCE = Decision.silent(Reason.BELOW_CONFIDENCE)
_WAITING_FOR_PAUSE = Decision.silent(Reason.WAITING_FOR_PAUSE)
_STYLE_FORBIDS = Decision.silent(Reason.STYLE_FORBIDS)
_WAITS_FOR_PAUSE = frozenset({Style.WAIT_FOR_PAUSE, Style.ASK_FIRST})


# Every knob of `Policy` as a person turns it (read by the live controls, the explorer and the glossary test).
KNOBS: dict[str, Knob] = knobs_of(Policy)


def dial(initiative: float, base: Policy | None = None) -> Policy:
    """The initiative dial: `base` (default `Policy()`) with `initiative` set; see `Policy`."""
    return (base or Policy()).replace(initiative=initiative)


def policies(**grid: Sequence[Any]) -> list[Policy]:
    """Every combination of the given knob values, e.g. `policies(style=[...], confidence=[...])`."""
    out = [Policy()]
    for name, values in grid.items():
        out = [p.replace(**{name: v}) for p in out for v in values]
    return out


QUIET_MODE = Mode.DO_NOT_DISTURB


def with_quiet(policy: Policy, quiet: bool, previous: Mode | None) -> tuple[Policy, Mode | None]:
    """Quiet mode is the do-not-disturb context; turning it off restores the previous context."""
    if quiet and policy.context is not QUIET_MODE:
        return policy.replace(context=QUIET_MODE), policy.context
    if not quiet and policy.context is QUIET_MODE:
        return policy.replace(context=previous or Mode.FOCUSED), None
    return policy, previous
