"""The one chart route: live offline views (no CDN in the widget's script), SVG for reports,
labels not cut and a tooltip on every mark."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from designkit.study import show


def chart() -> alt.Chart:
    return alt.Chart(pd.DataFrame({"policy": ["a very long policy name, style=backchannel_only"], "v": [1.0]})
                     ).mark_bar().encode(x="v:Q", y="policy:N", color="policy:N")


def test_live_views_load_nothing_from_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(show.STATIC_ENV, raising=False)
    assert show.enable() == "jupyter"
    view = show.view(chart())
    assert isinstance(view, alt.JupyterChart)
    script = str(view._esm)
    assert "esm.sh" not in script and "cdn.jsdelivr" not in script and "https://" not in script.split("\n", 1)[0]
    assert view.embed_options["renderer"] == "svg"
    assert list(show.cache_dir().glob("jupyterchart-*.js"))  # built once, cached for the next kernel


def test_reports_get_svg_and_readable_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(show.STATIC_ENV, "1")
    assert show.enable() == "svg"
    c = chart()
    assert show.view(c) is c
    config = c.to_dict()["config"]
    assert config["axis"]["labelLimit"] == 0 and config["legend"]["labelLimit"] == 0
    assert config["mark"]["tooltip"] is True
    from designkit.study.charts import to_svg

    assert "style=backchannel_only" in to_svg(c)  # the whole label is drawn, not cut with an ellipsis



def test_session_timelines_use_the_one_colour_table() -> None:
    from designkit.core.decisions import Reason
    from designkit.study.colours import lane_colour, reason_colour
    from designkit.study.sessions import SessionRun, timeline

    frame = pd.DataFrame({"t": [0.0, 0.2, 0.4], "user": [True, False, False], "agent": [False, True, False],
                          "action": ["silent", "speak", "continue"],
                          "reason": ["silent:user_speaking", "speak:turn_end", "continue:speaking"],
                          "confidence": [0.0, 0.8, 0.0], "content": ["", "hi", ""], "proposed": ["speak", "speak", ""]})
    spec = timeline(SessionRun("s", "p", "q", 0.2, frame)).to_dict()
    colour = spec["encoding"]["color"]["scale"]
    pairs = dict(zip(colour["domain"], colour["range"], strict=True))
    assert pairs["speak:turn_end"] == reason_colour(Reason.TURN_END)
    assert pairs["user speaks"] == lane_colour("user speech")
