"""Full-Duplex-Bench v1/v1.5 scoring: the reference evaluation's numbers on hand-made examples.

The expected numbers follow the reference scripts (DanielLin94144/Full-Duplex-Bench,
v1_v1.5/evaluation) by hand; each folder fixture under tests/fixtures/metrics/fdb was also
scored with those scripts, which printed the same aggregates.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from designkit.cli import main
from designkit.metrics.fdbench import evaluate_folder, infer_task, vad_segments
from designkit.metrics.fdbench.tasks import (
    FDBExample,
    fdb15_timing,
    fdb_aggregate,
    fdb_backchannel,
    fdb_pause_handling,
    fdb_smooth_turn_taking,
    fdb_takeover,
    fdb_user_interruption,
    words_after,
)

FIXTURES = Path(__file__).parent / "fixtures" / "metrics" / "fdb"


@pytest.mark.parametrize(("words", "tor"), [
    ([], 0.0),
    ([(1.0, 1.5), (1.5, 1.9)], 0.0),  # 0.9 s, 2 words
    ([(1.0, 1.2), (1.2, 1.4), (1.4, 1.6), (1.6, 1.8)], 1.0),  # short but 4 words
    ([(1.0, 1.5), (1.5, 2.0)], 1.0),  # exactly 1.0 s counts as a takeover
    ([("so", 1.0, 1.5), ("yes", 1.5, None)], 0.0),  # null end: its start, 0.5 s
])
def test_takeover_rule(words: list[tuple[float, float | None]], tor: float) -> None:
    assert fdb_takeover(words=words) == tor


def test_null_end_is_a_start_for_pause_handling_and_a_crash_elsewhere() -> None:
    words = [(2.0, 2.5), (2.6, 3.0), (3.0, None)]
    assert fdb_pause_handling(words=words).tor == 1.0  # 3.0 - 2.0 = 1.0 s
    assert math.isnan(fdb_smooth_turn_taking(words=words, turn_start=1.0).tor)
    assert math.isnan(fdb_aggregate([FDBExample(1.0, 0.2), FDBExample(math.nan)])["tor"])


def test_latency_is_from_the_annotation_and_clipped_only_in_the_mean() -> None:
    late = fdb_smooth_turn_taking(words=[(5.5, 5.9), (5.9, 6.2), (6.2, 6.4), (6.4, 6.8)], turn_start=5.0)
    early = fdb_smooth_turn_taking(words=[(2.0, 2.2), (2.2, 2.5), (2.5, 3.1)], turn_start=2.5)
    quiet = fdb_smooth_turn_taking(words=[(7.0, 7.3)], turn_start=6.0)
    assert (late.tor, late.latency) == (1.0, 0.5)
    assert early.tor == 1.0 and early.latency == pytest.approx(-0.5)
    assert (quiet.tor, quiet.latency) == (0.0, None)
    assert fdb_aggregate([late, early, quiet]) == {"tor": pytest.approx(2 / 3), "latency": 0.25}
    assert math.isnan(fdb_aggregate([quiet])["latency"])  # the reference divides by zero
    answer = fdb_user_interruption(words=[(14.0, 14.4), (14.5, 15.0), (15.0, 15.2), (15.2, 15.4)], interrupt_end=13.0)
    assert (answer.tor, answer.latency) == (1.0, 1.0)
    assert words_after([(12.0, 12.5), (13.2, 13.5)], 13.0) == [(13.2, 13.5)]


def _jsd_by_hand(bins: np.ndarray, reference: list[float]) -> float:
    p = (bins + 1e-10) / np.sum(bins + 1e-10)
    q = np.interp(np.linspace(0, 1, len(p)), np.linspace(0, 1, len(reference)), reference)
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / 2

    def kl(a: np.ndarray, b: np.ndarray) -> float:
        keep = a > 0
        return float(np.sum(a[keep] * np.log(a[keep] / b[keep])))

    return math.sqrt((kl(p, m) + kl(q, m)) / 2)


WORDS = [("yeah", 0.85, 1.15), ("mm", 2.65, 2.9), ("hmm", 2.9, 3.25), ("right", 4.45, 4.85)]
SEGMENTS = [(0.8, 1.2), (2.6, 3.3), (4.4, 4.9)]
CURVE = json.loads((FIXTURES / "backchannel" / "icc_gt_distribution.json").read_text())["0"]


def test_backchannel_scores_by_hand() -> None:
    r = fdb_backchannel(segments=SEGMENTS, words=WORDS, duration_s=6.0, reference=CURVE)
    assert (r.tor, r.frequency, len(r.backchannels)) == (0.0, 0.5, 3)
    # 0.2 s bins of a 6 s output: int(6.0 / 0.2) + 1 = 31; each segment fills int(start / 0.2) to
    # int(end / 0.2): bins 4-5 (1.2 / 0.2 is 5.999... in floats), 13-16 and 22-24.
    bins = np.zeros(31)
    bins[[4, 5, 13, 14, 15, 16, 22, 23, 24]] = 1
    assert r.jsd == pytest.approx(_jsd_by_hand(bins, CURVE), abs=1e-12)


def test_backchannel_rules() -> None:
    # A segment over 3 s is a turn: TOR 1 and the scan stops (the long one is not a backchannel).
    long = fdb_backchannel(segments=[(0.5, 0.9), (1.8, 6.8), (7.0, 7.3)], words=[], duration_s=8.0)
    assert (long.tor, long.backchannels, long.frequency) == (1.0, ((0.5, 0.9),), 1 / 8)
    # The last segment decides: three words in a short segment is a turn.
    last = fdb_backchannel(segments=[(0.5, 0.9), (2.0, 2.8)], duration_s=4.0,
                           words=[(0.5, 0.8), (2.0, 2.2), (2.2, 2.5), (2.5, 2.7)])
    assert last.tor == 1.0
    nothing = fdb_backchannel(segments=[], words=[], duration_s=4.0)
    assert (nothing.tor, nothing.frequency, nothing.jsd) == (0.0, 0.0, 1.0)
    # A word with a null end is skipped when it starts before the segment's end.
    assert fdb_backchannel(segments=[(1.0, 1.5)], words=[(1.1, None)] * 3, duration_s=3.0).tor == 0.0


def test_v15_timing_merges_then_pairs_overlaps_and_gaps() -> None:
    out = fdb15_timing(user_segments=[(1.0, 3.0), (3.5, 5.0), (8.0, 9.0)],
                       model_segments=[(2.0, 4.0), (4.3, 6.0), (9.5, 10.0)])
    assert out == {"latency_stop_list": [[2.0, 5.0]], "latency_resp_list": [[9.0, 9.5]]}


def test_tasks_are_inferred_from_annotation_files() -> None:
    assert infer_task(FIXTURES / "pause" / "1") == "pause_handling"
    assert infer_task(FIXTURES / "smooth" / "1") == "smooth_turn_taking"
    assert infer_task(FIXTURES / "interrupt" / "1") == "user_interruption"
    assert infer_task(FIXTURES / "backchannel" / "0") == "backchannel"


@pytest.mark.parametrize(("folder", "aggregate"), [
    ("pause", {"aggregate": "pause_handling", "examples": 4, "tor": 0.5}),
    ("smooth", {"aggregate": "smooth_turn_taking", "examples": 3, "tor": pytest.approx(2 / 3), "latency": 0.25}),
    ("interrupt", {"aggregate": "user_interruption", "examples": 2, "tor": 0.5, "latency": 1.0}),
])
def test_folders_score_as_the_reference_evaluation(folder: str, aggregate: dict[str, object]) -> None:
    lines = list(evaluate_folder(FIXTURES / folder))
    assert lines[-1] == aggregate
    assert [line["example"] for line in lines[:-1]] == sorted(p.name for p in (FIXTURES / folder).iterdir())


def test_backchannel_folder_uses_silero_segments_of_output_wav() -> None:
    import soundfile

    audio, _ = soundfile.read(FIXTURES / "backchannel" / "0" / "output.wav", dtype="float32")
    assert vad_segments(audio) == SEGMENTS
    example, aggregate = evaluate_folder(FIXTURES / "backchannel")
    assert example == {"example": "0", "task": "backchannel", "tor": 0, "latency": None, "frequency": 0.5,
                       "jsd": pytest.approx(0.5963941987338243, abs=1e-12)}
    assert aggregate["tor"] == 0.0 and aggregate["jsd"] == pytest.approx(0.5963941987338243, abs=1e-12)


def test_cli_prints_one_json_object_per_example_then_aggregates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(FIXTURES / "smooth"), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == {"example": "1", "task": "smooth_turn_taking", "tor": 1, "latency": 0.5}
    assert lines[2] == {"example": "3", "task": "smooth_turn_taking", "tor": 0, "latency": None}
    assert lines[-1]["aggregate"] == "smooth_turn_taking" and lines[-1]["latency"] == 0.25


def test_cli_rejects_a_missing_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(FIXTURES / "nowhere")]) == 2
    assert "expected" in capsys.readouterr().err
