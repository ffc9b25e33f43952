"""Explorer redraw as a person sees it: slider move in the page -> chart re-drawn in the page.

The explorer runs in Voilà (real kernel, real websocket) and Debian Chromium with the network
cut. A MutationObserver on the chart's SVG stamps each re-draw; a move is timed from the key
press on the slider to the first change of the chart's marks after it (the kernel re-decides
every session, sends the new rows, the Vega view re-runs and re-renders). Helper of `study.py`.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SOURCE = """
from designkit.study.prepare import synthetic_dialogues
from designkit.policy import Policy
from designkit.study import Explorer, show
show.enable()
explorer = Explorer(synthetic_dialogues({n}, duration_s={duration}), knobs=("confidence",),
                    metrics=("task_success", "attention_cost", "response_latency_s"),
                    reference={{"calm": Policy(confidence=0.8), "eager": Policy(confidence=0.4)}},
                    base=Policy(confidence=0.3))
explorer
"""
OBSERVE = """() => {
  const chart = document.querySelector('.dk-explorer-chart svg.marks');
  window.__dkDraws = [];
  new MutationObserver(() => window.__dkDraws.push(performance.now()))
    .observe(chart, {subtree: true, childList: true, attributes: true, characterData: true});
}"""


WAIT_DRAWN = """s => new Promise((resolve, reject) => {
  const root = document.querySelector('.dk-explorer');
  const done = () => window.__dkDraws.length > 0 &&
    document.querySelector('.dk-explorer-status').innerText !== s;
  if (done()) { resolve(); return; }
  const watch = new MutationObserver(() => { if (done()) { watch.disconnect(); resolve(); } });
  watch.observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
  setTimeout(() => { watch.disconnect(); reject(new Error('the chart did not redraw in 60 s')); }, 60000);
})"""


def _notebook(path: Path, source: str) -> Path:
    import offline

    return offline.notebook(path, [source])


def redraw_ms(*, sessions: int, duration_s: float, moves: int) -> dict[str, float]:
    """p50/p95 of slider -> chart re-drawn (ms) and the slowest move, measured in Chromium; and
    the p95 of the kernel's re-decision and of the rest (messages, Vega re-run, SVG re-render)."""
    sys.path.insert(0, str(REPO / "tests" / "browser"))
    import harness
    import offline

    from designkit.study.publish import write_template

    with tempfile.TemporaryDirectory(prefix="dk-explorer-bench-") as tmp:
        work = Path(tmp)
        notebook = _notebook(work / "explorer.ipynb", SOURCE.format(n=sessions, duration=duration_s))
        write_template(work / "share")
        with harness.voila_app(notebook, work / "share", work) as (browser, server):
            page = harness.new_page(browser)
            offline.block_network(page)
            page.goto(server.url, wait_until="domcontentloaded")
            page.wait_for_selector(".dk-explorer-chart svg.marks g.mark-symbol path", timeout=600_000)
            page.evaluate(OBSERVE)
            handle = page.locator(".dk-explorer .noUi-handle").first
            handle.focus()
            times = [_move(page, handle, "ArrowRight" if (i // 10) % 2 == 0 else "ArrowLeft")
                     for i in range(moves)]
    values = np.asarray([t for t, _ in times])
    page_share = np.asarray([t - k for t, k in times])
    return {"p50": float(np.percentile(values, 50)), "p95": float(np.percentile(values, 95)),
            "max": float(values.max()), "decide_p95": float(np.percentile([k for _, k in times], 95)),
            "page_p95": float(np.percentile(page_share, 95))}


def _move(page: Any, handle: Any, key: str) -> tuple[float, float]:
    status = page.inner_text(".dk-explorer-status")
    start = page.evaluate("() => { window.__dkDraws = []; return performance.now(); }")
    handle.press(key)
    # Done when the chart changed and the status names the new value (the last draw of this move).
    # Waited for on the page's own mutations, not by polling each animation frame (which keeps
    # headless Chromium drawing frames, on the same two cores as the kernel, for the whole move).
    page.evaluate(WAIT_DRAWN, status)
    page.wait_for_timeout(50)  # a second draw of the same move, if any, lands here and counts
    draws = page.evaluate("() => window.__dkDraws")
    kernel = float(page.get_attribute(".dk-explorer-status", "data-decide-ms") or "nan")
    return float(draws[-1] - start), kernel
