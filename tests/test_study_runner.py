"""The study runner: parallel, cached by content, resumable, the same on Dask as locally."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from designkit.policy import Policy
from designkit.proposers.simulated import PERFECT, ModelQuality
from designkit.study import Results, ScenarioSet, Study, run
from designkit.study.compare import run_sessions
from designkit.study.prepare import prepare
from designkit.study.runner import CellCache, scenario_truths


@pytest.fixture
def study() -> Study:
    return Study(name="runner", scenarios=(ScenarioSet("dialogue-basic", n=3),),
                 grid={"confidence": [0.4, 0.8]}, qualities={"fair": ModelQuality(), "poor": ModelQuality(miss_rate=0.4)},
                 metrics=("task_success", "attention_cost"))


def cells(root: Path) -> list[Path]:
    return sorted((root / "study").rglob("*.json"))


def test_results_equal_the_metrics_of_each_policy(study: Study, tmp_path: Path) -> None:
    results = run(study, cache_dir=tmp_path, progress=False)
    assert results.computed == 3 * 2 * 2
    truths = scenario_truths(study)
    prepared = [prepare(t, quality=study.quality("poor"), seed=study.seed + i) for _, i, _, _, t in truths]
    expected = run_sessions(study.policies()["confidence=0.8"], prepared)
    got = results.metric("attention_cost").xs("poor", level="quality")["confidence=0.8"].to_numpy()
    np.testing.assert_allclose(got, expected["attention_cost"].to_numpy())
    assert set(results.frame.columns) == {"set", "scenario", "scenario_index", "quality", "repetition", "policy",
                                          "metric", "value"}


def test_rerun_computes_only_what_changed(study: Study, tmp_path: Path) -> None:
    first = run(study, cache_dir=tmp_path, progress=False)
    again = run(study, cache_dir=tmp_path, progress=False)
    assert again.computed == 0
    pd.testing.assert_frame_equal(first.frame, again.frame)
    wider = study.replace(grid=(("confidence", (0.4, 0.8, 0.6)),))
    assert run(wider, cache_dir=tmp_path, progress=False).computed == 3 * 2  # only the new policy


def test_a_killed_run_resumes_and_corrupt_entries_are_recomputed(study: Study, tmp_path: Path) -> None:
    full = run(study, cache_dir=tmp_path, progress=False)
    entries = cells(tmp_path)
    for path in entries[:4]:  # as if the run had been killed before these were written
        path.unlink()
    entries[5].write_text("{\"key\": ")  # half-written
    entries[6].write_text(json.dumps({"key": "someone else", "metrics": {}}))
    resumed = run(study, cache_dir=tmp_path, progress=False)
    assert resumed.computed == 6
    pd.testing.assert_frame_equal(full.frame, resumed.frame)
    assert CellCache(tmp_path / "study").get("0" * 24) is None


def test_process_pool_and_dask_give_the_same_table(study: Study, tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    inline = run(study, workers=1, cache=False, progress=False)
    pooled = run(study, workers=2, cache=False, progress=False)
    pd.testing.assert_frame_equal(inline.frame, pooled.frame)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1") as cluster, Client(cluster) as client:
        on_dask = run(study, executor="dask", client=client, cache=False, progress=False)
    pd.testing.assert_frame_equal(inline.frame, on_dask.frame)


def test_parquet_keeps_the_spec_and_versions(study: Study, tmp_path: Path) -> None:
    results = run(study, cache_dir=tmp_path, progress=False)
    path = results.save(tmp_path / "out" / "results.parquet")
    back = Results.load(path)
    assert back.study == study
    assert back.versions["designkit"] and back.versions["pandas"] == pd.__version__
    pd.testing.assert_frame_equal(back.frame, results.frame)


def test_summary_has_a_ci_per_policy_and_quality(study: Study, tmp_path: Path) -> None:
    summary = run(study, cache_dir=tmp_path, progress=False).summary()
    assert len(summary) == 2 * 2 * 2
    assert (summary["low"] <= summary["mean"]).all() and (summary["mean"] <= summary["high"]).all()
    assert set(summary["n"]) == {3}


def test_unknown_executor_is_refused_before_work(study: Study) -> None:
    from designkit.errors import InputError

    with pytest.raises(InputError, match="dask"):
        run(study, executor="spark")


def test_model_can_propose_at_other_truth_times(tmp_path: Path) -> None:
    study = Study(name="breath", scenarios=(ScenarioSet("breathing-6s", n=2),), metrics=("timespeak_hit_rate",),
                  variants={"model": Policy(style="barge_in")}, qualities={"perfect": PERFECT},
                  model_moments=("targets",))
    hits = run(study, cache_dir=tmp_path, progress=False).metric("timespeak_hit_rate")
    assert (hits["model"] > 0.8).all()
