"""Metrics: pure functions over interval arrays, and tables over sessions.

Each metric takes keyword-only plain arrays (seconds) and cites its definition; `evaluate`
turns logs + truths into a session x metric table, `compare` policies x metrics with bootstrap
intervals (`designkit.study.compare`, which runs policies and so imports more).
"""

from designkit.metrics.attention import attention_cost
from designkit.metrics.cuespeak import cuespeak
from designkit.metrics.repcount import repcount
from designkit.metrics.session import METRICS, SessionTruth, evaluate, session_metrics
from designkit.metrics.silence import silence_outcome, silence_reasons
from designkit.metrics.stats import bootstrap_ci
from designkit.metrics.timeline import Timeline, timeline_of
from designkit.metrics.timespeak import timespeak
from designkit.metrics.turn_taking import (
    backchannel_rate,
    early_interruption_rate,
    overlap_ratio,
    response_latencies,
    response_success_rate,
    yield_latencies,
)

__all__ = [
    "METRICS", "SessionTruth", "Timeline", "attention_cost", "backchannel_rate", "bootstrap_ci", "cuespeak",
    "early_interruption_rate", "evaluate", "overlap_ratio", "repcount", "response_latencies",
    "response_success_rate", "session_metrics", "silence_outcome", "silence_reasons", "timeline_of",
    "timespeak", "yield_latencies",
]
