"""The study editor: open a study, change it, run it, read its conclusion check, publish and serve
it, all by clicking, in JupyterLab or Voilà.

    from designkit.widgets import StudyEditor
    StudyEditor("study.json")                 # one study
    StudyEditor(root="../studies")            # pick one of the studies in a folder

Every change is checked by the study spec and saved to `study.json` at once (a person may still
edit that file by hand; "open" reads it again: `open_study`). The knobs are the same controls as the live
session's, built from the knob declarations (`Policy.KNOBS`); the changes themselves are
`designkit.study.editing`.
"""

from __future__ import annotations

import html
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w

from designkit.errors import DesignkitError
from designkit.metrics.attention import STUDY_WEIGHT_DEFAULTS
from designkit.metrics.units import METRIC_INFO
from designkit.policy.knobs import Control
from designkit.policy.spec import KNOBS
from designkit.study import editing
from designkit.study.knob_controls import CONTROLLABLE, described, knob_control
from designkit.study.spec import Study, parse_source

log = logging.getLogger(__name__)

WIDE = w.Layout(width="560px")


def _section(title: str, *children: Any, hint: str = "") -> w.VBox:
    head = f"<h4 style='margin:10px 0 2px 0'>{title}</h4>"
    if hint:
        head += f"<div style='color:#555;font-size:12px;margin-bottom:4px'>{hint}</div>"
    return w.VBox([w.HTML(head), *children])


def _button(label: str, css: str, action: Callable[[], None], **options: Any) -> w.Button:
    button = w.Button(description=label, **options)
    button.add_class(f"dk-editor-{css}")
    button.on_click(lambda _b: action())
    return button


class StudyEditor(w.VBox):  # type: ignore[misc]
    """One study, changed by clicking; see the module's docstring."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *,
                 root: str | os.PathLike[str] | None = None, **kwargs: Any) -> None:
        self.study: Study | None = None
        self.folder: Path | None = None
        self.selected = ""
        self.results: Any = None
        self.server: Any = None
        self.last_run_s = float("nan")
        self.message = w.HTML()
        self.message.add_class("dk-editor-message")
        self.root = Path(root) if root is not None else None
        found = editing.studies_under(root) if root is not None else []
        self.picker = w.Dropdown(options=[(p.name, str(p)) for p in found], description="study",
                                 layout=w.Layout(width="360px"))
        self.picker.add_class("dk-editor-picker")
        opener = w.HBox([self.picker, _button("open", "open", lambda: self.open_study(self.picker.value))])
        self.body = w.VBox()
        super().__init__([opener if found else w.HTML(), self.message, self.body], **kwargs)
        self.add_class("dk-study-editor")
        if path is not None:
            self.open_study(path)

    # -- opening and saving ---------------------------------------------------------------------
    def open_study(self, path: str | os.PathLike[str] | None) -> None:
        """Read a study (its folder or its study.json) and show it."""
        if not path:
            return
        source = Path(path)
        self.folder = source if source.is_dir() else source.parent
        self.study = Study.load(self.folder / "study.json")
        self.selected = editing.conditions(self.study)[0].name
        self.results = None
        self._build()
        self._say(f"opened {html.escape(str(self.folder / 'study.json'))}")

    def copy_study(self, name: str) -> Path | None:
        """Copy the study beside it as `name` (no results, publication or participants come along)
        and open the copy; returns its folder, or None when the name does not do (said why)."""
        assert self.folder is not None
        try:
            copied = editing.copy_study(self.folder, name)
        except DesignkitError as exc:
            self._say(str(exc), error=True)
            return None
        if self.root is not None:  # the copy joins the list of studies to open
            self.picker.options = [(p.name, str(p)) for p in editing.studies_under(self.root)]
        self.open_study(copied)
        self._say(f"copied to {html.escape(str(copied))}: you are changing the copy now "
                  f"(its notebook is {html.escape(copied.name)}.ipynb)")
        return copied

    @property
    def path(self) -> Path:
        assert self.folder is not None
        return self.folder / "study.json"

    def change(self, make: Callable[[Study], Study]) -> bool:
        """Apply one change; save it when the spec accepts it, else say why (nothing is saved)."""
        assert self.study is not None
        try:
            study = make(self.study)
        except DesignkitError as exc:
            self._say(str(exc), error=True)
            return False
        if study is self.study:
            return False  # nothing changed: nothing to save
        self.study = study
        study.save(self.path)
        self._say(f"saved to {html.escape(str(self.path))}")
        return True

    def _say(self, text: str, *, error: bool = False) -> None:
        colour = "#b00020" if error else "#2d5a27"
        self.message.value = f"<span style='color:{colour};font-size:12px'>{text}</span>"

    # -- the page ----------------------------------------------------------------------------------
    def _build(self) -> None:
        assert self.study is not None
        study = self.study
        self.title = w.Text(value=study.title, description="title", layout=WIDE, continuous_update=False)
        self.question = w.Textarea(value=study.question, description="question", layout=WIDE, continuous_update=False)
        self.title.observe(lambda c: self.change(lambda s: s.replace(title=c["new"])), "value")
        self.question.observe(lambda c: self.change(lambda s: s.replace(question=c["new"])), "value")
        self.copy_name = w.Text(placeholder="e.g. our-pair", layout=w.Layout(width="200px"))
        self.copy_name.add_class("dk-editor-copy-name")
        copier = w.HBox([_button("copy this study as…", "copy", lambda: self.copy_study(self.copy_name.value),
                                 icon="copy"), self.copy_name])
        self.body.children = [
            w.HTML(f"<h3 style='margin:4px 0'>{html.escape(study.title or study.name)}</h3>"),
            copier, self.title, self.question,
            self._conditions_section(), self._grid_section(), self._sessions_section(), self._metrics_section(),
            self._weights_section(), self._run_section(), self._publish_section(),
        ]

    def _conditions_section(self) -> w.VBox:
        self.condition_list = w.Select(rows=6, layout=w.Layout(width="360px"))
        self.condition_list.add_class("dk-editor-conditions")
        self.new_name = w.Text(placeholder="a new name", layout=w.Layout(width="200px"))
        self.new_name.add_class("dk-editor-new-name")
        buttons = w.HBox([_button("add condition", "add", self.add_condition, icon="plus"),
                          self.new_name, _button("rename", "rename", lambda: self.rename_condition(self.new_name.value)),
                          _button("remove", "remove", self.remove_condition, icon="trash")])
        self.condition_note = w.HTML()
        self.knob_box = w.VBox()
        self._listing = False
        self.condition_list.observe(lambda c: self.select(c["new"]) if c["new"] and not self._listing else None,
                                    "value")
        self._list_conditions()
        return _section("Conditions", self.condition_list, buttons, self.condition_note, self.knob_box,
                        hint="The policies this study compares. Pick one to move its knobs; a new condition starts "
                             "as a copy of the one picked.")

    def _list_conditions(self) -> None:
        assert self.study is not None
        found = editing.conditions(self.study)
        options = [(f"{c.name}  ({c.kind.value})", c.name) for c in found]
        if self.selected not in [c.name for c in found]:
            self.selected = found[0].name
        self._listing = True  # the knobs are drawn once, below, not for each step of the update
        try:
            self.condition_list.options = options
            self.condition_list.value = self.selected
        finally:
            self._listing = False
        self.select(self.selected)

    def select(self, name: str) -> None:
        """Show condition `name`'s knobs."""
        assert self.study is not None
        self.selected = name
        chosen = editing.condition(self.study, name)
        grid = ", ".join(KNOBS[k].label for k, _ in self.study.grid)
        note = {editing.Kind.BASE: f"The base policy{' the grid varies (' + grid + ')' if grid else ''}; it keeps "
                                   "its name.",
                editing.Kind.VARIANT: "A variant" + (f", crossed with the grid ({grid})." if grid else "."),
                editing.Kind.SAVED: "Runs as it is, after the others."}[chosen.kind]
        self.condition_note.value = f"<span style='color:#555;font-size:12px'>{note}</span>"
        self.knobs: dict[str, Any] = {}
        rows = []
        for knob in CONTROLLABLE:
            control = knob_control(knob, getattr(chosen.policy, knob), continuous_update=False,
                                   layout=w.Layout(width="420px"))
            control.observe(lambda c, knob=knob: self.change(
                lambda s: editing.set_knob(s, self.selected, knob, c["new"])), "value")
            self.knobs[knob] = control
            rows.append(described(knob, control))
        self.knob_box.children = rows

    def add_condition(self) -> None:
        made: list[str] = []

        def add(study: Study) -> Study:
            study, name = editing.add_condition(study, self.selected)
            made.append(name)
            return study

        if self.change(add):
            self.selected = made[0]
            self._list_conditions()

    def rename_condition(self, new: str) -> None:
        old = self.selected
        if self.change(lambda s: editing.rename_condition(s, old, new)):
            assert self.study is not None
            self.selected = " ".join(new.split())
            if self.folder is not None and editing.rename_in_conclusion(self.folder, old, self.selected):
                self._say(f"saved; the conclusion now reads {html.escape(self.selected)}")
            self.new_name.value = ""
            self._list_conditions()

    def remove_condition(self) -> None:
        if self.change(lambda s: editing.remove_condition(s, self.selected)):
            self._list_conditions()

    def _grid_section(self) -> w.VBox:
        assert self.study is not None
        rows: list[Any] = []
        for knob, values in self.study.grid:
            declared = KNOBS[knob]
            if declared.control is Control.CHOICE:
                picked = [getattr(v, "value", v) for v in values]
                control = w.SelectMultiple(options=declared.options, value=picked, rows=len(declared.options),
                                           description=declared.label, style={"description_width": "initial"})
            else:
                control = w.FloatsInput(value=[float(v) for v in values], description=declared.label,
                                        style={"description_width": "initial"})
            control.add_class(f"dk-editor-grid-{knob}")
            control.observe(lambda c, knob=knob: self.change(lambda s: s.replace(grid=tuple(
                (k, tuple(c["new"]) if k == knob else vs) for k, vs in s.grid))), "value")
            rows.append(control)
        if not rows:
            return w.VBox()
        return _section("Grid", *rows, hint="Every condition runs with each combination of these values.")

    def _sessions_section(self) -> w.VBox:
        from designkit import scenarios

        assert self.study is not None and self.folder is not None
        known = scenarios.sets()
        self.source_rows: list[Any] = []
        for i, source in enumerate(self.study.scenarios):
            if source.set.startswith("recordings:"):
                row: Any = w.HTML(f"your recordings in <b>{html.escape(source.to_dict()['recordings'])}</b>")
            else:
                pick = w.Dropdown(options=[(info.description or name, name) for name, info in known.items()],
                                  value=source.set, layout=w.Layout(width="380px"))
                count = w.BoundedIntText(value=source.n, min=1, max=500, description="sessions",
                                         layout=w.Layout(width="150px"), style={"description_width": "initial"})
                pick.observe(lambda c, i=i: self._set_source(i, set=c["new"]), "value")
                count.observe(lambda c, i=i: self._set_source(i, n=c["new"]), "value")
                row = w.HBox([pick, count])
            remove = _button("remove", "remove-set", lambda i=i: self._remove_source(i))
            self.source_rows.append(w.HBox([row, remove]))
        add = _button("add scenario set", "add-set", lambda: self._add_source({"set": next(iter(known)), "n": 8}))
        folders = sorted(p.name for p in self.folder.iterdir() if p.is_dir() and not p.name.startswith(".")
                         and any(p.glob("*.wav")))
        self.recordings = w.Dropdown(options=folders, layout=w.Layout(width="200px"))
        more = [w.HBox([self.recordings, _button("add recordings", "add-recordings",
                                                 lambda: self._add_source({"recordings": self.recordings.value}))])
                ] if folders else []
        return _section("Sessions", *self.source_rows, add, *more,
                        hint="Generated scenario sets, and your own recordings (a folder of WAV files beside "
                             "study.json; docs/recordings.md).")

    def _set_source(self, index: int, **change: Any) -> None:
        def apply(study: Study) -> Study:
            sources = list(study.scenarios)
            sources[index] = parse_source(sources[index].to_dict() | change)
            return study.replace(scenarios=tuple(sources))

        self.change(apply)

    def _add_source(self, data: dict[str, Any]) -> None:
        if self.change(lambda s: s.replace(scenarios=(*s.scenarios, parse_source(data)))):
            self._build()

    def _remove_source(self, index: int) -> None:
        if self.change(lambda s: s.replace(scenarios=tuple(x for i, x in enumerate(s.scenarios) if i != index))):
            self._build()

    def _metrics_section(self) -> w.VBox:
        from designkit.metrics import METRICS

        assert self.study is not None
        options = [(METRIC_INFO[m].label if m in METRIC_INFO else m, m) for m in METRICS]
        self.metrics = w.SelectMultiple(options=options, value=self.study.metrics, rows=8, layout=WIDE)
        self.metrics.add_class("dk-editor-metrics")
        self.metrics.observe(lambda c: self.change(lambda s: s.replace(metrics=tuple(c["new"]))), "value")
        return _section("Metrics", self.metrics, hint="Ctrl- or Cmd-click to pick several; the first is the one "
                                                      "the conclusion leads with.")

    def _weights_section(self) -> w.VBox:
        assert self.study is not None
        current = editing.weights(self.study)
        self.weight_controls = {}
        for kind, label in editing.WEIGHT_LABELS.items():
            slider = w.FloatSlider(value=current[kind], min=0.0, max=max(3.0, 2 * STUDY_WEIGHT_DEFAULTS[kind]),
                                   step=0.1, description=label, continuous_update=False,
                                   style={"description_width": "240px"}, layout=w.Layout(width="500px"))
            slider.add_class(f"dk-editor-weight-{kind}")
            slider.observe(lambda c, kind=kind: self.change(lambda s: editing.set_weights(s, {kind: c["new"]})),
                           "value")
            self.weight_controls[kind] = slider
        reset = _button("back to the defaults", "weights-reset", self._reset_weights)
        return _section("Attention cost", *self.weight_controls.values(), reset,
                        hint="What each kind of intervention costs the person's attention (a spoken turn = 1), "
                             "and what talking over them adds; docs/metrics.md, 'Attention-cost weights'.")

    def _reset_weights(self) -> None:
        if self.change(lambda s: s.replace(weights=())):
            for kind, value in editing.weights(self.study).items():  # type: ignore[arg-type]
                self.weight_controls[kind].value = value

    # -- running, publishing, serving ---------------------------------------------------------
    def _run_section(self) -> w.VBox:
        self.progress = w.Output()
        self.run_status = w.HTML()
        self.run_status.add_class("dk-editor-run-status")
        self.table = w.HTML()
        self.conclusion = w.HTML()
        self.conclusion.add_class("dk-editor-conclusion")
        return _section("Run", _button("run", "run", self.run, icon="play", button_style="primary"),
                        self.progress, self.run_status, self.table, self.conclusion,
                        hint="Runs every condition on every session (what ran before comes from the cache).")

    def run(self) -> Any:
        """Run the study with a progress bar, then show its table and the check of its conclusion."""
        from designkit.study.runner import run

        assert self.study is not None and self.folder is not None
        self.conclusion.value = ""
        self.run_status.value = "running…"
        started = time.perf_counter()
        self.progress.clear_output()
        with self.progress:
            try:
                self.results = run(self.study, progress=True)
            except DesignkitError as exc:
                self._say(str(exc), error=True)
                self.run_status.value = "the run stopped"
                return None
        self.last_run_s = time.perf_counter() - started
        self.run_status.value = (f"ran {len(self.study.policies())} conditions in {self.last_run_s:.1f} s "
                                 f"({self.results.computed} new cells)")
        self.table.value = self._table_html()
        self.conclusion.value = self._conclusion_html()
        return self.results

    def _table_html(self) -> str:
        assert self.study is not None
        summary = self.results.summary(list(self.study.metrics))
        wide = summary.pivot_table(index="policy", columns="metric", values="mean", aggfunc="mean", sort=False)
        head = "".join(f"<th>{html.escape(METRIC_INFO[m].label if m in METRIC_INFO else m)}</th>"
                       for m in wide.columns)
        rows = "".join(f"<tr><td>{html.escape(editing.plain_name(p))}</td>"
                       + "".join(f"<td>{v:.2f}</td>" for v in row) + "</tr>" for p, row in wide.iterrows())
        return (f"<table class='dk-editor-table' style='font-size:12px'><tr><th>condition</th>{head}</tr>"
                f"{rows}</table>")

    def _conclusion_html(self) -> str:
        assert self.folder is not None
        checks = editing.check_conclusion(self.folder, self.results)
        if not checks:
            return "<p><b>Conclusion check.</b> This study has no conclusion.json to check.</p>"
        held = sum(c.holds for c in checks)
        items = "".join(
            f"<li class='dk-claim-{'holds' if c.holds else 'fails'}'>{'✔' if c.holds else '✘'} "
            f"{html.escape(c.sentence)}" + ("" if c.holds else f" <i>(not supported: {html.escape(c.why)})</i>")
            + "</li>" for c in checks)
        return (f"<div class='dk-conclusion-check'><b>Conclusion check: {held} of {len(checks)} claims hold.</b>"
                f"<ul>{items}</ul></div>")

    def _publish_section(self) -> w.VBox:
        self.publish_status = w.HTML()
        self.publish_status.add_class("dk-editor-publish-status")
        self.link = w.HTML()
        self.link.add_class("dk-editor-link")
        buttons = w.HBox([_button("publish", "publish", self.publish, icon="upload"),
                          _button("serve", "serve", self.serve, icon="globe"),
                          _button("stop serving", "stop", self.stop)])
        return _section("Publish", buttons, self.publish_status, self.link,
                        hint="Publishing writes published/ beside study.json: the app, report.html and audit.json. "
                             "Serving opens the app through this Jupyter server when it has Voilà (Binder, a "
                             "JupyterHub, designkit lab), else on this computer (127.0.0.1) until you stop it.")

    def publish(self) -> Path | None:
        from designkit.study.publish import publish

        assert self.folder is not None
        self.publish_status.value = "publishing (runs the notebook once)…"
        try:
            done = publish(self.folder)
        except DesignkitError as exc:
            self.publish_status.value = f"<span style='color:#b00020'>{html.escape(str(exc))}</span>"
            return None
        self.publish_status.value = (f"published to {html.escape(str(done.folder))}: the app, "
                                     f"<code>report.html</code> and <code>audit.json</code>")
        return done.folder

    def serve(self) -> str:
        """Serve the published app (publishing it first if needed); returns its address."""
        from designkit.study.publish import voila_command
        from designkit.study.serving import AppServer, free_port
        from designkit.widgets.app_link import app_link
        from designkit.widgets.wizard_link import this_kernels_server

        assert self.folder is not None
        self.stop()
        app = self.folder / "published"
        if not (app / "voila.json").is_file() and self.publish() is None:
            return ""
        through_jupyter = app_link(sorted(app.glob("*.ipynb"))[0], this_kernels_server())
        if through_jupyter is not None:  # Binder, a JupyterHub, designkit lab: the page's own server
            self.link.value = (f"<a href='{html.escape(through_jupyter)}' target='_blank' class='dk-app-link'>"
                               "open the app</a> through this Jupyter server (anyone who can open this notebook "
                               "can open it)")
            return through_jupyter
        port = free_port()
        cmd, env, cwd = voila_command(app, port=port)
        self.server = AppServer(cmd, env=env, cwd=cwd, port=port)
        self.link.value = "starting the app…"
        if not self.server.wait_ready():
            self.link.value = f"the app did not start; see {html.escape(str(self.server.log_path))}"
            return ""
        self.link.value = (f"<a href='{self.server.url}' target='_blank' class='dk-app-link'>open the app</a> "
                           f"at {self.server.url} (on this computer)")
        return str(self.server.url)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
            self.link.value = "stopped"
        elif "dk-app-link" in self.link.value:  # served by the Jupyter server: nothing of ours runs
            self.link.value = "stopped: the link is gone (a page already open keeps its app until it closes)"

    def close(self) -> None:
        self.stop()
        super().close()
