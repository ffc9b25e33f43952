"""Perception: signals from streams, one adapter per file.

    audio/      energy, silero (VAD), smart_turn, turn_taking (own model), onnx (session factory)
    vision/     pose, motion, reps, cues, perceiver (VisionPerceiver)
    language/   whisper weights, language_id, probe, perceiver (LanguagePerceiver)
    truth_vad, simulated_cues, logged_signals: perceivers from ground truth, simulated detectors
    and logged sessions, for trying policies before (or without) a model.

Heavy models import lazily, behind extras.
"""

from designkit.perception.audio.energy import EnergyVAD

__all__ = ["EnergyVAD"]
