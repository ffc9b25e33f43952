"""Audio perception, one adapter per file: energy (no dependencies), silero (VAD), smart_turn
(Smart Turn v3) and turn_taking (designkit's own turn-taking network). Heavy models import their
runtime lazily, behind the `models` extra."""

from designkit.perception.audio.energy import EnergyVAD

__all__ = ["EnergyVAD"]
