"""Make the pictures in docs/images/ from real runs of the current code, and record what each shows.

    python scripts/screenshots.py                    # every picture this script can make
    python scripts/screenshots.py live-jupyterlab    # one (or a few), by name

Each picture is a real session: JupyterLab on 127.0.0.1 serving a clean folder named
`my-first-session`, Debian Chromium (tests/browser/harness.py, the recipe the browser tests use)
with a spoken WAV as its microphone (the kit's own voice, piper where installed), the notebook's
own cell and the current defaults (camera off). After saving a picture the script writes
docs/images/manifest.json: for each picture, the hash of the files it shows (the widget's .js and
.css, the Python modules drawing it, the notebook it runs). tests/test_screenshots_fresh.py
recomputes those hashes (no browser) and fails when a picture's inputs changed since it was made.

Pictures this script cannot make yet are listed in the manifest under "not_yet_reproducible" with
why; they have no hash, because none of them was made here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
IMAGES = REPO / "docs" / "images"
MANIFEST = IMAGES / "manifest.json"
BROWSER = REPO / "tests" / "browser"
FOLDER = "my-first-session"  # what the designer's folder is called in every picture
LIVE_NOTEBOOK = "notebooks/01-live-microturns.ipynb"


@dataclass(frozen=True, slots=True)
class Shot:
    """Pictures in docs/images/ made by one run: the files whose change makes them stale, and how
    they are made (`make(work, out)` saves each of `names` into the folder `out`)."""

    names: tuple[str, ...]  # files in docs/images/
    inputs: tuple[str, ...]  # repository paths, hashed in this order
    make: Callable[[Path, Path], None] = field(compare=False)

    def digest(self, repo: Path = REPO) -> str:
        return inputs_digest(self.inputs, repo)


def inputs_digest(paths: Iterable[str], repo: Path = REPO) -> str:
    """sha256 over each input's path and bytes (a missing input hashes as missing)."""
    h = hashlib.sha256()
    for path in paths:
        file = repo / path
        h.update(path.encode() + b"\0")
        h.update(file.read_bytes() if file.is_file() else b"<missing>")
        h.update(b"\0")
    return h.hexdigest()


# --- the live widget in JupyterLab --------------------------------------------------------------

LIVE_INPUTS = (
    LIVE_NOTEBOOK,
    "widgets/live.js", "widgets/live.css", "widgets/colours.json",
    "designkit/widgets/live.py", "designkit/widgets/controls.py", "designkit/widgets/summary.py",
    "designkit/widgets/timeline.py", "designkit/widgets/engines.py", "designkit/widgets/voice_out.py",
    "designkit/agents/conversation.py", "designkit/policy/spec.py",
)


def first_live_cell() -> str:
    """The code a designer runs first in notebook 01 (its first code cell, as shipped)."""
    notebook = json.loads((REPO / LIVE_NOTEBOOK).read_text(encoding="utf-8"))
    return next("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")


def one_cell_notebook(path: Path, source: str) -> Path:
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": "live", "metadata": {},
                     "outputs": [], "source": source}],
          "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def spoken_microphone(path: Path) -> Path:
    """A person asking three questions with pauses between them, in the kit's own voice."""
    import talk_live

    return talk_live.questions_wav(path, talk_live.QUESTIONS[:3], gap_s=3.0).wav


def live_in_jupyterlab(work: Path, out: Path) -> None:
    """Notebook 01's first cell in JupyterLab: the consent gate, then 25 s of talking to the model."""
    import harness

    home = work / "home"
    folder = home / FOLDER
    folder.mkdir(parents=True)
    one_cell_notebook(folder / "talk-to-the-model.ipynb", first_live_cell())
    wav = spoken_microphone(work / "question.wav")
    with harness.chromium(wav) as browser, harness.jupyterlab(home, work / "lab", timeout=180) as server:
        page = browser.new_context(viewport={"width": 1280, "height": 800},
                                   permissions=["microphone"]).new_page()
        page.goto(f"{server.url}/lab/tree/{FOLDER}/talk-to-the-model.ipynb?reset")
        harness.run_all_cells(page)
        harness.wait_allow(page, timeout_ms=300_000)  # the default agent loads its models first
        page.screenshot(path=str(out / "live-consent.png"))
        page.click(".dk-allow >> visible=true")
        # The questions' loop once over: speech, pauses and the agent's answers on the timeline.
        harness.wait_live(page, "s.replies >= 125", timeout_ms=240_000)
        page.screenshot(path=str(out / "live-jupyterlab.png"))
        page.click(".dk-revoke >> visible=true")
        harness.wait_live(page, "s.phase === 'revoked'")
        page.context.close()


SHOTS: tuple[Shot, ...] = (
    Shot(("live-jupyterlab.png", "live-consent.png"), LIVE_INPUTS, live_in_jupyterlab),
)

# Pictures in docs/images/ not made by this script yet, and why (no hash: nothing here made them).
NOT_YET = {
    "live-voila.png": "the live widget as a Voilà app; not yet made by this script",
    "app-01-live.png": "notebook 01 as an app (Voilà); not yet made by this script",
    "board-lab-brushed.png": "the session board in JupyterLab with a brush; not yet made by this script",
    "board-voila-session.png": "the session board in Voilà, a session opened; not yet made by this script",
    "board-voila-tooltip.png": "the session board in Voilà, a tooltip; not yet made by this script",
    "charts-offline-03.png": "notebook 03 in JupyterLab with the network cut; not yet made by this script",
    "explorer-live-view.png": "the explorer's live view; not yet made by this script",
    "agent-breathing.png": "made by tests/browser/test_live_agents.py (fake-camera test media), not by this script",
    "agent-conversation.png": "made by tests/browser/test_live_agents.py (fake-camera test media), not by this script",
    "agent-exercise.png": "made by tests/browser/test_live_agents.py (fake-camera test media), not by this script",
    "agent-language.png": "made by tests/browser/test_live_agents.py (fake-camera test media), not by this script",
    "wizard-operator.png": "made by tests/browser/test_wizard_browser.py, not by this script",
    "wizard-participant.png": "made by tests/browser/test_wizard_browser.py, not by this script",
}


def read_manifest(path: Path = MANIFEST) -> dict[str, Any]:
    if not path.is_file():
        return {"images": {}, "not_yet_reproducible": {}}
    return dict(json.loads(path.read_text(encoding="utf-8")))


def stale(manifest: dict[str, Any], shots: Iterable[Shot] = SHOTS, repo: Path = REPO) -> list[str]:
    """One line per picture whose inputs changed since it was made (or that was never made)."""
    made = manifest.get("images", {})
    lines = []
    for shot in shots:
        digest = shot.digest(repo)
        for name in shot.names:
            entry = made.get(name)
            if entry is None:
                lines.append(f"{name}: never made by scripts/screenshots.py")
            elif entry["inputs"] != list(shot.inputs) or entry["sha256"] != digest:
                lines.append(f"{name}: its inputs changed since it was made")
    return lines


def write_manifest(made: dict[str, Any], path: Path = MANIFEST) -> None:
    manifest = {
        "about": "Each picture made by scripts/screenshots.py, with the sha256 of the files it shows "
                 "(tests/test_screenshots_fresh.py recomputes it). Pictures not made by the script yet "
                 "are listed with why, and have no hash.",
        "images": dict(sorted(made.items())),
        "not_yet_reproducible": dict(sorted(NOT_YET.items())),
    }
    path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="pictures to make (default: all), e.g. live-jupyterlab")
    args = parser.parse_args(argv)
    wanted = {n if n.endswith(".png") else f"{n}.png" for n in args.names}
    known = [name for shot in SHOTS for name in shot.names]
    unknown = wanted - set(known)
    if unknown:
        parser.error(f"no recipe for {sorted(unknown)}; known: {known}")
    sys.path.insert(0, str(BROWSER))
    made = read_manifest().get("images", {})
    for shot in SHOTS:
        if wanted and wanted.isdisjoint(shot.names):
            continue
        print(f"making {', '.join(shot.names)} ...", flush=True)
        digest = shot.digest()  # before the run: a file edited meanwhile leaves the pictures stale
        with tempfile.TemporaryDirectory(prefix="screenshots-") as work:
            out = Path(work) / "out"
            out.mkdir()
            shot.make(Path(work), out)
            IMAGES.mkdir(parents=True, exist_ok=True)
            for name in shot.names:
                (IMAGES / name).write_bytes((out / name).read_bytes())
                made[name] = {"sha256": digest, "inputs": list(shot.inputs)}
                print(f"wrote docs/images/{name}", flush=True)
        write_manifest(made)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
