"""Full-Duplex-Bench v1 example folders made by the kit: the reverse of `import_fdbench`.

    write_examples("fd-inputs", task="smooth_turn_taking", n=8)   # fd-inputs/smooth_turn_taking-000/input.wav ...

Each example folder holds `input.wav` (the user's channel, 16 kHz) and the task's annotation,
laid out as the benchmark's (github.com/DanielLin94144/Full-Duplex-Bench, `v1_v1.5`) so any
full-duplex system can be run over it and scored with `designkit evaluate DIR`:

- `pause_handling`: one turn with a pause inside it (0.8-2.0 s, often after "um"); the audio
  ends 0.3 s after the last word, so only speech inside the turn counts (`pause.json` holds
  the pause);
- `smooth_turn_taking`: one turn of 1-3 utterances, then 4 s of silence; `turn_taking.json`
  holds `[turn end, turn end + 4]` (latency is measured from the user's turn end);
- `user_interruption`: a turn, 1.0-1.6 s of silence (where a system answers), then the user
  talks again; `interrupt.json` holds that interruption's `[start, end]`; then 4 s of silence;
- `backchannel`: a monologue of 5-8 utterances with pauses of 0.3-1.2 s, where a listener says
  "mm-hm" and does not take the floor (no annotation file: the folder is a backchannel example
  once `output.wav` is there; JSD needs the benchmark's own reference curves).

Speech is espeak-ng (any voice name; default: voices the turn-taking model never trained on) or
piper (extra `voices`). Deterministic from the seed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from designkit.audio.wav import write_wav
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError
from designkit.render.tts import Voice, fresh_voices, synthesize
from designkit.scenarios.dialogue import HESITATIONS, PHRASES

TASKS = ("pause_handling", "smooth_turn_taking", "user_interruption", "backchannel")
VOICES = ("en+f4", "en+m5")  # held out from the turn-taking model's training voices
TAIL_S = 4.0


def _say(rng: np.random.Generator, voice: Voice, hesitate: bool = False) -> tuple[np.ndarray, float]:
    text = str(PHRASES[int(rng.integers(len(PHRASES)))])
    if hesitate:
        text += ", " + str(HESITATIONS[int(rng.integers(len(HESITATIONS)))])
    speech = synthesize(text, voice)
    return speech.samples, speech.duration


def _voice(rng: np.random.Generator, name: str) -> Voice:
    if name == "piper":
        return Voice(name="en-us", rate=int(rng.integers(150, 190)), pitch=50, engine="piper")
    return Voice(name=name, rate=int(rng.integers(150, 190)), pitch=int(rng.integers(35, 65)))


def make_example(task: str, seed: int, *, voice: str = VOICES[0]) -> tuple[np.ndarray, dict[str, object]]:
    """(user audio, {annotation file name: content}) of one example."""
    if task not in TASKS:
        raise InputError("task", expected=f"one of {list(TASKS)}", got=repr(task))
    rng = np.random.default_rng(seed)
    v = _voice(rng, voice)
    pieces: list[np.ndarray] = []
    t = float(rng.uniform(0.5, 1.0))
    pieces.append(np.zeros(round(t * SAMPLE_RATE), np.float32))
    notes: dict[str, object] = {}

    def add(samples: np.ndarray, duration: float) -> tuple[float, float]:
        nonlocal t
        pieces.append(samples)
        start = t
        t += samples.size / SAMPLE_RATE
        return start, start + duration

    def silence(seconds: float) -> None:
        nonlocal t
        pieces.append(np.zeros(round(seconds * SAMPLE_RATE), np.float32))
        t += round(seconds * SAMPLE_RATE) / SAMPLE_RATE

    with fresh_voices():
        if task == "pause_handling":
            _, end = add(*_say(rng, v, hesitate=rng.random() < 0.6))
            pause = float(rng.uniform(0.8, 2.0))
            silence(pause)
            add(*_say(rng, v))
            notes["pause.json"] = [{"timestamp": [round(end, 3), round(end + pause, 3)]}]
            silence(0.3)
        elif task == "smooth_turn_taking":
            for j in range(int(rng.integers(1, 4))):
                if j:
                    silence(float(rng.uniform(0.2, 0.5)))
                _, end = add(*_say(rng, v))
            notes["turn_taking.json"] = [{"timestamp": [round(end, 3), round(end + TAIL_S, 3)]}]
            silence(TAIL_S)
        elif task == "user_interruption":
            add(*_say(rng, v))
            silence(float(rng.uniform(1.0, 1.6)))
            start, end = add(*_say(rng, v))
            notes["interrupt.json"] = [{"timestamp": [round(start, 3), round(end, 3)]}]
            silence(TAIL_S)
        else:
            for j in range(int(rng.integers(5, 9))):
                if j:
                    silence(float(rng.uniform(0.3, 1.2)))
                add(*_say(rng, v, hesitate=rng.random() < 0.3))
            silence(0.3)
    return np.concatenate(pieces).astype(np.float32), notes


def write_examples(folder: str | os.PathLike[str], *, tasks: Sequence[str] = TASKS, n: int = 8, seed: int = 0,
                   voices: Sequence[str] = VOICES) -> list[Path]:
    """`n` examples of each task under `folder/<task>/<task>-NNN/`; returns the example folders.

    Example i of a task uses seed `seed + i` and voice `voices[i % len(voices)]`."""
    root = Path(folder)
    out = []
    for task in tasks:
        for i in range(n):
            audio, notes = make_example(task, seed + 1000 * TASKS.index(task) + i, voice=voices[i % len(voices)])
            target = root / task / f"{task}-{i:03d}"
            target.mkdir(parents=True, exist_ok=True)
            write_wav(target / "input.wav", audio)
            for name, content in notes.items():
                (target / name).write_text(json.dumps(content) + "\n", encoding="utf-8")
            out.append(target)
    return out


__all__ = ["TASKS", "VOICES", "make_example", "write_examples"]
