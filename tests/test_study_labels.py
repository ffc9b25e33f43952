"""What a study's tables and charts call things: plain words from the declarations, never codes."""

from __future__ import annotations

import math

import pandas as pd

from designkit.study.labels import cell_text, results_table, variant_label


def test_a_grid_variant_reads_in_the_knobs_own_words() -> None:
    assert variant_label("style=barge_in, confidence=0.5") == "may interrupt, confidence threshold 0.5"
    assert variant_label("context=do_not_disturb, style=wait_for_pause") == "do not disturb, waits for a pause"
    assert variant_label("calm and quiet") == "calm and quiet"  # a name a person gave stays


def test_a_missing_mean_is_said_in_words() -> None:
    assert cell_text("response_latency_s", math.nan, math.nan, math.nan) == "never answered aloud"
    assert cell_text("attention_cost", 5.4, 4.12, 6.75) == "5.40 [4.12, 6.75]"
    assert "nan" not in cell_text("some_new_metric", math.nan, math.nan, math.nan)


def test_the_results_table_has_no_codes_and_no_nan() -> None:
    summary = pd.DataFrame({
        "quality": ["default"] * 4, "policy": ["context=focused"] * 2 + ["context=public"] * 2,
        "metric": ["response_latency_s", "task_success"] * 2,
        "mean": [0.6, 0.8, math.nan, 0.7], "low": [0.5, 0.7, math.nan, 0.6], "high": [0.7, 0.9, math.nan, 0.8]})
    table = results_table(summary)
    assert list(table.columns) == ["time to answer", "turns answered"]
    assert list(table.index) == ["focused", "in public"] and table.index.name == "condition"
    assert table.loc["in public", "time to answer"] == "never answered aloud"
    assert "nan" not in table.to_string() and "=" not in table.to_string()


def test_every_full_duplex_bench_score_has_plain_words() -> None:
    from designkit.agents.fdbench import PUBLISHED
    from designkit.metrics.fdbench import TASKS
    from designkit.metrics.fdbench.labels import LABELS
    from designkit.metrics.units import metric_label

    assert {f"{task}:{measure}" for _, task, measure, _ in PUBLISHED} <= set(LABELS)
    assert {code.partition(":")[0] for code in LABELS} == set(TASKS)
    assert metric_label("smooth_turn_taking:latency") == "time to take the turn (seconds)"
    assert all(":" not in metric_label(code) and "_" not in metric_label(code) for code in LABELS)
    assert len(set(LABELS.values())) == len(LABELS)
