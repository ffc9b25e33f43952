"""From a point to the session: a study session replayed as scored, its timeline and audio, an A/B
of two policies on it, and the board's selections (Python reads what the chart selects)."""

from __future__ import annotations

import io
import wave

import numpy as np
import pandas as pd
import pytest

from designkit.errors import InputError
from designkit.study import ScenarioSet, Study, run
from designkit.study.board import StudyBoard
from designkit.study.sessions import SessionRun, ab_timeline, differences, lanes, session_run, utterances


@pytest.fixture(scope="module")
def study() -> Study:
    return Study(name="ab", scenarios=(ScenarioSet("dialogue-basic", n=2),),
                 grid={"context": ["focused", "do_not_disturb"]}, metrics=("task_success", "attention_cost"))


def frame(agent: list[bool], actions: list[str], content: list[str]) -> pd.DataFrame:
    n = len(agent)
    return pd.DataFrame({"t": np.arange(n) * 0.2, "user": [False] * n, "agent": agent, "action": actions,
                         "reason": ["x"] * n, "confidence": [0.0] * n, "content": content, "proposed": [""] * n})


def test_utterances_take_the_words_of_the_decision_that_started_them() -> None:
    f = frame([False, True, True, False, True], ["speak", "continue", "yield", "backchannel", "continue"],
              ["hello there", "", "", "", ""])
    assert utterances(f, 0.2) == [(0.2, pytest.approx(0.6), "hello there"), (pytest.approx(0.8), 1.0, "mm-hm")]


def test_a_session_replays_as_the_study_scored_it(study: Study) -> None:
    results = run(study, progress=False)
    scored = results.wide()
    row = scored[scored["policy"] == "context=focused"].iloc[0]
    a = session_run(study, scenario=row["scenario"], policy="context=focused")
    from designkit.metrics.session import session_metrics
    from designkit.metrics.timeline import timeline_of
    from designkit.study.prepare import Preparation, prepare_truth

    assert a.duration_s == pytest.approx(60.0)
    assert a.frame["agent"].any() and a.frame["user"].any()
    prepared = prepare_truth(study.scenarios[0].load()[0].truth, Preparation.of(study), seed=study.seed)
    metrics = session_metrics(timeline_of(prepared.run(study.policies()["context=focused"])), prepared.truth)
    assert metrics["task_success"] == pytest.approx(row["task_success"])
    # The audio a person hears: the user's voice plus the agent's where it spoke, as a WAV.
    mixed = a.mixed()
    voice = a.agent_voice()
    assert mixed.size == a.audio.size and np.abs(voice).max() > 0.05
    speaking = np.repeat(a.frame["agent"].to_numpy(), 3200)[: voice.size]
    assert np.abs(voice[~speaking]).max() == 0.0  # never heard where the log says it was silent
    with wave.open(io.BytesIO(a.wav())) as handle:
        assert handle.getframerate() == 16_000 and handle.getnframes() == mixed.size


def test_ab_marks_the_microturns_that_decided_differently(study: Study) -> None:
    a = session_run(study, scenario=0, policy="context=focused")
    b = session_run(study, scenario=0, policy="context=do_not_disturb")
    changed = differences(a, b)
    assert len(changed) > 0
    assert (changed["reason_b"] == "silent:quiet_mode").any()
    assert not ((changed["action_a"] == changed["action_b"]) & (changed["reason_a"] == changed["reason_b"])).any()
    assert differences(a, a).empty
    spec = ab_timeline(a, b).to_dict()
    assert len(spec["vconcat"]) == 2
    rows = lanes(a)
    assert {"user", "agent", "decision"} <= set(rows["lane"])
    with pytest.raises(InputError, match="policy variant"):
        session_run(study, scenario=0, policy="nope")
    short = SessionRun("s", "p", "q", 0.2, a.frame.iloc[:10])
    with pytest.raises(InputError, match="same session"):
        differences(a, short)


def test_the_board_reads_the_charts_selections(study: Study) -> None:
    board = StudyBoard(study, run(study, progress=False))
    assert board.widget is not None
    everyone = len(board.rows)
    # A brush as Vega-Lite reports it: the table and the per-policy chart follow.
    board._sessions._vl_selections = {"brush": {"value": {"attention_cost": [0.0, 0.01]}, "store": []},
                                      "pick": {"value": None, "store": []}}
    assert 0 < len(board.brushed) < everyone
    assert (board.brushed["attention_cost"] <= 0.01).all()
    assert f"{len(board.brushed)} sessions selected" in board._table.value
    assert f"of the {len(board.brushed)} selected sessions" in board._means.chart.to_dict()["title"]
    # A click on a point opens that session against the other policy and loads both players.
    row = board.rows.iloc[0]
    point = {"scenario": row["scenario"], "policy": row["policy"], "quality": row["quality"], "repetition": 0}
    board._sessions._vl_selections = {"brush": {"value": {}, "store": []},
                                      "pick": {"value": {"vlPoint": {"or": [point]}}, "store": []}}
    a, b = board.opened
    assert a.scenario == row["scenario"] and a.policy == row["policy"] and b.policy != a.policy
    assert "What changed" in board._changes.value
    players = board._audio.children[0].children
    assert players[0].children[1].value[:4] == b"RIFF"


def test_a_static_report_shows_the_board_as_charts(study: Study, monkeypatch: pytest.MonkeyPatch) -> None:
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.setenv("DESIGNKIT_STATIC_CHARTS", "1")
    shown: list[object] = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **_: shown.extend(objs))
    InteractiveShell.instance()
    StudyBoard(study, run(study, progress=False))._ipython_display_()
    # one under the other: side by side with their legends they were wider than a laptop's screen
    assert len(shown) == 2 and all(hasattr(chart, "to_dict") for chart in shown)


def test_the_board_names_conditions_and_missing_values_in_words(study: Study) -> None:
    board = StudyBoard(study, run(study, progress=False))
    assert board.widget is not None
    labels = [label for label, _ in board._compare.options]
    assert all("=" not in label for label in labels), labels  # "do not disturb", not context=do_not_disturb
    rows = board.rows.copy()
    rows.loc[rows.index[0], board.x] = float("nan")
    table = board.table_html(rows)
    assert "NaN" not in table and "nan" not in table
