"""The live session's side of a Wizard-of-Oz console: settings, the operator's line, what it sees.

    session = LiveSession(agent=..., name="p01", wizard=WizardSettings(mode="veto", veto_ms=1200))
    # on another screen (same Jupyter server):  WizardConsole("p01")

A `WizardDesk` belongs to one `LiveSession`. It opens the session's line to the relay of the
Jupyter server its kernel runs under (`wizard_link`), turns each operator message into a `wizard`
event of the session (so the log and a replay see it), stamps each with the operator's reaction
time, and sends the console every microturn's timeline point, the model's proposal and the
policy's decision. When the operator's console goes away, the session falls back to its policy
(`on_detach="policy"`) or holds the agent silent (`"silent"`), and logs which.

Reaction time (`reaction_ms` in the event): from the user's last turn end (the engine's VAD offset)
to the moment the action reached the kernel, on the session timeline (the audio received so far
plus the time since its last chunk); for an answer to a waiting proposal (approve, deny) from
the end of the microturn that proposal was decided in. The operator's page and the participant's
page may be on different machines: nothing here reads their clocks. Each action the console sent
(numbered `n`) is answered with `{"type": "acted", "n", "reaction_ms", "reaction_from"}`, so the
console's history shows how fast the operator was.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from designkit.core.context import StepRecord
from designkit.core.engine import Engine
from designkit.core.wizard import OperatorAction
from designkit.core.wizard_modes import ModeState, OnTimeout, WizardMode
from designkit.errors import InputError, choice
from designkit.widgets.wizard_link import RelayLink, this_kernels_server

log = logging.getLogger(__name__)

PALETTE_SIZE = 9  # hotkeys 1-9
DETACHED = "operator console detached"
NO_RELAY = "no Jupyter server relay to attach a console to"
DEFAULT_PALETTE = (
    "Mm-hm.",
    "Could you say a bit more about that?",
    "Let me think about that for a moment.",
    "That makes sense.",
    "Sorry, go on.",
    "Can I add one thing?",
    "Okay, let's move on.",
    "I'm not sure I follow.",
    "Thank you, that's all for now.",
)


class OnDetach(str, Enum):
    """What the session does when the operator's console goes away."""

    POLICY = "policy"  # the policy takes over (override mode, holds released)
    SILENT = "silent"  # the agent is held silent until an operator attaches and releases it


@dataclass(frozen=True, slots=True)
class WizardSettings:
    """How a live session takes an operator: the starting mode, the veto's wait and its default,
    what happens when the console goes, the palette of lines, and the room name (default: the
    session's name) a console attaches to."""

    mode: WizardMode | str = WizardMode.OVERRIDE
    veto_ms: float = 1500.0
    on_timeout: OnTimeout | str = OnTimeout.DENY
    on_detach: OnDetach | str = OnDetach.POLICY
    palette: Sequence[str] = DEFAULT_PALETTE
    room: str = ""
    connect: bool = True  # open the line to the Jupyter server (off: tests drive `WizardDesk.receive`)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "mode", choice(WizardMode, self.mode, "wizard mode"))
        set_(self, "on_timeout", choice(OnTimeout, self.on_timeout, "wizard on_timeout"))
        set_(self, "on_detach", choice(OnDetach, self.on_detach, "wizard on_detach"))
        set_(self, "palette", check_palette(self.palette))
        ModeState(veto_s=float(self.veto_ms) / 1000)  # validates the wait

    def mode_data(self) -> dict[str, Any]:
        assert isinstance(self.mode, WizardMode) and isinstance(self.on_timeout, OnTimeout)
        return {"mode": self.mode.value, "veto_ms": float(self.veto_ms), "on_timeout": self.on_timeout.value}

    def to_dict(self) -> dict[str, Any]:
        assert isinstance(self.on_detach, OnDetach)
        return {**self.mode_data(), "on_detach": self.on_detach.value, "palette": list(self.palette),
                "room": self.room}


def check_palette(lines: Sequence[str]) -> tuple[str, ...]:
    if isinstance(lines, str):
        lines = (lines,)
    palette = tuple(str(line).strip() for line in lines)
    if not palette or len(palette) > PALETTE_SIZE or not all(palette):
        raise InputError("wizard palette", expected=f"1 to {PALETTE_SIZE} non-empty lines", got=list(lines))
    return palette


# What a console may ask (besides `line` and `say`, and editing the palette).
OPERATOR_VERBS = frozenset(OperatorAction)
ANSWERS = frozenset({OperatorAction.APPROVE, OperatorAction.DENY})


@dataclass(slots=True)
class DeskLog:
    """What the desk saw, kept in the recording's facts (`recording.json`, key "wizard")."""

    attached: list[float] = field(default_factory=list)  # session times the operator attached
    detached: list[float] = field(default_factory=list)
    palette_changes: list[dict[str, Any]] = field(default_factory=list)
    waits: list[dict[str, Any]] = field(default_factory=list)  # each vetoable proposal and how it ended
    refused: int = 0  # operator messages the desk could not read


class OperatedSession(Protocol):
    """What a desk needs of its live session (`LiveSession` is one): who it is, its engine, a way
    to log an operator action, its clock, and its voice to render lines ahead."""

    @property
    def name(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def consent(self) -> str: ...

    @property
    def engine(self) -> Engine: ...

    def wizard(self, action: OperatorAction | str, **data: Any) -> None: ...

    def session_time(self) -> float: ...

    def prepare_lines(self, lines: Sequence[str]) -> None: ...


class WizardDesk:
    """One live session's operator line; see the module docstring."""

    def __init__(self, session: OperatedSession, settings: WizardSettings) -> None:
        self.session = session
        self.settings = settings
        self.room = settings.room or session.name
        self.palette = tuple(settings.palette)
        self.attached = False
        self.log = DeskLog()
        self._lock = threading.Lock()
        self._user_was_speaking = False
        self._waiting: dict[str, Any] | None = None
        self._warm_palette()
        self.link: RelayLink | None = None
        if settings.connect:
            server = this_kernels_server()
            if server is None:
                log.warning("no Jupyter server found for this kernel: a wizard console cannot attach to %r", self.room)
            else:
                self.link = RelayLink(server, self.room, self.receive)

    # -- from the session ---------------------------------------------------------------------
    def started(self) -> None:
        """Consent given, capture starts: the starting mode is the first thing in the log."""
        self.session.wizard(OperatorAction.MODE, **self.settings.mode_data(), by="settings")
        if self.attached:
            self._attach_event()
        elif self.settings.connect and self.link is None:  # no console can ever come (no server found)
            self._detach(NO_RELAY)

    def after_step(self, record: StepRecord, point: dict[str, Any]) -> None:
        """Each microturn: note vetoable proposals and how they ended, and tell the console."""
        state: ModeState = self.session.engine.state.wizard_mode
        end = record.t + record.dt
        waiting = state.waiting
        if self._waiting is not None and (waiting is None or waiting.index != self._waiting["index"]):
            done = self._waiting
            done.update(ended=round(end, 6), ended_index=record.index, outcome=record.decision.action.value,
                        answered=done.get("answered", False))
            self.log.waits.append(done)
            self._waiting = None
        if waiting is not None and self._waiting is None:
            self._waiting = {"index": waiting.index, "at": round(waiting.index * record.dt + record.dt, 6),
                             "until": round(waiting.until, 6), "action": waiting.decision.action.value,
                             "content": waiting.decision.content, "reason": waiting.decision.reason.value,
                             "on_timeout": state.on_timeout.value}
        self._user_was_speaking = record.user_speaking
        if self.link is None:  # (sent while no operator is attached too: read-only consoles watch)
            return
        proposal = record.proposal
        self.link.send({
            "type": "point", "point": point, "mode": state.mode.value, "veto_ms": state.veto_s * 1000,
            "on_timeout": state.on_timeout.value,
            "proposal": {"action": proposal.action.value, "confidence": round(proposal.confidence, 3),
                         "content": proposal.content, "source": proposal.source},
            "waiting": None if waiting is None else {
                "index": waiting.index, "action": waiting.decision.action.value,
                "content": waiting.decision.content, "reason": waiting.decision.reason.value,
                "confidence": round(waiting.decision.confidence, 3),
                "left_ms": round(max(0.0, waiting.until - end) * 1000)},
            "hold": self.session.engine.state.wizard_silent_until > end,
            "session_t": end,
        })

    def close(self) -> None:
        if self.link is not None:
            self.link.send({"type": "closed"})
            self.link.close()

    def facts(self) -> dict[str, Any]:
        """The settings, the palette as it ended, and what happened (for recording.json)."""
        waits = [*self.log.waits, *([self._waiting] if self._waiting else [])]
        return {"settings": self.settings.to_dict(), "room": self.room, "palette": list(self.palette),
                "palette_changes": self.log.palette_changes, "attached": self.log.attached,
                "detached": self.log.detached, "waits": waits, "refused": self.log.refused}

    # -- from the console (the link's thread) --------------------------------------------------
    def receive(self, message: dict[str, Any]) -> None:
        """One message from the relay: the relay's own news, or the operator's."""
        kind = message.get("type")
        try:
            if kind == "relay":
                self._relay_news(str(message.get("event")))
            elif kind == "act":
                self.act(str(message.get("verb", "")), message)
            elif kind == "palette":
                self.set_palette(message.get("lines", ()))
            elif kind == "hello":
                self._hello()
            else:
                raise InputError("wizard message", expected="act, palette or hello", got=repr(kind))
        except InputError:
            self.log.refused += 1
            log.warning("wizard console message refused: %r", message, exc_info=True)

    def act(self, verb: str, message: dict[str, Any] | None = None) -> None:
        """An operator action (`OperatorAction` value, or `line` with a palette index, or `say`
        with free text), stamped with its reaction time, as a `wizard` event of the session."""
        message = message or {}
        data: dict[str, Any] = {"by": "operator"}
        if verb in ("line", "say"):
            content = (self.palette[_line_index(message.get("line"), len(self.palette))] if verb == "line"
                       else str(message.get("content", "")).strip())
            if not content:
                raise InputError("wizard free text", expected="a line to say", got=repr(content))
            action = OperatorAction.INTERRUPT if message.get("interrupt") else OperatorAction.SPEAK
            data["content"] = content
            if verb == "line":
                data["line"] = int(message["line"])
        else:
            action = OperatorAction.parse(verb)
            if action not in OPERATOR_VERBS:
                raise InputError("wizard verb", expected=f"one of {sorted(v.value for v in OPERATOR_VERBS)}",
                                 got=repr(verb))
            for key in ("content", "note", "answers", "hold_s"):
                if key in message:
                    data[key] = message[key]
            if action is OperatorAction.MODE:
                data.update(ModeState.from_data(message, self.session.engine.state.wizard_mode).to_dict())
        if "key" in message:
            data["key"] = str(message["key"])[:16]
        data.update(self._reaction(action, data))
        self.session.wizard(action, **data)
        if self.link is not None:  # the console's history shows how fast the operator was
            self.link.send({"type": "acted", "n": message.get("n"), "verb": verb, "action": action.value,
                            "reaction_ms": data["reaction_ms"], "reaction_from": data["reaction_from"]})

    def set_mode(self, mode: WizardMode | str, **settings: Any) -> None:
        """Switch the mode live (logged at the next microturn)."""
        self.session.wizard(OperatorAction.MODE, **ModeState.from_data(
            {"mode": WizardMode(mode).value, **settings}, self.session.engine.state.wizard_mode).to_dict(),
            by="operator")

    def set_palette(self, lines: Sequence[str]) -> None:
        """Replace the palette (saved with the session; each change noted with its session time)."""
        palette = check_palette(lines)
        with self._lock:
            self.palette = palette
            self.log.palette_changes.append({"t": round(self.session_time(), 3), "palette": list(palette)})
        self._warm_palette()
        self._hello()

    # -- helpers ----------------------------------------------------------------------------
    def session_time(self) -> float:
        """Now on the session timeline, as the kernel sees it (`OperatedSession.session_time`)."""
        return self.session.session_time()

    def _reaction(self, action: OperatorAction, data: dict[str, Any]) -> dict[str, Any]:
        now = self.session_time()
        state = self.session.engine.state
        waiting = state.wizard_mode.waiting
        if action in ANSWERS or (waiting is not None and action is not OperatorAction.NOTE):
            if waiting is None:
                return {"reaction_ms": None, "reaction_from": None}
            if action in ANSWERS:
                data.setdefault("answers", waiting.index)
                if self._waiting is not None and int(data["answers"]) == self._waiting["index"]:
                    self._waiting["answered"] = True
            made = (waiting.index + 1) * self.session.engine.dt
            return {"reaction_ms": round((now - made) * 1000, 1), "reaction_from": "proposal",
                    "proposal_index": waiting.index}
        if state.user_offset is not None and not state.user_speaking:
            return {"reaction_ms": round((now - state.user_offset) * 1000, 1), "reaction_from": "turn_end"}
        return {"reaction_ms": None, "reaction_from": None}

    def _relay_news(self, event: str) -> None:
        if event == "operator_attached":
            self.attached = True
            if self.session.consent == "given":
                self._attach_event()
            self._hello()
        elif event == "operator_detached" and self.attached:
            self.attached = False
            self._detach()

    def _attach_event(self) -> None:
        self.log.attached.append(round(self.session_time(), 3))
        self.session.wizard(OperatorAction.NOTE, note="operator console attached", by="relay")

    def _detach(self, why: str = DETACHED) -> None:
        """The console went (or none can come): fall back to the policy, or hold the agent silent;
        logged either way."""
        if self.session.consent != "given":
            return
        self.log.detached.append(round(self.session_time(), 3))
        if self.settings.on_detach is OnDetach.SILENT:
            self.session.wizard(OperatorAction.HOLD, by="relay", why=why)
        else:
            self.session.wizard(OperatorAction.MODE, **ModeState.from_data(
                {"mode": WizardMode.OVERRIDE.value}, self.session.engine.state.wizard_mode).to_dict(),
                by="relay", why=why, release=True)
        log.info("wizard: %s; the session %s", why,
                 "holds the agent silent" if self.settings.on_detach is OnDetach.SILENT else "goes on with its policy")

    def _hello(self) -> None:
        if self.link is None:
            return
        state = self.session.engine.state.wizard_mode
        self.link.send({"type": "hello", "name": self.session.name, "room": self.room, "palette": list(self.palette),
                        "mode": state.mode.value, "veto_ms": state.veto_s * 1000, "on_timeout": state.on_timeout.value,
                        "on_detach": str(OnDetach(self.settings.on_detach).value), "consent": self.session.consent,
                        "title": self.session.title, "dt": self.session.engine.dt})

    def _warm_palette(self) -> None:
        """Render the palette's lines now, so a hotkey's line costs nothing inside the microturn that says it."""
        self.session.prepare_lines(self.palette)


def _line_index(value: Any, size: int) -> int:
    try:
        index = int(value)
    except (TypeError, ValueError):
        index = -1
    if not 0 <= index < size:
        raise InputError("palette line", expected=f"an index 0..{size - 1}", got=repr(value))
    return index
