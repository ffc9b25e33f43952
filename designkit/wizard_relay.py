"""The relay between a live session and its Wizard-of-Oz console, inside the Jupyter server.

Why the Jupyter server (and not the model host): both pages already reach it (the participant's
page runs its notebook there, the operator opens another tab or window of it), it checks its own
token or login on every websocket, a console page reaches it from the same origin, and the
session's kernel is its child process, so "only sessions of this server" comes for free. The
model host is optional and serves model steps; a study without it still needs its wizard.

One room per session name, at `<base_url>designkit/wizard/<name>`:

- `?role=session`: the kernel's live session (one per name; a second is refused: HTTP 409 before
  the upgrade, or close code 4409 if two race).
- `?role=console`: an operator page. The first console is the operator: its messages go to the
  session. A second console on the same session is read-only: it sees everything, its messages
  are dropped and answered with `{"type": "relay", "event": "read_only"}`. A console may attach
  before the session starts; it waits.

Messages are JSON text and pass through unread, except what the relay says itself:
`{"type": "relay", "event": EVENT}` with EVENT one of `RelayEvent`. The session hears
`operator_attached` / `operator_detached` (and falls back to its policy, or to silence, when its
operator goes); consoles hear `session_joined` / `session_left` / `waiting` / `operator` /
`read_only`. The relay keeps no state in module globals: one `Relay` per server.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

log = logging.getLogger(__name__)

PATH = "designkit/wizard"
REFUSED = 4409  # websocket close code: a second session under a name already live


class Role(str, Enum):
    SESSION = "session"
    CONSOLE = "console"


class RelayEvent(str, Enum):
    """What the relay itself tells the pages."""

    OPERATOR_ATTACHED = "operator_attached"
    OPERATOR_DETACHED = "operator_detached"
    SESSION_JOINED = "session_joined"
    SESSION_LEFT = "session_left"
    WAITING = "waiting"
    OPERATOR = "operator"
    READ_ONLY = "read_only"


def relay_message(event: RelayEvent) -> str:
    return json.dumps({"type": "relay", "event": event.value})


class Peer(Protocol):
    """One open websocket: what the relay needs of it."""

    def send(self, text: str) -> None: ...

    def refuse(self, code: int, why: str) -> None: ...


class Refused(Exception):
    """A session joined under a name that is already live."""


@dataclass(slots=True)
class Room:
    session: Peer | None = None
    operator: Peer | None = None
    watchers: list[Peer] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.session is None and self.operator is None and not self.watchers

    def consoles(self) -> list[Peer]:
        return ([self.operator] if self.operator is not None else []) + self.watchers


class Relay:
    """Rooms by session name; see the module docstring for the rules."""

    def __init__(self) -> None:
        self.rooms: dict[str, Room] = {}

    def has_session(self, name: str) -> bool:
        room = self.rooms.get(name)
        return room is not None and room.session is not None

    def join(self, name: str, role: Role, peer: Peer) -> RelayEvent | None:
        """Add a peer; returns what a console became (OPERATOR or READ_ONLY), None for a session.
        Raises `Refused` for a second session under the same name."""
        room = self.rooms.setdefault(name, Room())
        if role is Role.SESSION:
            if room.session is not None:
                raise Refused(f"a live session named {name!r} is already on this server")
            room.session = peer
            for console in room.consoles():
                console.send(relay_message(RelayEvent.SESSION_JOINED))
            if room.operator is not None:
                peer.send(relay_message(RelayEvent.OPERATOR_ATTACHED))
            log.info("wizard relay: session %r joined", name)
            return None
        if room.operator is None:
            room.operator = peer
            became = RelayEvent.OPERATOR
            if room.session is not None:
                room.session.send(relay_message(RelayEvent.OPERATOR_ATTACHED))
        else:
            room.watchers.append(peer)
            became = RelayEvent.READ_ONLY
        peer.send(relay_message(became))
        peer.send(relay_message(RelayEvent.SESSION_JOINED if room.session is not None else RelayEvent.WAITING))
        log.info("wizard relay: a console joined %r as %s", name, became.value)
        return became

    def leave(self, name: str, peer: Peer) -> None:
        room = self.rooms.get(name)
        if room is None:
            return
        if room.session is peer:
            room.session = None
            for console in room.consoles():
                console.send(relay_message(RelayEvent.SESSION_LEFT))
        elif room.operator is peer:
            room.operator = None
            if room.session is not None:
                room.session.send(relay_message(RelayEvent.OPERATOR_DETACHED))
        elif peer in room.watchers:
            room.watchers.remove(peer)
        if room.empty:
            del self.rooms[name]

    def receive(self, name: str, peer: Peer, text: str) -> None:
        """A message from a peer: the session's go to every console, the operator's to the session."""
        room = self.rooms.get(name)
        if room is None:
            return
        if room.session is peer:
            for console in room.consoles():
                console.send(text)
        elif room.operator is peer:
            if room.session is not None:
                room.session.send(text)
        else:
            peer.send(relay_message(RelayEvent.READ_ONLY))
