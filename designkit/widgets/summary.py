"""A live session's state as a line that keeps itself current (for apps, where a printed
`session.summary()` would show the moment the cell ran: before any audio arrived).

    display(session, Controls(session), LiveSummary(session))
"""

from __future__ import annotations

import html
import logging
import threading
import weakref
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)

KEPT = {"signals": "signals and decisions", "audio": "your audio", "video": "camera frames"}


def describe(summary: Mapping[str, Any], keep: frozenset[str] | None = None) -> str:
    """One short HTML line: consent, what arrived, what is logged and where."""
    consent = str(summary.get("consent", "none"))
    if consent == "none":
        state = "Waiting for you to click <b>Allow</b>: nothing is captured or logged yet."
    elif consent == "given":
        state = (f"<b>Live</b>: {int(summary.get('microturns', 0))} microturns decided, "
                 f"{int(summary.get('received', 0))} audio chunks received, {int(summary.get('gaps', 0))} gaps, "
                 f"{int(summary.get('stops', 0))} stops of the agent's voice.")
    else:
        state = f"<b>Stopped</b> ({html.escape(consent)}): the microphone is released and the log is closed."
    kept = ", ".join(KEPT.get(k, k) for k in sorted(keep or {"signals"}))
    where = summary.get("folder")
    logged = f"Logged: {html.escape(kept)}" + (f" in <code>{html.escape(str(where))}</code>" if where else "") + "."
    return f"<span class='dk-live-summary-state'>{state}</span> <span class='dk-live-summary-log'>{logged}</span>"


class LiveSummary:
    """An HTML line showing a LiveSession's state, refreshed every `every_s` seconds while the
    session is open (a daemon thread; it stops when the session closes or the widget goes)."""

    def __init__(self, session: Any, *, every_s: float = 1.0) -> None:
        import ipywidgets as w

        self.session = session
        self.every_s = float(every_s)
        self.widget = w.HTML(self.render())
        self.widget.add_class("dk-live-summary")
        self._stop = threading.Event()
        session.observe(lambda _: self.refresh(), names=["consent", "folder"])
        self._thread = threading.Thread(target=self._loop, name="dk-live-summary", daemon=True)
        self._thread.start()
        weakref.finalize(self, self._stop.set)

    def keep(self) -> frozenset[str] | None:
        consent = getattr(getattr(self.session, "engine", None), "state", None)
        given = getattr(consent, "consent", None)
        return frozenset(getattr(given, "keep", ()) or ()) or None

    def render(self) -> str:
        return describe(self.session.summary(), self.keep())

    def refresh(self) -> None:
        value = self.render()
        if value != self.widget.value:
            self.widget.value = value

    def _loop(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                self.refresh()
            except Exception:  # a summary must never take the session down
                log.exception("live summary refresh failed")
                return
            if str(self.session.consent) in ("revoked", "closed"):
                self.refresh()
                return

    def close(self) -> None:
        self._stop.set()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
