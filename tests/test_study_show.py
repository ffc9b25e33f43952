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


def test_one_colour_per_reason_everywhere() -> None:
    from designkit.core.decisions import Reason
    from designkit.study.charts import REASON_COLORS
    from designkit.study.colours import REASON_COLOURS
    from designkit.widgets.timeline import reason_colours

    assert set(REASON_COLOURS) == {r.value for r in Reason}
    assert len(set(REASON_COLOURS.values())) == len(REASON_COLOURS)  # no two reasons look alike
    assert reason_colours() == REASON_COLOURS == REASON_COLORS  # the live strip and the charts agree
