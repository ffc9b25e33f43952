"""Tamper evidence and consent: check a log's hash chain and summarise what it may contain."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from designkit.log.reader import SessionLog, read_log
from designkit.log.schema import chain_hash, genesis_hash


@dataclass(frozen=True, slots=True)
class AuditResult:
    """Whether the chain holds, and if not, the first row (0-based) where it breaks."""

    ok: bool
    rows: int
    first_broken_row: int | None
    message: str


def verify_log(log: SessionLog | str | os.PathLike[str]) -> AuditResult:
    """Recompute every row's hash from the header on; name the first row that does not match."""
    session = log if isinstance(log, SessionLog) else read_log(log)
    previous = genesis_hash(session.header)
    for number, row in enumerate(session.rows):
        expected = chain_hash(previous, row[:-1])
        if row[-1] != expected:
            index = row[0]
            return AuditResult(False, len(session.rows), number,
                               f"row {number} (microturn {index}) does not match its hash: "
                               "it, the header or an earlier row was changed, removed or reordered")
        previous = expected
    note = "" if session.closed else " (journal of a session that did not close)"
    if session.truncated_tail:
        note += "; a partial last row was dropped"
    return AuditResult(True, len(session.rows), None, f"{len(session.rows)} rows verified{note}")


def audit_report(log: SessionLog) -> dict[str, Any]:
    """What an auditor asks: consent given and kept, policy, versions, chain status, final hash."""
    header = log.header
    result = verify_log(log)
    consent_labels = sorted({str(r[log.columns.index("consent")]) for r in log.rows})
    return {
        "name": header.get("name", ""),
        "created": header.get("created"),
        "consent": header.get("consent"),
        "consent_states_seen": consent_labels,
        "raw_media_kept": [k for k in ("audio", "video") if k in header.get("consent", {}).get("keep", [])],
        "policy": header.get("policy"),
        "perceivers": header.get("perceivers"),
        "packages": header.get("packages"),
        "microturns": len(log.rows),
        "chain_ok": result.ok,
        "chain_message": result.message,
        "final_hash": log.rows[-1][-1] if log.rows else None,
    }
