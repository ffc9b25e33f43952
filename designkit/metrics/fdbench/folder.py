"""Score anyone's model recordings laid out as Full-Duplex-Bench (v1 / v1.5) example folders.

DIR holds one folder per example. The task comes from the annotation file in it:
`pause.json` -> pause_handling, `turn_taking.json` -> smooth_turn_taking, `interrupt.json` ->
user_interruption, `metadata.json` -> v1.5 overlap timing; a folder with `output.wav` and none
of these is a backchannel example (the ICC folders have only `input.wav` and
`transcription.json`). Scores follow `designkit.metrics.fdbench.tasks.fdb_*`, which reproduce
the reference evaluation (github.com/DanielLin94144/Full-Duplex-Bench, `v1_v1.5/evaluation`).

Backchannel JSD needs the benchmark's reference curves (`icc_gt_distribution.json`, shipped
with the benchmark under CC BY-NC 4.0, not with designkit): pass its path, or keep it in DIR.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit.errors import InputError, MissingExtraError
from designkit.metrics.fdbench.tasks import (
    FDBBackchannel,
    FDBExample,
    fdb15_timing,
    fdb_aggregate,
    fdb_backchannel,
    fdb_backchannel_aggregate,
    fdb_pause_aggregate,
    fdb_pause_handling,
    fdb_smooth_turn_taking,
    fdb_user_interruption,
)

logger = logging.getLogger(__name__)

TASK_FILES = (
    ("pause.json", "pause_handling"),
    ("turn_taking.json", "smooth_turn_taking"),
    ("interrupt.json", "user_interruption"),
    ("metadata.json", "overlap_timing"),
)
TASKS = (*(task for _, task in TASK_FILES), "backchannel")
REFERENCE_FILE = "icc_gt_distribution.json"
VAD_RATE = 16_000


def infer_task(folder: Path) -> str | None:
    """The task of one example folder, from its annotation file (None if it is not an example)."""
    for filename, task in TASK_FILES:
        if (folder / filename).exists():
            return task
    if (folder / "output.wav").exists():
        return "backchannel"
    return None


def read_words(path: Path) -> list[tuple[float | None, float | None]]:
    """`output.json` chunks as (start, end); end may be None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [(c["timestamp"][0], c["timestamp"][1]) for c in data["chunks"]]
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise InputError(str(path), expected="an output.json with chunks [{text, timestamp: [start, end]}]",
                         got=repr(exc)) from exc


def _annotation(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(str(path), expected="a readable JSON annotation", got=repr(exc)) from exc


@lru_cache(maxsize=1)
def _silero() -> Any:
    try:
        from silero_vad import load_silero_vad
    except ImportError as exc:
        raise MissingExtraError("silero-vad", "models") from exc
    return load_silero_vad()  # the TorchScript model inside the wheel, as the reference loads it


def _read_wav(path: Path) -> tuple[npt.NDArray[np.float32], int]:
    try:
        import soundfile
    except ImportError as exc:
        raise MissingExtraError("soundfile", "models") from exc
    try:
        audio, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except Exception as exc:
        raise InputError(str(path), expected="a readable WAV file", got=repr(exc)) from exc
    if audio.shape[1] != 1:
        raise InputError(str(path), expected="mono audio (the reference VAD fails on more channels)",
                         got=f"{audio.shape[1]} channels")
    return np.ascontiguousarray(audio[:, 0]), int(rate)


def vad_segments(audio: npt.NDArray[np.float32], *, seconds_as_16k: bool = True) -> list[tuple[float, float]]:
    """Silero VAD speech segments with the reference's settings (the package defaults).

    `eval_backchannel.py` passes output.wav without its sample rate, so Silero reads the samples
    as 16 kHz and rounds to 0.1 s; that is reproduced here (`seconds_as_16k`).
    """
    import torch
    from silero_vad import get_speech_timestamps

    wav = torch.from_numpy(np.asarray(audio, dtype=np.float32))
    if seconds_as_16k:
        found = get_speech_timestamps(wav, _silero(), return_seconds=True)
        return [(float(s["start"]), float(s["end"])) for s in found]
    found = get_speech_timestamps(wav, _silero(), sampling_rate=VAD_RATE)
    return [(s["start"] / VAD_RATE, s["end"] / VAD_RATE) for s in found]


def _to_16k(audio: npt.NDArray[np.float32], rate: int) -> npt.NDArray[np.float32]:
    if rate == VAD_RATE:
        return audio
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(rate, VAD_RATE)
    out: npt.NDArray[np.float32] = np.asarray(resample_poly(audio, VAD_RATE // g, rate // g), dtype=np.float32)
    return out


def load_reference(path: Path | None, root: Path) -> Mapping[str, Sequence[float]] | None:
    """The backchannel reference curves, from `path` or `root/icc_gt_distribution.json`."""
    candidate = path or (root / REFERENCE_FILE)
    if not candidate.exists():
        if path is not None:
            raise InputError("backchannel reference", expected="an existing icc_gt_distribution.json",
                             got=str(path))
        return None
    data = _annotation(candidate)
    if not isinstance(data, Mapping):
        raise InputError(str(candidate), expected="a JSON object: example name -> curve", got=type(data).__name__)
    return data


def _num(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def score_example(folder: Path, task: str, *, reference: Mapping[str, Sequence[float]] | None = None
                  ) -> tuple[dict[str, Any], FDBExample | FDBBackchannel | dict[str, Any]]:
    """One example's JSON line and its raw score (for the aggregate)."""
    name = folder.name
    if task == "backchannel":
        audio, rate = _read_wav(folder / "output.wav")
        segments = vad_segments(audio)
        words_path = folder / "output.json"
        if not words_path.exists():
            # The reference then counts no backchannels and keeps a stale TOR: report it as unknown.
            logger.warning("%s has no output.json: TOR unknown, no backchannels", name)
            bc = FDBBackchannel(math.nan, 0.0, 1.0, ())
            return ({"example": name, "task": task, "tor": None, "latency": None,
                     "frequency": 0.0, "jsd": 1.0}, bc)
        words = read_words(words_path)
        curve = reference.get(name) if reference is not None else None
        if reference is not None and curve is None:
            logger.warning("no reference curve for example %s: its JSD is NaN", name)
        bc = fdb_backchannel(segments=segments, words=words, duration_s=audio.shape[0] / rate, reference=curve)
        return ({"example": name, "task": task, "tor": int(bc.tor), "latency": None,
                 "frequency": bc.frequency, "jsd": _num(bc.jsd)}, bc)
    if task == "overlap_timing":
        user, user_rate = _read_wav(folder / "input.wav")
        model, model_rate = _read_wav(folder / "output.wav")
        timing = fdb15_timing(user_segments=vad_segments(_to_16k(user, user_rate), seconds_as_16k=False),
                              model_segments=vad_segments(_to_16k(model, model_rate), seconds_as_16k=False))
        stops = [e - s for s, e in timing["latency_stop_list"]]
        gaps = [e - s for s, e in timing["latency_resp_list"]]
        line = {"example": name, "task": task,
                "stop_latency": float(np.mean(stops)) if stops else None,
                "response_latency": float(np.mean(gaps)) if gaps else None, **timing}
        return line, line
    words = read_words(folder / "output.json")
    if task == "pause_handling":
        ex = fdb_pause_handling(words=words)
    elif task == "smooth_turn_taking":
        turn = _annotation(folder / "turn_taking.json")
        ex = fdb_smooth_turn_taking(words=words, turn_start=float(turn[0]["timestamp"][0]))
    elif task == "user_interruption":
        meta = _annotation(folder / "interrupt.json")
        ex = fdb_user_interruption(words=words, interrupt_end=float(meta[0]["timestamp"][1]))
    else:
        raise InputError("task", expected=f"one of {list(TASKS)}", got=repr(task))
    tor = None if math.isnan(ex.tor) else int(ex.tor)
    return {"example": name, "task": task, "tor": tor, "latency": ex.latency}, ex


def evaluate_folder(root: str | Path, *, task: str | None = None,
                    reference: str | Path | None = None) -> Iterator[dict[str, Any]]:
    """One dict per example (sorted by name), then one `{"aggregate": task, ...}` per task."""
    root = Path(root)
    if not root.is_dir():
        raise InputError("DIR", expected="a folder of Full-Duplex-Bench example folders", got=str(root))
    if task is not None and task not in TASKS:
        raise InputError("task", expected=f"one of {list(TASKS)}", got=repr(task))
    curves = load_reference(Path(reference) if reference is not None else None, root)
    by_task: dict[str, list[Any]] = {}
    for folder in sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.name):
        example_task = task or infer_task(folder)
        if example_task is None:
            continue
        line, raw = score_example(folder, example_task, reference=curves)
        by_task.setdefault(example_task, []).append(raw)
        yield line
    for name, raws in by_task.items():
        if name == "backchannel":
            agg: dict[str, Any] = fdb_backchannel_aggregate(raws)
        elif name == "overlap_timing":
            stops = [r["stop_latency"] for r in raws if r["stop_latency"] is not None]
            gaps = [r["response_latency"] for r in raws if r["response_latency"] is not None]
            agg = {"stop_latency": float(np.mean(stops)) if stops else None,
                   "response_latency": float(np.mean(gaps)) if gaps else None}
        elif name == "pause_handling":
            agg = {"tor": fdb_pause_aggregate(raws)}
        else:
            agg = fdb_aggregate(raws)
        yield {"aggregate": name, "examples": len(raws), **{k: _num(v) for k, v in agg.items()}}
