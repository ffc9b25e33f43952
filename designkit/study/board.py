"""A study's sessions as a live chart: hover for numbers, brush to filter, click to listen.

    board = StudyBoard(study, results)       # in a notebook or a Voilà app
    board                                    # chart + table + per-policy means + session panel
    board.brushed                            # the rows the brush holds (Python reads the selection)
    board.open(scenario="dialogue-basic-03", policy="context=public")   # what a click does

Each point is one session under one policy variant (x and y: two of the study's metrics). A brush
over the points filters the table and the per-policy chart beside it; a click on a point replays
that session with that policy and with a second policy ("compare with"), draws both timelines one
above the other with the microturns that decided differently marked, and plays the session with
the agent's voice mixed in. The charts are `show.view` live views (offline).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping
from typing import Any

import pandas as pd

from designkit.errors import InputError
from designkit.metrics.units import metric_label
from designkit.study.labels import cell_text, variant_label
from designkit.study.lazy_widget import LazyWidget

log = logging.getLogger(__name__)

KEYS = ("scenario", "policy", "quality", "repetition")
TABLE_ROWS = 8


class StudyBoard(LazyWidget):
    """Session points of a study with linked table, per-policy means and a session panel."""

    def __init__(self, study: Any, results: Any, *, x: str | None = None, y: str | None = None,
                 compare: str | None = None, width: int = 520) -> None:
        self.study = study
        self.rows = results.wide()
        self.rows.columns.name = None
        metrics = [m for m in study.metrics if m in self.rows.columns]
        if len(metrics) < 1:
            raise InputError("study metrics", expected="at least one metric in the results", got=metrics)
        self.x = x or metrics[min(1, len(metrics) - 1)]
        self.y = y or metrics[0]
        for name in (self.x, self.y):
            if name not in self.rows.columns:
                raise InputError("board metric", expected=f"one of {metrics}", got=repr(name))
        self.policies = list(dict.fromkeys(self.rows["policy"]))
        self.compare = compare
        self.width = width
        self.brushed = self.rows
        self.opened: tuple[Any, Any] | None = None

    # -- charts --------------------------------------------------------------------------------
    def sessions_chart(self) -> Any:
        """One point per session and policy; `pick` (click) and `brush` (drag) selections."""
        from designkit.study.charts import Y_TITLE_CHARS, _altair, axis_lines, with_conditions

        alt = _altair()
        pick = alt.selection_point(name="pick", fields=list(KEYS), on="click", clear="dblclick", empty=False)
        brush = alt.selection_interval(name="brush", encodings=["x", "y"])
        data = with_conditions(self.rows[[*KEYS, self.x, self.y]].dropna(subset=[self.x, self.y]))
        qualities = {"shape": alt.Shape("quality:N", title="model quality")} if data["quality"].nunique() > 1 else {}
        return alt.Chart(data).mark_point(filled=True, size=70, opacity=0.8).encode(
            x=alt.X(f"{self.x}:Q", title=axis_lines(self.x)),
            y=alt.Y(f"{self.y}:Q", title=axis_lines(self.y, chars=Y_TITLE_CHARS)),
            color=alt.Color("condition:N", sort=list(dict.fromkeys(data["condition"])), title="condition"),
            stroke=alt.condition(pick, alt.value("#111111"), alt.value(None)), **qualities,
            tooltip=[alt.Tooltip("scenario:N", title="session"), alt.Tooltip("condition:N", title="condition"),
                     alt.Tooltip("quality:N", title="model"),
                     alt.Tooltip(f"{self.x}:Q", format=".3f", title=metric_label(self.x)),
                     alt.Tooltip(f"{self.y}:Q", format=".3f", title=metric_label(self.y))],
        ).add_params(pick, brush).properties(
            width=self.width, height=300, title="sessions (drag to select, click one to open it)",
            description=f"{len(data)} sessions, one point each: {metric_label(self.y)} against "
                        f"{metric_label(self.x)}, coloured by condition")

    def means_chart(self, rows: pd.DataFrame) -> Any:
        """Mean of the y metric per policy over the selected sessions."""
        from designkit.study.charts import _altair, with_conditions

        alt = _altair()
        data = with_conditions(rows.groupby("policy", sort=False)[self.y].agg(["mean", "count"]).reset_index()
                               .rename(columns={"mean": self.y, "count": "sessions"}))
        order = list(dict.fromkeys(data["condition"]))
        title = f"mean {metric_label(self.y)} of the {len(rows)} selected sessions"
        return alt.Chart(data).mark_bar().encode(
            x=alt.X(f"{self.y}:Q", title=f"mean {metric_label(self.y)}"),
            y=alt.Y("condition:N", sort=order, title=None),
            color=alt.Color("condition:N", sort=order, title="condition", legend=None),
            tooltip=["condition:N", alt.Tooltip(f"{self.y}:Q", format=".3f", title=metric_label(self.y)),
                     "sessions:Q"],
        ).properties(width=260, title=title, description=f"{title}, one bar per condition: " + "; ".join(
            f"{c} {m:.2f}" for c, m in zip(data["condition"], data[self.y], strict=True) if m == m))

    # -- selection -----------------------------------------------------------------------------
    def select(self, brush: Mapping[str, Any] | None) -> pd.DataFrame:
        """The rows inside a brush ({field: [low, high]}, as Vega-Lite reports it); all without."""
        rows = self.rows
        for field, bounds in (brush or {}).items():
            if field in rows.columns and isinstance(bounds, (list, tuple)) and len(bounds) == 2:
                low, high = sorted(float(b) for b in bounds)
                rows = rows[(rows[field] >= low) & (rows[field] <= high)]
        self.brushed = rows
        return rows

    def table_html(self, rows: pd.DataFrame) -> str:
        # Conditions and missing values in words ("never answered aloud", not NaN), numbers to 3 places.
        shown = rows[[*KEYS, self.y, self.x]].head(TABLE_ROWS).assign(
            policy=lambda d: [variant_label(p) for p in d["policy"]],
            **{m: (lambda d, m=m: [cell_text(m, v, None, None, digits=3) for v in d[m]]) for m in (self.y, self.x)},
        ).drop(columns="repetition")
        shown = shown.rename(columns={"scenario": "session", "policy": "condition", "quality": "model",
                                      self.y: metric_label(self.y), self.x: metric_label(self.x)})
        body = shown.to_html(index=False, classes="dk-board-rows", border=0)
        more = f"<div>{len(rows) - TABLE_ROWS} more</div>" if len(rows) > TABLE_ROWS else ""
        style = ("<style>.dk-board-rows td, .dk-board-rows th { white-space: nowrap; padding: 1px 8px; "
                 "font-size: 12px; }</style>")
        return f"{style}<div class='dk-board-count'>{len(rows)} sessions selected</div>{body}{more}"

    # -- opening a session ---------------------------------------------------------------------
    def other_policy(self, policy: str) -> str:
        if self.compare and self.compare != policy:
            return self.compare
        others = [p for p in self.policies if p != policy]
        return others[-1] if others else policy

    def open(self, *, scenario: str, policy: str, quality: str | None = None, repetition: int = 0,
             compare: str | None = None) -> tuple[Any, Any]:
        """Replay one session with `policy` and with a second policy; show and play them."""
        from designkit.study.sessions import session_run

        other = compare or self.other_policy(policy)
        a = session_run(self.study, scenario=scenario, policy=policy, quality=quality, repetition=repetition)
        b = session_run(self.study, scenario=scenario, policy=other, quality=quality, repetition=repetition)
        self.opened = (a, b)
        if self._widget is not None:
            self._show_session(a, b)
        return a, b

    # -- the widget ----------------------------------------------------------------------------
    def _build(self) -> None:
        import ipywidgets as w

        from designkit.study import show

        self._sessions = show.view(self.sessions_chart())
        self._sessions.add_class("dk-board-sessions")
        self._means = show.view(self.means_chart(self.rows))
        self._means.add_class("dk-board-means")
        self._table = w.HTML(self.table_html(self.rows))
        self._table.add_class("dk-board-table")
        self._compare = w.Dropdown(options=[(variant_label(p), p) for p in self.policies],
                                   value=self.other_policy(self.policies[0]),
                                   description="compare with", style={"description_width": "initial"})
        self._compare.add_class("dk-board-compare")
        self._compare.observe(self._on_compare, names="value")
        self._status = w.HTML("<i>Click a session point to see its timeline and hear it.</i>")
        self._status.add_class("dk-board-status")
        self._timeline = w.VBox()
        self._timeline.add_class("dk-board-timeline")
        self._changes = w.HTML()
        self._changes.add_class("dk-board-changes")
        self._audio = w.VBox()
        self._audio.add_class("dk-board-audio")
        self._sessions.selections.observe(self._on_brush, names=["brush"])
        self._sessions.selections.observe(self._on_pick, names=["pick"])
        self._widget = w.VBox([
            # wraps: the means chart and the table side by side are wider than a laptop's screen
            self._sessions, w.HBox([self._means, self._table], layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self._compare, self._status]), self._audio, self._timeline, self._changes])
        self._widget.add_class("dk-board")

    def _on_brush(self, change: Mapping[str, Any]) -> None:
        value = getattr(change["new"], "value", None) or {}
        rows = self.select(value)
        self._table.value = self.table_html(rows)
        self._means.chart = self.means_chart(rows)

    def _on_pick(self, change: Mapping[str, Any]) -> None:
        picked = getattr(change["new"], "value", None) or []
        if not picked:
            return
        point = picked[0]
        self._status.value = f"opening {html.escape(str(point.get('scenario')))} ..."
        try:
            self.open(scenario=str(point["scenario"]), policy=str(point["policy"]),
                      quality=str(point.get("quality") or "") or None, repetition=int(point.get("repetition") or 0),
                      compare=self._compare.value if self._compare.value != point["policy"] else None)
        except Exception as exc:  # a person sees why, the kernel goes on
            log.exception("could not open the session")
            self._status.value = f"<span style='color:#d7263d'>could not open it: {html.escape(str(exc))}</span>"

    def _on_compare(self, change: Mapping[str, Any]) -> None:
        self.compare = change["new"]
        if self.opened is not None:
            a, _ = self.opened
            self.open(scenario=a.scenario, policy=a.policy, quality=a.quality, compare=self.compare)

    def _show_session(self, a: Any, b: Any) -> None:
        import ipywidgets as w

        from designkit.study import show
        from designkit.study.sessions import ab_timeline, differences

        changed = differences(a, b)
        view = show.view(ab_timeline(a, b))
        view.add_class("dk-board-ab")
        self._timeline.children = [view]
        players = []
        for run, autoplay in ((a, True), (b, False)):
            audio = w.Audio(value=run.wav(), format="wav", autoplay=autoplay, loop=False)
            audio.add_class("dk-board-player")
            players.append(w.VBox([w.HTML(f"<b>{html.escape(run.policy)}</b>: user + agent voice"), audio]))
        self._audio.children = [w.HBox(players)]
        first, second = html.escape(a.policy), html.escape(b.policy)
        table = changed.rename(columns={"action_a": f"{first}: action", "reason_a": f"{first}: why",
                                        "action_b": f"{second}: action", "reason_b": f"{second}: why"})
        self._changes.value = (f"<b>What changed</b>: {len(changed)} of {len(a.frame)} microturns decided "
                               f"differently.<br>" + table.head(20).to_html(index=False, border=0,
                                                                              float_format=lambda v: f"{v:.1f}"))
        self._status.value = (f"<span class='dk-board-opened'>{html.escape(a.scenario)}: {first} vs {second} "
                              f"({a.quality} model)</span>")

    def _ipython_display_(self) -> None:
        from IPython.display import display

        from designkit.study import show

        if show.static():  # a report has no kernel to open sessions: the two charts, drawn as SVG
            display(self.sessions_chart())
            display(self.means_chart(self.rows))
            return
        super()._ipython_display_()
