"""The one colour table: each decision reason, each timeline lane, and the live legend.

It lives in `widgets/colours.json` (shipped in the wheel) so the Python charts (`study.charts`)
and the browser's live timeline (`widgets/live.js`, which gets the table from
`designkit.widgets.live`) draw a reason in the same colour.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from designkit.assets import widget_asset
from designkit.core.decisions import Reason

TABLE = "colours.json"


@lru_cache(maxsize=1)
def colour_table() -> dict[str, Any]:
    """The whole table: `reasons` (reason -> colour), `lanes` (lane -> colour), `legend`
    ([label, lane] pairs the live widget always shows) and `labels` (reason -> its plain label,
    `Reason.label`): the live legend adds each reason, by its label, once it occurs."""
    table: dict[str, Any] = json.loads(widget_asset(TABLE).read_text(encoding="utf-8"))
    table["labels"] = {r.value: r.label for r in Reason}
    return table


def reason_colour(reason: Reason | str) -> str:
    """The colour of a decision with this reason (grey for one the table does not know)."""
    value = reason.value if isinstance(reason, Reason) else str(reason)
    return str(colour_table()["reasons"].get(value, colour_table()["lanes"]["unknown"]))


def reason_colours() -> dict[str, str]:
    """Every reason's colour."""
    return {r.value: reason_colour(r) for r in Reason}


def lane_colour(lane: str) -> str:
    """The colour of a timeline lane: user speech, agent speech, speaking, cue, event."""
    return str(colour_table()["lanes"][lane])
