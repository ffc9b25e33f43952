"""What the browser's timeline strip is told about each microturn."""

from __future__ import annotations

import json

from designkit.core import Reason
from designkit.core.engine import Engine
from designkit.perception.audio.energy import EnergyVAD
from designkit.policy import Policy
from designkit.testing import scripted_session
from designkit.widgets import PauseProposer
from designkit.widgets.timeline import reason_colour, reason_colours, timeline_point


def test_every_reason_has_a_colour_and_families_are_told_apart() -> None:
    colours = reason_colours()
    assert set(colours) == {r.value for r in Reason}
    assert reason_colour(Reason.TURN_END) != reason_colour(Reason.NOTHING_TO_SAY)
    assert reason_colour(Reason.GAP) != reason_colour(Reason.NOTHING_TO_SAY)
    assert reason_colour(Reason.USER_BARGE_IN) != reason_colour(Reason.TURN_END)


def test_a_point_carries_speech_rows_decision_and_gaps() -> None:
    session = scripted_session([(1.0, 2.0)], 4.0, seed=2)
    records = Engine([EnergyVAD()], Policy(), proposer=PauseProposer()).replay(session)
    points = [timeline_point(r) for r in records]
    assert [p["index"] for p in points] == list(range(20))
    assert any(p["user"] for p in points[5:10]) and not any(p["user"] for p in points[:4])
    speak = next(p for p in points if p["action"] == "speak")
    assert speak["reason"] == Reason.TURN_END.value and speak["proposal"] == "speak"
    assert next(p for p in points if p["agent"])["index"] == speak["index"] + 1
    assert all(p["gaps"] == [] and not p["fault"] for p in points)


def test_charts_and_the_live_timeline_read_one_colour_table() -> None:
    import re

    from designkit.assets import widget_asset
    from designkit.study import charts, colours

    table = json.loads(widget_asset("colours.json").read_text())
    assert set(table["reasons"]) == {r.value for r in Reason}
    for reason in Reason:
        # the live strip (widgets.timeline) and the study charts give each reason the table's colour
        assert reason_colour(reason) == colours.reason_colour(reason) == table["reasons"][reason.value]
    assert not hasattr(charts, "REASON_COLORS")  # no second copy in the charts
    script = widget_asset("live.js").read_text()
    legend = script[script.index("const legend"):script.index("function show()")]
    assert not re.search(r"#[0-9a-fA-F]{3,6}\b", legend)  # the browser legend comes from the table too
    assert all(colours.reason_colour(key) != table["lanes"]["unknown"] or key in table["lanes"]
               for _, key in table["legend"])
