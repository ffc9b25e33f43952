"""Tamper evidence and consent: check a log's hash chain and seals, summarise what it may contain."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from designkit.log.reader import SessionLog, read_log
from designkit.log.schema import chain_hash, genesis_hash
from designkit.log.seal import KEY_ENV, Seal, audit_key, manifest_path, read_manifest


@dataclass(frozen=True, slots=True)
class AuditResult:
    """What the audit can vouch for.

    `ok`: the chain holds, the log was closed, its row count and final hash match its seals (and
    their signature when a key is set). `vouched_rows`: how many leading rows a seal or a live
    checkpoint vouches for; `written`: how many rows the newest seal says were written.
    """

    ok: bool
    rows: int
    first_broken_row: int | None
    message: str
    chain_ok: bool = True
    closed: bool = True
    written: int | None = None
    vouched_rows: int = 0


def _chain(session: SessionLog) -> tuple[int | None, list[str]]:
    """(first row whose hash does not match, the recomputed hashes up to there)."""
    previous = genesis_hash(session.header)
    hashes: list[str] = []
    for number, row in enumerate(session.rows):
        expected = chain_hash(previous, row[:-1])
        if row[-1] != expected:
            return number, hashes
        hashes.append(expected)
        previous = expected
    return None, hashes


def _hash_after(genesis: str, hashes: list[str], rows: int) -> str:
    return genesis if rows == 0 else hashes[rows - 1]


def _seal_problem(seal: Seal, what: str, found: int, hashes: list[str], genesis: str,
                  key: bytes | None) -> str | None:
    """Why `seal` (from `what`) disagrees with the rows found, or None when it agrees."""
    if seal.genesis != genesis:
        return f"the {what} belongs to another log (or the header was changed)"
    if key is not None and not seal.signature_ok(key):
        return (f"the {what}'s signature does not match {KEY_ENV}: it was rewritten without the key, "
                "or the key is not the one the log was written with")
    if seal.rows > found:
        return (f"the log ends at row {found} but {seal.rows} were written (the {what} says so): "
                f"the last {seal.rows - found} rows are missing")
    if seal.closed and seal.rows < found:
        return f"the log has {found} rows but the {what} sealed {seal.rows}: rows were added after closing"
    if _hash_after(genesis, hashes, seal.rows) != seal.final_hash:
        return f"row {seal.rows - 1}'s hash differs from the one the {what} recorded: the rows were rewritten"
    return None


def verify_log(log: SessionLog | str | os.PathLike[str]) -> AuditResult:
    """Check order (the hash chain) and completeness (the seals): name what is broken or missing.

    A closed log is checked against the seal in its Parquet metadata and the manifest beside it;
    a journal (never closed) against the last live checkpoint, which vouches for its first rows.
    """
    session = log if isinstance(log, SessionLog) else read_log(log)
    found = len(session.rows)
    genesis = genesis_hash(session.header)
    broken, hashes = _chain(session)
    if broken is not None:
        index = session.rows[broken][0]
        return AuditResult(False, found, broken,
                           f"row {broken} (microturn {index}) does not match its hash: "
                           "it, the header or an earlier row was changed, removed or reordered",
                           chain_ok=False, closed=session.closed, vouched_rows=broken)
    on_disk = session.path is not None
    key = audit_key() if on_disk else None
    manifest = read_manifest(manifest_path(session.path)) if session.path is not None else None
    seals = [(s, w) for s, w in ((session.seal, "log's own seal"), (manifest, "manifest")) if s is not None]
    problems = [p for s, w in seals if (p := _seal_problem(s, w, found, hashes, genesis, key)) is not None]
    written = max((s.rows for s, _ in seals), default=None)
    if key is not None and seals and not all(s.signature for s, _ in seals):
        problems.append(f"{KEY_ENV} is set but the log's seals are not signed: they could have been rewritten")
    if problems:
        vouched = min(found, min(s.rows for s, _ in seals))
        return AuditResult(False, found, None, "; ".join(problems), closed=session.closed,
                           written=written, vouched_rows=vouched)
    notes = []
    if session.truncated_tail:
        notes.append("a partial last row was dropped")
    if not session.closed:
        checkpoint = manifest.rows if manifest is not None else 0
        return AuditResult(False, found, None,
                           "the log was never closed (a journal): " + (
                               f"the last checkpoint vouches for rows 0-{checkpoint - 1} "
                               f"(up to {manifest.t:.1f} s of session time)" if manifest is not None and checkpoint
                               else "no checkpoint vouches for any row")
                           + (f"; rows {checkpoint}-{found - 1} are chained but were written after it"
                              if found > checkpoint else "") + "".join(f"; {n}" for n in notes),
                           closed=False, written=written, vouched_rows=checkpoint)
    if session.seal is None:
        return AuditResult(False, found, None,
                           f"{found} rows in order, but the log has no seal (row count and final hash): "
                           "it was written by an older designkit or rewritten, so a missing tail cannot be "
                           "ruled out", written=written, vouched_rows=0)
    if manifest is None and on_disk:
        notes.append(f"no manifest beside it ({manifest_path(session.path).name}): "  # type: ignore[arg-type]
                     "completeness rests on the file's own seal")
    if any(s.signature for s, _ in seals):
        notes.append("signature checked" if key is not None else f"signed; set {KEY_ENV} to check the signature")
    return AuditResult(True, found, None, f"{found} rows verified, complete (sealed at {found})"
                       + "".join(f"; {n}" for n in notes), written=written, vouched_rows=found)


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
        "chain_ok": result.chain_ok,
        "verified": result.ok,  # in order, closed, and as many rows as were written
        "rows_written": result.written,
        "rows_vouched_for": result.vouched_rows,
        "chain_message": result.message,
        "final_hash": log.rows[-1][-1] if log.rows else None,
    }
