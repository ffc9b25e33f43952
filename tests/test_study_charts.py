"""Study charts: each is a valid Vega-Lite spec drawn from the numbers, exported offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from designkit.core.engine import Engine
from designkit.log import replay_to_log
from designkit.metrics.session import SessionTruth
from designkit.perception.truth_vad import TruthVAD
from designkit.policy import Policy, TimeSpeak
from designkit.proposers.simulated import ModelQuality, SimulatedProposer
from designkit.study import ScenarioSet, Study, charts, run
from designkit.study.prepare import moments_of
from designkit.testing import scripted_session


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    study = Study(name="charts", scenarios=(ScenarioSet("dialogue-basic", n=3),),
                  grid={"confidence": [0.3, 0.6, 0.9]},
                  qualities={"good": ModelQuality(miss_rate=0.05), "poor": ModelQuality(miss_rate=0.4)},
                  metrics=("task_success", "attention_cost"))
    return run(study, cache_dir=tmp_path_factory.mktemp("cache"), progress=False)


def values(spec: dict, name: str | None = None) -> list[dict]:  # type: ignore[type-arg]
    data = spec.get("datasets", {})
    return next(iter(data.values())) if name is None else data[name]


def test_comparison_shows_each_policy_with_its_interval(results) -> None:  # type: ignore[no-untyped-def]
    summary = results.summary()
    spec = charts.comparison(summary, "task_success").to_dict()
    rows = values(spec)
    assert {r["policy"] for r in rows} == {"confidence=0.3", "confidence=0.6", "confidence=0.9"}
    assert all(r["low"] <= r["mean"] <= r["high"] for r in rows)
    with pytest.raises(Exception, match="task_success"):
        charts.comparison(summary, "nonsense")


def test_tradeoff_pairs_x_and_y_of_the_same_policy(results) -> None:  # type: ignore[no-untyped-def]
    summary = results.summary()
    rows = values(charts.tradeoff(summary).to_dict())
    assert len(rows) == 6
    one = next(r for r in rows if r["policy"] == "confidence=0.9" and r["quality"] == "poor")
    means = summary.set_index(["quality", "policy", "metric"])["mean"]
    assert one["x"] == pytest.approx(means[("poor", "confidence=0.9", "attention_cost")])
    assert one["y"] == pytest.approx(means[("poor", "confidence=0.9", "task_success")])


def test_silence_breakdown_and_distributions(results) -> None:  # type: ignore[no-untyped-def]
    rows = values(charts.silence_breakdown(results).to_dict())
    assert rows and all(r["reason"].startswith("silent:") and r["value"] > 0 for r in rows)
    assert values(charts.distribution(results, "attention_cost").to_dict())


def test_timespeak_errors_per_session() -> None:
    study = Study(name="ts", scenarios=(ScenarioSet("breathing-6s", n=2),), metrics=("timespeak_mae_s",),
                  variants={"schedule": Policy(initiative=0.0, schedules=(TimeSpeak(every_s=6.0, start_s=2.5),))})
    spec = charts.timespeak_errors(run(study, cache=False, progress=False)).to_dict()
    assert len(values(spec)) == 2


def test_timeline_with_cues_and_targets_and_static_export(tmp_path: Path) -> None:
    user = [(1.0, 3.0), (4.0, 6.5)]
    truth = SessionTruth.make(duration_s=8.0, user_speech=user, respond_at=[3.0, 6.5], targets=[2.0], cues=[5.0])
    engine = Engine([TruthVAD(user)], Policy(style="barge_in"),
                    proposer=SimulatedProposer(moments_of(truth), duration_s=8.0, seed=1))
    log = replay_to_log(engine, scripted_session(user, 8.0))
    chart = charts.timeline_with_truth(log, truth)
    marks = charts.truth_marks(truth)
    assert sorted(marks["label"]) == ["cue:cue", "target", "turn end", "turn end"]
    png = charts.save(chart, tmp_path / "timeline.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = charts.save(chart, tmp_path / "timeline.svg").read_text()
    assert "<svg" in svg and "decision" in svg
    with pytest.raises(Exception, match="png"):
        charts.save(chart, tmp_path / "timeline.gif")
