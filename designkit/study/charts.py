"""Altair charts of sessions and studies: people would rather look at timing than read it."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from designkit.core.decisions import reason_label
from designkit.errors import InputError, MissingExtraError
from designkit.metrics.units import axis_title, metric_label
from designkit.study.colours import lane_colour, reason_colour
from designkit.study.labels import variant_label

if TYPE_CHECKING:
    import altair as alt

    from designkit.log.reader import SessionLog

# Axis titles wrap at these many characters: a vertical title longer than its axis would be cut.
X_TITLE_CHARS = 60
Y_TITLE_CHARS = 34


def axis_lines(metric: str, *, chars: int = X_TITLE_CHARS) -> list[str]:
    """A metric's axis title (label, unit, which way is better) as lines that fit the axis."""
    return textwrap.wrap(axis_title(metric), chars) or [metric]


def with_conditions(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with `condition`: each policy variant's name in plain words (charts show it; the
    `policy` column keeps the name the study gave, which selections and tables use)."""
    out = frame.copy()
    out["condition"] = [variant_label(p) for p in out["policy"]]
    return out


def _conditions(data: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(data["condition"]))


def _altair() -> Any:
    try:
        import altair as alt
    except ImportError as exc:
        raise MissingExtraError("altair", "study") from exc
    return alt


def runs(flags: pd.Series, t: pd.Series, dt: float) -> list[tuple[float, float]]:
    """Intervals where a boolean column is true, from per-microturn rows."""
    out: list[tuple[float, float]] = []
    start = None
    for on, time in zip(flags.to_numpy(), t.to_numpy(), strict=True):
        if on and start is None:
            start = float(time)
        elif not on and start is not None:
            out.append((start, float(time)))
            start = None
    if start is not None:
        out.append((start, float(t.iloc[-1]) + dt))
    return out


def timeline_frame(log: SessionLog) -> pd.DataFrame:
    """Lane rows (lane, start, end, label, reason) for a session: user, agent and each decision;
    a decision's label is its reason in plain words, `reason` its code as the log keeps it."""
    frame = log.frame
    dt = float(log.header["dt"])
    rows = [{"lane": "user", "start": a, "end": b, "label": "speaking", "reason": ""}
            for a, b in runs(frame["user_speaking"], frame["t"], dt)]
    rows += [{"lane": "agent", "start": a, "end": b, "label": "speaking", "reason": ""}
             for a, b in runs(frame["agent_speaking"], frame["t"], dt)]
    rows += [{"lane": "decision", "start": float(t), "end": float(t) + dt, "label": reason_label(str(r)),
              "reason": str(r)} for t, r in zip(frame["t"], frame["reason"], strict=True)]
    return pd.DataFrame(rows, columns=["lane", "start", "end", "label", "reason"])


def timeline(log: SessionLog, *, width: int = 700) -> alt.Chart:
    """User and agent speech as lanes over time, with each microturn's decision coloured by reason."""
    alt = _altair()
    data = timeline_frame(log)
    code_of = dict(zip(data["label"], data["reason"], strict=True))
    labels = sorted(set(data["label"]) - {"speaking"})
    domain = ["speaking", *labels]
    colors = [lane_colour("speaking"), *[reason_colour(code_of[label]) for label in labels]]
    return (
        alt.Chart(data)
        .mark_bar(height=18)
        .encode(
            x=alt.X("start:Q", title="time (s)"),
            x2="end:Q",
            y=alt.Y("lane:N", sort=["user", "agent", "decision"], title=None),
            color=alt.Color("label:N", scale=alt.Scale(domain=domain, range=colors), title="state / reason"),
            tooltip=["lane", alt.Tooltip("label:N", title="why"), alt.Tooltip("reason:N", title="code"),
                     alt.Tooltip("start:Q", format=".1f"), alt.Tooltip("end:Q", format=".1f")],
        )
        .properties(width=width, height=90, title=str(log.header.get("name") or "session"),
                    description=f"timeline of {log.header.get('name') or 'a session'}: when the person and the "
                                "agent spoke, and each microturn's decision coloured by its reason")
    )


def truth_marks(truth: Any) -> pd.DataFrame:
    """Cue and target times of a session's truth as rows (lane, t, label), for timeline overlays."""
    from designkit.metrics.session import truth_of

    t = truth_of(truth)
    rows = [{"lane": "cues", "t": float(c), "label": f"cue:{k}"} for c, k in zip(t.cues.tolist(), t.cue_kinds, strict=True)]
    rows += [{"lane": "targets", "t": float(x), "label": "target"} for x in t.targets.tolist()]
    rows += [{"lane": "targets", "t": float(x), "label": "turn end"} for x in t.respond_at.tolist()]
    return pd.DataFrame(rows, columns=["lane", "t", "label"])


def timeline_with_truth(log: SessionLog, truth: Any, *, width: int = 700) -> alt.LayerChart:
    """The session timeline plus the truth's cues, TimeSpeak targets and turn ends as ticks."""
    alt = _altair()
    marks = truth_marks(truth)
    lanes = ["user", "agent", "decision", "cues", "targets"]
    base = timeline(log, width=width).encode(y=alt.Y("lane:N", sort=lanes, title=None))
    ticks = (alt.Chart(marks).mark_tick(thickness=2, size=16, color="#222222")
             .encode(x="t:Q", y=alt.Y("lane:N", sort=lanes), tooltip=["label", alt.Tooltip("t:Q", format=".1f")]))
    return alt.layer(base, ticks).properties(height=140)


def _ci_frame(summary: pd.DataFrame, metric: str) -> pd.DataFrame:
    rows = summary[summary["metric"] == metric]
    if rows.empty:
        raise InputError("metric", expected=f"one of {sorted(set(summary['metric']))}", got=repr(metric))
    return rows


def comparison(summary: pd.DataFrame, metric: str, *, color: str = "quality", width: int = 420,
               title: str | None = None) -> alt.LayerChart:
    """Each policy's mean of `metric` with its bootstrap CI (`Results.summary()` rows)."""
    alt = _altair()
    data = with_conditions(_ci_frame(summary, metric))
    y = alt.Y("condition:N", sort=_conditions(data), title=None)
    colour = alt.Color(f"{color}:N", title=color, sort=list(dict.fromkeys(data[color]))) \
        if color in data.columns else alt.value("#2e86ab")
    offset = {"yOffset": alt.YOffset(f"{color}:N", sort=list(dict.fromkeys(data[color])))} if color in data.columns and data[color].nunique() > 1 else {}
    points = alt.Chart(data).mark_point(filled=True, size=70).encode(
        x=alt.X("mean:Q", title=axis_lines(metric)), y=y, color=colour, **offset,
        tooltip=["condition", alt.Tooltip("mean:Q", format=".3f"), alt.Tooltip("low:Q", format=".3f"),
                 alt.Tooltip("high:Q", format=".3f"), "n"])
    bars = alt.Chart(data).mark_rule(strokeWidth=2).encode(x="low:Q", x2="high:Q", y=y, color=colour, **offset)
    name = title or f"{metric_label(metric)} (mean, 95% CI)"
    return alt.layer(bars, points).properties(
        width=width, title=name,
        description=f"{name}, one line per condition: " + "; ".join(
            f"{c} {m:.2f}" for c, m in zip(data["condition"], data["mean"], strict=True) if m == m))


def tradeoff(summary: pd.DataFrame, *, x: str = "attention_cost", y: str = "task_success",
             color: str = "quality", order: str | None = None, width: int = 420, height: int = 300,
             title: str | None = None) -> alt.LayerChart:
    """One point per policy (x and y means, CI whiskers both ways), joined in policy order:
    a trade-off curve as a knob sweeps (attention cost vs task success, latency vs cut-ins)."""
    alt = _altair()
    keys = list(dict.fromkeys(c for c in (color, "quality", "policy", "set") if c in summary.columns))
    left = _ci_frame(summary, x)[[*keys, "mean", "low", "high"]].rename(
        columns={"mean": "x", "low": "x_low", "high": "x_high"})
    right = _ci_frame(summary, y)[[*keys, "mean", "low", "high"]].rename(
        columns={"mean": "y", "low": "y_low", "high": "y_high"})
    data = with_conditions(left.merge(right, on=keys))
    data["step"] = range(len(data))
    # Points are told apart by a legend (a shape per condition, a colour per `color` value where
    # there are several), never by text beside them: labels of nearby points would overlap.
    several = color in data.columns and data[color].nunique() > 1
    colour = alt.Color(f"{color}:N", title=color, sort=list(dict.fromkeys(data[color]))) \
        if several else alt.value("#2e86ab")
    detail = {"detail": f"{color}:N"} if color in data.columns else {}
    base = alt.Chart(data).encode(color=colour, **detail)
    line = base.mark_line(opacity=0.5).encode(
        x=alt.X("x:Q", title=axis_lines(x)), y=alt.Y("y:Q", title=axis_lines(y, chars=Y_TITLE_CHARS)),
        order=f"{order}:Q" if order else "step:Q")
    xerr = base.mark_rule().encode(x="x_low:Q", x2="x_high:Q", y="y:Q")
    yerr = base.mark_rule().encode(x="x:Q", y="y_low:Q", y2="y_high:Q")
    points = base.mark_point(filled=True, size=80).encode(
        x="x:Q", y="y:Q", shape=alt.Shape("condition:N", title="condition", sort=_conditions(data)),
        tooltip=["condition", alt.Tooltip("x:Q", format=".3f", title=metric_label(x)),
                 alt.Tooltip("y:Q", format=".3f", title=metric_label(y))])
    name = title or f"{metric_label(y)} vs {metric_label(x)}"
    said = "; ".join(f"{c}: {metric_label(y)} {b:.2f}, {metric_label(x)} {a:.2f}"
                     for c, a, b in zip(data["condition"], data["x"], data["y"], strict=True))
    return alt.layer(line, xerr, yerr, points).properties(
        width=width, height=height, title=name, description=f"{name}, one point per condition. {said}")


def silence_breakdown(results: Any, *, quality: str | None = None, width: int = 420) -> alt.Chart:
    """Why the agent stayed silent when the model proposed something, per policy (mean shares)."""
    alt = _altair()
    frame = results.frame
    if quality is not None:
        frame = frame[frame["quality"] == quality]
    keys = ["set", "scenario", "quality", "repetition", "policy"]
    # Sessions where the model proposed something; a reason missing there had a share of 0.
    proposed = frame[(frame["metric"] == "silent_share") & frame["value"].notna()][keys]
    shares = frame[frame["metric"].str.startswith("share:")].pivot_table(
        index=keys, columns="metric", values="value", aggfunc="first")
    shares = shares.reindex(pd.MultiIndex.from_frame(proposed)).fillna(0.0)
    data = (shares.groupby(level="policy", sort=False).mean().stack().rename("value").reset_index()
            .assign(reason=lambda d: d["metric"].str.removeprefix("share:")))
    data = with_conditions(data[data["value"] > 0].assign(why=lambda d: d["reason"].map(reason_label)))
    order = [variant_label(p) for p in dict.fromkeys(frame["policy"])]
    code_of = dict(zip(data["why"], data["reason"], strict=True))
    labels = sorted(code_of)
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("value:Q", stack="zero", title="share of proposals withheld (0–1)"),
        y=alt.Y("condition:N", sort=order, title=None),
        color=alt.Color("why:N", title="why it stayed quiet", scale=alt.Scale(
            domain=labels, range=[reason_colour(code_of[w]) for w in labels])),
        tooltip=["condition", alt.Tooltip("why:N", title="why"), alt.Tooltip("value:Q", format=".1%")],
    ).properties(width=width, title="why the agent stayed silent",
                 description="why the agent stayed silent: the share of the model's proposals each condition "
                             "withheld, split by reason (" + ", ".join(labels) + ")")


def distribution(results: Any, metric: str, *, color: str = "quality", width: int = 420,
                 title: str | None = None) -> alt.LayerChart:
    """Per-session values of `metric` per policy: a box and each session as a tick."""
    alt = _altair()
    rows = with_conditions(results.frame[results.frame["metric"] == metric].dropna(subset=["value"]))
    order = [variant_label(p) for p in dict.fromkeys(results.frame["policy"])]
    y = alt.Y("condition:N", sort=order, title=None)
    colour = alt.Color(f"{color}:N") if rows[color].nunique() > 1 else alt.value("#2e86ab")
    box = alt.Chart(rows).mark_boxplot(extent="min-max", opacity=0.5).encode(
        x=alt.X("value:Q", title=axis_lines(metric)), y=y, color=colour)
    ticks = alt.Chart(rows).mark_tick(opacity=0.6).encode(
        x="value:Q", y=y, color=colour, tooltip=["scenario", "quality", alt.Tooltip("value:Q", format=".3f")])
    name = title or f"{metric_label(metric)} per session"
    return alt.layer(box, ticks).properties(
        width=width, title=name, description=f"{name}: a box and a tick per session for each condition")


def timespeak_errors(results: Any, **kwargs: Any) -> alt.LayerChart:
    """The TimeSpeak timing error (mean |onset - target| per session) per policy and model quality."""
    return distribution(results, "timespeak_mae_s", title="TimeSpeak error per session (s)", **kwargs)


def row(*charts: Any) -> alt.VConcatChart:
    """Charts shown together, each with its own colours and legends (a reason palette must not
    recolour policies). They are stacked: side by side, two charts with their legends are wider
    than a laptop's screen."""
    alt = _altair()
    return alt.vconcat(*charts).resolve_scale(color="independent", shape="independent").properties(
        description=" Then: ".join(str(c.to_dict().get("description", "")) for c in charts))


def save(chart: Any, path: str | os.PathLike[str], *, scale: float = 1.0) -> Path:
    """Write a chart as PNG or SVG (by the file's suffix) with vl-convert, offline."""
    try:
        import vl_convert as vlc
    except ImportError as exc:
        raise MissingExtraError("vl-convert-python", "study") from exc
    target = Path(path)
    spec = chart.to_dict() if hasattr(chart, "to_dict") else chart
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix == ".svg":
        target.write_text(vlc.vegalite_to_svg(spec))
    elif target.suffix == ".png":
        target.write_bytes(vlc.vegalite_to_png(spec, scale=scale))
    else:
        raise InputError("chart file", expected="a .png or .svg path", got=str(path))
    return target


def to_svg(chart: Any) -> str:
    """The chart as an SVG string (for static HTML reports)."""
    try:
        import vl_convert as vlc
    except ImportError as exc:
        raise MissingExtraError("vl-convert-python", "study") from exc
    return str(vlc.vegalite_to_svg(chart.to_dict() if hasattr(chart, "to_dict") else chart))
