"""Scoring the turn-taking model on recordings: WAV + annotations in, the model card's table out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from designkit.audio.wav import write_wav
from designkit.cli import main
from designkit.errors import InputError
from designkit.perception.audio.turn_taking import load_net
from designkit.scenarios import Scenario, ScenarioSpec, generate, save_scenario
from designkit.scenarios.recorded import import_recording, write_labels
from designkit.training import dialogues as data
from designkit.training import model_card as card

REPO_MODEL = Path(__file__).resolve().parents[1] / "models" / "vap"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return generate(ScenarioSpec("dialogue", 7, {"duration_s": 30.0, "voice": "en+f3", "snr_db": 20.0}))


@pytest.fixture
def recording(scenario: Scenario, tmp_path: Path) -> Path:
    """A folder as `designkit scenarios generate --out DIR --labels txt` writes it."""
    folder = save_scenario(scenario, tmp_path / "rec")
    write_labels(scenario.truth, folder / "labels.txt")
    (folder / "truth.json").unlink()  # the labels alone must carry the truth
    return folder


@pytest.mark.parametrize("suffix", [".csv", ".txt"])
def test_written_labels_import_back_as_the_same_truth(scenario: Scenario, tmp_path: Path, suffix: str) -> None:
    wav = write_wav(tmp_path / "take.wav", scenario.audio)
    labels = write_labels(scenario.truth, tmp_path / f"take{suffix}")
    truth = import_recording(wav, labels).truth
    original = scenario.truth
    assert truth.turn_ends == pytest.approx(original.turn_ends, abs=1e-6)
    assert truth.backchannel_opportunities == pytest.approx(original.backchannel_opportunities, abs=1e-6)
    assert [h for pair in truth.holds for h in pair] == pytest.approx([h for p in original.holds for h in p], abs=1e-6)
    assert [t for s in truth.user_speech for t in (s.start, s.end)] == pytest.approx(
        [t for s in original.user_speech for t in (s.start, s.end)], abs=1e-6)
    assert [s.text for s in truth.user_speech] == [" ".join(s.text.split()) for s in original.user_speech]
    assert [c.kind for c in truth.cues] == [c.kind for c in original.cues]
    assert [n.kind for n in truth.noises] == [n.kind for n in original.noises]


def test_an_imported_recording_has_the_pauses_of_the_dialogue_it_came_from(scenario: Scenario,
                                                                              recording: Path) -> None:
    (imported,) = data.load_recordings([recording])
    expected = data.truth_of(scenario.truth).pauses
    assert [p.shift for p in imported.truth.pauses] == [p.shift for p in expected]
    assert [p.start for p in imported.truth.pauses] == pytest.approx([p.start for p in expected], abs=1e-6)
    assert imported.audio.size == scenario.audio.size


def test_the_command_prints_the_same_table_the_library_computes(recording: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "evaluate", str(recording), "--no-smart-turn", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = card.evaluate(load_net(), data.load_recordings([recording]), smart_turn=False)
    assert printed["methods"] == expected["methods"]
    assert printed["dialogues"] == 1
    own = printed["methods"][card.OWN]
    assert 0.0 <= own["balanced_accuracy"] <= 1.0 and own["shifts"] + own["holds"] > 0
    assert "timeout 0.8 s" in printed["methods"] and "Silero + timeout 0.5 s" in printed["methods"]


def _without_imported(text: str) -> str:
    if card.IMPORTED_HEADING not in text:
        return text
    return text[: text.index(card.IMPORTED_HEADING)] + text[text.index("## Limits") :]


def test_card_gets_one_imported_section_however_often_it_is_written(recording: Path, tmp_path: Path) -> None:
    model = shutil.copytree(REPO_MODEL, tmp_path / "vap")
    before = _without_imported((model / "MODEL_CARD.md").read_text())
    (model / "MODEL_CARD.md").write_text(before)  # first added before Limits, then replaced
    for source in ("first take", "second take"):
        assert main(["model", "evaluate", str(recording), "--no-smart-turn", "--card", str(model),
                     "--source", source]) == 0
    after = (model / "MODEL_CARD.md").read_text()
    assert after.count(card.IMPORTED_HEADING) == 1 and "second take" in after and "first take" not in after
    assert after.index(card.IMPORTED_HEADING) < after.index("## Limits")
    assert _without_imported(after) == _without_imported(before)  # the rest of the card is untouched
    evaluation = json.loads((model / "evaluation.json").read_text())
    assert evaluation["imported"]["source"] == "second take"
    assert evaluation["imported"]["table"]["dialogues"] == 1


def test_a_recording_without_annotations_is_refused_naming_what_to_add(recording: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    (recording / "labels.txt").unlink()
    assert main(["model", "evaluate", str(recording)]) == 2
    assert "annotations beside it" in capsys.readouterr().err


def test_a_recording_without_labelled_pauses_is_refused(recording: Path) -> None:
    labels = recording / "labels.txt"
    labels.write_text("".join(line + "\n" for line in labels.read_text().splitlines() if "\tuser" in line))
    with pytest.raises(InputError, match="turn_end"):
        data.load_recordings([recording])


def test_generated_sets_can_be_written_as_recordings_to_score(tmp_path: Path) -> None:
    assert main(["scenarios", "generate", "dialogue-basic", "-n", "1", "--out", str(tmp_path), "--labels", "csv"]) == 0
    (folder,) = tmp_path.iterdir()
    assert (folder / "labels.csv").read_text().startswith("start,end,label\n")
    (dialogue,) = data.load_recordings([folder])
    assert dialogue.truth.pauses and dialogue.name == folder.name
    assert main(["scenarios", "generate", "dialogue-basic", "-n", "1", "--labels", "csv"]) == 2  # needs --out
