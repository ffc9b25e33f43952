"""Policies: the designer's object that turns proposals and context into decisions."""

from designkit.policy.budget import Budget
from designkit.policy.context import Mode
from designkit.policy.cues import CueSpeak
from designkit.policy.schedules import TimeSpeak
from designkit.policy.simple import SpeakAfterSilence
from designkit.policy.spec import AfterFalseInterruption, Policy, dial, policies
from designkit.policy.styles import Style

__all__ = ["AfterFalseInterruption", "Budget", "CueSpeak", "Mode", "Policy", "SpeakAfterSilence",
           "Style", "TimeSpeak", "dial", "policies"]
