"""Publish a study folder as a Voilà app, a static HTML report and an audit report.

    designkit publish studies/quiet-modes        # -> studies/quiet-modes/published/
    designkit serve studies/quiet-modes          # Voilà on 127.0.0.1

A study folder holds `study.json` and one notebook. Publishing executes the notebook (its
conclusion is computed from its own results), then writes into `published/`:

- the notebook and `study.json`, with `voila.json` (template, theme) and the `designkit` Voilà
  template (Voilà's lab template without the icon font it would fetch from a CDN, plus a theme),
- `report.html`: the executed notebook without code, charts embedded as SVG, no scripts from
  the network,
- `audit.json` / the audit section of the report: the study spec, each policy spec, package
  versions, results and scenario hashes, and for each policy an engine replay of the first
  scenario written as a session log (consent record, hash chain, final hash).

Publishing again replaces the earlier publication: the app, the report, `audit.json` and the
audit logs in `published/logs/` all describe the study as it is now (the earlier logs are removed
once the new ones are written; publish to another `--out` to keep an earlier one).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from designkit.core.engine import Engine
from designkit.errors import InputError, MissingExtraError
from designkit.log import audit_report, replay_to_log
from designkit.metrics.session import truth_of
from designkit.perception.truth_vad import TruthVAD
from designkit.proposers.simulated import SimulatedProposer
from designkit.study.people.storage import publish_people
from designkit.study.prepare import moments_for
from designkit.study.recordings import RecordingSet
from designkit.study.runner import package_versions, run
from designkit.study.spec import Study

log = logging.getLogger(__name__)

TEMPLATE = "designkit"
THEME_CSS = """
/* designkit study apps: calm, readable, no external fonts */
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif; }
#rendered_cells { max-width: 1100px; margin: 0 auto; }
.dk-explorer { border: 1px solid #d5dbe1; border-radius: 6px; padding: 8px 12px; background: #fbfcfd; }
.dk-explorer-status { color: #333; font-size: 13px; }
.dk-conclusion { border-left: 4px solid #2e86ab; padding: 6px 12px; background: #f3f8fb; }
/* the privacy line stays in view at the bottom of the app, whatever Voila does with the cells */
.dk-privacy { position: fixed; left: 0; right: 0; bottom: 0; z-index: 1000; padding: 6px 16px;
  background: #f7f9fb; border-top: 1px solid #d5dbe1; color: #444; font-size: 12px; }
body { padding-bottom: 3em; }
"""
NOTEBOOK_ONLY = "notebook-only"
# Cells that need a kernel behind them (the explorer): the app shows them, the static report does not.
LIVE_ONLY = "live-only"
SVG_IMAGE = re.compile(r'<img\b[^>]*\bsrc="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"[^>]*>')
PRIVACY = ("Privacy: this app shows generated sessions; no person was recorded. Logs keep signals and "
           "decisions only (every microturn's decision and its reason), no audio or video.")
REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>", re.S)
REMOTE_LINK = re.compile(r"<link[^>]*\bhref=\"https?://[^\"]*\"[^>]*/?>", re.S)
# Voilà's page loads MathJax 2 from a CDN unless its page config says null for both MathJax's URL
# and its config; then it typesets with the MathJax 3 in its own bundle. Standalone Voilà says null
# (its settings hold None); Voilà inside a Jupyter server (/voila/render) fills in the CDN, because
# that server's settings have no mathjax_url. The template says null on every route. (Setting None
# in the server's settings instead would break Notebook 7's pages, which read the same setting.)
OFFLINE_MATH = ("{%- if page_config is defined -%}"
                "{%- set _ = page_config.update(fullMathjaxUrl=none, mathjaxConfig=none) -%}"
                "{%- endif -%}")
# nbconvert's page imports mermaid from a CDN when a notebook has a mermaid diagram: the app shows
# the diagram's text instead.
NO_MERMAID = "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}"


@dataclass(frozen=True, slots=True)
class Published:
    """Where a published study's parts are: its app notebook, and beside it the files named here."""

    folder: Path
    notebook: Path

    @property
    def report(self) -> Path:
        return self.folder / "report.html"

    @property
    def audit(self) -> Path:
        return self.folder / "audit.json"

    @property
    def results(self) -> Path:
        return self.folder / "results.parquet"


def study_folder(path: str | os.PathLike[str]) -> tuple[Path, Path, Study]:
    """The study folder, its notebook and its spec; an error says what is missing."""
    folder = Path(path)
    if folder.is_file() and folder.suffix == ".ipynb":
        folder = folder.parent
    if not (folder / "study.json").is_file():
        raise InputError("study folder", expected="a folder with study.json and a notebook", got=str(path))
    notebooks = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if len(notebooks) != 1:
        raise InputError(f"notebooks in {folder}", expected="exactly one .ipynb", got=[p.name for p in notebooks])
    return folder, notebooks[0], Study.load(folder / "study.json")


def voila_template_dir() -> Path:
    """Voilà's own `lab` template folder (we derive ours from it)."""
    import voila.paths

    for root in voila.paths.collect_template_paths(["voila", "nbconvert"], "lab"):
        candidate = Path(root)
        if (candidate / "index.html.j2").is_file() and candidate.name == "lab" and "voila" in candidate.parts:
            return candidate
    raise MissingExtraError("voila", "live")


def write_template(share: Path, *, privacy: str = PRIVACY) -> Path:
    """The `designkit` Voilà template under `share/jupyter/voila/templates/designkit`: Voilà's lab
    template without CDN links (nor MathJax and mermaid from a CDN), cells tagged `notebook-only`
    hidden, and `privacy` as a footer."""
    source = voila_template_dir() / "index.html.j2"
    text = source.read_text()
    # The lab template links an icon font on a CDN: offline it fails and logs console errors.
    text = REMOTE_LINK.sub("", text)
    mathjax = "{%- block html_head_js_mathjax -%}\n{# remove mathjax CDN #}\n{%- endblock html_head_js_mathjax -%}"
    if mathjax not in text:
        raise MissingExtraError("voila (a lab template with the html_head_js_mathjax block)", "live")
    text = text.replace(mathjax, "{%- block html_head_js_mathjax -%}" + OFFLINE_MATH
                        + "{%- endblock html_head_js_mathjax -%}\n" + NO_MERMAID, 1)
    text = text.replace("{%- block notebook_css -%}",
                        "{%- block notebook_css -%}\n  <style>" + THEME_CSS + "</style>", 1)
    # Voilà 0.5 has no tag-based hiding: cells tagged notebook-only ("run the next cell", replay
    # instructions) still run, but the app does not show them.
    cell = "{{ super() }}\n        </div>"
    if cell not in text:
        raise MissingExtraError("voila (a lab template with the any_cell block)", "live")
    text = text.replace(cell, "{%- if '" + NOTEBOOK_ONLY + "' not in (cell.metadata.get('tags') or []) -%}"
                        "{{ super() }}{%- endif -%}\n        </div>", 1)
    # A notebook may state its own line (metadata designkit.privacy), e.g. a live app that records.
    footer = ("<footer class='dk-privacy'>{{ (nb.metadata.get('designkit') or {}).get('privacy') or "
              + json.dumps(html.escape(privacy)) + " }}</footer>\n"
              "<script type=\"text/javascript\">\n  window.voila_finish();")
    text = text.replace("<script type=\"text/javascript\">\n  window.voila_finish();", footer, 1)
    target = share / "jupyter" / "voila" / "templates" / TEMPLATE
    target.mkdir(parents=True, exist_ok=True)
    (target / "index.html.j2").write_text(text)
    (target / "conf.json").write_text(json.dumps({"base_template": "lab"}, indent=2))
    return target


def voila_settings() -> dict[str, Any]:
    # Notebook 7's lab extension expects JupyterLab's document registry, which Voilà does not
    # share: it would only log an error in the browser console.
    return {"VoilaConfiguration": {"template": TEMPLATE, "theme": "light", "strip_sources": True,
                                   "show_tracebacks": False,
                                   "extension_denylist": ["@jupyter-notebook/lab-extension"]}}


def voila_command(app: str | os.PathLike[str], *, port: int) -> tuple[list[str], dict[str, str], Path]:
    """The command, environment and working folder that serve a published app on 127.0.0.1."""
    folder = Path(app)
    notebooks = sorted(folder.glob("*.ipynb"))
    if not (folder / "voila.json").is_file() or not notebooks:
        raise InputError("published app", expected="a folder written by `designkit publish`", got=str(app))
    env = dict(os.environ)
    share = str((folder / "share" / "jupyter").resolve())
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [share, env.get("JUPYTER_PATH", "")]))
    cmd = [sys.executable, "-m", "voila", notebooks[0].name, "--no-browser", f"--port={port}",
           "--Voila.ip=127.0.0.1", f"--template={TEMPLATE}", "--theme=light"]
    return cmd, env, folder


def app_command(notebook: str | os.PathLike[str], *, port: int, share: str | os.PathLike[str] | None = None
                ) -> tuple[list[str], dict[str, str], Path]:
    """The command, environment and folder that serve any notebook as an app (`designkit app`):
    the designkit template (no CDN, notebook-only cells hidden, the privacy line) on 127.0.0.1."""
    path = Path(notebook)
    if path.suffix != ".ipynb" or not path.is_file():
        raise InputError("notebook", expected="an existing .ipynb file", got=str(notebook))
    root = Path(share) if share is not None else Path(os.environ.get("DESIGNKIT_CACHE") or Path.home() / ".cache"
                                                         / "designkit") / "voila-share"
    write_template(root)
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str((root / "jupyter").resolve()), env.get("JUPYTER_PATH", "")]))
    settings = voila_settings()["VoilaConfiguration"]
    cmd = [sys.executable, "-m", "voila", path.name, "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
           *extra_voila_args(), "--strip_sources=True",
           f"--VoilaConfiguration.extension_denylist={json.dumps(settings['extension_denylist'])}"]
    return cmd, env, path.parent


def extra_voila_args() -> list[str]:
    """Arguments for a Voilà started elsewhere (e.g. a test fixture) to use the study template."""
    return [f"--template={TEMPLATE}", "--theme=light"]


def execute(notebook: Path, *, cwd: Path, timeout: int = 600) -> Any:
    """Run the notebook top to bottom in a fresh kernel; returns the executed notebook."""
    try:
        import nbformat
        from nbclient import NotebookClient
    except ImportError as exc:
        raise MissingExtraError("nbclient", "live") from exc
    from designkit.study.show import STATIC_ENV

    nb = nbformat.read(str(notebook), as_version=4)
    # A report has no kernel behind it: its charts are drawn to SVG in the kernel (show.enable()).
    previous = os.environ.get(STATIC_ENV)
    os.environ[STATIC_ENV] = "1"
    try:
        # The kernel's own start-up notes (transport warnings) are not for the designer's terminal; a
        # cell that fails is reported by nbclient with its traceback.
        NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
                       ).execute(stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    finally:
        if previous is None:
            os.environ.pop(STATIC_ENV, None)
        else:
            os.environ[STATIC_ENV] = previous
    return nb


def audit_summary(audit: Mapping[str, Any]) -> str:
    """The audit in a sentence or two, as a reader of the report wants it."""
    sessions = list(audit.get("sessions") or [])
    chained = sum(1 for s in sessions if s.get("chain_ok"))
    versions = audit.get("packages") or {}
    first = (f"Every number above was computed by designkit {versions.get('designkit', '?')} from "
             f"{len(audit.get('scenarios') or [])} scenario set(s) and {len(audit.get('policies') or {})} "
             f"condition(s); the results file's SHA-256 starts {str(audit.get('results_sha256', ''))[:12]}.")
    second = (f" For each condition one session was replayed into a session log: {chained} of {len(sessions)} "
              "logs check out (consent recorded, hash chain intact)." if sessions else "")
    return html.escape(first + second + " " + str(audit.get("consent", "")).capitalize() + ".")


def _inline_svg(match: re.Match[str]) -> str:
    """A chart embedded as an <img> becomes inline SVG: a reader's tools (and a check of the
    report) see its text, and its accessible name comes with it (`show.alt_svg`)."""
    svg = base64.b64decode(match.group(1)).decode("utf-8")
    return svg if svg.lstrip().startswith("<svg") else match.group(0)


def report_html(nb: Any, *, title: str, audit: Mapping[str, Any], audit_href: str = "audit.json") -> str:
    """The executed notebook without code, SVG charts inline, no network scripts, cells tagged
    live-only left out (they need a kernel), and the audit in two sentences with its JSON linked."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    remove = TagRemovePreprocessor(remove_cell_tags={LIVE_ONLY, NOTEBOOK_ONLY}, enabled=True)
    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, embed_images=True)
    exporter.register_preprocessor(remove, enabled=True)
    # Charts come as SVG <img>s and are inlined below with their alternative text; nbconvert's note
    # that the <img>s lack one is not for the designer's terminal.
    exporter.log.setLevel(logging.ERROR)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    body = REMOTE_SCRIPT.sub("", body)
    body = REMOTE_LINK.sub("", body)
    body = SVG_IMAGE.sub(_inline_svg, body)
    section = ("<section id='audit' style='max-width:1100px;margin:2em auto;font-family:sans-serif'>"
               f"<h2>Audit</h2><p>{audit_summary(audit)}</p><p><a style='color:#1a5f8a;text-decoration:underline' href='{html.escape(audit_href)}'>The whole audit "
               "(study and condition specs, package versions, scenario and log hashes) as JSON</a></p></section>")
    return body.replace("</body>", section + "\n</body>", 1)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def session_audits(study: Study, logs: Path) -> list[dict[str, Any]]:
    """Replay each policy variant over the study's first scenario with the engine, into a session
    log on disk, and report what an auditor asks of it (consent, policy, versions, chain, hash).

    The simulated model proposes at the study's own model moments (`Study.model_moments`), as in
    its results: the audit logs show the model the results were measured with."""
    scenario = study.scenarios[0].load()[0]
    truth = truth_of(scenario)
    moments = moments_for(scenario.truth, study.model_moments)
    quality_name, quality = study.qualities[0]
    out = []
    logs.mkdir(parents=True, exist_ok=True)
    for i, (name, policy) in enumerate(study.policies().items()):
        proposer = SimulatedProposer(moments, duration_s=truth.duration_s, quality=quality, dt=study.dt,
                                     seed=study.seed)
        engine = Engine([TruthVAD([tuple(r) for r in truth.user_speech.tolist()])], policy, proposer=proposer,
                        dt=study.dt)
        path = logs / f"{i:02d}-{re.sub(r'[^A-Za-z0-9_.=-]+', '_', name)[:60]}"
        session_log = replay_to_log(engine, scenario.session(), path,
                                    extra={"study": study.name, "variant": name, "quality": quality_name})
        report = audit_report(session_log)
        report["variant"] = name
        report["log"] = str(path.name)
        out.append(report)
    return out


def fresh_session_audits(study: Study, logs: Path) -> list[dict[str, Any]]:
    """`session_audits` for a publication that replaces the one before it: the new logs are written
    beside the old ones and take their place only once all are written, so publishing again (as a
    designer iterating does) never meets the append-only refusal of an earlier log, and a failed
    publication leaves the earlier logs as they were."""
    staging = logs.with_name(f".{logs.name}-new")
    shutil.rmtree(staging, ignore_errors=True)
    out = session_audits(study, staging)
    earlier = logs.with_name(f".{logs.name}-earlier")
    shutil.rmtree(earlier, ignore_errors=True)
    if logs.exists():
        logs.rename(earlier)
    staging.rename(logs)
    shutil.rmtree(earlier, ignore_errors=True)
    return out


# The files of a study folder its notebook opens, beside it.
APP_FILES = ("study.json", "conclusion.json")


def write_app(path: str | os.PathLike[str], target: str | os.PathLike[str]) -> Path:
    """The Voilà app alone (notebook, the study's own files it opens: study.json and its
    conclusion.json when it has one, voila.json, template); returns the notebook."""
    folder, notebook, study = study_folder(path)
    out = Path(target)
    out.mkdir(parents=True, exist_ok=True)
    app_notebook = out / notebook.name
    shutil.copy2(notebook, app_notebook)
    for name in APP_FILES:
        if (folder / name).is_file():
            shutil.copy2(folder / name, out / name)
    if study.people is not None:  # the table, logs, ratings and markers; audio only where shared
        publish_people(folder, study.people, out)
    for source in study.scenarios:  # own recordings travel with the app
        if isinstance(source, RecordingSet) and not Path(source.folder).is_absolute():
            shutil.copytree(source.path, out / source.folder, dirs_exist_ok=True)
    write_template(out / "share")
    (out / "voila.json").write_text(json.dumps(voila_settings(), indent=2) + "\n")
    return app_notebook


def publish(path: str | os.PathLike[str], *, out: str | os.PathLike[str] | None = None,
            run_notebook: bool = True, audit_sessions: bool = True) -> Published:
    """Write the Voilà app, the static report and the audit report of a study folder."""
    folder, _, study = study_folder(path)
    target = Path(out) if out is not None else folder / "published"
    done = Published(target, write_app(folder, target))

    results = run(study, progress=False)
    results.save(done.results)
    audit: dict[str, Any] = {
        "study": study.to_dict(),
        "policies": {name: p.to_dict() for name, p in study.policies().items()},
        "packages": package_versions(),
        "results_sha256": _sha256(done.results),
        "scenarios": [s.to_dict() for s in study.scenarios],
        "consent": "generated scenarios: no person was recorded; logs keep signals and decisions only",
        "sessions": fresh_session_audits(study, target / "logs") if audit_sessions else [],
    }
    done.audit.write_text(json.dumps(audit, indent=2, default=str) + "\n")
    if run_notebook:
        nb = execute(done.notebook, cwd=target)
        done.report.write_text(report_html(nb, title=study.title or study.name, audit=audit, audit_href=done.audit.name))
    log.info("published %s to %s", study.name, target)
    return done


def serve(path: str | os.PathLike[str], *, port: int = 8866, publish_first: bool = False) -> int:
    """Serve a published study (publishing it first when needed) with Voilà on 127.0.0.1, until
    Ctrl-C or SIGTERM, which end Voilà and its kernels too."""
    from designkit.study.serving import run_server

    folder = Path(path)
    app = folder if (folder / "voila.json").is_file() else folder / "published"
    if publish_first or not (app / "voila.json").is_file():
        app = publish(folder).folder
    cmd, env, cwd = voila_command(app, port=port)
    log.info("serving %s on http://127.0.0.1:%d", app, port)
    return run_server(cmd, env=env, cwd=cwd)


def publish_many(paths: Sequence[str | os.PathLike[str]]) -> list[Published]:
    return [publish(p) for p in paths]
