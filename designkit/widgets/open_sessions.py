"""Live sessions still open when the kernel shuts down: their logs are closed cleanly at exit."""

from __future__ import annotations

import atexit
import logging
import weakref
from typing import Any

log = logging.getLogger(__name__)

_open_sessions: weakref.WeakSet[Any] = weakref.WeakSet()


def close_at_exit(session: Any) -> None:
    """Close `session` (anything with `close_session(why)` and a `name`) if the process ends first."""
    _open_sessions.add(session)


@atexit.register
def _close_all() -> None:
    """A kernel that shuts down closes its live logs cleanly."""
    for session in list(_open_sessions):
        try:
            session.close_session("kernel shut down")
        except Exception:
            log.exception("closing live session %s failed", session.name)
