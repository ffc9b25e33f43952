"""A scripted stand-in for a live session, written where a live one would be: for tests, examples
and trying the analysis before the first participant comes.

    record_scripted(store.session("P01", "calm", "chat"), policy, user=[(0.5, 2.0), (3.0, 4.5)],
                    duration_s=8.0, markers=[(4.1, "too quick")])

The user's speech is synthetic noise-like sound in the given intervals; the engine hears it with
the loudness detector and the pause proposer (no model files), exactly as the live fallback does,
and writes the session log with the markers as `marker` events. Nothing here pretends a person
was there: the log's header says `source: scripted`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from designkit.core.context import EventKind
from designkit.core.engine import Engine
from designkit.core.streams import Event
from designkit.log import replay_to_log
from designkit.perception.audio.energy import EnergyVAD
from designkit.proposers.pause import PauseProposer
from designkit.study.people.storage import SESSION_PREFIX, SessionFolder
from designkit.testing import scripted_session


def record_scripted(folder: SessionFolder, policy: Any, *, user: Sequence[tuple[float, float]], duration_s: float,
                    markers: Sequence[tuple[float, str]] = (), seed: int = 0) -> Path:
    """Write a session log for `folder` as a live session would; returns the log's path."""
    events = [Event(t=t, kind=EventKind.MARKER, data={"note": note, "by": "participant"}) for t, note in markers]
    session = scripted_session(list(user), duration_s, seed=seed, events=events, name=SESSION_PREFIX)
    engine = Engine([EnergyVAD()], policy, proposer=PauseProposer())
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    path = folder.path / f"{SESSION_PREFIX}-{stamp}" / "log.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    replay_to_log(engine, session, path, extra={"source": "scripted", "participant": folder.participant,
                                                "condition": folder.condition, "task": folder.task})
    return path
