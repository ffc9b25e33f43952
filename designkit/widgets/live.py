"""LiveSession: the browser's microphone (and camera) to the engine, one 200 ms microturn at a time.

    session = LiveSession(camera=True)      # shows a consent gate; nothing is captured before "allow"
    display(session, Controls(session))
    LiveSession(host="auto")                # signals from the model host (models loaded once)

The browser side (`widgets/live.js`) asks for consent, captures 16 kHz mono int16 audio with an
AudioWorklet and sends one chunk per microturn (and JPEG frames, <= 320x240 at <= 5 fps) as
custom messages with binary buffers. This side frames them (`MicroturnFramer(strict=False)`:
late, duplicate or out-of-order chunks become logged gaps), steps the engine, writes the session
log, and answers every chunk with the decision, its reason and, when the agent speaks, the next
200 ms of its voice. A yield or stop tells the browser to drop all queued audio at once.

Message handlers may run on a kernel subshell thread (JupyterLab 4.6 + ipykernel 7), while the
notebook's own cells run on the main thread: all state is guarded by one lock.
"""

from __future__ import annotations

import copy
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from designkit.agents.script import SCRIPT_KIND
from designkit.agents.spec import Agent
from designkit.assets import widget_asset, widget_module
from designkit.cache import cache_dir
from designkit.core.context import EventKind
from designkit.core.engine import Engine
from designkit.core.microturns import Microturn, MicroturnFramer
from designkit.core.session import KEEPABLE, TRANSCRIPT, Consent, kept_text
from designkit.core.streams import SAMPLE_RATE, AudioChunk, Event, VideoFrame
from designkit.errors import InputError
from designkit.host.remote import release_host
from designkit.log import LogWriter
from designkit.log.why import WhyTracker
from designkit.policy import Policy
from designkit.policy.knobs import same_knob
from designkit.policy.spec import with_quiet
from designkit.study.colours import colour_table
from designkit.widgets import interrupt, quiet_busy
from designkit.widgets.clocks import ClockEstimator
from designkit.widgets.engines import close_perceivers, resolve_agent
from designkit.widgets.jpeg import decode_jpeg
from designkit.widgets.live_wizard import OperatorSide, participant_point
from designkit.widgets.open_sessions import close_at_exit
from designkit.widgets.recording import RecordingWriter, open_recording
from designkit.widgets.timeline import timeline_point
from designkit.widgets.voice_out import make_voice, speak, warm_script, warm_voice
from designkit.widgets.wizard_desk import WizardDesk, WizardSettings

log = logging.getLogger(__name__)

IDLE_CLOSE_S = 5.0
BROWSER_CONTROLS = ("muted", "push_to_talk")
CAPTURE_MODES = ("room", "measurement")
INTERRUPTED = "the kernel was interrupted or restarted; the log is closed."
COUNTS = ("received", "before_consent", "after_close", "microturns", "gaps", "late", "frames", "voice_pieces", "stops")


class LiveSession(OperatorSide, anywidget.AnyWidget):
    """Talk to the engine from the browser; see the module docstring."""

    _esm = widget_module("live.js", "dom.js")
    _css = widget_asset("live.css")
    camera = t.Bool(False).tag(sync=True)
    dt = t.Float(0.2).tag(sync=True)
    window_s = t.Float(30.0).tag(sync=True)
    consent = t.Unicode("none").tag(sync=True)  # none -> given -> revoked | closed
    muted = t.Bool(False).tag(sync=True)
    push_to_talk = t.Bool(False).tag(sync=True)
    colours = t.Dict().tag(sync=True)
    title = t.Unicode("Live microturns").tag(sync=True)
    folder = t.Unicode("").tag(sync=True)
    listening = t.Unicode("").tag(sync=True)  # which model hears the person, shown under the title
    intro = t.Unicode("").tag(sync=True)
    fault = t.Unicode("").tag(sync=True)  # set when the session ends on a fault (kernel, connection)
    # "room": the browser's echo cancellation and noise suppression on (a class, an office: the agent's
    # voice and other people are filtered out); "measurement": both off, the raw microphone.
    capture = t.Unicode("room").tag(sync=True)
    filters = t.Dict().tag(sync=True)  # what the browser actually applied, e.g. {"echoCancellation": true}
    # What is kept when it was agreed before the session (a study's facilitator records consent once):
    # the gate then offers no keep boxes and keeps exactly this. None: the person chooses at the gate.
    agreed_keep = t.List(t.Unicode(), default_value=None, allow_none=True).tag(sync=True)
    hears_words = t.Bool(False).tag(sync=True)  # the agent transcribes: the gate offers to keep the words

    @t.validate("capture")
    def _valid_capture(self, proposal: dict[str, Any]) -> str:
        if proposal["value"] not in CAPTURE_MODES:
            raise InputError("capture mode", expected=f"one of {list(CAPTURE_MODES)}", got=repr(proposal["value"]))
        return str(proposal["value"])

    def __init__(
        self,
        engine: Engine | None = None,
        *,
        camera: bool = False,
        log_dir: str | os.PathLike[str] | None = None,
        name: str = "live",
        voice: bool = True,
        synthesize: Callable[[str], Any] | None = None,
        idle_close_s: float = IDLE_CLOSE_S,
        title: str | None = None,
        agent: Agent | None = None,
        listening: str | None = None,
        host: str | None = None,
        capture: str = "room",
        wizard: WizardSettings | bool = False,
    ) -> None:
        agent, listening = resolve_agent(engine, agent=agent, host=host, name=name, title=title,
                                         listening=listening)
        self.agent = agent
        self.engine = agent.engine
        self.script = agent.script
        if self.engine.state.next_index != 0:
            raise InputError("live engine", expected="a fresh engine (next microturn 0)",
                             got=f"next microturn {self.engine.state.next_index}", fix="call engine.reset()")
        super().__init__(camera=camera or agent.camera, dt=self.engine.dt, colours=colour_table(),
                         title=title or agent.title, listening=listening or agent.listening, intro=agent.intro,
                         capture=capture, hears_words=TRANSCRIPT in kept_text(self.engine.perceivers))
        self.name = name if name != "live" else agent.name
        self.log_dir = Path(log_dir) if log_dir is not None else cache_dir("live")
        self.idle_close_s = idle_close_s
        self._lock = threading.RLock()
        self._framer = MicroturnFramer(self.engine.dt, strict=False)
        self._voice = make_voice(synthesize or agent.synthesize) if voice else None
        self._why = WhyTracker()
        self.clocks = ClockEstimator()
        self.log_writer: LogWriter | None = None
        self.recording: RecordingWriter | None = None
        self.path: Path | None = None
        self._quiet_previous: Any = None
        self._last_chunk_at = 0.0
        self._closed = threading.Event()
        self._watchdog: threading.Thread | None = None
        self.policy_changes: list[dict[str, Any]] = []
        self._first_policy: dict[str, Any] = self.engine.policy.to_dict()
        self.kernel_ms: deque[float] = deque(maxlen=3000)
        self.counts = dict.fromkeys(COUNTS, 0)
        warm_voice(self._voice, self.engine, self.script)
        if agent.warm is not None:  # a talking agent's models load while the person reads the page
            threading.Thread(target=agent.warm, name="designkit-agent-warm", daemon=True).start()
        self.desk: WizardDesk | None = None  # a Wizard-of-Oz operator's line (`open_to_wizard`, live_wizard.py)
        if wizard:
            self.open_to_wizard(wizard if isinstance(wizard, WizardSettings) else WizardSettings())
        self.on_msg(self._on_msg)
        close_at_exit(self)

    # -- what the notebook calls ------------------------------------------------------------
    @property
    def policy(self) -> Any:
        return self.engine.policy

    def set_knob(self, knob: str, value: Any) -> None:
        """Change one policy knob; it applies at the next microturn and is logged there. A value
        equal to the knob's own (a slider sending back what it was given, 20 as 19.999999999999996)
        changes nothing and logs nothing."""
        with self._lock:
            if not isinstance(self.engine.policy, Policy):
                raise InputError("policy knob", expected="a designkit.policy.Policy to tune",
                                 got=type(self.engine.policy).__name__)
            changed = self.engine.policy.replace(**{knob: value})
            if not same_knob(getattr(changed, knob), getattr(self.engine.policy, knob)):
                self._set_policy(changed)

    def set_policy(self, policy: Any) -> None:
        """Swap the whole policy at the next microturn."""
        with self._lock:
            self._set_policy(policy)

    def _set_policy(self, policy: Any) -> None:
        self.engine.set_policy(policy)
        self.policy_changes.append({"index": self.engine.state.next_index, "policy": policy.to_dict()})

    def set_control(self, control: str, value: bool) -> None:
        """mute, push-to-talk (browser side) or quiet mode (the do-not-disturb context)."""
        with self._lock:
            if control == "quiet":
                if isinstance(self.engine.policy, Policy):
                    policy, self._quiet_previous = with_quiet(self.engine.policy, value, self._quiet_previous)
                    if policy is not self.engine.policy:
                        self._set_policy(policy)
            elif control in BROWSER_CONTROLS:
                setattr(self, control, bool(value))
            else:
                raise InputError("live control", expected="muted, push_to_talk or quiet", got=repr(control))
            self._push_event(Event(t=self._event_time(), kind=EventKind.CONTROL, data={control: bool(value)}))

    def set_script(self, intent: str, lines: Sequence[str] | str) -> None:
        """Replace the lines of one intent; the agent uses them from the next microturn (logged)."""
        with self._lock:
            script = self.script.with_lines(intent, tuple(lines) if not isinstance(lines, str) else (lines,))
            self.script = script
            warm_script(self._voice, script)
            prepare = getattr(self.engine.proposer, "prepare", None)
            if callable(prepare):  # measure the new lines now, not inside the microturn that says them
                probe = copy.copy(self.engine.proposer)
                probe.script = script
                probe.prepare()
            self._push_event(Event(t=self._event_time(), kind=SCRIPT_KIND, data={"lines": script.to_dict()}))

    def mark(self, note: str = "", *, by: str = "participant") -> None:
        """A think-aloud marker (an event of kind `marker`) in the microturn being filled now."""
        with self._lock:
            self._push_event(Event(t=self._event_time(), kind=EventKind.MARKER, data={"note": str(note), "by": str(by)}))

    def summary(self) -> dict[str, Any]:
        """Counts, clock estimate and where the log went."""
        with self._lock:
            kernel = sorted(self.kernel_ms)
            return {**self.counts, "consent": self.consent, "log": str(self.path) if self.path else None,
                    "folder": self.folder or None, "clock": self.clocks.estimate().to_dict(),
                    "kernel_ms_p95": kernel[int(0.95 * (len(kernel) - 1))] if kernel else None}

    def close_session(self, why: str = "closed") -> Path | None:
        """Stop: frame what is left, close the log (Parquet) and write the recording. Idempotent."""
        with self._lock:
            if self._closed.is_set():
                return self.path
            if self.log_writer is None:
                self._closed.set()
                self._close_desk()
                if self.consent == "none":
                    self.consent = "closed"
                return None
            close_perceivers(self.engine)  # workers beside the loop stop with the session
            try:
                # The last, partial microturn carries this event, so the log records how it ended
                # (and a revocation's consent state) even when no audio is left.
                self._push_event(Event(t=self._event_time(), kind=EventKind.SESSION, data={"end": why}))
                self._closed.set()
                for turn in self._framer.flush():
                    self._step(turn, seq=None, received=None, started=time.perf_counter())
            finally:
                self._closed.set()
                release_host(self.engine)
                quiet_busy.loud(self.comm.comm_id if self.comm is not None else None)
                self.path = self.log_writer.close()
                assert self.recording is not None
                facts = {"name": self.name, "dt": self.engine.dt, "ended": why,
                         "consent": self.engine.state.consent.to_dict(),
                         "policy": self._first_policy, "policy_changes": self.policy_changes,
                         "clock": self.clocks.estimate().to_dict(), "counts": dict(self.counts),
                         "log": self.path.name, **self._close_desk()}
                self.recording.close(facts)
                if self.consent == "given":
                    self.consent = "closed"
                log.info("live session %s closed (%s): %s", self.name, why, self.folder)
            return self.path

    # -- messages from the browser ----------------------------------------------------------
    def _on_msg(self, _widget: Any, content: dict[str, Any], buffers: Sequence[memoryview]) -> None:
        kind = content.get("type")
        try:
            if kind == "audio":
                if "frame" in content and len(buffers) > 1:  # a camera frame riding on the chunk
                    self._on_frame(content["frame"], buffers[1])
                self._on_audio(content, buffers[0] if buffers else b"")
            elif kind == "frame":
                self._on_frame(content, buffers[0] if buffers else b"")
            elif kind == "hello":
                with self._lock:
                    self.send({"type": "hello", "consent": self.consent, "counts": dict(self.counts)})
            elif kind == "consent":
                self._on_consent(content)
            elif kind == "revoke":
                self._on_revoke()
            elif kind == "close":
                why = str(content.get("why") or "tab closed")
                if content.get("why"):
                    self.fault = why
                self.close_session(why)
            else:
                log.warning("unknown message from the live widget: %r", kind)
        except KeyboardInterrupt:  # Kernel -> Interrupt while this message was handled
            interrupt.interrupted_in_handler(self._on_kernel_interrupt)
        except Exception:  # a bad message must not kill the comm; the log says what happened
            log.exception("live widget message %r failed", kind)

    def _on_kernel_interrupt(self) -> None:
        if self._closed.is_set():
            return
        self.fault = INTERRUPTED
        self.close_session("kernel interrupted")

    def _on_consent(self, content: dict[str, Any]) -> None:
        with self._lock:
            if self.consent != "none":
                return
            chosen = content.get("keep", ()) if self.agreed_keep is None else self.agreed_keep
            keep = frozenset(k for k in chosen if k in KEEPABLE) | {"signals"}
            consent = Consent(given_at=time.time(), keep=keep)
            self.engine.set_consent(consent)
            self._first_policy = self.engine.policy.to_dict()
            self.filters = {k: v for k, v in dict(content.get("filters") or {}).items()
                            if k in ("echoCancellation", "noiseSuppression", "autoGainControl")}
            folder, self.recording, self.log_writer = open_recording(
                self.log_dir, self.name, self.engine, consent,
                extra={"source": "live", "camera": self.camera, "capture": self.capture, "filters": self.filters})
            self.engine.sink = self.log_writer
            self.folder = str(folder)
            self._last_chunk_at = time.monotonic()
            self.consent = "given"
            self.send({"type": "consent", "consent": "given", "keep": sorted(keep)})
        self._watchdog = threading.Thread(target=self._watch, name="designkit-live-watchdog", daemon=True)
        self._watchdog.start()
        interrupt.on_interrupt(self._on_kernel_interrupt, is_active=lambda: not self._closed.is_set())
        if self.desk is not None:
            self.desk.started()
        quiet_busy.quiet(self.comm.comm_id if self.comm is not None else None)  # no busy flash per chunk

    def _on_revoke(self) -> None:
        with self._lock:
            if self.consent != "given":
                return
            given = self.engine.state.consent
            self.engine.set_consent(Consent(given_at=given.given_at, keep=given.keep, revoked_at=time.time()))
            self.consent = "revoked"
        self.close_session("consent revoked")

    def _watch(self) -> None:
        """Close the session when chunks stop coming (tab closed, laptop asleep, network gone)."""
        while not self._closed.wait(0.5):
            if time.monotonic() - self._last_chunk_at > self.idle_close_s:
                self.close_session(f"no audio for {self.idle_close_s:g} s")

    def _on_audio(self, content: dict[str, Any], buffer: memoryview | bytes) -> None:
        received = time.time()
        started = time.perf_counter()
        with self._lock:
            if self.consent != "given":
                self.counts["before_consent" if self.consent == "none" else "after_close"] += 1
                return
            self._last_chunk_at = time.monotonic()
            self.counts["received"] += 1
            seq = int(content["seq"])
            pcm = bytes(buffer)
            chunk = AudioChunk.from_pcm16(pcm, t0=int(content["sample0"]) / SAMPLE_RATE, seq=seq)
            late = self.clocks.add(audio_t=chunk.t0, browser_t=float(content["t_capture"]), kernel_t=received)
            if late:
                self.counts["late"] += 1
            assert self.recording is not None
            before = self._framer.next_sample
            turns = self._framer.push_audio(chunk)
            if self._framer.next_sample != before:  # accepted (a rejected chunk is a logged gap)
                self.recording.audio(chunk, pcm)
            if not turns:
                self.send({"type": "ack", "seq": seq, "t_recv": received,
                           "kernel_ms": (time.perf_counter() - started) * 1000})
            for turn in turns:
                self._step(turn, seq=seq, received=received, started=started, late=late)

    def _on_frame(self, content: dict[str, Any], buffer: memoryview | bytes) -> None:
        with self._lock:
            if self.consent != "given":
                self.counts["before_consent" if self.consent == "none" else "after_close"] += 1
                return
            jpeg = bytes(buffer)
            image = decode_jpeg(jpeg)
            if image is None:
                return
            frame_t = max(0.0, float(content["t"]))
            self._framer.push_frame(VideoFrame(t=frame_t, image=image, seq=int(content["seq"])))
            self.counts["frames"] += 1
            assert self.recording is not None
            self.recording.frame(frame_t, int(content["seq"]), jpeg)

    # -- the microturn ----------------------------------------------------------------------
    def _event_time(self) -> float:
        """The start of the microturn being filled: events land in the next decision."""
        framer = self._framer
        # k * dt as the framer computes it: in floats it can exceed next_sample / 16 kHz (7 * 0.2
        # > 1.4), and an event before it would count as late.
        return max(framer.audio_end, (framer.next_sample // framer.spt) * framer.dt)

    def _push_event(self, event: Event) -> None:
        if self._closed.is_set():
            return
        self._framer.push_event(event)
        if self.recording is not None:
            self.recording.event(event)

    def _step(self, turn: Microturn, *, seq: int | None, received: float | None, started: float,
              late: bool = False) -> None:
        decision = self.engine.step(turn)
        record = self.engine.last_record
        assert record is not None
        self.counts["microturns"] += 1
        self.counts["gaps"] += len(turn.gaps)
        stop, pcm = speak(self._voice, decision, self.counts)
        point = timeline_point(record, vad_signal=self.engine.vad_signal)
        why = self._why.step(action=decision.action.value, reason=decision.reason.value,
                             confidence=decision.confidence, content=decision.content, events=record.events)
        if why is not None:
            point["why"] = why.to_dict()  # the hover's "why did it say that"
        kernel_ms = (time.perf_counter() - started) * 1000
        self.kernel_ms.append(kernel_ms)
        message = {"type": "decision", "seq": seq, "t_recv": received, "kernel_ms": kernel_ms,
                   "late": late, "stop": stop, "voice": pcm is not None, "point": point,
                   "counts": dict(self.counts)}
        if self.desk is not None:  # the participant's page shows the agent alone; the console the truth
            message["point"] = participant_point(point)
        self.send(message, [pcm] if pcm is not None else None)
        if self.desk is not None:
            self.desk.after_step(record, point)

    # -- lifecycle --------------------------------------------------------------------------
    def close(self) -> None:
        self.close_session("widget closed")
        super().close()
