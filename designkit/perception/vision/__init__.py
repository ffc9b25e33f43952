"""Camera perception: body pose (mediapipe), motion energy, rep counting and visual cues."""

from designkit.perception.vision.perceiver import FrameSource, VisionPerceiver

__all__ = ["FrameSource", "VisionPerceiver"]
