"""What a designer reads is readable: a published study's report and app measured in real Chromium.

A new study (`designkit study new`, fewer sessions with --quick) is published, one knob changed and
published again, as a designer iterating does; every study of `studies/` is published from a copy.
Each publication's static report (file) is opened in Debian Chromium at 1280 x 800, and so is its
Voilà app (served on 127.0.0.1, network cut): every study's app in a full run, with --quick only
the apps of QUICK_APPS (the new study's and interruption-styles', whose app has the explorer and
the session board) -- each app runs its study's notebook again in a Voilà kernel, the slow part.
Each page is measured by `tests/browser/readable_page.py`: each element's scroll and client width,
each chart text's box against its chart's, each pair of a chart's texts, each chart's alternative
text.

- `republish_ok`: 1 when publishing twice in a row worked and the second audit shows the change.
- `report_overflow`, `clipped_text`, `overlapping_labels`, `charts_without_alt`: problems found,
  report and app together (0 is the goal for each).
- `retired_words`: retired words and raw codes in designer-facing text (`tests/vocabulary.py`).
- `stale_numbers`: numbers the worksheet's answers and the docs quote about the kit's results that
  a fresh run contradicts, and comparisons they state that no longer hold (`scripts/quoted_numbers.py`).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

NAME = "readable"
REPO = Path(__file__).resolve().parents[1]
QUICK_APPS = ("my-study", "interruption-styles")  # the apps --quick opens; a full run opens every one
KINDS = {"report_overflow": "overflow", "clipped_text": "clipped", "overlapping_labels": "overlapping",
         "charts_without_alt": "without_alt"}


def publish_twice(folder: Path, *, sessions: int) -> bool:
    """Publish a new study, change a knob, publish again; whether the second audit shows the change."""
    from designkit.study.new import new_study
    from designkit.study.publish import publish

    new_study(folder)
    spec = json.loads((folder / "study.json").read_text())
    spec["scenarios"][0]["n"] = sessions
    (folder / "study.json").write_text(json.dumps(spec))
    publish(folder, run_notebook=False)
    spec["grid"]["confidence"] = [0.5, 0.8]
    (folder / "study.json").write_text(json.dumps(spec))
    done = publish(folder)
    audit = json.loads(done.audit.read_text())
    return any("confidence=0.8" in s["variant"] for s in audit["sessions"]) and done.report.is_file()


def publish_studies(work: Path) -> list[Path]:
    """Every study of the repository published from a copy of its folder (the repository's own
    folders stay as they are): the published folders."""
    import shutil

    from designkit.study.publish import publish

    done = []
    for spec in sorted((REPO / "studies").glob("*/study.json")):
        copy = work / "studies" / spec.parent.name
        shutil.copytree(spec.parent, copy, ignore=shutil.ignore_patterns("published", "results.parquet",
                                                                           ".ipynb_checkpoints"))
        done.append(publish(copy).report.parent)
    return done


def measure_pages(apps: dict[str, Path], work: Path, *, served: Any = None) -> dict[str, list[str]]:
    """Each published folder's report, and its app where `served` names it (None: every app),
    each at a laptop's size, problems merged and named by the study. One Chromium; one Voilà
    server per app."""
    sys.path.insert(0, str(REPO / "tests" / "browser"))
    import harness
    import offline
    import readable_page

    from designkit.study.publish import extra_voila_args

    found: dict[str, list[str]] = {kind: [] for kind in KINDS.values()}
    previous = os.environ.get("JUPYTER_PATH")
    try:
        with harness.chromium(harness.write_fake_wav(work / "mic.wav")) as browser:
            for name, app in apps.items():
                os.environ["JUPYTER_PATH"] = str(app / "share" / "jupyter")
                page = browser.new_page(viewport=readable_page.LAPTOP)
                page.goto((app / "report.html").as_uri())
                for kind, problems in readable_page.measure(page).items():
                    found[kind] += [f"{name} report: {p}" for p in problems]
                if served is not None and name not in served:
                    page.close()
                    continue
                notebook = next(app.glob("*.ipynb"))
                charts = page.evaluate("() => document.querySelectorAll('svg[aria-label], img[alt]').length")
                with harness.voila(notebook, work, extra_args=extra_voila_args(), timeout=180.0) as server:
                    offline.block_network(page)
                    page.goto(server.url, wait_until="domcontentloaded", timeout=300_000)
                    page.locator(".jp-RenderedMarkdown strong", has_text="Conclusion.").first.wait_for(timeout=300_000)
                    drawn = min(int(charts), 4)  # the report's charts; the app draws them live
                    page.wait_for_function(f"() => document.querySelectorAll('{offline.DRAWN}').length >= {drawn}",
                                           timeout=300_000)
                    page.wait_for_timeout(1000)  # the last chart's legend lays out
                    for kind, problems in readable_page.measure(page).items():
                        found[kind] += [f"{name} app: {p}" for p in problems]
                page.close()
    finally:
        if previous is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = previous
    return found


def run(*, quick: bool = False) -> Iterator[dict[str, Any]]:
    sys.path.insert(0, str(REPO / "tests"))
    from vocabulary import designer_text_problems

    with tempfile.TemporaryDirectory(prefix="dk-readable-") as tmp:
        work = Path(tmp)
        ok = publish_twice(work / "my-study", sessions=3 if quick else 8)
        yield {"metric": "republish_ok", "value": int(ok), "unit": "yes/no", "goal": "= 1"}
        apps = {"my-study": work / "my-study" / "published"}
        apps |= {folder.parent.name: folder for folder in publish_studies(work)}
        found = measure_pages(apps, work, served=QUICK_APPS if quick else None)
    for metric, kind in KINDS.items():
        for problem in found[kind][:5]:
            print(f"  {metric}: {problem}", file=sys.stderr)
        yield {"metric": metric, "value": len(found[kind]), "unit": "count", "goal": "= 0"}
    words = designer_text_problems(REPO)
    for problem in words[:5]:
        print(f"  retired_words: {problem}", file=sys.stderr)
    yield {"metric": "retired_words", "value": len(words), "unit": "count", "goal": "= 0"}
    sys.path.insert(0, str(REPO / "scripts"))
    import quoted_numbers

    stale = quoted_numbers.stale(quoted_numbers.compute())
    for problem in stale[:5]:
        print(f"  stale_numbers: {problem}", file=sys.stderr)
    yield {"metric": "stale_numbers", "value": len(stale), "unit": "count", "goal": "= 0"}
