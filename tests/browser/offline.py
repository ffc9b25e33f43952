"""Offline pages: every request that leaves 127.0.0.1 is aborted, and what a person would see as
broken (console errors, page errors, failed or blocked requests) is collected."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

LOCAL = {"127.0.0.1", "localhost"}


def block_network(page: Any) -> list[str]:
    """Abort every request not for 127.0.0.1; returns the (growing) list of blocked URLs."""
    blocked: list[str] = []

    def route(r: Any) -> None:
        url = r.request.url
        host = urlparse(url).hostname or ""
        if url.startswith(("data:", "blob:")) or host in LOCAL:
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    page.context.route("**/*", route)
    return blocked


def watch_problems(page: Any) -> list[str]:
    """Console errors, page errors and failed requests, as lines (a growing list)."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: None if _media_abort(r) else problems.append(
        f"request failed: {r.url} ({r.failure})"))
    return problems


def _media_abort(request: Any) -> bool:
    # An <audio> element cancels its first read of a blob once it knows the length and re-reads
    # by range: Chromium reports that as an aborted request, which nobody sees or hears.
    return bool(request.url.startswith("blob:") and "ERR_ABORTED" in str(request.failure))


def notebook(path: Path, cells: list[str], *, tags: list[list[str]] | None = None) -> Path:
    """Write a notebook of code cells."""
    nb = {
        "cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}",
                   "metadata": {"tags": (tags or [[]] * len(cells))[i]}, "outputs": [], "source": source}
                  for i, source in enumerate(cells)],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb))
    return path


# In JupyterLab: null while the open notebook still runs, then {errors: [...]} (each failed cell's
# error, none when every code cell ran).
RAN_ALL = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session && panel.sessionContext.session.kernel;
  if (!kernel || kernel.status !== 'idle') return null;
  const cells = panel.content.widgets.filter(c => c.model.type === 'code');
  const errors = cells.flatMap(c => c.model.outputs.toJSON().filter(o => o.output_type === 'error')
                                              .map(o => o.ename + ': ' + o.evalue));
  if (errors.length) return {errors};
  return cells.every(c => c.model.executionCount) ? {errors: []} : null;
}"""


# A Vega view drawn by the bundled vega-embed: its SVG or canvas inside `.vega-embed`.
DRAWN = ".vega-embed svg.marks, .vega-embed canvas.marks"
LOAD_ERRORS = ("Error loading script", "JavaScript Error")


def page_text(page: Any) -> str:
    return str(page.evaluate("() => document.body.innerText"))
