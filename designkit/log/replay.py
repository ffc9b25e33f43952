"""Replay a session through an engine straight into a log (on disk, or in memory)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from designkit.core.engine import Engine
from designkit.core.session import Session
from designkit.log.reader import SessionLog
from designkit.log.schema import make_header
from designkit.log.writer import LogWriter


def replay_to_log(
    engine: Engine,
    session: Session,
    path: str | os.PathLike[str] | None = None,
    *,
    created: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> SessionLog:
    """Run `engine.replay(session)`; write the log to `path` when given, else keep it in memory."""
    header = make_header(engine, name=session.name, created=created, extra=extra)
    if path is None:
        return SessionLog.from_records(header, engine.replay(session))
    previous = engine.sink
    writer = LogWriter(Path(path), header=header, keep_rows=True)
    engine.sink = writer
    try:
        engine.replay(session)
    finally:
        engine.sink = previous
        writer.close()
    return writer.session_log()
