"""Dialogues for training and scoring the turn-taking model, taken from `designkit.scenarios`.

A `DialogueSet` names which generated dialogues to use (seeds, voices, noise levels); the
training and held-out sets differ in all three, so the held-out numbers say how the model does
on speakers and noise it has not heard. Generation is cached by the scenarios store.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit import scenarios
from designkit.errors import InputError
from designkit.scenarios import save_scenario
from designkit.scenarios.recorded import find_annotations, import_recording, write_labels
from designkit.scenarios.truth import Truth
from designkit.training.pause_scoring import Pause, TurnTruth


@dataclass(frozen=True, slots=True)
class Dialogue:
    """User-channel audio (16 kHz float32) with the truth turn-taking evaluation needs."""

    name: str
    audio: npt.NDArray[np.float32]
    truth: TurnTruth


@dataclass(frozen=True, slots=True)
class DialogueSet:
    """Which generated dialogues: every combination of voice x SNR x context, `per_variant` each.

    Variant v uses seeds `first_seed + 1000 * v` onwards, so sets with different first seeds
    never share a dialogue. `snrs` holds dB values, or None for clean audio.
    """

    per_variant: int
    first_seed: int
    voices: tuple[str, ...]
    snrs: tuple[float | None, ...]
    contexts: tuple[str, ...] = ("focused", "stressed")
    duration_s: float = 60.0
    label: str = ""

    @property
    def n(self) -> int:
        return self.per_variant * len(self.variants())

    def variants(self) -> list[dict[str, Any]]:
        return [{"duration_s": self.duration_s, "voice": voice, "snr_db": snr, "context": context}
                for voice in self.voices for snr in self.snrs for context in self.contexts]

    def replace(self, **changes: Any) -> DialogueSet:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        snrs = ", ".join("clean" if s is None else f"{s:g} dB" for s in self.snrs)
        return (f"{self.n} dialogues of {self.duration_s:g} s ({self.per_variant} per variant), voices "
                f"{', '.join(self.voices)}; SNR {snrs}; contexts {', '.join(self.contexts)}; "
                f"seeds from {self.first_seed}")


TRAIN = DialogueSet(per_variant=7, first_seed=10_000, voices=("en-us", "en+f3", "en+m3", "en-us+f2"),
                    snrs=(None, 20.0, 5.0), label="train")
HELD_OUT = DialogueSet(per_variant=4, first_seed=900_000, voices=("en+f4", "en+m5"), snrs=(30.0, 10.0),
                       label="held-out")
# A natural neural voice (piper, extra `voices`) the espeak-trained model never heard, written out
# as WAV + Audacity labels and imported back: the stand-in for recordings when none are at hand.
PIPER_RECORDINGS = DialogueSet(per_variant=2, first_seed=950_000, voices=("piper",), snrs=(30.0, 10.0),
                               label="piper recordings")


def truth_of(truth: Truth, *, tolerance_s: float = 0.05) -> TurnTruth:
    """Turn-taking truth from a scenario's truth.

    Each gap after a user utterance is a pause: a shift when a `turn_ends` time lies at its start,
    a hold when one of `holds` starts there; gaps that are neither are left out. A pause lasts
    until the user's next utterance (for the last one: forever).
    """
    segments = sorted(truth.user_speech, key=lambda s: s.start)
    pauses = []
    for i, segment in enumerate(segments):
        end = segments[i + 1].start if i + 1 < len(segments) else math.inf
        shift = any(abs(t - segment.end) <= tolerance_s for t in truth.turn_ends)
        hold = any(abs(a - segment.end) <= tolerance_s for a, _ in truth.holds)
        if shift or hold:
            pauses.append(Pause(segment.end, end, shift=shift))
    return TurnTruth(duration_s=truth.duration, user=tuple((s.start, s.end) for s in segments),
                     pauses=tuple(pauses), backchannels=tuple(sorted(truth.backchannel_opportunities)))


def scenarios_of(spec: DialogueSet, *, workers: int | None = 1) -> list[Any]:
    """Generate (or read from the scenarios cache) the scenarios of `spec`, variant by variant."""
    out: list[Any] = []
    for v, params in enumerate(spec.variants()):
        name = "turn-taking-" + "-".join(f"{k}={params[k]}" for k in sorted(params))
        scenarios.register_set(name, "dialogue", params, description=f"{spec.label} dialogues for the turn-taking model")
        out += scenarios.get(name, n=spec.per_variant, seed=spec.first_seed + 1000 * v, workers=workers,
                             progress=False)
    return out


def load(spec: DialogueSet, *, workers: int | None = 1) -> list[Dialogue]:
    """The dialogues of `spec` with their turn-taking truth."""
    return [Dialogue(s.name, np.asarray(s.audio, np.float32), truth_of(s.truth))
            for s in scenarios_of(spec, workers=workers)]


def export_recordings(spec: DialogueSet, folder: str | os.PathLike[str], *, labels: str = "txt") -> list[Path]:
    """Write the dialogues of `spec` as recordings someone could have made: one folder each with
    `audio.wav` (16-bit) and `labels.txt` (Audacity) or `labels.csv`; `load_recordings` reads them."""
    written = []
    for scenario in scenarios_of(spec):
        target = save_scenario(scenario, Path(folder) / scenario.name)
        write_labels(scenario.truth, target / f"labels.{labels}")
        written.append(target)
    return written


def from_scenario(scenario: Any) -> Dialogue:
    """A scenario (generated or imported) as a dialogue to score; it needs labelled pauses."""
    truth = truth_of(scenario.truth)
    if not truth.pauses:
        raise InputError(f"recording {scenario.name}", expected="labelled pauses: `turn_end` points at the ends of "
                         "turns and `hold` spans for pauses inside a turn, each at the end of a `user` span",
                         got="none", fix="add them in Audacity or your CSV, then import again")
    return Dialogue(scenario.name, np.asarray(scenario.audio, np.float32), truth)


def load_recordings(paths: Sequence[str | os.PathLike[str]]) -> list[Dialogue]:
    """Recordings to score the model on: WAV files with annotations beside them (`NAME.csv`,
    `NAME.txt` from Audacity, `NAME.TextGrid`, or `labels.*`), or folders holding `audio.wav`
    with its annotations (what `designkit scenarios generate --out DIR --labels csv` writes)."""
    if not paths:
        raise InputError("recordings", expected="at least one WAV file or folder", got="none")
    out = []
    for given in paths:
        path = Path(given)
        wav = path / "audio.wav" if path.is_dir() else path
        if not wav.is_file():
            raise InputError(f"recording {given}", expected="a .wav file, or a folder with audio.wav", got="missing")
        annotations = find_annotations(wav)
        if annotations is None:
            raise InputError(f"recording {wav}", expected=f"annotations beside it ({wav.stem}.csv, .txt or .TextGrid, "
                             "or labels.*)", got="none", fix="label user speech, holds and turn ends")
        name = path.name if path.is_dir() else wav.stem
        out.append(from_scenario(import_recording(wav, annotations, name=name)))
    return out
