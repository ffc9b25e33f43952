"""Two widgets that say they work "in Lab or Voilà", each served as a Voilà app in real Chromium,
offline (every request that would leave 127.0.0.1 is refused and counted as a problem):

- the participant's questionnaire (`designkit.widgets.rating.Rating`), made when a session ends as
  the facilitator's console makes it, answered with the mouse and the keyboard: the answers reach
  the kernel's callback;
- the study editor (`StudyEditor`, as notebooks/06-edit-a-study.ipynb shows it) on a small study:
  open it, add a condition, move one of its knobs by clicking, run it: study.json holds the change.

On a failure the page is photographed to test-artifacts/voila-widgets/ and the message quotes the
page and what Voilà said.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import harness
import offline

FOLDER = "voila-widgets"
RATING = ".dk-rating"
EDITOR = ".dk-study-editor"
# The questionnaire: two of the timing items and the open question.
MOUSE_ITEM, MOUSE_VALUE = "interrupted", 6
KEY_ITEM, KEY_VALUE = "waited_too_long", 4  # "3" then the right arrow
OPEN_ANSWER = "it jumped in when I paused"

RATING_SOURCE = """\
import json

import ipywidgets as w

from designkit.study.people.questionnaire import TIMING_ITEMS, Questionnaire
from designkit.widgets.rating import Rating

questionnaire = Questionnaire(items=TIMING_ITEMS[:2], open_question="Was there a moment that felt wrong?")
rating_box = w.Box()


def saved(answers, open_answer):
    with open({out!r}, "w") as f:
        json.dump({{"answers": answers, "open_answer": open_answer}}, f)


def end_session(_button):
    # As the facilitator's console does when a session ends: a new questionnaire in the screen's box.
    rating = Rating(questionnaire)
    rating.on_submit(saved)
    rating_box.children = (rating,)


end = w.Button(description="End the session")
end.add_class("dk-test-end")
end.on_click(end_session)
display(end, rating_box)
"""

EDITOR_SOURCE = """\
from designkit.widgets import StudyEditor

StudyEditor(root={root!r})
"""


def write_notebook(path: Path, source: str) -> Path:
    return offline.notebook(path, [source])


def shot(page: Any, artifacts: Path, name: str) -> Path:
    folder = artifacts / FOLDER
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@contextlib.contextmanager
def explained(page: Any, server: harness.Server, artifacts: Path, name: str) -> Iterator[None]:
    """On a failure: a screenshot (test-artifacts/voila-widgets/`name`-failed.png), and the message
    with what the page and Voilà said."""
    try:
        yield
    except Exception as exc:
        shown = ""
        with contextlib.suppress(Exception):
            shot(page, artifacts, f"{name}-failed")
            shown = str(page.evaluate("() => document.body.innerText || document.body.textContent"))[:2000]
        raise AssertionError(f"{name}: {exc}\nthe page shows:\n{shown}\nVoilà said:\n{server.log()[-3000:]}") from exc


def open_app(page: Any, server: harness.Server, ready: str) -> None:
    """Open the app; Voilà answers once the notebook has run (seconds, more on a busy machine)."""
    page.goto(server.url, wait_until="domcontentloaded", timeout=180_000)
    page.wait_for_selector(ready, timeout=120_000)


def focused(page: Any) -> list[Any]:
    """[the item of the focused rating button, its value], or the focused element's tag."""
    return list(page.evaluate("() => { const e = document.activeElement;"
                              " const s = e && e.closest('.dk-rating-scale');"
                              " return s ? [s.dataset.item, e.dataset.value] : [e && e.tagName, null]; }"))


def test_rating_in_voila_takes_mouse_and_keyboard_answers_to_the_kernel(
        tmp_path: Path, artifacts: Path, page: Any, voila_app: Callable[[Path], harness.Server]) -> None:
    out = tmp_path / "ratings.json"
    notebook = write_notebook(tmp_path / "rating.ipynb", RATING_SOURCE.format(out=str(out)))
    problems = harness.watch_offline(page)
    server = voila_app(notebook)
    with explained(page, server, artifacts, "rating"):
        open_app(page, server, "button.dk-test-end")
        page.click("button.dk-test-end")
        page.wait_for_selector(f"{RATING} .dk-rating-choice", timeout=60_000)
        done = page.locator(f"{RATING} .dk-rating-done")
        assert done.is_disabled(), "Done is enabled before any item has an answer"

        # The first item with the mouse.
        page.click(f"{RATING} .dk-rating-scale[data-item='{MOUSE_ITEM}'] .dk-rating-choice[data-value='{MOUSE_VALUE}']")
        # The second with the keyboard: Tab from the clicked answer into the next item, a number key, an arrow.
        page.keyboard.press("Tab")
        assert focused(page) == [KEY_ITEM, "1"], f"Tab after the first answer went to {focused(page)}"
        page.keyboard.press(str(KEY_VALUE - 1))
        page.keyboard.press("ArrowRight")
        assert focused(page) == [KEY_ITEM, str(KEY_VALUE)], \
            f"after {KEY_VALUE - 1} and the right arrow the focus is on {focused(page)}"
        checked = page.evaluate(f"() => Array.from(document.querySelectorAll('{RATING} [aria-checked=true]'))"
                                ".map(b => [b.closest('.dk-rating-scale').dataset.item, b.dataset.value])")
        assert checked == [[MOUSE_ITEM, str(MOUSE_VALUE)], [KEY_ITEM, str(KEY_VALUE)]], f"the page shows {checked} chosen"
        # The open question, then Done, by keyboard.
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.tagName") == "TEXTAREA", "Tab did not reach the open question"
        page.keyboard.type(OPEN_ANSWER)
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.classList.contains('dk-rating-done')"), \
            "Tab did not reach Done"
        assert not done.is_disabled(), "Done stayed disabled with every item answered"
        page.keyboard.press("Enter")

        # The kernel took the answers: its callback wrote them, and the widget says thanks.
        harness.wait_for(out.is_file, timeout=60, what="the kernel's callback to write the answers")
        page.wait_for_selector(f"{RATING} .dk-rating-thanks", timeout=60_000)
        shot(page, artifacts, "rating-answered")
    saved = json.loads(out.read_text())
    assert saved == {"answers": {MOUSE_ITEM: MOUSE_VALUE, KEY_ITEM: KEY_VALUE}, "open_answer": OPEN_ANSWER}, \
        f"the kernel received {saved}"
    assert not problems, "the app was not clean offline:\n" + "\n".join(problems)


def make_study(folder: Path, sessions: int = 2) -> Path:
    """A new study (as `designkit study new` makes it) with few sessions: cheap to run."""
    from designkit.study.new import new_study

    new_study(folder)
    spec = json.loads((folder / "study.json").read_text())
    spec["scenarios"][0]["n"] = sessions
    (folder / "study.json").write_text(json.dumps(spec, indent=2))
    return folder


def test_study_editor_in_voila_adds_a_condition_and_saves_a_moved_knob(
        tmp_path: Path, artifacts: Path, page: Any, voila_app: Callable[[Path], harness.Server]) -> None:
    study = make_study(tmp_path / "studies" / "mini")
    base_pause = json.loads((study / "study.json").read_text())["base"]["pause_s"]
    notebook = write_notebook(tmp_path / "edit.ipynb", EDITOR_SOURCE.format(root=str(tmp_path / "studies")))
    problems = harness.watch_offline(page)
    server = voila_app(notebook)

    def new_condition() -> dict[str, Any] | None:
        saved = json.loads((study / "study.json").read_text()).get("saved", [])
        return next((c for c in saved if c["name"] == "condition 1"), None)

    def moved() -> bool:
        condition = new_condition()
        return condition is not None and condition["policy"]["pause_s"] != base_pause

    with explained(page, server, artifacts, "study-editor"):
        open_app(page, server, f"{EDITOR} .dk-editor-picker select")
        page.locator(f"{EDITOR} .dk-editor-picker select").select_option(label="mini")
        page.click(f"{EDITOR} button.dk-editor-open")
        page.wait_for_selector(f"{EDITOR} button.dk-editor-add", timeout=60_000)
        # The base condition's knobs are drawn; mark them, so the new condition's are told apart.
        page.wait_for_selector(f"{EDITOR} .dk-knob-pause_s .noUi-target", timeout=60_000)
        page.evaluate("() => document.querySelectorAll('.dk-knob-pause_s').forEach(e => e.dataset.old = '1')")

        page.click(f"{EDITOR} button.dk-editor-add")
        page.wait_for_function("() => Array.from(document.querySelectorAll('.dk-editor-conditions option'))"
                               ".some(o => o.selected && o.value.replace(/\\u00a0/g, ' ').startsWith('condition 1'))",
                               timeout=60_000)
        harness.wait_for(lambda: new_condition() is not None, timeout=30, what="the new condition in study.json")
        # The new condition's pause, moved by a click on its slider's track, three quarters along.
        track = page.locator(f"{EDITOR} .dk-knob-pause_s:not([data-old]) .noUi-target")
        track.wait_for(timeout=60_000)
        track.scroll_into_view_if_needed(timeout=30_000)
        box = track.bounding_box()
        assert box is not None, "the new condition's pause slider is not on the page"
        page.mouse.click(box["x"] + 0.75 * box["width"], box["y"] + box["height"] / 2)
        harness.wait_for(moved, timeout=30, what="the moved pause in study.json")

        # Run it: the table of every condition, the new one included.
        page.click(f"{EDITOR} button.dk-editor-run")
        page.wait_for_selector(f"{EDITOR} .dk-editor-table", timeout=60_000)
        table = page.inner_text(f"{EDITOR} .dk-editor-table")
        assert "condition 1" in table, f"the run's table has no row for the new condition:\n{table}"
        shot(page, artifacts, "study-editor-changed")

    condition = new_condition()
    assert condition is not None, "study.json has no condition 1"
    assert condition["policy"]["pause_s"] > base_pause, \
        f"condition 1's pause is {condition['policy']['pause_s']}, not moved up from {base_pause} by the click"
    spec = json.loads((study / "study.json").read_text())
    assert spec["base"]["pause_s"] == base_pause, "moving the new condition's knob changed the base's"
    def but_pause(policy: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in policy.items() if k != "pause_s"}

    assert but_pause(condition["policy"]) == but_pause(spec["base"]), \
        "the new condition is not a copy of the base but for its pause"
    assert not problems, "the app was not clean offline:\n" + "\n".join(problems)
