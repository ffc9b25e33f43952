"""Your own recordings as a study's sessions: `{"recordings": "FOLDER"}` in `study.json`.

Every audio file under FOLDER (WAV, FLAC, OGG, MP3, M4A, WebM, a video's sound; any rate) is one
session, with its annotations beside it (`NAME.csv|.txt|.TextGrid`, or `labels.*` in its folder;
labels as in `designkit.scenarios.recorded`). `designkit scenarios generate SET --out DIR --labels
csv` writes such a folder from a generated set. FOLDER is relative to the study file. A session's
cache key is the hash of its audio and annotations: editing a label re-runs only that session.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from designkit.audio.recordings import RECORDING_SUFFIXES
from designkit.errors import InputError

KEY = "recordings"


@dataclass(frozen=True, slots=True)
class RecordingSet:
    """The recordings under `folder` (relative to `root`, the study file's folder; else to the
    working folder)."""

    folder: str
    root: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.folder, str) or not self.folder.strip():
            raise InputError("recordings folder", expected="a folder name (relative to study.json)", got=self.folder)

    # What the runner and the views read of any scenario source (a recording has no seed or params).
    seed = 0
    params = ()

    @property
    def set(self) -> str:
        return f"{KEY}:{self.folder}"

    @property
    def path(self) -> Path:
        folder = Path(self.folder)
        return folder if folder.is_absolute() or self.root is None else Path(self.root) / folder

    def rooted(self, root: str | os.PathLike[str]) -> RecordingSet:
        return RecordingSet(self.folder, str(root))

    def files(self) -> list[Path]:
        """The audio files, sorted; an InputError when there are none."""
        path = self.path
        if not path.is_dir():
            raise InputError("recordings folder", expected="a folder of recordings beside study.json",
                             got=f"{path} does not exist")
        found = sorted(p for p in path.rglob("*") if p.suffix.lower() in RECORDING_SUFFIXES and p.is_file())
        if not found:
            raise InputError("recordings folder", expected=f"audio files ({', '.join(sorted(RECORDING_SUFFIXES))})",
                             got=f"none in {path}")
        return found

    def entries(self) -> list[tuple[str, str, Any]]:
        """(session name, content digest, scenario) for every recording."""
        from designkit.scenarios.recorded import find_annotations, import_recording

        out = []
        for audio in self.files():
            labels = find_annotations(audio)
            digest = hashlib.sha256()
            for part in (audio, labels):
                if part is not None:
                    digest.update(part.read_bytes())
            name = _name(audio.relative_to(self.path))
            out.append((name, f"{KEY}-{digest.hexdigest()[:24]}", import_recording(audio, labels, name=name)))
        return out

    def load(self, *, progress: bool = False) -> list[Any]:
        return [scenario for _, _, scenario in self.entries()]

    def to_dict(self) -> dict[str, Any]:
        return {KEY: self.folder}

    @classmethod
    def parse(cls, value: Mapping[str, Any]) -> RecordingSet:
        unknown = set(value) - {KEY}
        if unknown:
            raise InputError("recordings entry", expected="only {'recordings': 'FOLDER'}", got=sorted(unknown))
        return cls(value[KEY])


def _name(relative: Path) -> str:
    """`talk-1.wav` -> `talk-1`; `talk-1/audio.wav` (a scenario folder) -> `talk-1`."""
    stem = relative.with_suffix("")
    return (stem.parent if stem.name == "audio" and stem.parent != Path(".") else stem).as_posix()
