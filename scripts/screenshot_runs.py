"""The real runs behind the pictures in docs/images/ (scripts/screenshots.py says which run makes
which picture and records their inputs).

Every run drives the current code the way a person does, with the browser tests' building blocks
(tests/browser: harness, board_page, wizard_pages, agent_media, talk_live, offline): one
JupyterLab on 127.0.0.1 serving a clean home whose folders are named like a designer's
(`my-first-session`, `my-study`, `notebooks`), Debian Chromium with a spoken WAV (or the agent's
own test media) as its fake microphone, Voilà for the apps, and the current defaults. Each
`make(bench, out)` saves its pictures into the folder `out`.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FOLDER = "my-first-session"  # the designer's folder in the live pictures
AGENTS_FOLDER = "my-agents"  # where the four agents' notebooks are (their pictures show the widget only)
WIZARD_FOLDER = "wizard-pilot"  # the participant's and the operator's notebooks
STUDY_FOLDER = "my-study"  # the designer's study folder (as `designkit study new my-study` names it)
LIVE_NOTEBOOK = "notebooks/01-live-microturns.ipynb"
EXPLORER_STUDY = "exercise-counting"  # a study whose notebook shows the explorer
WIZARD_ROOM = "pilot-1"  # the name the operator's console attaches to


# --- what the runs share ------------------------------------------------------------------------

def spoken_microphone(work: Path) -> tuple[Path, list[str]]:
    """A person asking three questions with pauses between them, in the kit's own voice."""
    import talk_live

    return talk_live.questions_wav(work / "questions.wav", talk_live.QUESTIONS[:3], gap_s=3.0).wav, []


def workout_camera(work: Path) -> tuple[Path, list[str]]:
    """A quiet room, and a person doing squats in front of the camera (a generated video)."""
    import agent_media

    workout = agent_media.workout_y4m(work / "workout.y4m", seed=1)
    return agent_media.quiet_wav(work / "quiet.wav"), [f"--use-file-for-fake-video-capture={workout.y4m}"]


def learner_microphone(work: Path) -> tuple[Path, list[str]]:
    """A learner practising Spanish who switches language mid-utterance."""
    import agent_media

    return agent_media.learner_wav(work / "learner.wav", seed=3).wav, []


MEDIA: dict[str, Callable[[Path], tuple[Path, list[str]]]] = {
    "spoken": spoken_microphone, "workout": workout_camera, "learner": learner_microphone}


class Bench:
    """What one run's pictures share: a work folder, one JupyterLab serving `home`, and one
    Chromium per kind of fake media (`MEDIA`); each starts when first asked for and stops at the end."""

    def __init__(self, work: Path, stack: ExitStack) -> None:
        self.work, self.stack = work, stack
        self.home = work / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        self._lab: Any = None
        self._browsers: dict[str, Any] = {}
        self._pages: list[Any] = []

    @property
    def url(self) -> str:
        """JupyterLab's address (started on first use)."""
        import harness

        if self._lab is None:
            self._lab = self.stack.enter_context(harness.jupyterlab(self.home, self.work / "lab", timeout=180))
        return str(self._lab.url)

    def browser(self, media: str = "spoken") -> Any:
        import harness

        if media not in self._browsers:
            wav, flags = MEDIA[media](self.work)
            self._browsers[media] = self.stack.enter_context(harness.chromium(wav, extra_flags=flags))
        return self._browsers[media]

    def page(self, media: str = "spoken", *, height: int = 800) -> Any:
        """A fresh page 1280 px wide (a laptop) that may use the microphone and camera."""
        context = self.browser(media).new_context(viewport={"width": 1280, "height": height},
                                                  permissions=["microphone", "camera"])
        page = context.new_page()
        self._pages.append(page)
        return page

    def keep_open_pages(self, folder: Path, prefix: str) -> list[Path]:
        """Screenshot every page still open (what a failed run left on screen) into `folder`, then close it."""
        folder.mkdir(parents=True, exist_ok=True)
        kept = []
        for i, page in enumerate(p for p in self._pages if not p.is_closed()):
            kept.append(folder / f"{prefix}-{i}.png")
            page.screenshot(path=str(kept[-1]), full_page=True)
            page.context.close()
        return kept

    def folder(self, name: str) -> Path:
        """The designer's folder `name` in JupyterLab's home (made if new)."""
        path = self.home / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def open_in_lab(self, page: Any, path: str) -> None:
        """Open the notebook `path` (under `home`) in JupyterLab, in a fresh workspace, and run it."""
        import harness

        page.goto(f"{self.url}/lab/tree/{path}?reset")
        harness.run_all_cells(page)

    def close_kernels(self) -> None:
        """Shut down every notebook's kernel (each holds hundreds of MB; runs would pile them up)."""
        if self._lab is None:
            return
        with urllib.request.urlopen(f"{self.url}/api/sessions", timeout=30) as response:
            sessions = [s["id"] for s in json.load(response)]
        for session in sessions:
            request = urllib.request.Request(f"{self.url}/api/sessions/{session}", method="DELETE")
            urllib.request.urlopen(request, timeout=120).close()


@contextmanager
def jupyter_path(share: str | Path) -> Iterator[None]:
    """JUPYTER_PATH pointing at an app's Voilà template (as `designkit app` sets it) meanwhile."""
    previous = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(share)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = previous


def one_cell_notebook(path: Path, source: str) -> Path:
    import offline

    path.parent.mkdir(parents=True, exist_ok=True)
    return Path(offline.notebook(path, [source]))


def hide_code(notebook: Path) -> None:
    """Collapse every cell's code in JupyterLab (the notebook's "hide input"): only its output shows."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        cell["metadata"]["jupyter"] = {"source_hidden": True}
    notebook.write_text(json.dumps(nb), encoding="utf-8")


def first_live_cell() -> str:
    """The code a designer runs first in notebook 01 (its first code cell, as shipped)."""
    notebook = json.loads((REPO / LIVE_NOTEBOOK).read_text(encoding="utf-8"))
    return next("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")


# --- the live widget ----------------------------------------------------------------------------

def live_in_jupyterlab(bench: Bench, out: Path) -> None:
    """Notebook 01's first cell in JupyterLab: the consent gate, then 25 s of talking to the model."""
    import harness

    one_cell_notebook(bench.folder(FOLDER) / "talk-to-the-model.ipynb", first_live_cell())
    page = bench.page()
    bench.open_in_lab(page, f"{FOLDER}/talk-to-the-model.ipynb")
    harness.wait_allow(page, timeout_ms=300_000)  # the default agent loads its models first
    page.screenshot(path=str(out / "live-consent.png"))
    page.click(".dk-allow >> visible=true")
    # The questions' loop once over: speech, pauses and the agent's answers on the timeline.
    harness.wait_live(page, "s.replies >= 125", timeout_ms=240_000)
    page.screenshot(path=str(out / "live-jupyterlab.png"))
    page.click(".dk-revoke >> visible=true")
    harness.wait_live(page, "s.phase === 'revoked'")
    page.context.close()


def agent(name: str, call: str, media: str, seconds: float,
          heard: str = "true") -> Callable[[Bench, Path], None]:
    """The run for `agent-<name>.png`: the agent `agents.<call>` live for `seconds` (until the JS
    condition `heard` on its live state `s` holds too), its widget photographed."""

    def make(bench: Bench, out: Path) -> None:
        import harness

        harness.live_notebook(bench.folder(AGENTS_FOLDER) / f"{name}.ipynb", log_dir=Path("logs"), agent=call, name=name)
        page = bench.page(media, height=900)
        bench.open_in_lab(page, f"{AGENTS_FOLDER}/{name}.ipynb")
        harness.wait_allow(page, timeout_ms=300_000)
        page.click(".dk-allow >> visible=true")
        harness.wait_live(page, f"s.replies >= {round(seconds / 0.2)} && ({heard})",
                          timeout_ms=int(seconds * 3000) + 60_000)
        page.locator(".dk-root").first.screenshot(path=str(out / f"agent-{name}.png"))
        page.click(".dk-revoke >> visible=true")
        page.context.close()

    make.__doc__ = f"agents.{call} live in JupyterLab, its widget after {seconds:g} s"
    return make


# --- Wizard of Oz -------------------------------------------------------------------------------

def wizard(bench: Bench, out: Path) -> None:
    """The participant's page and the operator's console, two pages of one JupyterLab, right after
    the operator pressed `2` and the participant's agent said "Tell me more."."""
    import harness
    import wizard_pages as wp

    folder = bench.folder(WIZARD_FOLDER)
    participant_nb = wp.participant_notebook(folder / "participant.ipynb", log_dir=Path("logs"), room=WIZARD_ROOM)
    hide_code(participant_nb)  # the participant sees the agent, not how it is set up
    wp.console_notebook(folder / "console.ipynb", room=WIZARD_ROOM)
    participant, operator = bench.page(height=900), bench.page(height=900)
    wp.open_participant(participant, bench, f"{WIZARD_FOLDER}/participant.ipynb")
    wp.open_console(operator, bench, f"{WIZARD_FOLDER}/console.ipynb")
    wp.wait_console(operator, "s.points.length >= 5")
    operator.keyboard.press("2")
    harness.wait_live(participant, "s.said && s.said.some(x => x.content === 'Tell me more.')", timeout_ms=30_000)
    said_at = harness.live_state(participant, "s.replies")
    harness.wait_live(participant, f"s.replies >= {said_at + 5}")  # a second of the line on the strip
    wp.wait_console(operator, "s.sent.some(x => x.verb === 'line' && 'reaction_ms' in x)")
    participant.screenshot(path=str(out / "wizard-participant.png"))
    operator.screenshot(path=str(out / "wizard-operator.png"))
    participant.click(".dk-revoke >> visible=true")
    for page in (participant, operator):
        page.context.close()


# --- the study board, charts, the explorer, apps ------------------------------------------------

def board_in_jupyterlab(bench: Bench, out: Path) -> None:
    """The quiet-modes study's board in JupyterLab with the network cut, a brush over its first points."""
    import board_page as bp
    import offline

    bp.board_folder(bench.home / STUDY_FOLDER)
    page = bench.page(height=900)
    offline.block_network(page)
    bench.open_in_lab(page, f"{STUDY_FOLDER}/board.ipynb")
    bp.wait_points(page)
    bp.brush_the_first_points(page)
    page.screenshot(path=str(out / "board-lab-brushed.png"))
    page.context.close()


def board_in_voila(bench: Bench, out: Path) -> None:
    """The same board as an app (Voilà, the kit's template): a point's tooltip, then a session opened."""
    import board_page as bp
    import harness
    import offline

    from designkit.study.publish import write_template

    app = bench.work / "apps" / STUDY_FOLDER
    notebook = bp.board_folder(app)
    write_template(app / "share")
    (app / "voila.json").write_text(json.dumps({"VoilaConfiguration": {
        "template": "designkit", "theme": "light", "extension_denylist": ["@jupyter-notebook/lab-extension"]}}))
    with jupyter_path(app / "share" / "jupyter"), harness.voila(notebook, bench.work, timeout=180) as server:
        page = bench.page(height=900)
        offline.block_network(page)
        page.goto(server.url, wait_until="domcontentloaded", timeout=300_000)
        bp.wait_points(page)
        bp.hover_a_point(page)
        page.screenshot(path=str(out / "board-voila-tooltip.png"))
        page.mouse.move(0, 0)
        bp.open_a_session(page)
        page.screenshot(path=str(out / "board-voila-session.png"))
        page.context.close()


def charts_offline(bench: Bench, out: Path) -> None:
    """Notebook 03 as shipped, run in JupyterLab with the network cut: its first chart, live."""
    import offline

    shutil.copytree(REPO / "notebooks", bench.home / "notebooks", dirs_exist_ok=True, copy_function=shutil.copy,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    page = bench.page(height=900)
    offline.block_network(page)
    bench.open_in_lab(page, "notebooks/03-policies-and-metrics.ipynb")
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")  # the notebook's code lines fit
    done = page.wait_for_function(offline.RAN_ALL, timeout=600_000, polling=500).json_value()
    if done["errors"]:
        raise RuntimeError(f"notebook 03 failed: {done['errors']}")
    page.wait_for_selector(offline.DRAWN, timeout=60_000)
    page.locator(".vega-embed").first.scroll_into_view_if_needed()
    page.screenshot(path=str(out / "charts-offline-03.png"))
    page.context.close()


def explorer(bench: Bench, out: Path) -> None:
    """The exercise-counting study published as an app: its explorer after a slider moved (the
    chart re-drawn in place, the status line naming the new setting)."""
    import harness
    import offline

    from designkit.study.publish import write_app

    target = bench.work / "apps" / EXPLORER_STUDY
    notebook = write_app(REPO / "studies" / EXPLORER_STUDY, target)
    with jupyter_path(target / "share" / "jupyter"), harness.voila(notebook, bench.work, timeout=180) as server:
        page = bench.page(height=900)
        offline.block_network(page)
        page.goto(server.url, wait_until="domcontentloaded", timeout=300_000)
        page.wait_for_selector(".dk-explorer-chart svg.marks", timeout=300_000)
        status = page.inner_text(".dk-explorer-status")
        handle = page.locator(".dk-explorer .noUi-handle").first
        handle.focus()
        handle.press("PageDown")
        page.wait_for_function("b => document.querySelector('.dk-explorer-status').innerText !== b",
                               arg=status, timeout=120_000)
        box = page.locator(".dk-explorer")
        box.scroll_into_view_if_needed()
        box.screenshot(path=str(out / "explorer-live-view.png"))
        page.context.close()


def app_01(bench: Bench, out: Path) -> None:
    """Notebook 01 as an app (`designkit app`): talked to for a few seconds, its state line live."""
    import harness

    from designkit.study.publish import app_command

    folder = bench.work / "apps" / FOLDER
    folder.mkdir(parents=True)
    notebook = folder / Path(LIVE_NOTEBOOK).name
    shutil.copy2(REPO / LIVE_NOTEBOOK, notebook)
    cmd, env, _ = app_command(notebook, port=0, share=folder / "share")
    args = cmd[cmd.index("--Voila.ip=127.0.0.1") + 1:]
    with jupyter_path(env["JUPYTER_PATH"]), harness.voila(notebook, bench.work, extra_args=args,
                                                                 timeout=180) as server:
        page = bench.page(height=900)
        page.goto(server.url, wait_until="domcontentloaded", timeout=300_000)
        page.wait_for_selector(".dk-allow:not([disabled]) >> visible=true", timeout=300_000)
        page.click(".dk-allow >> visible=true")
        # Ten seconds of the spoken questions: the state line counts the microturns decided.
        page.wait_for_function("() => { const m = /Live: ([0-9]+) microturns/.exec("
                               "document.querySelector('.dk-live-summary').innerText); return m && +m[1] >= 50; }",
                               timeout=180_000, polling=200)
        # Voilà scrolls its cells inside the window: make the window tall enough to hold the title,
        # the widget, the controls and the state line at once.
        bottom = page.evaluate("() => document.querySelector('.dk-live-summary').getBoundingClientRect().bottom")
        page.set_viewport_size({"width": 1280, "height": min(2400, round(bottom) + 90)})
        page.screenshot(path=str(out / "app-01-live.png"))
        page.click(".dk-revoke >> visible=true")
        page.context.close()
