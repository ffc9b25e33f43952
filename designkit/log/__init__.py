"""The session log: every microturn's signals, proposal, decision and reason, append-only."""

from designkit.log.audit import AuditResult, audit_report, verify_log
from designkit.log.reader import SessionLog, read_log
from designkit.log.replay import replay_to_log
from designkit.log.schema import make_header
from designkit.log.transcript import render_transcript
from designkit.log.writer import LogWriter

__all__ = [
    "AuditResult",
    "LogWriter",
    "SessionLog",
    "audit_report",
    "make_header",
    "read_log",
    "render_transcript",
    "replay_to_log",
    "verify_log",
]
