"""The session log's columns and how a step record becomes one row (and its hash).

A row is a flat list of plain values in `columns` order; its canonical bytes are that list as
compact JSON. Each row stores sha256(previous hash + canonical bytes), so changing any value,
or dropping or reordering rows, breaks the chain from that row on.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from designkit import __version__
from designkit.core.context import StepRecord
from designkit.core.engine import Engine
from designkit.core.session import Consent
from designkit.errors import InputError

SCHEMA = "designkit.session_log"
SCHEMA_VERSION = 1
SIGNAL_PREFIX = "sig."
HASH_COLUMN = "hash"

# (name, arrow type) of the columns every log has, before the signal columns.
FIXED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("index", "int64"),
    ("t", "float64"),
    ("dt", "float64"),
    ("user_speaking", "bool"),
    ("agent_speaking", "bool"),
    ("proposal_action", "string"),
    ("proposal_confidence", "float64"),
    ("proposal_content", "string"),
    ("proposal_source", "string"),
    ("action", "string"),
    ("reason", "string"),
    ("confidence", "float64"),
    ("content", "string"),
    ("duration_s", "float64"),
    ("consent", "string"),
    ("coverage", "float64"),
    ("gaps", "string"),
    ("events", "string"),
    ("faults", "string"),
)


def columns_for(signals: Sequence[str]) -> list[str]:
    """All value columns of a log with these signals (the hash column comes last)."""
    return [name for name, _ in FIXED_COLUMNS] + [SIGNAL_PREFIX + s for s in signals]


def column_types(signals: Sequence[str]) -> dict[str, str]:
    types = dict(FIXED_COLUMNS)
    types.update({SIGNAL_PREFIX + s: "float64" for s in signals})
    types[HASH_COLUMN] = "string"
    return types


def _json_list(items: Sequence[Any]) -> str:
    if not items:
        return ""
    return json.dumps([i.to_dict() if hasattr(i, "to_dict") else i for i in items],
                      separators=(",", ":"), sort_keys=True, default=str)


def record_to_row(record: StepRecord, signals: Sequence[str]) -> list[Any]:
    """The plain values of one record, in column order (without the hash)."""
    p = record.proposal
    d = record.decision
    values = record.signals
    return [
        record.index, record.t, record.dt, record.user_speaking, record.agent_speaking,
        p.action.value, p.confidence, p.content, p.source,
        d.action.value, d.reason.value, d.confidence, d.content, d.duration_s,
        record.consent, record.coverage,
        _json_list(record.gaps), _json_list(record.events), _json_list(record.faults),
        *[float(values.get(s, float("nan"))) for s in signals],
    ]


_ENCODER = json.JSONEncoder(separators=(",", ":"), sort_keys=True, ensure_ascii=False, allow_nan=True)


def canonical_text(values: Sequence[Any] | Mapping[str, Any]) -> str:
    """Compact JSON with sorted keys: the one spelling that is hashed and journaled."""
    return _ENCODER.encode(values)


def canonical(values: Sequence[Any] | Mapping[str, Any]) -> bytes:
    return _ENCODER.encode(values).encode()


def genesis_hash(header: Mapping[str, Any]) -> str:
    """The chain's starting point: the header's hash, so a changed header breaks row 0."""
    return hashlib.sha256(canonical(dict(header))).hexdigest()


def chain_hash(previous: str, row: Sequence[Any]) -> str:
    return hash_text(previous, canonical_text(row))


def hash_text(previous: str, row_text: str) -> str:
    """The chain step on an already-encoded row: sha256(previous hash + canonical row)."""
    try:
        data = (previous + row_text).encode()
    except UnicodeEncodeError as exc:  # a lone surrogate: no file can hold the row as given
        raise InputError("log row text", expected="valid Unicode text in every field",
                         got=repr(exc.object[exc.start : exc.end]),
                         fix="decode text with errors='replace' before it reaches the engine") from exc
    return hashlib.sha256(data).hexdigest()


def _versions(names: Sequence[str]) -> dict[str, str]:
    """Python's and each package's version; the kit's own from `designkit.__version__` (its
    distribution is named otherwise on the package index)."""
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = __version__ if name == "designkit" else metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def make_header(
    engine: Engine,
    *,
    consent: Consent | None = None,
    name: str = "",
    created: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything a reader needs to trust and interpret the rows: spec, versions, consent."""
    signals = list(engine.columns)
    perceivers = [
        {"name": p.name, "kind": type(p).__name__, "columns": list(p.columns),
         "model_version": str(getattr(p, "model_version", ""))}
        for p in engine.perceivers
    ]
    return {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "name": name,
        "created": created or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "dt": engine.dt,
        "signals": signals,
        "columns": columns_for(signals),
        "policy": engine.policy.to_dict(),
        "proposer": type(engine.proposer).__name__,
        "perceivers": perceivers,
        "packages": _versions(["designkit", "numpy", "pyarrow", "pandas"]),
        "consent": (consent or engine.state.consent).to_dict(),
        "extra": dict(extra or {}),
    }


JOURNAL_SUFFIX = ".journal.jsonl"


def journal_path(path: Path) -> Path:
    """Where a log being written keeps its journal (one JSON line per microturn) until it closes."""
    return path.with_name(path.name + JOURNAL_SUFFIX)
