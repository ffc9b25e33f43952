"""A designer changes, runs, publishes and opens a study with clicks only, in JupyterLab.

A scripted designer in Debian Chromium (network cut) opens notebooks/06-edit-a-study.ipynb in
JupyterLab, runs it from the Run menu, opens the interruption-styles study in the study editor,
adds a condition, moves its pause knob by clicking on the slider's track, clicks run and waits for
the conclusion check, clicks publish, clicks serve and then the app's link, and waits for the app
to draw its chart. Every step is a click (a dropdown pick counts as one); no key is pressed. It
works on a copy of the study in a temporary folder.

- `clicks_only_study_roundtrip`: 1 when every step happened and study.json holds the new condition
  with its moved knob, else 0.
- `editor_run_s`: from the click on "run" to the conclusion check on the page (cells already
  cached are not computed again: the default study cache is used, as a designer's would be).
- `published_app_console_errors`: console errors, page errors, failed and off-machine requests
  of the app's page.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

NAME = "designer"
REPO = Path(__file__).resolve().parents[1]
STUDY = "interruption-styles"
NOTEBOOK = "06-edit-a-study.ipynb"
KERNEL_IDLE = ("() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
               " const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
               " return !!k && k.status === 'idle'; }")


def _click_menu(page: Any, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


def roundtrip(work: Path) -> dict[str, Any]:
    """The scripted designer's session; returns what it measured and saw."""
    sys.path.insert(0, str(REPO / "tests" / "browser"))
    import harness

    root = work / "root"
    shutil.copytree(REPO / "studies" / STUDY, root / "studies" / STUDY,
                    ignore=shutil.ignore_patterns("published", "results.parquet"))
    (root / "notebooks").mkdir(parents=True)
    shutil.copy2(REPO / "notebooks" / NOTEBOOK, root / "notebooks" / NOTEBOOK)
    out: dict[str, Any] = {"clicks": 0, "app_problems": []}

    def click(locator: Any) -> None:
        locator.click()
        out["clicks"] += 1

    with harness.chromium(harness.write_fake_wav(work / "mic.wav")) as browser, \
            harness.jupyterlab(root, work, timeout=180.0) as lab:
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        page = context.new_page()
        page.goto(f"{lab.url}/lab/tree/notebooks/{NOTEBOOK}?reset", wait_until="domcontentloaded")
        page.wait_for_function(KERNEL_IDLE, timeout=180_000)
        _click_menu(page, "Run", "Run All Cells")
        out["clicks"] += 2
        page.wait_for_selector(".dk-editor-picker select", timeout=180_000)
        page.locator(".dk-editor-picker select").select_option(label=STUDY)
        out["clicks"] += 1
        click(page.locator(".dk-editor-open"))
        page.wait_for_selector(".dk-editor-add", timeout=120_000)
        click(page.locator(".dk-editor-add"))
        try:
            page.wait_for_function("() => [...document.querySelectorAll('.dk-editor-conditions option')]"
                                   ".some(o => o.value.startsWith('condition 1'))", timeout=60_000)
        except Exception as exc:
            raise AssertionError("the new condition did not appear; the editor shows: "
                                 + page.inner_text(".dk-study-editor")[:2000]) from exc
        # Move the new condition's pause: a click on the slider's track, three quarters along.
        track = page.locator(".dk-knob-pause_s .noUi-target").first
        box = None
        for _ in range(60):  # the condition's knobs are drawn again once it is picked
            page.wait_for_timeout(500)
            try:
                track.scroll_into_view_if_needed(timeout=5_000)
                box = track.bounding_box()
            except Exception:  # drawn again while we looked
                box = None
            if box is not None:
                break
        assert box is not None, "the pause slider was not drawn"
        page.mouse.click(box["x"] + 0.75 * box["width"], box["y"] + box["height"] / 2)
        out["clicks"] += 1
        harness.wait_for(lambda: _moved(root), timeout=60, what="the moved pause in study.json")
        click(page.locator(".dk-editor-run"))
        started = time.perf_counter()
        page.wait_for_selector(".dk-conclusion-check", timeout=900_000)
        out["editor_run_s"] = time.perf_counter() - started
        out["conclusion"] = page.inner_text(".dk-conclusion-check")
        click(page.locator(".dk-editor-publish"))
        page.wait_for_function("() => (document.querySelector('.dk-editor-publish-status') || {}).textContent"
                               "?.startsWith('published to')", timeout=900_000)
        click(page.locator(".dk-editor-serve"))
        page.wait_for_selector(".dk-app-link", timeout=180_000)
        with context.expect_page(timeout=60_000) as opened:
            click(page.locator(".dk-app-link"))
        app = opened.value
        out["app_problems"] = harness.watch_offline(app)  # (its requests from here on; errors from the start)
        context.on("console", lambda m: out["app_problems"].append(f"console error: {m.text}")
                   if m.type == "error" and m.page is app else None)
        app.wait_for_selector(".jp-RenderedMarkdown strong >> text=Conclusion.", timeout=600_000)
        app.wait_for_selector("svg.marks", timeout=240_000)
        app.wait_for_timeout(1000)  # late errors of the page's own scripts land here
        out["app_title"] = app.title()
        seen = list(out["app_problems"])
        app.close()  # before the server stops: a page left open would log its lost connection
        out["app_problems"] = seen
        click(page.locator(".dk-editor-stop"))
        page.wait_for_function("() => document.querySelector('.dk-editor-link').textContent.includes('stopped')",
                               timeout=60_000)
        out["saved"] = json.loads((root / "studies" / STUDY / "study.json").read_text())["saved"]
        context.close()
    # The same console error is counted once even when both listeners saw it.
    out["app_problems"] = sorted(set(out["app_problems"]))
    return out


def _moved(root: Path) -> bool:
    data = json.loads((root / "studies" / STUDY / "study.json").read_text())
    return any(v["name"] == "condition 1" and v["policy"]["pause_s"] != 0.6 for v in data.get("saved", []))


def run(quick: bool) -> Iterator[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="dk-designer-") as tmp:
        seen = roundtrip(Path(tmp))
    ok = ("4 of 4 claims hold" in seen.get("conclusion", "") or "claims hold" in seen.get("conclusion", "")) and \
        any(v["name"] == "condition 1" and v["policy"]["pause_s"] > 0.6 for v in seen.get("saved", []))
    yield {"metric": "clicks_only_study_roundtrip", "value": int(ok), "unit": "bool", "goal": "== 1",
           "clicks": seen["clicks"], "keys_pressed": 0}
    yield {"metric": "editor_run_s", "value": round(seen["editor_run_s"], 2), "unit": "s", "goal": "report"}
    yield {"metric": "published_app_console_errors", "value": len(seen["app_problems"]), "unit": "count",
           "goal": "== 0", "problems": seen["app_problems"][:5]}
