"""The people desk: run a study with people by clicking, from a notebook that is already there.

    desk = PeopleDesk(root="../studies")     # pick a study with people, or copy one as your own
    desk                                     # the facilitator's console, and forgetting a participant
    desk.screen                              # the participant's screen (its own cell: open it in a new view)

Opening a study shows its `Facilitator` console; `screen` then holds the participant's screen.
"copy this study as…" makes a study of your own from the picked one, without its participants
(`designkit.study.editing.copy_study`). `ForgetParticipant` removes everything kept about one
participant, here and in the published app, after a confirm step (the same as
`designkit study forget STUDY PARTICIPANT`).
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w

from designkit.errors import DesignkitError
from designkit.study import editing
from designkit.study.people.spec import People
from designkit.study.people.storage import PeopleStore
from designkit.study.spec import Study
from designkit.widgets.facilitator import Facilitator, SessionFactory

RED, GREEN = "#b00020", "#2d5a27"


def _line(text: str, colour: str = "#333") -> str:
    return f"<span style='color:{colour};font-size:12px'>{text}</span>"


def _button(label: str, css: str, action: Callable[[], Any], **options: Any) -> w.Button:
    button = w.Button(description=label, **options)
    button.add_class(f"dk-people-{css}")
    button.on_click(lambda _b: action())
    return button


def people_studies(root: str | os.PathLike[str]) -> list[Path]:
    """The study folders under `root` whose study.json has a people section, by name."""
    found = []
    for folder in editing.studies_under(root):
        try:
            if Study.load(folder).people is not None:
                found.append(folder)
        except DesignkitError:  # a study.json being edited by hand: not one to run now
            continue
    return found


class ForgetParticipant(w.VBox):  # type: ignore[misc]
    """Forget one participant by clicking: pick them, click "forget…", read what goes, confirm."""

    def __init__(self, folder: str | os.PathLike[str], people: People) -> None:
        self.store = PeopleStore(folder, people)
        self.who = w.Dropdown(description="participant", layout=w.Layout(width="260px"))
        self.who.add_class("dk-people-forget-who")
        self.ask_button = _button("forget…", "forget", self.ask)
        self.warning = w.HTML()
        self.yes = _button("yes, forget", "forget-yes", self.forget, button_style="danger")
        self.no = _button("cancel", "forget-no", self.cancel)
        self.confirm = w.HBox([self.yes, self.no], layout=w.Layout(display="none"))
        self.said = w.HTML()
        self.said.add_class("dk-people-forget-said")
        super().__init__([w.HTML("<h4 style='margin:10px 0 2px 0'>Forget a participant</h4>"),
                          w.HBox([self.who, self.ask_button]), self.warning, self.confirm, self.said])
        self.refresh()

    def refresh(self) -> None:
        """List the participants kept now."""
        kept = self.store.participants()
        picked = self.who.value
        self.who.options = kept
        self.who.value = picked if picked in kept else (kept[-1] if kept else None)  # the latest by default
        self.ask_button.disabled = not kept
        self.said.value = "" if kept else _line("Nobody is kept in this study.")

    def ask(self) -> None:
        """Say what forgetting the picked participant removes, and wait for yes or cancel."""
        pid = self.who.value
        if not pid:
            return
        self.yes.description = f"yes, forget {pid}"
        self.warning.value = _line(
            f"This removes everything kept about <b>{html.escape(pid)}</b>: their sessions, ratings, markers and "
            "consent, their place in the order and their rows of people.parquet, here and in the published app. "
            "It cannot be undone.", RED)
        self.confirm.layout.display = ""
        self.said.value = ""

    def cancel(self) -> None:
        self.warning.value = ""
        self.confirm.layout.display = "none"
        self.said.value = _line("Nothing was removed.")

    def forget(self) -> list[Path]:
        """Forget the participant asked about; returns what was removed."""
        pid = self.who.value
        self.warning.value = ""
        self.confirm.layout.display = "none"
        try:
            removed = self.store.forget(pid)
        except DesignkitError as exc:
            self.said.value = _line(html.escape(str(exc)), RED)
            return []
        self.refresh()
        self.said.value = _line(f"Forgot {html.escape(pid)}: " + (", ".join(html.escape(p.name) for p in removed)
                                                               or "nothing was kept") + " removed.", GREEN)
        return removed


class PeopleDesk(w.VBox):  # type: ignore[misc]
    """Pick (or copy) a study with people and run it; see the module's docstring."""

    def __init__(self, root: str | os.PathLike[str], *, session_factory: SessionFactory | None = None) -> None:
        self.root = Path(root)
        self.session_factory = session_factory
        self.facilitator: Facilitator | None = None
        self.forgetting: ForgetParticipant | None = None
        self.picker = w.Dropdown(description="study", layout=w.Layout(width="360px"))
        self.picker.add_class("dk-people-picker")
        self.copy_name = w.Text(placeholder="e.g. our-pair", layout=w.Layout(width="200px"))
        self.copy_name.add_class("dk-people-copy-name")
        self.message = w.HTML()
        self.body = w.VBox()
        self.screen = w.Box(layout=w.Layout(min_height="120px"))
        self.screen.add_class("dk-people-screen")
        super().__init__([
            w.HBox([self.picker, _button("open", "open", lambda: self.open_study(self.picker.value),
                                         button_style="primary")]),
            w.HBox([_button("copy this study as…", "copy", lambda: self.copy_study(self.copy_name.value), icon="copy"),
                    self.copy_name]),
            self.message, self.body])
        self.add_class("dk-people-desk")
        self._list()

    def _list(self) -> None:
        picked = self.picker.value
        found = [(p.name, str(p)) for p in people_studies(self.root)]
        self.picker.options = found
        if found:
            self.picker.value = picked if picked in [v for _, v in found] else found[0][1]
        else:
            self.message.value = _line(f"No study with people under {html.escape(str(self.root))}.", RED)

    def open_study(self, path: str | os.PathLike[str] | None) -> Facilitator | None:
        """Show the study's facilitator console (and its participant's screen in `screen`)."""
        if not path:
            return None
        if self.facilitator is not None and self.facilitator.live is not None:
            self.facilitator.stop("another study was opened")  # a live session ends before another opens
        try:
            self.facilitator = Facilitator(path, session_factory=self.session_factory)
        except DesignkitError as exc:
            self.message.value = _line(html.escape(str(exc)), RED)
            return None
        assert self.facilitator.study.people is not None
        self.forgetting = ForgetParticipant(self.facilitator.folder, self.facilitator.study.people)
        # Whoever the console just finished with can be forgotten at once.
        self.facilitator.status.observe(lambda _c: self.forgetting.refresh() if self.forgetting else None, "value")
        self.body.children = [self.facilitator, self.forgetting]
        self.screen.children = [self.facilitator.screen]
        self.message.value = _line(f"opened {html.escape(str(self.facilitator.folder))}; the participant's screen is "
                                   "the next cell's output.", GREEN)
        return self.facilitator

    def copy_study(self, name: str) -> Path | None:
        """Copy the picked study as `name` beside it, without its participants, and open the copy."""
        if not self.picker.value:
            return None
        try:
            copied = editing.copy_study(self.picker.value, name)
        except DesignkitError as exc:
            self.message.value = _line(html.escape(str(exc)), RED)
            return None
        self._list()
        self.picker.value = str(copied)
        self.open_study(copied)
        return copied
