"""Facilitator: run a study with people, one participant at a time, in JupyterLab or a Voilà app.

    facilitator = Facilitator("studies/timing-with-people")
    display(facilitator)            # the facilitator's console
    display(facilitator.screen)     # the participant's screen: the agent and the task, nothing else

The console asks for a pseudonymous participant id, shows the study's consent text and records
the answer (what is kept: signals always; audio only if the participant agrees, and shared in the
published app only if they agree to that too), then walks through the participant's sessions in
the order the study's square gives them: it shows the task, starts the live session with the
assigned condition's policy, stops it when the task's time is up (or by hand), shows the
questionnaire on the participant's screen, saves the answers and goes to the next session.

Think-aloud markers: the participant presses M (or the button) on their screen; the facilitator
has a button with a note field. Each becomes a `marker` event in the session log, at the microturn
it was pressed in.

Any agent or engine can be a condition: `session_factory(condition, policy, log_dir, name)`
returns the `LiveSession` to run (the default: the live default agent with the condition's
policy; a Wizard-of-Oz console plugs in here too).
"""

from __future__ import annotations

import html
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets as w
import traitlets as t

from designkit.assets import widget_asset
from designkit.errors import InputError
from designkit.study.people.order import check_participant
from designkit.study.people.spec import Task
from designkit.study.people.storage import SESSION_PREFIX, ConsentRecord, PeopleStore, SessionFolder
from designkit.study.spec import Study
from designkit.widgets.live import LiveSession
from designkit.widgets.rating import Rating

log = logging.getLogger(__name__)

SessionFactory = Callable[[str, Any, Path, str], LiveSession]
TASK_OVER = "task time over"


def default_session(condition: str, policy: Any, log_dir: Path, name: str) -> LiveSession:
    """The live default agent (the conversation agent, or the loudness fallback) with `policy`."""
    from designkit.widgets.engines import default_agent

    agent = default_agent()
    agent.engine.set_policy(policy)
    return LiveSession(agent=agent, log_dir=log_dir, name=name, title="Talk with the agent")


class MarkerKey(anywidget.AnyWidget):
    """A marker button, and the M key anywhere on the page while `active` (widgets/marker.js)."""

    _esm = widget_asset("marker.js")
    _css = widget_asset("rating.css")
    label = t.Unicode("Mark this moment (M)").tag(sync=True)
    active = t.Bool(False).tag(sync=True)
    listen_key = t.Bool(True).tag(sync=True)
    count = t.Int(0).tag(sync=True)

    def __init__(self, on_mark: Callable[[str], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_mark = on_mark
        self.on_msg(self._on_msg)

    def _on_msg(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        if content.get("type") == "marker" and self.active:
            self._on_mark(str(content.get("how", "key")))
            self.count += 1


class Facilitator(w.VBox):
    """The facilitator's console; `screen` is the participant's (see the module docstring)."""

    def __init__(self, study: str | os.PathLike[str] | Study, *, folder: str | os.PathLike[str] | None = None,
                 session_factory: SessionFactory | None = None) -> None:
        if isinstance(study, Study):
            if folder is None:
                raise InputError("study folder", expected="folder= with a Study object", got="none")
            self.study, self.folder = study, Path(folder)
        else:
            path = Path(study)
            self.folder = path if path.is_dir() else path.parent
            self.study = Study.load(self.folder)
        if self.study.people is None:
            raise InputError("study", expected="a study.json with a 'people' section", got=self.study.name)
        self.people = self.study.people
        self.store = PeopleStore(self.folder, self.people)
        self.policies = self.study.policies()
        self.session_factory = session_factory or default_session
        self.participant = ""
        self.plan: list[tuple[int, str, Task]] = []
        self.step = 0
        self.live: LiveSession | None = None
        self.current: SessionFolder | None = None
        self._timer: threading.Timer | None = None
        self._lock = threading.RLock()

        self.participant_box = w.Text(placeholder="e.g. P07 (never a name)", description="Participant")
        self.begin_button = w.Button(description="Begin", button_style="primary")
        self.consent_text = w.HTML()
        self.agreed = w.Checkbox(description="The participant agreed", indent=False)
        self.keep_audio = w.Checkbox(description="...and to keep the audio", indent=False,
                                     layout=w.Layout(display="" if "audio" in self.people.keep else "none"))
        self.share_audio = w.Checkbox(description="...and to share the audio in the published app", indent=False,
                                      layout=w.Layout(display="" if "audio" in self.people.keep else "none"))
        self.consent_button = w.Button(description="Record consent", disabled=True)
        self.status = w.HTML()
        self.start_button = w.Button(description="Start session", button_style="success", disabled=True)
        self.stop_button = w.Button(description="Stop session", button_style="warning", disabled=True)
        self.note = w.Text(placeholder="note (optional)", description="Marker")
        self.facilitator_marker = w.Button(description="Mark", disabled=True)
        self.begin_button.on_click(lambda _: self._guard(lambda: self.begin(self.participant_box.value)))
        self.consent_button.on_click(lambda _: self._guard(lambda: self.record_consent(
            agreed=self.agreed.value, keep_audio=self.keep_audio.value, share_audio=self.share_audio.value)))
        self.start_button.on_click(lambda _: self._guard(self.start))
        self.stop_button.on_click(lambda _: self._guard(lambda: self.stop("stopped by the facilitator")))
        self.facilitator_marker.on_click(lambda _: self._guard(lambda: self.mark(self.note.value, by="facilitator")))
        self.agreed.observe(lambda change: setattr(self.consent_button, "disabled", not change["new"]), "value")

        self.task_text = w.HTML("<div class='dk-screen-task'>Please wait: the session starts soon.</div>")
        self.marker_key = MarkerKey(lambda how: self.mark("", by="participant"))
        self.agent_box = w.Box()
        self.rating_box = w.Box()
        self.screen = w.VBox([self.task_text, self.agent_box, self.marker_key, self.rating_box],
                             layout=w.Layout(min_height="200px"))
        self.screen.add_class("dk-participant-screen")
        console_frame = w.Layout(border="1px solid #d5dbe1", padding="4px 10px", margin="0 0 12px 0")
        super().__init__([
            w.HTML(f"<h3>{html.escape(self.study.title or self.study.name)}: sessions with people</h3>"),
            w.HBox([self.participant_box, self.begin_button]), self.consent_text,
            w.VBox([self.agreed, self.keep_audio, self.share_audio, self.consent_button]),
            self.status, w.HBox([self.start_button, self.stop_button]),
            w.HBox([self.note, self.facilitator_marker])], layout=console_frame)
        self.add_class("dk-facilitator")
        self._say("Enter the participant's id and press Begin.")

    # -- the flow (each step also callable from code and tests) -------------------------------
    def begin(self, participant: str) -> tuple[str, ...]:
        """Take a participant: their order (saved), the consent text to read with them."""
        with self._lock:
            self._end_live("a new participant began")
            pid = check_participant(participant)
            order = self.store.order(pid)
            self.participant = pid
            self.plan = self.people.sessions_for(order)
            self.step = self._first_unrated()
            self.consent_text.value = (f"<p><b>Consent</b> (read it with {html.escape(pid)}):</p>"
                                       f"<blockquote>{html.escape(self.people.consent_text(pid))}</blockquote>")
            self.agreed.value = False
            if self.store.consent(pid) is not None:
                self.consent_button.disabled = True
                self.start_button.disabled = self.step >= len(self.plan)
                self._say(self._next_line("consent on record"))
            else:
                self._say(f"{pid}: {len(self.plan)} sessions. Read the consent text with them.")
            self._show_task(None)
            return order

    def record_consent(self, *, agreed: bool, keep_audio: bool = False, share_audio: bool = False) -> ConsentRecord | None:
        """Save what the participant agreed to; without agreement nothing starts."""
        with self._lock:
            if not self.participant:
                raise InputError("consent", expected="a participant (Begin first)", got="none")
            if not agreed:
                self._say("No consent: nothing is recorded. Thank the participant; the session does not start.")
                return None
            keep = ("signals", *(("audio",) if keep_audio and "audio" in self.people.keep else ()))
            record = ConsentRecord(self.participant, self.people.consent_text(self.participant), keep,
                                   share_audio=bool(share_audio and "audio" in keep))
            self.store.save_consent(record)
            self.consent_button.disabled = True
            self.start_button.disabled = self.step >= len(self.plan)
            self._say(self._next_line("consent recorded"))
            return record

    def start(self) -> LiveSession:
        """Start the next session: the task on the participant's screen and the live agent with the
        assigned condition; it stops by itself when the task's time is up."""
        with self._lock:
            consent = self.store.consent(self.participant) if self.participant else None
            if consent is None:
                raise InputError("session start", expected="a participant with consent on record", got="none")
            if self.step >= len(self.plan):
                raise InputError("session start", expected="a session left to run", got="all done")
            self._end_live("a new session started")
            _, condition, task = self.plan[self.step]
            self.current = self.store.session(self.participant, condition, task.name)
            self.current.path.mkdir(parents=True, exist_ok=True)
            live = self.session_factory(condition, self.policies[condition], self.current.path, SESSION_PREFIX)
            # Consent was recorded with the facilitator: the live gate keeps exactly that and asks no
            # more; its Allow click stays (the browser starts the microphone on a person's gesture).
            live.agreed_keep = list(consent.keep)
            self.live = live
            live.observe(self._on_live_consent, "consent")
            self.agent_box.children = (live,)
            self.rating_box.children = ()
            self._show_task(task)
            self.marker_key.count = 0
            self.marker_key.active = True
            self.facilitator_marker.disabled = False
            self.start_button.disabled = True
            self.stop_button.disabled = False
            self._say(f"Session {self.step + 1} of {len(self.plan)} running: condition <b>{html.escape(condition)}"
                      f"</b> (not shown to the participant), task <i>{html.escape(task.name)}</i>, stops after "
                      f"{task.duration_s:g} s of talk. The participant clicks Allow on their screen.")
            return live

    def mark(self, note: str = "", *, by: str = "participant") -> None:
        """A think-aloud marker now, in the running session."""
        with self._lock:
            if self.live is None:
                raise InputError("marker", expected="a running session", got="none")
            self.live.mark(note, by=by)
            if by == "facilitator":
                self.note.value = ""

    def stop(self, why: str = "stopped by the facilitator") -> Rating:
        """Stop the running session and show the questionnaire on the participant's screen."""
        with self._lock:
            if self.live is None or self.current is None:
                raise InputError("session stop", expected="a running session", got="none")
            self._end_live(why)
            self.store.save_markers(self.current)
            rating = Rating(self.people.questionnaire)
            rating.on_submit(self._on_rated)
            self.agent_box.children = ()
            self.rating_box.children = (rating,)
            self.task_text.value = "<div class='dk-screen-task'>Thank you. A few questions, please.</div>"
            self._say(f"Session {self.step + 1} of {len(self.plan)} ended ({html.escape(why)}): "
                      "the participant answers the questions on their screen.")
            return rating

    # -- inside ---------------------------------------------------------------------------------
    def _on_rated(self, answers: dict[str, int], open_answer: str) -> None:
        with self._lock:
            assert self.current is not None
            position = self.plan[self.step][0]
            self.store.save_ratings(self.current, answers, open_answer=open_answer, position=position)
            self.step += 1
            self.current = None
            self.store.write_table()
            if self.step >= len(self.plan):
                self.task_text.value = "<div class='dk-screen-task'>That was the last session. Thank you!</div>"
                self._say(f"{self.participant}: all {len(self.plan)} sessions done; people.parquet is updated. "
                          "Enter the next participant's id.")
            else:
                self.start_button.disabled = False
                self.task_text.value = "<div class='dk-screen-task'>Please wait: the next session starts soon.</div>"
                self._say(self._next_line("answers saved"))

    def _on_live_consent(self, change: dict[str, Any]) -> None:
        if change["new"] != "given":
            if change["new"] in ("revoked", "closed") and self.live is not None and self.current is not None:
                # The participant stopped (revoked, closed the tab): questions still come next.
                threading.Thread(target=self._guard, args=(lambda: self.stop(f"live session {change['new']}"),),
                                 daemon=True).start()
            return
        task = self.plan[self.step][2]
        timer = threading.Timer(task.duration_s, lambda: self._guard(lambda: self.stop(TASK_OVER)))
        timer.daemon = True
        self._timer = timer
        timer.start()

    def _end_live(self, why: str) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        live, self.live = self.live, None
        self.marker_key.active = False
        self.facilitator_marker.disabled = True
        self.stop_button.disabled = True
        if live is not None:
            live.unobserve(self._on_live_consent, "consent")
            live.close_session(why)

    def _first_unrated(self) -> int:
        for i, (_, condition, task) in enumerate(self.plan):
            if self.store.session(self.participant, condition, task.name).ratings() is None:
                return i
        return len(self.plan)

    def _next_line(self, what: str) -> str:
        if self.step >= len(self.plan):
            return f"{self.participant}: {what}; every session is done."
        _, condition, task = self.plan[self.step]
        return (f"{self.participant}: {what}. Next: session {self.step + 1} of {len(self.plan)}, condition "
                f"<b>{html.escape(condition)}</b>, task <i>{html.escape(task.name)}</i>. Press Start session.")

    def _show_task(self, task: Task | None) -> None:
        text = task.text if task is not None else "Please wait: the session starts soon."
        self.task_text.value = f"<div class='dk-screen-task'>{html.escape(text)}</div>"

    def _say(self, line: str) -> None:
        self.status.value = f"<div class='dk-facilitator-status'>{line}</div>"

    def _guard(self, action: Callable[[], Any]) -> None:
        """A button's action: a refusal is said in the status line, not lost in the kernel log."""
        try:
            action()
        except InputError as exc:
            self._say(f"<span style='color:#a4161a'>{html.escape(str(exc))}</span>")
        except Exception as exc:
            log.exception("facilitator action failed")
            self._say(f"<span style='color:#a4161a'>failed: {html.escape(repr(exc))}</span>")
