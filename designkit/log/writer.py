"""Write a session log as it happens: a JSON Lines journal while live, Parquet once closed.

Why two forms: Parquet cannot be appended to safely (its footer is written last), so a killed
kernel would lose everything. The journal is one header line then one compact JSON array per
microturn, flushed to the OS at least once per second of session time, so a SIGKILL loses at
most the last second. `close()` compacts the journal into `<path>` (Parquet, header in the
schema metadata) and removes it; a crashed session's journal stays readable as it is.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from designkit.core.context import StepRecord
from designkit.errors import InputError
from designkit.log.reader import SessionLog, read_log
from designkit.log.schema import (
    HASH_COLUMN,
    SCHEMA,
    canonical_text,
    column_types,
    genesis_hash,
    hash_text,
    journal_path,
    record_to_row,
)

log = logging.getLogger(__name__)

_ARROW_TYPES = {"int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_(), "string": pa.string()}


def table_from_rows(header: Mapping[str, Any], rows: list[list[Any]]) -> pa.Table:
    """An Arrow table of the rows, header in the schema metadata."""
    names = [*header["columns"], HASH_COLUMN]
    types = column_types(header["signals"])
    arrays = [pa.array([r[i] for r in rows], type=_ARROW_TYPES[types[n]]) for i, n in enumerate(names)]
    schema = pa.schema([pa.field(n, _ARROW_TYPES[types[n]]) for n in names],
                       metadata={b"designkit": json.dumps(dict(header)).encode()})
    return pa.Table.from_arrays(arrays, schema=schema)


def write_parquet(path: Path, header: Mapping[str, Any], rows: list[list[Any]]) -> None:
    """Write atomically: a crash mid-write leaves the previous file (or none), never half a log."""
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table_from_rows(header, rows), tmp, compression="zstd")
    os.replace(tmp, path)


class LogWriter:
    """A RecordSink that appends each microturn to the session log and keeps the hash chain."""

    def __init__(self, path: str | os.PathLike[str], *, header: Mapping[str, Any],
                 flush_every_s: float = 1.0, fsync: bool = False, keep_rows: bool = False) -> None:
        """`keep_rows=True` (replays) also keeps rows in memory for a faster close; live
        sessions leave it off so memory stays flat however long they run."""
        if header.get("schema") != SCHEMA:
            raise InputError("log header", expected=f"a header from make_header() ({SCHEMA})",
                             got=header.get("schema"))
        self.path = Path(path)
        self.header = dict(header)
        self.signals: list[str] = list(header["signals"])
        self.journal = journal_path(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists() or self.journal.exists():
            raise InputError("log path", expected="a new file", got=str(self.path),
                             fix="logs are append-only: choose a new name")
        self._file: IO[str] | None = self.journal.open("w", encoding="utf-8")
        self._file.write(json.dumps({"header": self.header}) + "\n")
        self._file.flush()
        self._rows: list[list[Any]] | None = [] if keep_rows else None
        self._count = 0
        self._pending: list[str] = []
        self._last_hash = genesis_hash(self.header)
        self._flush_every = flush_every_s
        self._pending_s = 0.0
        self._fsync = fsync

    @property
    def count(self) -> int:
        """How many microturns were appended."""
        return self._count

    def append(self, record: StepRecord) -> None:
        if self._file is None:
            raise InputError("log writer", expected="an open log", got="a closed one")
        row = record_to_row(record, self.signals)
        text = canonical_text(row)
        self._last_hash = hash_text(self._last_hash, text)
        row.append(self._last_hash)
        if self._rows is not None:
            self._rows.append(row)
        self._count += 1
        self._pending.append(f'{text[:-1]},"{self._last_hash}"]')
        self._pending_s += record.dt
        if self._pending_s >= self._flush_every - 1e-9:
            self.flush()

    def flush(self) -> None:
        """Hand the pending rows to the operating system (they survive the process being killed)."""
        if self._file is None or not self._pending:
            return
        self._file.write("\n".join(self._pending) + "\n")
        self._file.flush()
        if self._fsync:
            os.fsync(self._file.fileno())
        self._pending.clear()
        self._pending_s = 0.0

    def close(self) -> Path:
        """Flush, compact to Parquet and remove the journal. Safe to call twice."""
        if self._file is None:
            return self.path
        self.flush()
        self._file.close()
        self._file = None
        rows = self._rows
        if rows is None:
            rows = read_log(self.journal).rows
        write_parquet(self.path, self.header, rows)
        self.journal.unlink()
        log.info("session log closed: %s (%d microturns)", self.path, self._count)
        return self.path

    def session_log(self) -> SessionLog:
        """The closed log, from memory when rows were kept, else read back from disk."""
        self.close()
        if self._rows is not None:
            return SessionLog(self.header, self._rows, path=self.path)
        return read_log(self.path)

    def __enter__(self) -> LogWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
