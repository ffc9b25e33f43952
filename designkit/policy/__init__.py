"""Policies: the designer's object that turns proposals and context into decisions."""

from designkit.policy.simple import SpeakAfterSilence

__all__ = ["SpeakAfterSilence"]
