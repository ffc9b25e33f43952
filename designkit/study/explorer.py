"""Explorer: sliders for policy knobs; the policy re-runs over a study's sessions; the chart follows.

    explorer = Explorer.from_study(study)      # prepares the sessions once
    explorer                                    # sliders + chart (JupyterLab or Voila)

Only the decisions change with a knob: each session's signals and the simulated model's proposals
are prepared once (`designkit.study.prepare`), and a move re-decides them with the engine
(`Engine.replay_cached`). With `workers > 1` the sessions are split over worker
processes that keep their share prepared between moves. The chart is a fixed Vega-Lite spec whose
named dataset is swapped on each move: the page holds a live Vega view (`show.view`, offline) and
a move sends only the new rows, which the view re-draws in place (no re-embed, no SVG round trip).
With `DESIGNKIT_STATIC_CHARTS=1` (static reports) the spec is drawn to SVG in the kernel instead.

"Save as variant" names the current knobs; the explorer draws them as a reference from then on
and, when it was opened from a study file, adds them to that file's `variants`.
"""

from __future__ import annotations

import copy
import logging
import math
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from designkit.errors import InputError
from designkit.metrics import METRICS
from designkit.metrics.stats import bootstrap_ci
from designkit.metrics.units import metric_label
from designkit.policy.spec import Policy
from designkit.study.charts import _altair, to_svg
from designkit.study.knob_controls import TURNABLE, knob_control, turnable
from designkit.study.labels import cell_text, variant_label
from designkit.study.lazy_widget import LazyWidget
from designkit.study.prepare import Preparation
from designkit.study.runner import scenario_truths
from designkit.study.shards import Shards, metric_rows, prepare_all

log = logging.getLogger(__name__)

DATASET = "explorer"
CURRENT = "your policy"
# The chart's plot areas together, and its condition labels at most: with the legend they fit a
# study app's page at 1280 px (Voilà's output area is about 1070 px wide).
CHART_PX = 600
LABEL_PX = 200
LINE_PX = 13  # one line of an axis label (11 px type)
KNOB_BREAK = ", "  # between the knobs of a condition's name (study.labels.variant_label): a line each
PARALLEL_MICROTURNS = 30_000


class Explorer(LazyWidget):
    """Policy knobs as controls over prepared sessions, with a chart of the chosen metrics.

    `reference`: named policies drawn in grey for comparison (a study's variants); the current
    knobs are drawn in orange with their 95% bootstrap CI over sessions.
    """

    def __init__(self, truths: Sequence[Any], *, base: Policy | None = None,
                 knobs: Sequence[str] = ("confidence", "initiative", "style"),
                 metrics: Sequence[str] = ("task_success", "attention_cost", "response_latency_s"),
                 reference: Mapping[str, Policy] | None = None, preparation: Preparation | None = None,
                 seeds: Sequence[int] | None = None, weights: Mapping[str, float] | None = None,
                 workers: int | None = None, title: str = "") -> None:
        bad = [m for m in metrics if m not in METRICS]
        if bad:
            raise InputError("metric", expected=f"names from {list(METRICS)}", got=bad)
        if not truths:
            raise InputError("explorer sessions", expected="at least one truth", got=0)
        self.base = base or Policy()
        self.knobs = turnable(knobs, "explorer knob")
        self.metrics = tuple(metrics)
        self.weights = dict(weights) if weights else None
        self.title = title
        self.preparation = preparation = preparation or Preparation()
        seeds = list(seeds) if seeds is not None else list(range(len(truths)))
        self._shards: Shards | None = None
        self._prepared: list[Any] = []
        if workers is None:  # worker processes pay off once a move re-decides many microturns
            microturns = sum(_duration(t) for t in truths) / preparation.dt
            workers = min(4, os.cpu_count() or 1) if microturns > PARALLEL_MICROTURNS else 1
        if workers > 1 and len(truths) > 1:
            self._shards = Shards(truths, seeds, preparation, self.weights, self.metrics, min(workers, len(truths)))
        else:
            self._prepared = prepare_all(truths, seeds, preparation)
        self.policy = self.base
        self._reference = self._records(dict(reference or {}), current=False)
        self._template = self._chart_template()
        self.spec: dict[str, Any] = {}
        self.table = pd.DataFrame()
        self._view: Any = None
        self.decide_ms = 0.0  # the last re-decision in the kernel (the page's share is the rest)
        self._seq = 0
        self.study_path: str | None = None
        self.redraw()

    @classmethod
    def from_study(cls, study: Any, *, quality: str | None = None, knobs: Sequence[str] | None = None,
                   metrics: Sequence[str] | None = None, workers: int | None = None, max_reference: int = 12,
                   base: str | None = None, path: str | os.PathLike[str] | None = None) -> Explorer:
        """An explorer over a study's scenarios (its first model quality unless named), with its
        policy variants as the grey reference points; the knobs start from variant `base`
        (default: the first). With `path` (the study's file) "save as variant" writes there."""
        found = scenario_truths(study)
        name = quality or study.qualities[0][0]
        variants = study.policies()
        reference = dict(list(variants.items())[:max_reference])
        if base is not None and base not in variants:
            raise InputError("explorer base variant", expected=f"one of {list(variants)}", got=repr(base))
        first = variants[base] if base is not None else next(iter(variants.values()))
        chosen = knobs or tuple(k for k, _ in study.grid if k in TURNABLE) or ("confidence", "initiative", "style")
        explorer = cls([t for *_, t in found], base=first, knobs=chosen, metrics=metrics or study.metrics,
                       reference=reference, preparation=Preparation.of(study, name),
                       seeds=[study.seed + index for _, index, *_ in found], weights=dict(study.weights) or None,
                       workers=workers, title=study.title or study.name)
        explorer.study_path = str(path) if path is not None else None
        return explorer

    # -- computing -----------------------------------------------------------------------------
    def session_table(self, policy: Policy) -> pd.DataFrame:
        """Session x metric for `policy` over the prepared sessions."""
        spec = policy.to_dict()
        rows = self._shards.rows(spec) if self._shards else metric_rows(self._prepared, spec, self.weights,
                                                                             self.metrics)
        return pd.DataFrame(rows, columns=list(self.metrics))

    def _records(self, policies: Mapping[str, Policy], *, current: bool) -> list[dict[str, Any]]:
        out = []
        for name, policy in policies.items():
            table = self.session_table(policy)
            if current:
                self.table = table
            for metric in self.metrics:
                est = bootstrap_ci(table[metric].to_numpy(dtype=np.float64), resamples=400, seed=0)
                out.append({"policy": name, "metric": metric, "mean": _num(est.mean), "low": _num(est.low),
                            "high": _num(est.high), "kind": CURRENT if current else "study variant",
                            "condition": variant_label(name), "measure": metric_label(metric)})
        return out

    def _chart_template(self) -> dict[str, Any]:
        alt = _altair()
        data = alt.Data(name=DATASET)
        colour = alt.Color("kind:N", scale=alt.Scale(domain=["study variant", CURRENT],
                                                      range=["#9aa5b1", "#e07a5f"]), title=None)
        # Plain words on the chart (the codes stay in `policy` and `metric`); a condition's name
        # takes a line per knob ("waits for a pause," / "confidence threshold 0.5"), each line at
        # most LABEL_PX, so the facets and their axis fit a laptop's page beside the legend; a row
        # is as tall as the longest name's lines.
        lines = max([1, *(len(str(r["condition"]).split(KNOB_BREAK)) for r in self._reference)])
        y = alt.Y("condition:N", title=None, sort=None,
                  axis=alt.Axis(labelLimit=LABEL_PX, labelExpr=f"split(datum.label, '{KNOB_BREAK}')"))
        base = alt.Chart(data)
        rules = base.mark_rule(strokeWidth=2).encode(x=alt.X("low:Q", title=None), x2="high:Q", y=y, color=colour)
        points = base.mark_point(filled=True, size=80).encode(
            x="mean:Q", y=y, color=colour,
            tooltip=[alt.Tooltip("condition:N", title="condition"), alt.Tooltip("measure:N", title="metric"),
                     alt.Tooltip("mean:Q", format=".3f"), alt.Tooltip("low:Q", format=".3f"),
                     alt.Tooltip("high:Q", format=".3f")])
        width = max(120, CHART_PX // max(1, len(self.metrics)) - 30)
        row = alt.Step(max(16, LINE_PX * lines + 4))
        chart = (alt.layer(rules, points, data=data).properties(width=width, height=row)
                 .facet(column=alt.Column("measure:N", sort=[metric_label(m) for m in self.metrics], title=None,
                                          header=alt.Header(labelLimit=width)))
                 .resolve_scale(x="independent")
                 .properties(title=self.title or "explore the policy"))
        spec: dict[str, Any] = chart.to_dict()
        spec["datasets"] = {DATASET: []}
        return spec

    def chart_spec(self, policy: Policy) -> dict[str, Any]:
        """The Vega-Lite spec for `policy` (its session metrics are computed here)."""
        self.policy = policy
        records = self._reference + self._records({CURRENT: policy}, current=True)
        spec = copy.copy(self._template)
        spec["datasets"] = {DATASET: records}
        return spec

    def redraw(self) -> dict[str, Any]:
        """Re-decide every session with the current knobs and refresh the chart."""
        started = time.perf_counter()
        self.spec = self.chart_spec(self.policy)
        self.decide_ms = (time.perf_counter() - started) * 1000.0
        if self._widget is not None:
            self._draw()
            self._status.value = self.status()
        return self.spec

    def _draw(self) -> None:
        if self._view is None:  # static: an SVG drawn here
            self._chart.value = to_svg(self.spec)
            return
        # Only the rows travel; the view swaps its dataset and re-runs (JupyterChart's data channel).
        # `seq` makes every update a new value, so one is sent even when the rows did not change.
        self._seq += 1
        self._view._py_to_js_updates = [{"namespace": "data", "name": DATASET, "scope": [],
                                         "value": self.spec["datasets"][DATASET], "seq": self._seq}]

    def _on_embedded(self, change: Mapping[str, Any]) -> None:
        # The page reports its time zone once its Vega view is up and listening: rows sent before
        # that (a knob moved while the page was still drawing) are sent again.
        if change.get("new"):
            self._draw()

    def save_variant(self, name: str) -> Policy:
        """Keep the current knobs as a named variant: drawn as a reference from now on, and added
        to the study file's `variants` when the explorer was opened from one."""
        name = name.strip()
        if not name or name == CURRENT:
            raise InputError("variant name", expected=f"a name other than {CURRENT!r}", got=repr(name))
        policy = self.policy
        self._reference = [r for r in self._reference if r["policy"] != name]
        self._reference += self._records({name: policy}, current=False)
        self._records({CURRENT: policy}, current=True)  # the table stays the current policy's
        if self.study_path:
            from designkit.study.spec import Study

            study = Study.load(self.study_path)
            saved = [(n, p) for n, p in study.saved if n != name] + [(name, policy)]
            study.replace(saved=tuple(saved)).save(self.study_path)
            log.info("saved variant %s to %s", name, self.study_path)
        self.redraw()
        return policy

    def status(self) -> str:
        parts = []
        for metric in self.metrics:
            column = self.table[metric]
            value = float(column.mean()) if column.notna().any() else math.nan
            parts.append(f"<b>{metric_label(metric)}</b> {cell_text(metric, value, None, None, digits=3)}")
        knobs = variant_label(", ".join(f"{k}={_show(getattr(self.policy, k))}" for k in self.knobs))
        return f"<span class='dk-explorer-status' data-decide-ms='{self.decide_ms:.1f}'>{knobs} &rarr; " + " &middot; ".join(parts) + \
            f" (mean of {len(self.table)} sessions)</span>"

    def set(self, **knobs: Any) -> dict[str, Any]:
        """Change knobs as the controls would, and redraw; returns the new chart spec."""
        self.policy = self.policy.replace(**knobs)
        if self._widget is not None:
            with self._widget.hold_trait_notifications():
                for name in knobs:
                    if name in self._controls:
                        self._controls[name].value = _show(getattr(self.policy, name))
        return self.redraw()

    # -- the widget ----------------------------------------------------------------------------
    def _build(self) -> None:
        import ipywidgets as w

        self._controls: dict[str, Any] = {}
        for name in self.knobs:
            control = knob_control(name, getattr(self.policy, name), continuous_update=False)
            control.add_class(f"dk-knob-{name}")
            control.observe(self._on_change, names="value")
            self._controls[name] = control
        from designkit.study import charts, show

        if show.static():
            self._chart = w.HTML(layout=w.Layout(min_height="120px"))
        else:
            alt = charts._altair()
            self.spec = self.chart_spec(self.policy)
            self._view = show.view(alt.FacetChart.from_dict(self.spec, validate=False))
            self._view.observe(self._on_embedded, names=["local_tz"])
            self._chart = self._view
        self._chart.add_class("dk-explorer-chart")
        self._status = w.HTML()
        self._name = w.Text(placeholder="name these knobs", layout=w.Layout(width="200px"))
        self._name.add_class("dk-explorer-name")
        save = w.Button(description="save as variant", icon="")
        save.add_class("dk-explorer-save")
        save.on_click(lambda _: self._on_save())
        self._widget = w.VBox([w.HBox(list(self._controls.values()), layout=w.Layout(flex_flow="row wrap")),
                               self._status, self._chart, w.HBox([self._name, save])])
        self._widget.add_class("dk-explorer")
        self.redraw()

    def _on_save(self) -> None:
        try:
            self.save_variant(self._name.value)
        except InputError as exc:
            self._status.value = f"<span style='color:#d7263d'>{exc}</span>"
            return
        where = f" and to {self.study_path}" if self.study_path else ""
        self._status.value = self.status() + f" <span class='dk-explorer-saved'>saved {self._name.value!s}{where}</span>"

    def _on_change(self, change: Mapping[str, Any]) -> None:
        values = {name: control.value for name, control in self._controls.items()}
        try:
            self.policy = self.policy.replace(**values)
        except InputError as exc:
            self._status.value = f"<span style='color:#d7263d'>{exc}</span>"
            return
        self.redraw()

    def close(self) -> None:
        """Stop the worker processes (also done when the explorer is garbage-collected)."""
        if self._shards is not None:
            self._shards.close()
            self._shards = None


def _duration(truth: Any) -> float:
    return float(getattr(truth, "duration", None) or getattr(truth, "duration_s", 60.0))


def _num(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def _show(value: Any) -> Any:
    return getattr(value, "value", value)
