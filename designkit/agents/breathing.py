"""The breathing coach (TimeSpeak): "breathe in / hold / breathe out" on a schedule the user sets, e.g. 4-2-6.

The schedule runs on the session timeline: a cycle starts at `start_s`, and each phase's cue is
due when it begins (in at 0, hold at 4 s, out at 6 s of a 12 s cycle). The cue is proposed in the
microturn whose end (where its speech starts) is nearest its target, so on the 200 ms grid it is
exact. When the user speaks, the coach adapts: the current cycle is dropped, and a new one starts
once the user has been quiet `resume_after_s` (the policy keeps the agent quiet while the user
talks). The policy governs: quiet mode or a budget can still hold a cue back.

    agent = build(pattern=(4, 2, 6))
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from designkit.agents.script import Script, ScriptedProposer
from designkit.agents.spec import Agent, audio_models_installed, line_measure
from designkit.core.context import Context
from designkit.core.decisions import NOTHING, Action, Proposal
from designkit.core.engine import Engine
from designkit.errors import InputError
from designkit.perception.audio.energy import EnergyVAD
from designkit.policy import Policy, Style

PHASES = ("in", "hold", "out")
SCRIPT = Script({"cue": ("Breathe in", "Hold", "Breathe out")})
POLICY = Policy(style=Style.WAIT_FOR_PAUSE, confidence=0.5, budget_per_min=40.0, min_gap_s=1.0, pause_s=0.4)
SOURCE = "timespeak"


def parse_pattern(text: str | tuple[float, ...]) -> tuple[float, float, float]:
    """'4-2-6' -> (4.0, 2.0, 6.0): seconds of breathing in, holding, breathing out."""
    parts = text.replace(" ", "").split("-") if isinstance(text, str) else list(text)
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        raise InputError("breathing pattern", expected="'in-hold-out' seconds like '4-2-6'", got=repr(text)) from None
    if len(values) != 3 or values[0] <= 0 or values[2] <= 0 or values[1] < 0:
        raise InputError("breathing pattern", expected="three seconds, in > 0, hold >= 0, out > 0", got=repr(text))
    return values[0], values[1], values[2]


@dataclass(slots=True)
class BreathingProposer:
    """Proposes each phase's cue at its time (source "timespeak#<phase>"); restarts after the user speaks."""

    pattern: tuple[float, float, float] = (4.0, 2.0, 6.0)
    start_s: float = 1.0
    resume_after_s: float = 1.0
    _anchor: float = field(default=math.nan, repr=False)
    _served: float = field(default=-math.inf, repr=False)

    def __post_init__(self) -> None:
        self.pattern = parse_pattern(self.pattern)
        self.reset()

    def reset(self) -> None:
        self._anchor = self.start_s
        self._served = -math.inf

    @property
    def cycle_s(self) -> float:
        return sum(self.pattern)

    def targets(self, until_s: float) -> list[tuple[float, int]]:
        """(time, phase) of every cue from the current anchor up to `until_s` (no user speech)."""
        offsets = (0.0, self.pattern[0], self.pattern[0] + self.pattern[1])
        out: list[tuple[float, int]] = []
        cycle = 0
        while self._anchor + cycle * self.cycle_s <= until_s:
            for phase, offset in enumerate(offsets):
                t = self._anchor + cycle * self.cycle_s + offset
                if t <= until_s and (phase != 1 or self.pattern[1] > 0):
                    out.append((round(t, 6), phase))
            cycle += 1
        return out

    def propose(self, context: Context) -> Proposal:
        end, half = context.end, context.dt / 2
        if context.user_speaking:
            self._anchor = math.inf  # adapt: this cycle is over; a new one starts after the user
            return NOTHING
        if math.isinf(self._anchor):
            if context.user_silence_s + 1e-9 < self.resume_after_s:
                return NOTHING
            self._anchor = end  # the new cycle's "breathe in" is said now
        offsets = (0.0, self.pattern[0], self.pattern[0] + self.pattern[1])
        cycle = math.floor((end - self._anchor + half) / self.cycle_s)
        for c in (cycle - 1, cycle):
            if c < 0:
                continue
            for phase, offset in enumerate(offsets):
                if phase == 1 and self.pattern[1] == 0:
                    continue
                target = self._anchor + c * self.cycle_s + offset
                # The microturn whose end is nearest the target (half-open, so exactly one).
                if target - half + 1e-9 < end <= target + half + 1e-9 and target > self._served + 1e-9:
                    self._served = target
                    return Proposal(Action.SPEAK, confidence=1.0, urgency=1.0, content=PHASES[phase],
                                    duration_s=1.0, source=f"{SOURCE}#{phase}")
        return NOTHING


def build(*, pattern: str | tuple[float, ...] = "4-2-6", start_s: float = 1.0, policy: Policy | None = None,
          script: Script | None = None) -> Agent:
    """The breathing coach; it hears the user with Silero VAD when installed, else by loudness."""
    inner = BreathingProposer(parse_pattern(pattern), start_s=start_s)
    script = script or SCRIPT
    if audio_models_installed():
        from designkit.perception.audio.silero import SileroVAD

        perceivers: list[object] = [SileroVAD()]
        listening = "Silero VAD (onnxruntime): your speech pauses the schedule"
    else:
        perceivers = [EnergyVAD()]
        listening = "loudness detector: your speech pauses the schedule"
    proposer = ScriptedProposer(inner, script, intents={SOURCE: "cue"}, measure=line_measure())
    proposer.prepare()
    engine = Engine(perceivers, policy or POLICY, proposer=proposer)  # type: ignore[arg-type]
    a, h, o = inner.pattern
    return Agent(name="breathing", title=f"Breathing coach {a:g}-{h:g}-{o:g}", engine=engine, script=script,
                 listening=listening, intro="Breathe with the voice; speak and it waits, then starts a new cycle.")
