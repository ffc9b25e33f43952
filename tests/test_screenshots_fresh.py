"""No picture in docs/images/ is older than the code it shows: docs/images/manifest.json records,
for each picture scripts/screenshots.py made, the hash of the files it shows; a fresh hash that
differs means the picture must be made again. No browser here: hashes only."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


sys.path.insert(0, str(REPO / "scripts"))
import screenshots  # noqa: E402


def test_no_picture_is_older_than_the_code_it_shows() -> None:
    stale = screenshots.stale(screenshots.read_manifest())
    assert not stale, ("\n".join(stale) + "\nmake the pictures again: python scripts/screenshots.py "
                       + " ".join(line.split(".png")[0] for line in stale))


def test_every_picture_in_docs_images_is_accounted_for() -> None:
    manifest = screenshots.read_manifest()
    made, not_yet = set(manifest["images"]), set(manifest["not_yet_reproducible"])
    on_disk = {p.name for p in (REPO / "docs" / "images").glob("*.png")}
    assert made.isdisjoint(not_yet)
    assert on_disk == made | not_yet, "every picture is made by scripts/screenshots.py or listed as not yet"
    assert made == {name for shot in screenshots.SHOTS for name in shot.names}


def test_every_picture_the_docs_show_is_made_by_the_script() -> None:
    pages = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
    shown = {name for page in pages for name in re.findall(r"images/([\w.-]+\.png)", page.read_text(encoding="utf-8"))}
    assert shown, "no page shows a picture: the pattern no longer matches the docs"
    made = {name for shot in screenshots.SHOTS for name in shot.names}
    assert not shown - made, f"shown in the docs but not made by scripts/screenshots.py: {sorted(shown - made)}"


def test_a_change_to_what_a_picture_shows_makes_it_stale(tmp_path: Path) -> None:
    shots = screenshots.SHOTS
    shot = shots[0]
    for path in shot.inputs:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / path, tmp_path / path)
    name = shot.names[0]
    manifest = {"images": {n: {"sha256": shot.digest(tmp_path), "inputs": list(shot.inputs)} for n in shot.names}}
    assert screenshots.stale(manifest, [shot], tmp_path) == []

    css = tmp_path / next(p for p in shot.inputs if p.endswith(".css"))
    css.write_text(css.read_text() + "\n.dk-new-look { color: teal; }\n")
    assert screenshots.stale(manifest, [shot], tmp_path) == [
        f"{n}: its inputs changed since it was made" for n in shot.names]
    assert screenshots.stale({"images": {}}, [shot], tmp_path)[0] == f"{name}: never made by scripts/screenshots.py"
