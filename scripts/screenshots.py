"""Make the pictures in docs/images/ from real runs of the current code, and record what each shows.

    python scripts/screenshots.py                    # every picture
    python scripts/screenshots.py live-jupyterlab    # one (or a few), by name

Each picture is a real run (scripts/screenshot_runs.py): one JupyterLab on 127.0.0.1 serving a
clean home whose folders are named like a designer's (`my-first-session`, `my-study`), Debian
Chromium (tests/browser/harness.py, the recipe the browser tests use) with a spoken WAV as its
microphone (the kit's own voice, piper where installed) or an agent's own test media, Voilà for
the apps, and the current defaults. After each run the script writes docs/images/manifest.json:
for each picture, the hash of the files it shows (the widgets' .js and .css, the Python modules
drawing it, the notebook or study it runs). tests/test_screenshots_fresh.py recomputes those
hashes (no browser) and fails when a picture's inputs changed since it was made.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import screenshot_runs as runs

REPO = Path(__file__).resolve().parents[1]
IMAGES = REPO / "docs" / "images"
MANIFEST = IMAGES / "manifest.json"
BROWSER = REPO / "tests" / "browser"
FAILED = REPO / "test-artifacts" / "screenshots"  # what a failed run's pages showed


@dataclass(frozen=True, slots=True)
class Shot:
    """Pictures in docs/images/ made by one run: the files whose change makes them stale, and how
    they are made (`make(bench, out)` saves each of `names` into the folder `out`)."""

    names: tuple[str, ...]  # files in docs/images/
    inputs: tuple[str, ...]  # repository paths, hashed in this order
    make: Callable[[runs.Bench, Path], None] = field(compare=False)

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


# --- what each picture shows --------------------------------------------------------------------

LIVE_WIDGET = (
    "widgets/live.js", "widgets/dom.js", "widgets/live.css", "widgets/colours.json",
    "designkit/widgets/live.py", "designkit/widgets/controls.py", "designkit/widgets/summary.py",
    "designkit/widgets/timeline.py", "designkit/widgets/engines.py", "designkit/widgets/voice_out.py",
)
LIVE_INPUTS = (runs.LIVE_NOTEBOOK, *LIVE_WIDGET, "designkit/agents/conversation.py", "designkit/policy/spec.py")
AGENT_INPUTS = (*LIVE_WIDGET, "designkit/widgets/agents.py", "designkit/agents/spec.py",
                "designkit/agents/script.py", "designkit/policy/spec.py")
APP_INPUTS = ("designkit/study/publish.py",)  # the kit's Voilà template and app command
STUDY_CHARTS = ("designkit/study/charts.py", "designkit/study/colours.py", "designkit/study/labels.py",
                "designkit/study/show.py")
BOARD_INPUTS = ("studies/quiet-modes/study.json", "designkit/study/board.py", "designkit/study/sessions.py",
                *STUDY_CHARTS)
WIZARD_INPUTS = (*LIVE_WIDGET, "widgets/wizard_console.js", "widgets/wizard_console.css",
                 "designkit/widgets/wizard_console.py", "designkit/widgets/wizard_desk.py",
                 "designkit/widgets/live_wizard.py", "designkit/widgets/wizard_link.py")
EXPLORER_INPUTS = (f"studies/{runs.EXPLORER_STUDY}/study.json",
                   f"studies/{runs.EXPLORER_STUDY}/{runs.EXPLORER_STUDY}.ipynb",
                   "designkit/study/explorer.py", "designkit/study/knob_controls.py", *STUDY_CHARTS, *APP_INPUTS)

SHOTS: tuple[Shot, ...] = (
    Shot(("live-jupyterlab.png", "live-consent.png"), LIVE_INPUTS, runs.live_in_jupyterlab),
    Shot(("app-01-live.png",), (*LIVE_INPUTS, *APP_INPUTS), runs.app_01),
    Shot(("agent-conversation.png",), (*AGENT_INPUTS, "designkit/agents/conversation.py"),
         runs.agent("conversation", "conversation()", "spoken", 14.0,  # until it answers in words
                    heard="(s.said || []).some(x => x.content.split(' ').length >= 4) && s.voice.pieces > 0")),
    Shot(("agent-breathing.png",), (*AGENT_INPUTS, "designkit/agents/breathing.py"),
         runs.agent("breathing", "breathing_coach('4-2-6')", "workout", 15.0)),
    Shot(("agent-language.png",), (*AGENT_INPUTS, "designkit/agents/language.py"),
         runs.agent("language", "language_coach('es', at_once=True)", "learner", 16.0)),
    Shot(("agent-exercise.png",), (*AGENT_INPUTS, "designkit/agents/exercise.py"),
         runs.agent("exercise", "exercise_coach('squat', aloud=True)", "workout", 12.0,
                    heard="(s.said || []).some(x => /^[0-9]/.test(x.content))")),
    Shot(("wizard-participant.png", "wizard-operator.png"), WIZARD_INPUTS, runs.wizard),
    Shot(("board-lab-brushed.png",), BOARD_INPUTS, runs.board_in_jupyterlab),
    Shot(("board-voila-tooltip.png", "board-voila-session.png"), (*BOARD_INPUTS, *APP_INPUTS), runs.board_in_voila),
    Shot(("charts-offline-03.png",), ("notebooks/03-policies-and-metrics.ipynb", *STUDY_CHARTS), runs.charts_offline),
    Shot(("explorer-live-view.png",), EXPLORER_INPUTS, runs.explorer),
)

# Pictures in docs/images/ not made by this script, and why (no hash: nothing here made them).
NOT_YET: dict[str, str] = {}


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
                 "(tests/test_screenshots_fresh.py recomputes it). Pictures not made by the script "
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
    made = {name: entry for name, entry in read_manifest().get("images", {}).items() if name in known}
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="screenshots-") as work, ExitStack() as stack:
        bench = runs.Bench(Path(work), stack)
        for shot in SHOTS:
            if wanted and wanted.isdisjoint(shot.names):
                continue
            print(f"making {', '.join(shot.names)} ...", flush=True)
            digest = shot.digest()  # before the run: a file edited meanwhile leaves the pictures stale
            out = Path(work) / "out" / shot.names[0]
            out.mkdir(parents=True)
            try:
                shot.make(bench, out)
            except Exception:  # the other pictures are still worth making: say which failed, at the end
                kept = bench.keep_open_pages(FAILED, f"failed-{Path(shot.names[0]).stem}")
                print(traceback.format_exc(), f"{shot.names[0]} failed; its pages showed: {[str(k) for k in kept]}",
                      flush=True)
                failed.extend(shot.names)
                continue
            finally:
                bench.close_kernels()
            IMAGES.mkdir(parents=True, exist_ok=True)
            for name in shot.names:
                (IMAGES / name).write_bytes((out / name).read_bytes())
                made[name] = {"sha256": digest, "inputs": list(shot.inputs)}
                print(f"wrote docs/images/{name}", flush=True)
            write_manifest(made)
    if failed:
        print(f"not made: {', '.join(failed)}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
