"""The analysis of a study with people, checked against numbers worked out by hand (and against
pandas/scipy written out plainly in the test)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from designkit.policy import Policy
from designkit.study.people.analysis import (
    MIN_PARTICIPANTS,
    before_markers,
    bootstrap_mean,
    compare,
    item_means,
    order_effect,
    rank_biserial,
    rating_vs_metric,
)
from designkit.study.people.scripted import record_scripted
from designkit.study.people.spec import People, Task
from designkit.study.people.storage import PeopleStore

# Four participants, two conditions; P1 and P3 met A first, P2 and P4 met B first.
A = [2, 3, 1, 6]
B = [6, 4, 4, 4]
RATE_A = [1.0, 2.0, 0.5, 3.0]
RATE_B = [4.0, 2.5, 3.5, 5.0]


def hand_table() -> pd.DataFrame:
    rows = []
    for i, pid in enumerate(["P1", "P2", "P3", "P4"]):
        first = "A" if i % 2 == 0 else "B"
        for condition, values, rates in (("A", A, RATE_A), ("B", B, RATE_B)):
            rows.append({"participant": pid, "condition": condition, "position": 1 if condition == first else 2,
                         "task": "chat", "kind": "item", "item": "interrupted", "instrument": "",
                         "reversed": True, "value": float(values[i]), "text": "",
                         "false_interruptions_per_min": rates[i]})
    return pd.DataFrame(rows)


def test_means_per_condition_are_the_participants_means() -> None:
    means = item_means(hand_table()).set_index("condition")
    assert means.loc["A", "mean"] == 3.0 and means.loc["B", "mean"] == 4.5
    assert (means["n"] == 4).all() and means["reversed"].all()
    assert means.loc["A", "low"] <= 3.0 <= means.loc["A", "high"]
    assert means.loc["A", "low"] >= 1.0 and means.loc["A", "high"] <= 6.0


def test_the_bootstrap_resamples_participants_with_a_fixed_seed() -> None:
    values = np.array([2.0, 3.0, 1.0, 6.0])
    rng = np.random.default_rng(0)
    by_hand = [values[rng.integers(0, 4, size=4)].mean() for _ in range(2000)]
    assert bootstrap_mean(values) == pytest.approx(tuple(np.percentile(by_hand, [2.5, 97.5])))
    assert bootstrap_mean(values) == bootstrap_mean(values)
    assert bootstrap_mean(np.array([4.0, 4.0, 4.0])) == (4.0, 4.0)
    with pytest.raises(ValueError, match="resamples"):
        bootstrap_mean(values, resamples=500)


def test_wilcoxon_and_rank_biserial_by_hand() -> None:
    # d = A - B = -4, -1, -3, +2; ranks of |d|: 4, 1, 3, 2; W+ = 2, W- = 8 -> W = 2;
    # exact two-sided p: P(W <= 2) = 3/16 ({}, {1}, {2}), doubled = 0.375; r = (2 - 8) / 10
    result = compare(hand_table(), "interrupted", "A", "B")
    assert (result.n, result.mean_a, result.mean_b) == (4, 3.0, 4.5)
    assert result.statistic == 2.0
    assert result.p == pytest.approx(6 / 16)
    assert result.rank_biserial == pytest.approx(-0.6)
    assert "too few to claim anything" in result.warning and "W = 2" in result.sentence()


def test_rank_biserial_drops_zero_differences_and_is_one_when_all_agree() -> None:
    assert rank_biserial(np.array([1.0, 2.0, 0.0])) == 1.0
    assert rank_biserial(np.array([0.0, 0.0])) == 0.0


def test_order_effect_by_hand() -> None:
    # first sessions: 2, 4, 1, 4; second: 6, 3, 4, 6; d = -4, +1, -3, -2 -> W+ = 1, W- = 9;
    # p = 2 x 2/16 = 0.25; r = (1 - 9) / 10
    result = order_effect(hand_table(), "interrupted")
    assert (result.mean_a, result.mean_b) == (2.75, 4.75)
    assert result.statistic == 1.0
    assert result.p == pytest.approx(0.25)
    assert result.rank_biserial == pytest.approx(-0.8)


def test_rating_against_metric_is_spearman_over_sessions_with_n() -> None:
    table = hand_table()
    result = rating_vs_metric(table, "interrupted", "false_interruptions_per_min")
    by_hand = spearmanr(table["value"], table["false_interruptions_per_min"])
    assert result.rho == pytest.approx(by_hand.statistic) and result.p == pytest.approx(by_hand.pvalue)
    assert (result.n_sessions, result.n_participants) == (8, 4)
    assert "only 4 participants" in result.sentence()


def test_enough_participants_drop_the_warning() -> None:
    rows = [{"participant": f"P{i}", "condition": c, "position": 1 + (c == "B") ^ (i % 2), "task": "chat",
             "kind": "item", "item": "attentive", "instrument": "", "reversed": False,
             "value": float(3 + (c == "B") + i % 3), "text": ""}
            for i in range(MIN_PARTICIPANTS) for c in ("A", "B")]
    assert compare(pd.DataFrame(rows), "attentive", "A", "B").warning == ""


def test_each_marker_shows_what_the_agent_did_in_the_3_s_before(tmp_path) -> None:
    people = People(conditions=("calm", "eager"), tasks=(Task("chat", "Talk.", 8.0),))
    store = PeopleStore(tmp_path, people)
    folder = store.session("P01", "eager", "chat")
    path = record_scripted(folder, Policy(style="barge_in"), user=[(0.4, 2.2), (3.4, 5.0)], duration_s=8.0,
                           markers=[(3.0, "it spoke over me"), (0.3, "")])
    markers = before_markers([(folder, 1)])
    assert markers["note"].tolist() == ["", "it spoke over me"]
    early, late = markers.iloc[0], markers.iloc[1]
    assert early["action"] == "" and "did nothing" in early["said"]
    frame = pd.read_parquet(path)
    # by hand: rows whose decision takes effect in (0 s, 3.0 s] (a decision of microturn k at
    # (k + 1) x 0.2 s), acting or holding back a proposal
    window = frame[((frame["index"] + 1) * 0.2 <= 3.0 + 1e-9) & ((frame["index"] + 1) * 0.2 > 0.0)]
    acted = window[(~window["action"].isin(["silent", "continue"])) | (window["proposal_action"] != "silent")]
    last = acted.iloc[-1]
    assert late["action"] == last["action"] and late["reason"] == last["reason"]
    assert late["seconds_before"] == pytest.approx(3.0 - (last["index"] + 1) * 0.2)
    assert "reason:" in late["said"] and "confidence" in late["said"]
    assert len(late["decisions"]) == len(acted)
