"""Where the study editor's "serve" sends a person: through the Jupyter server the notebook runs in.

On Binder, a JupyterHub or `designkit lab`, the browser reaches the Jupyter server and nothing else
(a port the kernel opens on 127.0.0.1 is the hub machine's, not the person's). When that server
has Voilà's server extension and serves the published app's folder, the app opens at
`<base_url>voila/render/<path of the published notebook>`, on the page's own origin and behind the
server's login. Elsewhere (a plain Python process, a server without Voilà, a study outside the
server's folder) the editor starts an app server of its own on 127.0.0.1
(`designkit.study.serving.AppServer`).

The published app's `designkit` template (cells tagged notebook-only hidden, the privacy line) is
copied into this user's Jupyter data folder, which the server searches on each page, and asked for
with `?template=designkit`.
"""

from __future__ import annotations

import logging
import os
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

from designkit.study.publish import TEMPLATE
from designkit.widgets.wizard_link import JupyterServer

log = logging.getLogger(__name__)

RENDER = "voila/render/"
# A file Voilà's server extension serves (its lab template's script): present = the extension is on.
PROBE = "voila/static/voila.js"


def render_link(notebook: str | os.PathLike[str], server: JupyterServer, *, template: str | None = None) -> str | None:
    """The app's address on `server`'s own origin ("<base_url>voila/render/<path>", the path taken
    from the server's folder and quoted), or None when the server's folder is not known or does
    not hold the notebook."""
    if not server.root_dir:
        return None
    try:
        relative = Path(notebook).resolve().relative_to(Path(server.root_dir).expanduser().resolve())
    except ValueError:
        return None
    base = urllib.parse.urlsplit(server.url).path or "/"
    base = base if base.endswith("/") else base + "/"
    link = base + RENDER + urllib.parse.quote(relative.as_posix())
    return link + (f"?template={urllib.parse.quote(template)}" if template else "")


def has_voila(server: JupyterServer, *, timeout_s: float = 5.0) -> bool:
    """True when `server` answers for Voilà's server extension."""
    request = urllib.request.Request(server.url.rstrip("/") + "/" + PROBE, method="HEAD")
    if server.token:
        request.add_header("Authorization", f"token {server.token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def install_template(published: str | os.PathLike[str]) -> str | None:
    """Copy the published app's template into this user's Jupyter data folder; its name, or None
    when the app has none."""
    from jupyter_core.paths import jupyter_data_dir

    source = Path(published) / "share" / "jupyter" / "voila" / "templates" / TEMPLATE
    if not (source / "index.html.j2").is_file():
        return None
    target = Path(jupyter_data_dir()) / "voila" / "templates" / TEMPLATE
    shutil.copytree(source, target, dirs_exist_ok=True)
    return TEMPLATE


def app_link(notebook: str | os.PathLike[str], server: JupyterServer | None) -> str | None:
    """Where the published `notebook` opens through the Jupyter server this kernel runs under, or
    None when it cannot (then serve it on 127.0.0.1)."""
    if server is None or render_link(notebook, server) is None or not has_voila(server):
        return None
    template = install_template(Path(notebook).parent)
    return render_link(notebook, server, template=template)
