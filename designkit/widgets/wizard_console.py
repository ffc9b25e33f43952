"""WizardConsole: the operator's screen of a Wizard-of-Oz session, on a page of its own.

    # the participant's notebook (or the facilitator's): the agent, nothing else on that page
    session = LiveSession(agent=..., name="p01", wizard=WizardSettings(mode="veto"))
    display(session)

    # another tab, window or machine, same Jupyter server:
    WizardConsole("p01")

The console attaches by name through the Jupyter server both pages already reach (the
`designkit.wizard_relay` websocket, behind that server's token or login): its page talks to the
relay directly, so an operator's key press does not wait for this notebook's kernel. It shows the
participant's live timeline, the model's proposal (confidence, source), the policy's decision and,
in veto mode, the proposal waiting for an answer with its countdown. The operator has a palette
of lines (editable, saved with the session, hotkeys 1-9), free text typed and spoken in the
session's voice, backchannel (B), interrupt now (I), hold and release (H), yield (Y), a note (N),
approve (A) and deny (D), and the three modes (override, veto, full wizard), switchable live.
A second console on the same session is read-only. See docs/wizard.md.

`wizard_sessions(...)` makes the facilitator's sessions of a "wizard" condition attachable.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from designkit.assets import widget_asset, widget_module
from designkit.errors import InputError
from designkit.study.colours import colour_table
from designkit.widgets.facilitator import SessionFactory, default_session
from designkit.widgets.live import LiveSession
from designkit.widgets.wizard_desk import PALETTE_SIZE, WizardSettings
from designkit.widgets.wizard_link import RELAY_PATH

WIZARD_CONDITION = "wizard"
WIZARD_ROOM = "wizard"


class WizardConsole(anywidget.AnyWidget):
    """The operator's console for the live session named `room`; see the module docstring."""

    _esm = widget_module("wizard_console.js", "dom.js")
    _css = widget_asset("wizard_console.css")
    room = t.Unicode("").tag(sync=True)
    relay_path = t.Unicode(RELAY_PATH).tag(sync=True)
    palette_size = t.Int(PALETTE_SIZE).tag(sync=True)
    colours = t.Dict().tag(sync=True)
    window_s = t.Float(30.0).tag(sync=True)
    hotkeys = t.Bool(True).tag(sync=True)  # 1-9, B, I, H, Y, N, A, D anywhere on the page
    # Written by the page: "connecting", "waiting" (no session yet), "operator", "read_only",
    # "session_left", "refused" or "offline" (the relay is gone).
    status = t.Unicode("connecting").tag(sync=True)

    def __init__(self, room: str, *, hotkeys: bool = True, **kwargs: Any) -> None:
        if not isinstance(room, str) or not room.strip() or "/" in room:
            raise InputError("wizard console room", expected="the live session's name (no '/')", got=repr(room))
        super().__init__(room=room.strip(), hotkeys=hotkeys, colours=colour_table(), **kwargs)


def wizard_sessions(settings: WizardSettings | None = None, *,
                    conditions: Iterable[str] = (WIZARD_CONDITION,)) -> SessionFactory:
    """A facilitator's `session_factory`: sessions of `conditions` take an operator (in the room
    `settings.room`, default "wizard", so one console follows the study from participant to
    participant); other conditions run as `default_session` does."""
    settings = settings if settings is not None else WizardSettings(room=WIZARD_ROOM)
    if not settings.room:
        raise InputError("wizard room", expected="a fixed room name for a study's sessions", got="''")
    wizard = frozenset(conditions)

    def make(condition: str, policy: Any, log_dir: Path, name: str) -> LiveSession:
        session = default_session(condition, policy, log_dir, name)
        if condition in wizard:
            session.open_to_wizard(settings)
        return session

    return make
