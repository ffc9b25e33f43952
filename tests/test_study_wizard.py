"""A kept Wizard-of-Oz session in a study: the operator, the policy alone and the model's own
proposals answer the same turn ends, and a table says how fast each was, with n."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from live_comm import dummy_comm
from test_wizard_desk import POLICY, engine, start

from designkit.log import read_log
from designkit.metrics.task_success import turn_end_latencies
from designkit.metrics.timeline import runs, timeline_of
from designkit.study.people.storage import live_session_metrics
from designkit.study.wizard import latency_comparison, proposal_onsets, wizard_latencies
from designkit.widgets import load_session


@pytest.fixture
def comm() -> Iterator[None]:
    with dummy_comm():
        yield


def test_the_models_onsets_are_the_first_microturn_ends_of_its_spoken_proposals() -> None:
    proposed = ["silent", "speak", "speak", "silent", "backchannel", "interrupt", "speak"]
    # runs of speak/interrupt start in microturns 1 and 5: said at their ends, 0.4 s and 1.2 s
    assert proposal_onsets(proposed, 0.2).tolist() == pytest.approx([0.4, 1.2])
    assert proposal_onsets([], 0.2).tolist() == []


def test_a_wizard_session_is_compared_with_its_policy_and_model_on_the_same_turn_ends(comm: None,
                                                                                       tmp_path: Path) -> None:
    session, browser = start(tmp_path, mode="full", palette=("Mm-hm.", "Tell me more."))
    desk = session.desk
    assert desk is not None
    browser.stream(0, 17)  # the person spoke 1-3 s
    desk.receive({"type": "act", "verb": "line", "line": 1})
    browser.stream(17, 60)
    session.close_session()
    frame = read_log(session.path).frame
    user = runs(frame["user_speaking"].to_numpy(dtype=bool), 0.2)
    ends = user[:, 1]

    table = wizard_latencies([session.folder], policy=POLICY)
    wizard = table[table["who"] == "wizard"]["latency_s"].to_numpy()
    # The operator's line was decided in microturn 17 and starts at its end (3.6 s): it answers the
    # first turn end only; the policy said nothing in full wizard mode.
    assert wizard[0] == pytest.approx(3.6 - ends[0]) and np.isnan(wizard[1:]).all()

    # The policy row is what the same policy does alone on that recording: its audio replayed
    # through the participant's engine with every operator event left out.
    recorded = load_session(session.folder)
    alone = engine().replay(replace(recorded, events=tuple(e for e in recorded.events if e.kind != "wizard")))
    said = timeline_of(alone).agent_speech(turns_only=True)[:, 0]
    expected = [(lat[0] if len(lat) else math.nan) for lat in
                (turn_end_latencies(turn_ends=[e], user_speech=user, voiced_onsets=said) for e in ends)]
    policy = table[table["who"] == "policy"]["latency_s"].to_numpy()
    assert np.allclose(policy, expected, equal_nan=True) and not np.isnan(policy).all()

    model = table[table["who"] == "model"]["latency_s"].dropna()
    assert len(model) > 0 and (model >= 0).all()

    summary = latency_comparison(table)
    assert summary.loc["wizard", "answered"] == 1 and summary.loc["wizard", "turn_ends"] == len(ends)
    assert summary.loc["policy", "answered"] == int(np.isfinite(expected).sum())
    click = summary.loc["operator_click"]
    assert click["answered"] == 1 and 0 < click["median_s"] < wizard[0] + 0.2  # the click came before the voice
    # And the kept session is scored like any other.
    assert math.isfinite(live_session_metrics(session.path)["response_latency_s"])
