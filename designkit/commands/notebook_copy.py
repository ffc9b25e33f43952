"""A designer's own copy of the kit's notebooks, studies and docs, kept across upgrades.

The first `designkit lab` copies them into a folder (`./designkit-notebooks`) and writes a manifest,
`.designkit-copy.json`: the kit's version and the SHA-256 of every file as it was copied. Each later
launch compares the kit's files with the manifest. A file the kit changed (an upgrade) is

- updated in place when the designer never edited their copy (it still has the copied hash);
- written beside the designer's edited copy as `NAME.new-VERSION.ext`
  (`01-live-microturns.new-0.2.0.ipynb`), never over it;
- copied when it is new in the kit.

A copy made before the manifest existed has no record of what was copied, so every file that differs
from the kit's is treated as edited (written beside, never overwritten).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = ".designkit-copy.json"
COPIED = ("notebooks", "studies", "docs")
# Outputs of a study run and editor leftovers: the designer's, never the kit's.
SKIPPED = ("published", "results.parquet", ".ipynb_checkpoints", "__pycache__")


@dataclass(frozen=True, slots=True)
class Upgrade:
    """What one launch did to the designer's copy (paths relative to the folder)."""

    folder: Path
    version_before: str | None
    version: str
    copied: tuple[str, ...] = ()  # a first copy: everything
    added: tuple[str, ...] = ()  # new in the kit
    updated: tuple[str, ...] = ()  # changed in the kit, not edited by the designer: replaced
    beside: tuple[tuple[str, str], ...] = field(default=())  # (the designer's edited file, the new one beside it)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.beside)

    def summary(self) -> str:
        """What a person reads in the terminal; empty when nothing changed."""
        if self.copied:
            return f"copied the notebooks, studies and docs ({len(self.copied)} files) to {self.folder}"
        if not self.changed:
            return ""
        before = f"{self.version_before} → " if self.version_before and self.version_before != self.version else ""
        lines = [f"the kit's notebooks changed ({before}{self.version}); your copy in {self.folder}:"]
        lines += [f"  new version beside your edited {mine}: {new}" for mine, new in self.beside]
        lines += [f"  updated (you had not edited it): {path}" for path in self.updated]
        lines += [f"  added: {path}" for path in self.added]
        if self.beside:
            lines.append("  your edited files are untouched; open the .new- files to see what changed")
        return "\n".join(lines)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def packaged_files(source: Path) -> dict[str, Path]:
    """Relative path -> file, for every file of `source`'s notebooks/, studies/ and docs/."""
    files: dict[str, Path] = {}
    for top in COPIED:
        for path in sorted((source / top).rglob("*")):
            rel = path.relative_to(source)
            if path.is_file() and not any(part in SKIPPED for part in rel.parts):
                files[rel.as_posix()] = path
    return files


def beside_name(rel: str, version: str) -> str:
    """'notebooks/01-live.ipynb' -> 'notebooks/01-live.new-0.2.0.ipynb'."""
    path = Path(rel)
    return (path.parent / f"{path.stem}.new-{version}{path.suffix}").as_posix()


def _read_manifest(folder: Path) -> dict[str, object]:
    try:
        data = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_manifest(folder: Path, *, version: str, files: dict[str, str]) -> None:
    temporary = folder / f"{MANIFEST}.tmp"
    temporary.write_text(json.dumps({"version": version, "files": dict(sorted(files.items()))}, indent=1) + "\n")
    os.replace(temporary, folder / MANIFEST)


def sync(folder: Path, source: Path, *, version: str) -> Upgrade:
    """Make `folder` the designer's copy of `source` at `version`: a first copy, or an upgrade that
    never overwrites an edited file (see the module's docstring)."""
    folder.mkdir(parents=True, exist_ok=True)
    packaged = packaged_files(source)
    manifest = _read_manifest(folder)
    recorded_raw = manifest.get("files")
    recorded: dict[str, str] = dict(recorded_raw) if isinstance(recorded_raw, dict) else {}
    before = manifest.get("version")
    first = not manifest and not any((folder / top).exists() for top in COPIED)
    files: dict[str, str] = dict(recorded)
    added: list[str] = []
    updated: list[str] = []
    beside: list[tuple[str, str]] = []
    for rel, path in packaged.items():
        new = _digest(path)
        if recorded.get(rel) == new:
            continue  # the kit did not change this file since it was copied
        target = folder / rel
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            if rel in recorded or not first:
                added.append(rel)
        elif _digest(target) == new:
            pass  # already the kit's version
        elif recorded.get(rel) == _digest(target):
            shutil.copy2(path, target)  # never edited: take the kit's new version
            updated.append(rel)
        else:
            other = beside_name(rel, version)
            shutil.copy2(path, folder / other)
            beside.append((rel, other))
        files[rel] = new
    _write_manifest(folder, version=version, files=files)
    return Upgrade(folder=folder, version_before=before if isinstance(before, str) else None, version=version,
                   copied=tuple(packaged) if first else (), added=tuple(added), updated=tuple(updated),
                   beside=tuple(beside))
