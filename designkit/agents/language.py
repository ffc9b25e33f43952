"""The language coach (CueSpeak): the user practises a language; when they switch to another, it intervenes.

Language ID (Whisper base's encoder and the packaged probe, extra `language`) is too slow for the
microturn path (~0.1-0.3 s a window on two cores), so it runs beside the loop (`core/beside.py`):
each window's result lands in the microturn it became available in, and the log records both
microturns. A confirmed switch away from the practised language is a cue (`cue_code_switch`);
the proposer then offers a correction until it is said or `window_s` has passed, and the policy
decides when: `Style.BARGE_IN` intervenes at once, `Style.WAIT_FOR_PAUSE` at the user's next pause.

    agent = build(target="es", at_once=True)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from designkit.agents.script import Script, ScriptedProposer
from designkit.agents.spec import Agent, audio_models_installed, line_measure
from designkit.agents.split import Split
from designkit.core.beside import Beside
from designkit.core.context import Context
from designkit.core.decisions import NOTHING, Action, Proposal
from designkit.core.engine import Engine
from designkit.core.microturns import Microturn
from designkit.perception.audio.energy import EnergyVAD
from designkit.policy import Policy, Style

NAMES = {"en": "English", "es": "Spanish", "fr": "French", "de": "German"}
SCRIPT = Script({"correction": ("Let's stay in {said}, please.", "In {said}, please!")})
SOURCE = "cue:code_switch"


class LanguageBeside(Split):
    """`LanguagePerceiver` split for `Beside`: windows are cut on the loop, scored in the worker."""

    def reset(self) -> None:
        super().reset()
        self._out: dict[str, float] = {"cue_code_switch": 0.0}
        self._now = 0.0

    def job(self, microturn: Microturn) -> Any | None:
        self._out = {"cue_code_switch": 0.0}
        self._now = microturn.end
        windows = self.perceiver._windows_of(microturn)
        return windows[-1] if windows else None

    def work(self, window: Any) -> tuple[Any, dict[str, float]]:
        return window, self.perceiver.lid.probabilities(window.audio)

    def land(self, result: tuple[Any, dict[str, float]], describes: int) -> None:
        window, probs = result
        self.perceiver._apply(window, probs, self._out, self._now)

    def values(self) -> Mapping[str, float]:
        row: dict[str, float] = self.perceiver._row(dict(self._out))
        return row

    def encode(self, result: tuple[Any, dict[str, float]]) -> dict[str, Any]:
        window, probs = result
        return {"end": window.end, "probs": probs}

    def decode(self, data: Mapping[str, Any]) -> tuple[Any, dict[str, float]]:
        from designkit.perception.language.perceiver import Window

        return Window(end=float(data["end"]), due=float(data["end"]), audio=np.zeros(0, np.float32)), dict(data["probs"])


@dataclass(slots=True)
class CorrectionProposer:
    """After a code-switch cue, propose the correction (source "cue:code_switch") until it is said."""

    target: str = "es"
    window_s: float = 8.0
    new_utterance_s: float = 0.8
    _cue_at: float = field(default=math.nan, repr=False)
    _corrected: bool = field(default=False, repr=False)

    def reset(self) -> None:
        self._cue_at = math.nan
        self._corrected = False

    def propose(self, context: Context) -> Proposal:
        # One correction per utterance: once said, later switches in the same utterance are let go.
        if self._corrected and context.user_silence_s >= self.new_utterance_s:
            self._corrected = False
        if context.signals.get("cue_code_switch", 0.0) >= 0.5 and not self._corrected:
            self._cue_at = context.end
        if math.isnan(self._cue_at):
            return NOTHING
        if context.since_intervention_s <= context.end - self._cue_at + 1e-9:
            self._cue_at, self._corrected = math.nan, True  # said
            return NOTHING
        if context.end - self._cue_at > self.window_s:
            self._cue_at = math.nan  # too late to matter
            return NOTHING
        if context.agent_speaking:
            return NOTHING
        return Proposal(Action.SPEAK, confidence=1.0, urgency=1.0, content=NAMES.get(self.target, self.target),
                        duration_s=1.5, source=SOURCE)


def policy_for(at_once: bool) -> Policy:
    return Policy(style=Style.BARGE_IN if at_once else Style.WAIT_FOR_PAUSE, confidence=0.5,
                  budget_per_min=12.0, min_gap_s=1.0, pause_s=0.4)


def build(*, target: str = "es", languages: Sequence[str] = ("en", "es", "fr", "de"), at_once: bool = True,
          policy: Policy | None = None, script: Script | None = None, lid: Any = None) -> Agent:
    """The language coach for a learner practising `target` (needs the `language` extra)."""
    from designkit.perception.language.perceiver import LanguagePerceiver

    perceiver = LanguagePerceiver(lid, languages=languages, expected=target)
    slow = Beside(LanguageBeside(perceiver))
    if audio_models_installed():
        from designkit.perception.audio.silero import SileroVAD

        vad: object = SileroVAD()
        hears = "Silero VAD"
    else:
        vad, hears = EnergyVAD(), "loudness"
    script = script or SCRIPT
    proposer = ScriptedProposer(CorrectionProposer(target), script, intents={SOURCE: "correction"},
                                measure=line_measure())
    proposer.prepare({"correction": (NAMES.get(target, target),)})
    engine = Engine([vad, slow], policy or policy_for(at_once), proposer=proposer)  # type: ignore[list-item]
    name = NAMES.get(target, target)
    return Agent(name="language", title=f"Language coach: {name}", engine=engine, script=script,
                 listening=f"{hears} + Whisper language ID in a worker ({', '.join(perceiver.languages)})",
                 intro=f"Speak {name}; switch to another language and the coach steps in "
                       f"({'at once' if at_once else 'at your next pause'}).")
