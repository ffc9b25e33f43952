"""The exercise coach (camera): pose and rep counting live; it counts aloud, or stays visual.

Pose (mediapipe, ~14 ms a frame, extra `pose`) runs beside the loop (`core/beside.py`) with the
rep counter; without mediapipe the motion-energy fallback counts. A completed rep lands in the
microturn it became available in, and the proposer offers the count: spoken (`aloud=True`) or as
a caption the widget shows (`aloud=False`). The policy governs: quiet mode turns counts off.

    agent = build(exercise="squat", aloud=True)
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

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

SCRIPT = Script({"count": ("{said}!",)})
SOURCE = "count"
POLICY = Policy(style=Style.BARGE_IN, confidence=0.5, budget_per_min=60.0, min_gap_s=0.4, pause_s=0.4)


class VisionBeside(Split):
    """`VisionPerceiver` for `Beside`: a microturn's frames go to the worker, which runs pose and counts."""

    def reset(self) -> None:
        super().reset()
        self._row: dict[str, float] = dict(self.perceiver._last)

    def job(self, microturn: Microturn) -> Any | None:
        for column in self.columns:  # one-shot columns are 1 only where their result landed
            if column == "rep" or column.startswith("cue_"):
                self._row[column] = 0.0
        return microturn.frames or None

    def work(self, frames: Any) -> dict[str, float]:
        row: dict[str, float] = dict(self.perceiver.step(SimpleNamespace(frames=frames)))
        return row

    def land(self, result: dict[str, float], describes: int) -> None:
        rep = max(result.get("rep", 0.0), self._row.get("rep", 0.0))
        self._row = {**result, "rep": rep}

    def values(self) -> Mapping[str, float]:
        return self._row

    def encode(self, result: dict[str, float]) -> dict[str, float | None]:
        return {k: (None if math.isnan(v) else v) for k, v in result.items()}

    def decode(self, data: Mapping[str, float | None]) -> dict[str, float]:
        return {k: (math.nan if v is None else float(v)) for k, v in data.items()}


@dataclass(slots=True)
class CountProposer:
    """Offers the rep count when a rep lands: spoken, or as a caption."""

    aloud: bool = True

    def reset(self) -> None:
        return None

    def propose(self, context: Context) -> Proposal:
        if context.signals.get("rep", 0.0) < 0.5:
            return NOTHING
        count = int(context.signals.get("rep_count", 0.0))
        return Proposal(Action.SPEAK if self.aloud else Action.CAPTION, confidence=1.0, urgency=1.0,
                        content=str(count), duration_s=0.6, source=SOURCE)


def pose_installed() -> bool:
    return importlib.util.find_spec("mediapipe") is not None


def build(*, exercise: str = "squat", aloud: bool = True, pose: bool | None = None, policy: Policy | None = None,
          script: Script | None = None) -> Agent:
    """The exercise coach; `pose=None` uses mediapipe when installed, else motion energy."""
    from designkit.perception.vision import VisionPerceiver

    use_pose = pose_installed() if pose is None else pose
    if use_pose:
        from designkit.perception.vision.pose import PoseSource

        vision = VisionPerceiver(PoseSource(), exercise=exercise)
        seeing = f"mediapipe pose ({exercise} reps) in a worker"
    else:
        from designkit.perception.vision.motion import MotionSource

        vision = VisionPerceiver(MotionSource(), exercise="motion")
        seeing = "motion energy (reps) in a worker"
    hears: object = EnergyVAD()
    if audio_models_installed():
        from designkit.perception.audio.silero import SileroVAD

        hears = SileroVAD()
    script = script or SCRIPT
    proposer = ScriptedProposer(CountProposer(aloud), script, intents={SOURCE: "count"}, measure=line_measure())
    proposer.prepare({"count": tuple(str(n) for n in range(1, 31))})
    engine = Engine([hears, Beside(VisionBeside(vision))], policy or POLICY, proposer=proposer)  # type: ignore[list-item]
    return Agent(name="exercise", title=f"Exercise coach: {exercise}", engine=engine, script=script,
                 listening=seeing, camera=True,
                 intro="Do your reps in front of the camera; the coach counts " + ("aloud." if aloud else "on screen."))
