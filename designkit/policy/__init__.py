"""Policies: the designer's object that turns proposals and context into decisions."""

from designkit.policy.budget import Budget
from designkit.policy.cues import CueSpeak
from designkit.policy.knobs import Choice, Control, Knob
from designkit.policy.modes import Mode
from designkit.policy.schedules import TimeSpeak
from designkit.policy.speak_after_silence import SpeakAfterSilence
from designkit.policy.spec import KNOBS, AfterFalseInterruption, Policy, dial, policies
from designkit.policy.styles import Style

__all__ = ["KNOBS", "AfterFalseInterruption", "Budget", "Choice", "Control", "CueSpeak", "Knob", "Mode", "Policy",
           "SpeakAfterSilence", "Style", "TimeSpeak", "dial", "policies"]
