"""Rating: a questionnaire a participant answers with the mouse or the keyboard, in Lab or Voilà.

    rating = Rating(Questionnaire())
    rating.on_submit(lambda answers, open_answer: ...)
    display(rating)

Each item is a row of numbered buttons (1..points) between its two labels. Keyboard: Tab moves
between items, the arrow keys move the choice, a number key chooses it, Enter on the "Done"
button sends. "Done" is enabled once every item has an answer. The answers arrive here checked
against the questionnaire (an answer off the scale is refused and the widget says so).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import anywidget
import traitlets as t

from designkit.assets import widget_asset
from designkit.errors import InputError
from designkit.study.people.questionnaire import Questionnaire

log = logging.getLogger(__name__)

Submitted = Callable[[dict[str, int], str], None]


class Rating(anywidget.AnyWidget):
    """The questionnaire after a session; see the module docstring."""

    _esm = widget_asset("rating.js")
    _css = widget_asset("rating.css")
    items = t.List().tag(sync=True)
    open_question = t.Unicode("").tag(sync=True)
    heading = t.Unicode("A few questions about this session").tag(sync=True)
    done = t.Bool(False).tag(sync=True)  # answers received: the widget shows thanks and locks
    error = t.Unicode("").tag(sync=True)

    def __init__(self, questionnaire: Questionnaire | None = None, *, heading: str | None = None) -> None:
        self.questionnaire = questionnaire or Questionnaire()
        items = [{"id": i.id, "text": i.text, "points": i.points, "low": i.low, "high": i.high}
                 for i in self.questionnaire.all_items()]
        super().__init__(items=items, open_question=self.questionnaire.open_question,
                         **({"heading": heading} if heading else {}))
        self.answers: dict[str, int] | None = None
        self.open_answer = ""
        self._callbacks: list[Submitted] = []
        self.on_msg(self._on_msg)

    def on_submit(self, callback: Submitted) -> None:
        """Call `callback(answers, open_answer)` when the participant presses Done."""
        self._callbacks.append(callback)

    def submit(self, answers: dict[str, Any], open_answer: str = "") -> dict[str, int]:
        """Take a set of answers (what the browser sends on Done); returns them checked."""
        checked = self.questionnaire.check(answers)
        missing = [i.id for i in self.questionnaire.all_items() if i.id not in checked]
        if missing:
            raise InputError("questionnaire answers", expected="an answer to every item", got=f"none for {missing}")
        self.answers, self.open_answer = checked, str(open_answer)
        self.error = ""
        self.done = True
        for callback in self._callbacks:
            callback(checked, self.open_answer)
        return checked

    def _on_msg(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        if content.get("type") != "submit" or self.done:
            return
        try:
            self.submit(dict(content.get("answers") or {}), str(content.get("open_answer") or ""))
        except InputError as exc:
            self.error = str(exc)
        except Exception:  # a failing callback must not leave the participant stuck without a word
            log.exception("saving the answers failed")
            self.error = "the answers could not be saved: tell the facilitator"
