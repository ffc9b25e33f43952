"""Upgrades keep a designer's work: `designkit lab`'s copy of the notebooks is never overwritten where the
designer edited it; the kit's new version lands beside it, and the command says which files changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from designkit import __version__
from designkit.commands import lab
from designkit.commands.notebook_copy import MANIFEST, sync

LIVE = "notebooks/01-live-microturns.ipynb"
START = "notebooks/00-start-here.ipynb"


@pytest.fixture
def kit(tmp_path: Path) -> Path:
    """The kit's packaged notebooks, studies and docs, as a folder an upgrade can change."""
    source = lab.packaged_material()
    assert source is not None
    folder = tmp_path / "kit"
    for top in ("notebooks", "studies", "docs"):
        shutil.copytree(source / top, folder / top, ignore=shutil.ignore_patterns("published", "results.parquet"))
    return folder


def upgrade_the_kit(kit: Path, rel: str, text: str) -> None:
    notebook = json.loads((kit / rel).read_text())
    notebook["cells"].append({"cell_type": "markdown", "metadata": {}, "source": [text]})
    (kit / rel).write_text(json.dumps(notebook))


def test_the_first_copy_records_the_version_and_every_file(kit: Path, tmp_path: Path) -> None:
    mine = tmp_path / "designkit-notebooks"
    first = sync(mine, kit, version="0.2.0")
    manifest = json.loads((mine / MANIFEST).read_text())
    assert manifest["version"] == "0.2.0"
    assert set(manifest["files"]) == set(first.copied) and LIVE in manifest["files"]
    assert (mine / LIVE).read_bytes() == (kit / LIVE).read_bytes()
    assert first.summary().startswith("copied the notebooks, studies and docs")


def test_an_upgrade_keeps_the_edited_notebook_and_puts_the_new_one_beside_it(kit: Path, tmp_path: Path) -> None:
    mine = tmp_path / "designkit-notebooks"
    sync(mine, kit, version="0.2.0")
    (mine / LIVE).write_text((mine / LIVE).read_text().replace("microturn", "MY microturn"))
    edited = (mine / LIVE).read_bytes()
    upgrade_the_kit(kit, LIVE, "New in 0.3.0: a better slider.")
    upgrade_the_kit(kit, START, "New in 0.3.0: a shorter start.")

    upgrade = sync(mine, kit, version="0.3.0")

    assert (mine / LIVE).read_bytes() == edited  # the designer's work is untouched
    beside = mine / "notebooks" / "01-live-microturns.new-0.3.0.ipynb"
    assert beside.read_bytes() == (kit / LIVE).read_bytes()
    assert (mine / START).read_bytes() == (kit / START).read_bytes()  # never edited: updated in place
    assert upgrade.beside == ((LIVE, "notebooks/01-live-microturns.new-0.3.0.ipynb"),)
    assert upgrade.updated == (START,)
    message = upgrade.summary()
    assert "0.2.0 → 0.3.0" in message and "01-live-microturns.new-0.3.0.ipynb" in message
    assert f"updated (you had not edited it): {START}" in message
    # the next launch of the same version has nothing to say and writes nothing
    beside.unlink()
    assert sync(mine, kit, version="0.3.0").summary() == "" and not beside.exists()


def test_a_file_new_in_the_kit_is_added_and_said(kit: Path, tmp_path: Path) -> None:
    mine = tmp_path / "designkit-notebooks"
    sync(mine, kit, version="0.2.0")
    shutil.copy(kit / START, kit / "notebooks" / "06-new-lesson.ipynb")
    upgrade = sync(mine, kit, version="0.3.0")
    assert upgrade.added == ("notebooks/06-new-lesson.ipynb",) and (mine / "notebooks/06-new-lesson.ipynb").is_file()
    assert "added: notebooks/06-new-lesson.ipynb" in upgrade.summary()


def test_designkit_lab_upgrades_the_copy_it_made_and_leaves_other_folders_alone(
        kit: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lab, "packaged_material", lambda: kit)
    folder, first = lab.open_workspace(tmp_path / "mine")
    assert first is not None and first.copied and json.loads((folder / MANIFEST).read_text())["version"] == __version__
    (folder / LIVE).write_text("my edits")
    upgrade_the_kit(kit, LIVE, "changed")
    _, upgrade = lab.open_workspace(folder)
    assert upgrade is not None and upgrade.beside and (folder / LIVE).read_text() == "my edits"
    # notebooks that `designkit lab` did not copy (no manifest) are never touched
    (folder / MANIFEST).unlink()
    upgrade_the_kit(kit, START, "changed again")
    assert lab.open_workspace(folder)[1] is None
