"""The pure core: streams, microturns, decisions and the engine. numpy and the standard library only."""

from designkit.core.clock import Clock, MonotonicClock, VirtualClock
from designkit.core.context import Context, EventKind, StepRecord
from designkit.core.decisions import Action, Decision, Proposal, Reason
from designkit.core.engine import Engine
from designkit.core.microturns import Gap, GapKind, Microturn, MicroturnFramer, frame_session
from designkit.core.protocols import Decider, Perceiver, Policy, Proposer, RecordSink
from designkit.core.session import Consent, Session
from designkit.core.streams import SAMPLE_RATE, AudioChunk, Event, VideoFrame

__all__ = [
    "SAMPLE_RATE",
    "Action",
    "AudioChunk",
    "Clock",
    "Consent",
    "Context",
    "Decider",
    "Decision",
    "Engine",
    "Event",
    "EventKind",
    "Gap",
    "GapKind",
    "Microturn",
    "MicroturnFramer",
    "MonotonicClock",
    "Perceiver",
    "Policy",
    "Proposal",
    "Proposer",
    "Reason",
    "RecordSink",
    "Session",
    "StepRecord",
    "VideoFrame",
    "VirtualClock",
    "frame_session",
]
