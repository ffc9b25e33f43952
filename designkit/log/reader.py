"""Read a session log, closed (Parquet) or still being written / killed (journal)."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from designkit.core.context import StepRecord
from designkit.errors import LogError
from designkit.log.schema import (
    HASH_COLUMN,
    JOURNAL_SUFFIX,
    SCHEMA,
    SIGNAL_PREFIX,
    chain_hash,
    genesis_hash,
    journal_path,
    record_to_row,
)
from designkit.log.seal import Seal, seal_from_metadata
from designkit.log.transcript import render_transcript

log = logging.getLogger(__name__)


class SessionLog:
    """A session's rows (one per microturn) and its header: policy, versions, consent."""

    def __init__(self, header: dict[str, Any], rows: list[list[Any]], *, path: Path | None = None,
                 closed: bool = True, truncated_tail: bool = False, seal: Seal | None = None) -> None:
        """`seal`: the row count and final hash a closed log was sealed with (None: not sealed)."""
        self.header = header
        self.rows = rows
        self.path = path
        self.closed = closed
        self.truncated_tail = truncated_tail
        self.seal = seal

    @classmethod
    def from_records(cls, header: dict[str, Any], records: Sequence[StepRecord]) -> SessionLog:
        """An in-memory log of a replay, hash chain included, without touching the disk."""
        signals = header["signals"]
        rows: list[list[Any]] = []
        previous = genesis_hash(header)
        for record in records:
            row = record_to_row(record, signals)
            previous = chain_hash(previous, row)
            row.append(previous)
            rows.append(row)
        genesis = genesis_hash(header)
        seal = Seal(len(rows), rows[-1][-1] if rows else genesis, genesis, True,
                    float(records[-1].t + records[-1].dt) if records else 0.0)
        return cls(header, rows, seal=seal)

    @property
    def columns(self) -> list[str]:
        return [*self.header["columns"], HASH_COLUMN]

    @property
    def signals(self) -> list[str]:
        return list(self.header["signals"])

    @property
    def duration(self) -> float:
        return len(self.rows) * float(self.header["dt"])

    def __len__(self) -> int:
        return len(self.rows)

    @cached_property
    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame; signal columns keep their names without the 'sig.' prefix."""
        frame = pd.DataFrame(self.rows, columns=self.columns)
        return frame.rename(columns={SIGNAL_PREFIX + s: s for s in self.signals})

    def signal(self, name: str) -> np.ndarray:
        if name not in self.signals:
            raise LogError("signal", expected=f"one of {self.signals}", got=repr(name))
        return self.frame[name].to_numpy(dtype=np.float64)

    def transcript(self) -> str:
        return render_transcript(self)

    def events(self) -> list[dict[str, Any]]:
        """Every logged event in order, the arrivals of the work beside the loop included: what a
        replay needs to hold what live held (`Beside.follow`, `Agent.replay`)."""
        column = self.columns.index("events")
        return [event for row in self.rows for event in json.loads(row[column] or "[]")]


def _read_journal(path: Path) -> SessionLog:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LogError("session log", expected="a readable journal", got=f"{path}: {exc}") from exc
    # Split the bytes, decode line by line: a kill in the middle of a multi-byte character spoils
    # only the partial last line, never the whole journal.
    lines = data.split(b"\n")
    ends_cleanly = data.endswith(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if not lines:
        raise LogError("session log", expected="a header line", got=f"an empty file {path}")
    try:
        header = json.loads(lines[0].decode("utf-8"))["header"]
    except (ValueError, KeyError, TypeError) as exc:
        raise LogError("session log header", expected="a JSON header on line 1", got=str(path),
                       fix="this file is not a designkit log or its header is damaged") from exc
    _check_header(header, path)
    rows: list[list[Any]] = []
    truncated = False
    width = len(header["columns"]) + 1
    for number, line in enumerate(lines[1:], start=2):
        try:
            row = json.loads(line.decode("utf-8"))
            if not isinstance(row, list) or len(row) != width:
                raise ValueError(f"{len(row) if isinstance(row, list) else type(row).__name__} values")
        except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError included
            last = number == len(lines)
            if last and not ends_cleanly:
                truncated = True  # the writer was killed mid-line: lose that microturn only
                log.warning("%s: dropped a partial last row (line %d)", path, number)
                break
            raise LogError("session log row", expected=f"{width} JSON values on line {number}",
                           got=str(exc), fix=f"the file {path} is damaged at line {number}") from exc
        rows.append(row)
    return SessionLog(header, rows, path=path, closed=False, truncated_tail=truncated)


def _check_header(header: Any, path: Path) -> None:
    if not isinstance(header, dict) or header.get("schema") != SCHEMA:
        raise LogError("session log header", expected=SCHEMA, got=f"{path}")
    version = header.get("version", 0)
    if not isinstance(version, int) or isinstance(version, bool):
        raise LogError("session log version", expected="a whole number", got=repr(version))
    if version > 1:
        raise LogError("session log version", expected="version 1", got=version,
                       fix="upgrade designkit to read this log")
    for key in ("columns", "signals"):
        value = header.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise LogError(f"session log header '{key}'", expected="a list of names", got=repr(value)[:80],
                           fix=f"the header of {path} is damaged")
    dt = header.get("dt")
    if not isinstance(dt, (int, float)) or isinstance(dt, bool) or not dt > 0:
        raise LogError("session log header 'dt'", expected="seconds > 0", got=repr(dt))


def _read_parquet(path: Path) -> SessionLog:
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise LogError("session log", expected="a readable Parquet log", got=f"{path}: {exc}",
                       fix="a truncated or damaged file: recover from its .journal.jsonl if present") from exc
    meta = table.schema.metadata or {}
    try:
        header = json.loads(meta[b"designkit"])
    except (KeyError, ValueError) as exc:
        raise LogError("session log header", expected="designkit metadata in the Parquet schema",
                       got=str(path)) from exc
    _check_header(header, path)
    names = [*header["columns"], HASH_COLUMN]
    if table.column_names != names:
        raise LogError("session log columns", expected=str(names), got=table.column_names)
    try:  # a flipped byte in a data page can pass Parquet's checks and still not decode
        columns = [table.column(n).to_pylist() for n in names]
    except (pa.ArrowException, ValueError) as exc:
        raise LogError("session log", expected="readable columns", got=f"{path}: {exc}",
                       fix="a damaged file: recover from its .journal.jsonl if present") from exc
    rows = [list(r) for r in zip(*columns, strict=True)] if columns else []
    return SessionLog(header, rows, path=path, closed=True, seal=seal_from_metadata(meta, str(path)))


def read_log(path: str | os.PathLike[str]) -> SessionLog:
    """Open a log by its path; a session that never closed is read from its journal."""
    path = Path(path)
    if path.name.endswith(JOURNAL_SUFFIX):
        return _read_journal(path)
    if path.exists():
        with path.open("rb") as handle:
            magic = handle.read(4)
        if magic == b"PAR1":
            return _read_parquet(path)
        if magic.startswith(b"{"):
            return _read_journal(path)
        raise LogError("session log", expected="a Parquet log or a JSON Lines journal", got=str(path))
    journal = journal_path(path)
    if journal.exists():
        log.warning("%s was not closed; reading its journal %s", path, journal)
        return _read_journal(journal)
    raise LogError("session log", expected="an existing file", got=str(path))
