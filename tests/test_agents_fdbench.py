"""Full-Duplex-Bench-layout inputs made by the kit, and a runner that scores any full-duplex system."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from designkit.agents.fdbench import FullDuplexSystem, KitAgent, Reply, run_folder, score_folder
from designkit.audio.wav import read_wav
from designkit.scenarios.fdbench_layout import TASKS, write_examples


def test_examples_are_laid_out_as_the_benchmark_reads_them(tmp_path: Path) -> None:
    folders = write_examples(tmp_path, n=1)
    assert [f.parent.name for f in folders] == list(TASKS)
    files = {f.parent.name: sorted(p.name for p in f.iterdir()) for f in folders}
    assert files["pause_handling"] == ["input.wav", "pause.json"]
    assert files["smooth_turn_taking"] == ["input.wav", "turn_taking.json"]
    assert files["user_interruption"] == ["input.wav", "interrupt.json"]
    assert files["backchannel"] == ["input.wav"]
    smooth = folders[1]
    end, stop = json.loads((smooth / "turn_taking.json").read_text())[0]["timestamp"]
    audio = read_wav(smooth / "input.wav")
    assert audio.size / 16000 == pytest.approx(stop, abs=0.01)
    assert np.abs(audio[round((end + 0.05) * 16000) :]).max() == 0.0  # silence after the turn end


class Scripted:
    """Says four words 0.3 s after the end of the user's last speech, whatever the task."""

    name = "scripted"

    def respond(self, user_audio: np.ndarray) -> Reply:
        loud = np.flatnonzero(np.abs(user_audio) > 1e-3)
        t = loud[-1] / 16000 + 0.3
        words = tuple((w, round(t + 0.3 * i, 3), round(t + 0.3 * i + 0.25, 3)) for i, w in enumerate(["all", "right", "go", "on"]))
        return Reply(np.zeros_like(user_audio), words)


def test_any_system_is_run_and_scored_the_benchmark_way(tmp_path: Path) -> None:
    assert isinstance(Scripted(), FullDuplexSystem)
    write_examples(tmp_path, tasks=("smooth_turn_taking", "pause_handling"), n=2)
    run_folder(Scripted(), tmp_path)
    out = json.loads((tmp_path / "smooth_turn_taking" / "smooth_turn_taking-000" / "output.json").read_text())
    assert [c["text"] for c in out["chunks"]] == ["all", "right", "go", "on"]
    scores = score_folder(tmp_path)
    # It answers 0.3 s after every turn end (TOR 1) and, in pause examples, only after the audio ends
    # (the input stops 0.3 s after the last word, so its words fall past the end but still count: TOR 1).
    assert scores["smooth_turn_taking"]["tor"] == 1.0
    assert scores["smooth_turn_taking"]["latency"] == pytest.approx(0.3, abs=0.01)
    assert scores["pause_handling"]["tor"] == 1.0


@pytest.mark.models
def test_the_kit_agent_takes_the_turn_after_the_user_and_stays_out_of_pauses(tmp_path: Path) -> None:
    write_examples(tmp_path, tasks=("smooth_turn_taking",), n=1)
    agent = KitAgent()
    reply = agent.respond(read_wav(tmp_path / "smooth_turn_taking" / "smooth_turn_taking-000" / "input.wav"))
    end = json.loads((tmp_path / "smooth_turn_taking" / "smooth_turn_taking-000" / "turn_taking.json").read_text())
    assert reply.words and reply.words[0][1] > end[0]["timestamp"][0]
    assert np.abs(reply.audio).max() > 0.01
