"""A published app opens through the Jupyter server the notebook runs in (as on Binder or a
JupyterHub): the study editor's link, `<base_url>voila/render/<path>?template=designkit`, renders
the app in JupyterLab's own Voilà with the designkit template: the notebook-only cells hidden, the
privacy line shown, math typeset by the MathJax in Voilà's own bundle, and no request leaves the
machine (each is refused and counted; what the page did wrong is kept in test-artifacts/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import harness
from conftest import Lab

from designkit.study.publish import write_template
from designkit.widgets.app_link import app_link
from designkit.widgets.wizard_link import JupyterServer

LEFT = "left the machine"


def _markdown(text: str, *tags: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "id": f"c{abs(hash(text)) % 10**6}", "source": text,
            "metadata": {"tags": list(tags)} if tags else {}}


def test_the_app_link_opens_the_app_through_jupyterlabs_voila(lab: Lab, page: Any) -> None:
    app = lab.root / "studies" / "tiny study" / "published"  # a space in the path: the link quotes it
    write_template(app / "share")
    notebook = app / "tiny.ipynb"
    notebook.write_text(json.dumps({
        "cells": [_markdown("# A tiny app\n\nThe conclusion."), _markdown("EDITOR ONLY", "notebook-only"),
                  _markdown("The cost grows as $w \\cdot t^2$ per turn."),
                  _markdown("```mermaid\ngraph LR; pause --> answer\n```")],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}))
    link = app_link(notebook, JupyterServer(lab.url + "/", "", str(lab.root)))
    assert link == "/voila/render/studies/tiny%20study/published/tiny.ipynb?template=designkit"
    problems = harness.watch_offline(page)
    page.goto(lab.url + link, wait_until="domcontentloaded")
    page.wait_for_selector("text=The conclusion.", timeout=180_000)
    page.wait_for_selector(".dk-privacy", state="attached", timeout=60_000)  # the designkit template's footer
    page.wait_for_selector("mjx-container", timeout=60_000)  # the math, typeset offline
    page.wait_for_timeout(1000)  # late errors of the page's own scripts land here
    Path("test-artifacts").mkdir(exist_ok=True)
    page.screenshot(path="test-artifacts/app-through-jupyter.png")
    assert "EDITOR ONLY" not in page.inner_text("body")
    Path("test-artifacts/app-through-jupyter.txt").write_text("\n".join(problems) + "\n")
    assert [p for p in problems if p.startswith(LEFT)] == []  # not MathJax, mermaid or a font from a CDN
    assert problems == []  # nor anything else the page did wrong
