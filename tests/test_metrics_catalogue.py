"""A metric is one declaration: an incomplete one is refused, and everything reads the same one."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from designkit import sanity
from designkit.errors import InputError
from designkit.metrics.anchors import Anchors, never_applies, zero
from designkit.metrics.catalogue import CATALOGUE, Better, Metric
from designkit.metrics.units import axis_title, metric_label
from designkit.metrics.view import SessionView
from designkit.study.spec import METRICS

ANCHORS = Anchors(oracle=zero, never=zero, always=never_applies)


def _declare(**parts: object) -> Metric:
    whole: dict[str, object] = {"name": "my_metric", "label": "my metric", "unit": "per minute", "scale": "0 and up",
                                "better": Better.LOWER, "anchors": ANCHORS, "compute": lambda s: s.minutes}
    return Metric(**{**whole, **parts})  # type: ignore[arg-type]


@pytest.mark.parametrize("part", ["label", "unit", "scale"])
def test_a_declaration_without_words_is_refused(part: str) -> None:
    with pytest.raises(InputError, match=part):
        _declare(**{part: " "})


def test_a_declaration_without_a_direction_anchors_or_computation_is_refused() -> None:
    with pytest.raises(InputError, match="better"):
        _declare(better="lower")
    with pytest.raises(InputError, match="anchors"):
        _declare(anchors={"oracle": zero, "never": zero, "always": zero})
    with pytest.raises(InputError, match="compute"):
        _declare(compute=None)
    with pytest.raises(TypeError):
        Anchors(oracle=zero, never=zero)  # type: ignore[call-arg]
    with pytest.raises(InputError, match="always"):
        Anchors(oracle=zero, never=zero, always=0.0)  # type: ignore[arg-type]


def test_the_study_names_charts_and_anchors_all_read_the_declaration(monkeypatch: pytest.MonkeyPatch) -> None:
    mine = _declare()
    monkeypatch.setitem(CATALOGUE, mine.name, mine)
    assert axis_title("my_metric") == "my metric (per minute, lower is better)"
    assert metric_label("my_metric") == "my metric"
    assert sanity.anchors_for(["my_metric"])["my_metric"] == ANCHORS.by_agent()
    assert axis_title("not_declared") == metric_label("not_declared") == "not_declared"
    assert set(METRICS) <= set(CATALOGUE)


def test_a_session_row_computes_what_is_declared(monkeypatch: pytest.MonkeyPatch) -> None:
    from designkit.core import Engine
    from designkit.metrics.session import session_metrics
    from designkit.metrics.timeline import timeline_of
    from designkit.metrics.truth import SessionTruth
    from designkit.perception.truth_vad import TruthVAD
    from designkit.policy.anchors import NeverSpeak
    from designkit.testing import scripted_session

    user = [(1.0, 2.0)]
    timeline = timeline_of(Engine([TruthVAD(user)], NeverSpeak()).replay(scripted_session(user, 6.0)))
    truth = SessionTruth.make(duration_s=6.0, user_speech=user)

    def minutes(view: SessionView) -> float:
        return view.minutes

    monkeypatch.setitem(CATALOGUE, "my_metric", _declare(compute=minutes))
    assert session_metrics(timeline, truth, only=["my_metric"]) == {"my_metric": pytest.approx(0.1)}
    # a metric whose input the session lacks is left out of the row, not NaN
    monkeypatch.setitem(CATALOGUE, "my_metric", replace(CATALOGUE["my_metric"], compute=lambda s: None))
    row = session_metrics(timeline, truth)
    assert "my_metric" not in row and "cue_f1" not in row and math.isnan(row["task_success"])
