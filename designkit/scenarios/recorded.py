"""Import recordings with annotations as scenarios, so anyone's sessions can be scored.

Annotation labels (CSV `start,end,label`, Audacity label tracks, Praat TextGrid tiers):
    user / speech           an utterance of the user (TextGrid: its text is the label)
    hold                    a pause inside the user's turn
    turn_end                the user's turn ends here (a point; uses `start`)
    backchannel             a backchannel opportunity (point)
    agent                   the reference agent speaks
    barge_in                the user barges in (point)
    should_not_speak        the agent must stay quiet
    cue / cue:KIND          a cue (point), e.g. cue:code_switch
    target                  a TimeSpeak target (point)
    rep                     a repetition completed (point)
    noise / noise:KIND      a non-speech sound
Full-Duplex-Bench folders (`input.wav`, `output.wav`, `output.json`) import as two parties.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from designkit.audio.wav import read_wav
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError
from designkit.scenarios.spec import Scenario, ScenarioSpec
from designkit.scenarios.truth import Cue, Segment, Truth, Word

log = logging.getLogger(__name__)

POINT_LABELS = ("turn_end", "backchannel", "barge_in", "cue", "target", "rep")
SPAN_LABELS = ("user", "speech", "hold", "agent", "should_not_speak", "noise")
LABELS = SPAN_LABELS + POINT_LABELS


@dataclass(frozen=True, slots=True)
class Label:
    start: float
    end: float
    label: str
    where: str  # file:line, for error messages


def _base(label: str) -> str:
    return label.split(":", 1)[0].strip().lower()


def read_csv_labels(path: str | os.PathLike[str]) -> list[Label]:
    """`start,end,label` rows (a header row is allowed)."""
    path = Path(path)
    out: list[Label] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if not row or row[0].strip().startswith("#"):
                continue
            if number == 1 and row[0].strip().lower() == "start":
                continue
            if len(row) < 3:
                raise InputError(f"{path}:{number}", expected="start,end,label", got=",".join(row))
            out.append(_label(row[0], row[1], ",".join(row[2:]), f"{path}:{number}"))
    return out


def read_audacity_labels(path: str | os.PathLike[str]) -> list[Label]:
    """Audacity's label track export: `start<TAB>end<TAB>label` per line."""
    path = Path(path)
    out: list[Label] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("\\"):  # "\" lines hold spectral selections
            continue
        parts = line.split("\t")
        if len(parts) < 3:
            raise InputError(f"{path}:{number}", expected="start<TAB>end<TAB>label", got=line)
        out.append(_label(parts[0], parts[1], parts[2], f"{path}:{number}"))
    return out


def _label(start: str, end: str, label: str, where: str) -> Label:
    try:
        a, b = float(start), float(end)
    except ValueError as exc:
        raise InputError(where, expected="numeric start and end times", got=f"{start!r}, {end!r}") from exc
    name = label.strip()
    if _base(name) not in LABELS:
        raise InputError(f"{where} label", expected=f"one of {list(LABELS)} (optionally KIND after ':')",
                         got=repr(name), fix="rename the label")
    return Label(a, b, name, where)


# Praat doubles a quote inside a label ("" for ").
_INTERVAL = re.compile(r'xmin = ([\d.eE+-]+)\s*xmax = ([\d.eE+-]+)\s*text = "((?:[^"]|"")*)"')
_POINT = re.compile(r'(?:number|time) = ([\d.eE+-]+)\s*mark = "((?:[^"]|"")*)"')
_TIER = re.compile(r'class = "(IntervalTier|TextTier)"\s*name = "([^"]*)"', re.S)


def read_textgrid(path: str | os.PathLike[str], *, tiers: dict[str, str] | None = None) -> list[Label]:
    """A Praat TextGrid (long text format). Tier names map to labels: a tier named like a label
    ("user", "hold", "cue", ...) gives that label to its non-empty items; "words" gives word timings."""
    path = Path(path)
    raw = path.read_bytes()
    # Praat writes UTF-16 (with a byte-order mark) when a label needs it, else UTF-8 or ASCII.
    text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("utf-8", errors="replace")
    if "ooTextFile" not in text:
        raise InputError(str(path), expected="a Praat TextGrid (long text format)", got="another file")
    mapping = {**{name: name for name in LABELS}, "words": "words", **(tiers or {})}
    out: list[Label] = []
    matches = list(_TIER.finditer(text))
    for k, match in enumerate(matches):
        kind, name = match.group(1), match.group(2)
        body = text[match.end() : matches[k + 1].start() if k + 1 < len(matches) else len(text)]
        key = name if name in mapping else name.strip().lower()
        if key not in mapping:
            raise InputError(f"{path} tier", expected=f"one of {sorted(mapping)}", got=repr(name),
                             fix="rename the tier or pass tiers={'your name': 'user', ...}")
        target = mapping[key]
        if kind == "IntervalTier":
            for a, b, label in _INTERVAL.findall(body):
                label = label.replace('""', '"')
                if label.strip():
                    word = label.strip()
                    tag = f"words:{word}" if target == "words" else (f"{target}:{word}" if target in ("user", "speech", "noise", "cue") else target)
                    out.append(Label(float(a), float(b), tag, f"{path} tier {name}"))
        else:
            for t, label in _POINT.findall(body):
                label = label.replace('""', '"')
                tag = f"{target}:{label.strip()}" if target in ("cue", "noise") and label.strip() else target
                out.append(Label(float(t), float(t), tag, f"{path} tier {name}"))
    return out


def truth_from_labels(labels: Iterable[Label], duration: float, *, source: str = "annotations") -> Truth:
    """Build a validated Truth; any annotation past the audio's end names its file and line."""
    by: dict[str, list[Label]] = {}
    for item in labels:
        if item.end < item.start:
            raise InputError(f"{item.where}", expected="end >= start", got=f"{item.start} > {item.end}")
        if item.end > duration + 1e-3:
            raise InputError(f"{item.where}", expected=f"within the audio (0–{duration:.3f} s)",
                             got=f"[{item.start}, {item.end}] '{item.label}'", fix="check that the annotation belongs to this recording")
        by.setdefault(_base(item.label), []).append(item)
    words = sorted(by.get("words", []), key=lambda w: w.start)
    segments = []
    for item in sorted(by.get("user", []) + by.get("speech", []), key=lambda i: i.start):
        text = item.label.split(":", 1)[1] if ":" in item.label else ""
        inside = tuple(Word(w.label.split(":", 1)[1], w.start, w.end) for w in words
                       if w.start >= item.start - 1e-6 and w.end <= item.end + 1e-6)
        segments.append(Segment(item.start, item.end, text or " ".join(w.word for w in inside), inside))
    def points(name: str) -> tuple[float, ...]:
        return tuple(sorted(i.start for i in by.get(name, [])))

    def spans(name: str) -> tuple[tuple[float, float], ...]:
        return tuple(sorted((i.start, i.end) for i in by.get(name, [])))

    return Truth.from_dict({
        "duration": duration,
        "user_speech": [{"start": s.start, "end": s.end, "text": s.text,
                         "words": [[w.word, w.start, w.end] for w in s.words]} for s in segments],
        "turn_ends": points("turn_end"), "holds": spans("hold"), "backchannel_opportunities": points("backchannel"),
        "agent_turns": spans("agent"), "barge_ins": points("barge_in"),
        "cues": [{"t": i.start, "kind": i.label.split(":", 1)[1] if ":" in i.label else "cue"} for i in by.get("cue", [])],
        "targets": points("target"), "reps": points("rep"), "should_not_speak": spans("should_not_speak"),
        "noises": [{"start": i.start, "end": i.end, "kind": i.label.split(":", 1)[1] if ":" in i.label else "noise"}
                   for i in by.get("noise", [])],
    }, source=source)


def labels_of(truth: Truth) -> list[Label]:
    """The truth as annotation labels (what `truth_from_labels` reads back), sorted by time.

    Words and context labels have no label form here and are left out.
    """
    def clean(text: str) -> str:
        return " ".join(text.split())

    out = [Label(s.start, s.end, f"user:{clean(s.text)}" if clean(s.text) else "user", "truth")
           for s in truth.user_speech]
    out += [Label(a, b, "hold", "truth") for a, b in truth.holds]
    out += [Label(a, b, "agent", "truth") for a, b in truth.agent_turns]
    out += [Label(a, b, "should_not_speak", "truth") for a, b in truth.should_not_speak]
    out += [Label(n.start, n.end, f"noise:{n.kind}", "truth") for n in truth.noises]
    for name, times in (("turn_end", truth.turn_ends), ("backchannel", truth.backchannel_opportunities),
                        ("barge_in", truth.barge_ins), ("target", truth.targets), ("rep", truth.reps)):
        out += [Label(t, t, name, "truth") for t in times]
    out += [Label(c.t, c.t, f"cue:{c.kind}", "truth") for c in truth.cues]
    return sorted(out, key=lambda item: (item.start, item.end, item.label))


def write_labels(truth: Truth, path: str | os.PathLike[str]) -> Path:
    """Write the truth as `.csv` (start,end,label) or `.txt` (an Audacity label track), to open
    beside the audio in Audacity or a spreadsheet, correct, and import again."""
    path = Path(path)
    labels = labels_of(truth)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["start", "end", "label"])
            writer.writerows([f"{item.start:.6f}", f"{item.end:.6f}", item.label] for item in labels)
    elif suffix == ".txt":
        path.write_text("".join(f"{item.start:.6f}\t{item.end:.6f}\t{item.label}\n" for item in labels),
                        encoding="utf-8")
    else:
        raise InputError(f"label file {path}", expected=".csv or .txt (Audacity labels)", got=suffix or "no extension")
    return path


ANNOTATION_SUFFIXES = (".csv", ".txt", ".TextGrid", ".textgrid")


def find_annotations(wav: str | os.PathLike[str]) -> Path | None:
    """The annotation file beside a recording: `NAME.csv|.txt|.TextGrid` for `NAME.wav`, else
    `labels.csv|.txt|.TextGrid` in the same folder."""
    wav = Path(wav)
    for stem in (wav.stem, "labels"):
        for suffix in ANNOTATION_SUFFIXES:
            candidate = wav.with_name(stem + suffix)
            if candidate.exists():
                return candidate
    return None


def import_recording(wav: str | os.PathLike[str], annotations: str | os.PathLike[str] | None = None, *,
                     name: str | None = None) -> Scenario:
    """A WAV file (any rate or channel count, converted) and optional annotations as a scenario."""
    wav = Path(wav)
    audio = read_wav(wav)
    duration = audio.size / SAMPLE_RATE
    labels: list[Label] = []
    if annotations is not None:
        path = Path(annotations)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            labels = read_csv_labels(path)
        elif suffix == ".textgrid":
            labels = read_textgrid(path)
        elif suffix == ".txt":
            labels = read_audacity_labels(path)
        else:
            raise InputError(f"annotation file {path}", expected=".csv, .txt (Audacity labels) or .TextGrid",
                             got=suffix or "no extension")
    truth = truth_from_labels(labels, duration, source=str(annotations or wav))
    spec = ScenarioSpec("recorded", seed=0, params={"wav": str(wav), "annotations": str(annotations or "")})
    return Scenario(spec=spec, audio=audio, truth=truth, name=name or wav.stem)


def import_fdbench(folder: str | os.PathLike[str], *, merge_gap_s: float = 0.5) -> Scenario:
    """A Full-Duplex-Bench example folder as a two-party session.

    The user's `input.wav` is the microphone and `output.wav` the agent's channel
    (`Scenario.agent_audio`). The agent's words in `output.json` (`chunks` of
    `{"text", "timestamp": [start, end]}`, end may be null) become `agent_turns`: words closer
    than `merge_gap_s` join one turn. Task annotations, when present, become truth:
    `turn_taking.json` [start, end] -> a turn end (and cue "turn_taking") at start;
    `interrupt.json` [start, end] -> a user utterance over that span and a cue "interrupt" at its end.
    """
    folder = Path(folder)
    for required in ("input.wav", "output.wav"):
        if not (folder / required).exists():
            raise InputError(str(folder), expected=f"a Full-Duplex-Bench example with {required}", got="missing",
                             fix="point at one example folder (input.wav, output.wav, output.json)")
    user = read_wav(folder / "input.wav")
    agent = read_wav(folder / "output.wav")
    n = max(user.size, agent.size)
    user = np.pad(user, (0, n - user.size))
    agent = np.pad(agent, (0, n - agent.size))
    duration = n / SAMPLE_RATE
    words: list[tuple[float, float]] = []
    if (folder / "output.json").exists():
        data: Any = _json(folder / "output.json")
        chunks = data.get("chunks", []) if isinstance(data, dict) else None
        if not isinstance(chunks, list):
            raise InputError(f"{folder / 'output.json'}", expected='{"chunks": [{"text", "timestamp": [start, end]}]}',
                             got=type(data).__name__)
        for i, chunk in enumerate(chunks):
            try:
                start, end = chunk["timestamp"][:2]
                if start is None:
                    continue
                a = float(start)
                b = a if end is None else float(end)
            except (KeyError, TypeError, ValueError) as exc:
                raise InputError(f"{folder / 'output.json'}: chunks[{i}]", expected="timestamp [start, end]",
                                 got=repr(chunk)) from exc
            words.append((min(a, duration), min(max(a, b), duration)))
    agent_turns: list[tuple[float, float]] = []
    for a, b in sorted(words):
        if agent_turns and a - agent_turns[-1][1] < merge_gap_s:
            agent_turns[-1] = (agent_turns[-1][0], max(agent_turns[-1][1], b))
        else:
            agent_turns.append((a, b))
    cues: list[Cue] = []
    turn_ends: list[float] = []
    segments: list[Segment] = []
    for name in ("turn_taking.json", "interrupt.json"):
        if not (folder / name).exists():
            continue
        items: Any = _json(folder / name)
        try:
            first, second = (float(x) for x in items[0]["timestamp"][:2])
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise InputError(f"{folder / name}", expected='[{"timestamp": [start, end]}]', got=repr(items)[:80]) from exc
        if name == "turn_taking.json":
            turn_ends.append(min(first, duration))
            cues.append(Cue(min(first, duration), "turn_taking"))
        else:
            segments.append(Segment(min(first, duration), min(second, duration), "(interruption)"))
            cues.append(Cue(min(second, duration), "interrupt"))
    truth = Truth(duration=duration, user_speech=tuple(segments), turn_ends=tuple(turn_ends),
                  agent_turns=tuple(agent_turns), cues=tuple(sorted(cues, key=lambda c: c.t)))
    spec = ScenarioSpec("fdbench", params={"folder": str(folder)})
    return Scenario(spec=spec, audio=user, truth=truth, name=folder.name, agent_audio=agent)


def _json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(str(path), expected="a readable JSON file", got=str(exc)) from exc
