"""Where the study editor's "serve" sends a person, without a browser: through the Jupyter server
the notebook runs in when it has Voilà's server extension and serves the app's folder (Binder, a
JupyterHub, designkit lab), else nowhere (the editor serves the app on 127.0.0.1)."""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from designkit.study.publish import write_template
from designkit.widgets import app_link as link
from designkit.widgets import wizard_link
from designkit.widgets.wizard_link import JupyterServer


def test_the_link_is_on_the_servers_own_origin_under_its_base_url(tmp_path: Path) -> None:
    notebook = tmp_path / "studies" / "quiet modes" / "published" / "quiet-modes.ipynb"
    hub = JupyterServer("http://10.0.0.7:8888/user/ana/", "secret", str(tmp_path))
    assert link.render_link(notebook, hub) == "/user/ana/voila/render/studies/quiet%20modes/published/quiet-modes.ipynb"
    lab = JupyterServer("http://127.0.0.1:8888/", "", str(tmp_path))
    assert link.render_link(notebook, lab, template="designkit") == \
        "/voila/render/studies/quiet%20modes/published/quiet-modes.ipynb?template=designkit"
    assert link.render_link(Path("/elsewhere/app.ipynb"), lab) is None  # not served by that server
    assert link.render_link(notebook, JupyterServer("http://127.0.0.1:8888/")) is None  # its folder unknown


class _Answers(http.server.BaseHTTPRequestHandler):
    voila = True

    def do_HEAD(self) -> None:
        found = self.voila and self.path == "/user/ana/" + link.PROBE
        self.send_response(200 if found else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[http.server.HTTPServer]:
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Answers)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_the_app_goes_through_jupyter_only_when_its_server_has_voila(tmp_path: Path, server, monkeypatch) -> None:
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))
    app = tmp_path / "root" / "studies" / "s" / "published"
    write_template(app / "share")
    notebook = app / "s.ipynb"
    jupyter = JupyterServer(f"http://127.0.0.1:{server.server_port}/user/ana/", "", str(tmp_path / "root"))
    assert link.app_link(notebook, jupyter) == "/user/ana/voila/render/studies/s/published/s.ipynb?template=designkit"
    assert (tmp_path / "data" / "voila" / "templates" / "designkit" / "index.html.j2").is_file()  # found per page
    _Answers.voila = False
    try:
        assert link.app_link(notebook, jupyter) is None  # a Jupyter server without Voilà
    finally:
        _Answers.voila = True
    assert link.app_link(notebook, None) is None  # a plain Python process
    assert link.app_link(notebook, JupyterServer("http://127.0.0.1:9/", "", str(tmp_path / "root"))) is None


def test_the_kernel_finds_the_folder_its_server_serves(monkeypatch, tmp_path: Path) -> None:
    import jupyter_server.serverapp

    monkeypatch.delenv(wizard_link.URL_VARIABLE, raising=False)
    running = [{"pid": os.getppid(), "url": "http://127.0.0.1:8888/user/ana/", "token": "t", "root_dir": str(tmp_path)}]
    monkeypatch.setattr(jupyter_server.serverapp, "list_running_servers", lambda: iter(running))
    assert wizard_link.this_kernels_server() == JupyterServer("http://127.0.0.1:8888/user/ana/", "t", str(tmp_path))


@pytest.mark.parametrize("template", ["published", "designkit-lab"])
def test_the_apps_page_asks_for_no_mathjax_from_a_cdn_on_any_route(tmp_path: Path, template: str) -> None:
    """Voilà inside a Jupyter server puts MathJax's CDN address in the page config (standalone
    Voilà puts null): both of the kit's templates say null, so the page typesets with the MathJax
    in Voilà's own bundle, and they leave out nbconvert's mermaid import from a CDN."""
    import jinja2

    if template == "published":
        folder = write_template(tmp_path / "share")
    else:
        folder = Path(__file__).resolve().parents[1] / "jupyter-config" / "voila" / "templates" / template
    page = jinja2.Environment(loader=jinja2.FileSystemLoader(folder)).get_template("index.html.j2")
    config = {"fullMathjaxUrl": "https://cdnjs.cloudflare.com/ajax/libs/mathjax/3.2.2/es5/latest.min.js",
              "mathjaxConfig": "TeX-AMS_CHTML-full,Safe", "baseUrl": "/"}  # as Voilà in JupyterLab gives it
    head = "".join(page.blocks["html_head_js_mathjax"](page.new_context({"page_config": config})))
    assert config == {"fullMathjaxUrl": None, "mathjaxConfig": None, "baseUrl": "/"}
    assert head.strip() == ""
    assert "".join(page.blocks["html_head_js_mermaidjs"](page.new_context({}))).strip() == ""
