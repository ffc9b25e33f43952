"""What really happened in a scenario: the ground truth every metric is measured against.

Versioned and validated: a truth that contradicts itself (a speaker overlapping themselves, an
interval ending before it starts, an annotation past the end of the audio) is refused with a
message naming the file, the field and the fix.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from designkit.core.streams import Event
from designkit.errors import InputError

TRUTH_VERSION = 1
Interval = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Word:
    word: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Segment:
    """One stretch of user speech (an utterance), with its words and language."""

    start: float
    end: float
    text: str = ""
    words: tuple[Word, ...] = ()
    lang: str = ""


# A moment worth reacting to (a language switch, a rep, a person entering the frame) is an Event:
# the same time, kind and frozen data, validated and written to JSON the same way, so a live
# recording's logged events become its truth's cues as they are.
Cue = Event


@dataclass(frozen=True, slots=True)
class Noise:
    start: float
    end: float
    kind: str


@dataclass(frozen=True, slots=True)
class Truth:
    """Ground truth of one session, in seconds from its start.

    - `user_speech`: utterances; `turn_ends`: user offsets where the turn passes to the agent;
      `holds`: pauses inside a user's turn (where the agent must not take the floor).
    - `backchannel_opportunities`: moments a listener could say "mm-hm".
    - `agent_turns`: where a reference agent speaks; `barge_ins`: user onsets inside them.
    - `cues` (CueSpeak), `targets` (TimeSpeak), `reps` (rep completion times).
    - `should_not_speak`: spans where any agent speech is wrong; `noises`: non-speech sounds.
    - `context`: labels such as "stressed" or "public".
    """

    duration: float
    user_speech: tuple[Segment, ...] = ()
    turn_ends: tuple[float, ...] = ()
    holds: tuple[Interval, ...] = ()
    backchannel_opportunities: tuple[float, ...] = ()
    agent_turns: tuple[Interval, ...] = ()
    barge_ins: tuple[float, ...] = ()
    cues: tuple[Cue, ...] = ()
    targets: tuple[float, ...] = ()
    reps: tuple[float, ...] = ()
    should_not_speak: tuple[Interval, ...] = ()
    noises: tuple[Noise, ...] = ()
    context: tuple[str, ...] = ()
    version: int = TRUTH_VERSION

    def __post_init__(self) -> None:
        validate(self)

    @property
    def user_intervals(self) -> list[Interval]:
        return [(s.start, s.end) for s in self.user_speech]

    def cue_times(self, kind: str | None = None) -> list[float]:
        return [c.t for c in self.cues if kind is None or c.kind == kind]

    def interrupted_agent_turns(self) -> list[tuple[float, Interval]]:
        """Each barge-in with the reference agent turn it talks into: [(onset, (start, end)), ...]."""
        pairs = []
        for t in self.barge_ins:
            inside = [turn for turn in self.agent_turns if turn[0] <= t < turn[1]]
            if inside:
                pairs.append((t, inside[0]))
        return pairs

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "duration": self.duration,
            "user_speech": [
                {"start": s.start, "end": s.end, "text": s.text, "lang": s.lang,
                 "words": [[w.word, w.start, w.end] for w in s.words]}
                for s in self.user_speech
            ],
            "turn_ends": list(self.turn_ends),
            "holds": [list(i) for i in self.holds],
            "backchannel_opportunities": list(self.backchannel_opportunities),
            "agent_turns": [list(i) for i in self.agent_turns],
            "barge_ins": list(self.barge_ins),
            "cues": [c.to_dict() for c in self.cues],
            "targets": list(self.targets),
            "reps": list(self.reps),
            "should_not_speak": [list(i) for i in self.should_not_speak],
            "noises": [{"start": n.start, "end": n.end, "kind": n.kind} for n in self.noises],
            "context": list(self.context),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "truth") -> Truth:
        if not isinstance(data, Mapping):
            raise InputError(source, expected="a JSON object", got=type(data).__name__)
        valid = {f.name for f in fields(cls)}
        unknown = set(data) - valid
        if unknown:
            raise InputError(f"{source}: field", expected=f"one of {sorted(valid)}", got=sorted(unknown),
                             fix="check the spelling")
        version = int(data.get("version", TRUTH_VERSION))
        if version > TRUTH_VERSION:
            raise InputError(f"{source}: version", expected=f"<= {TRUTH_VERSION}", got=version,
                             fix="upgrade designkit")
        if "duration" not in data:
            raise InputError(f"{source}: duration", expected="the session length in seconds", got="missing")
        try:
            return cls(
                duration=float(data["duration"]),
                user_speech=tuple(
                    Segment(float(s["start"]), float(s["end"]), str(s.get("text", "")),
                            tuple(Word(str(w[0]), float(w[1]), float(w[2])) for w in s.get("words", ())),
                            str(s.get("lang", "")))
                    for s in data.get("user_speech", ())
                ),
                turn_ends=_floats(data.get("turn_ends", ())),
                holds=_intervals(data.get("holds", ())),
                backchannel_opportunities=_floats(data.get("backchannel_opportunities", ())),
                agent_turns=_intervals(data.get("agent_turns", ())),
                barge_ins=_floats(data.get("barge_ins", ())),
                cues=tuple(Cue(float(c["t"]), str(c["kind"]), dict(c.get("data", {})))
                           for c in data.get("cues", ())),
                targets=_floats(data.get("targets", ())),
                reps=_floats(data.get("reps", ())),
                should_not_speak=_intervals(data.get("should_not_speak", ())),
                noises=tuple(Noise(float(n["start"]), float(n["end"]), str(n["kind"]))
                             for n in data.get("noises", ())),
                context=tuple(str(c) for c in data.get("context", ())),
                version=version,
            )
        except InputError as exc:
            raise InputError(f"{source}: {exc.what}", expected=exc.expected, got=exc.got, fix=exc.fix) from exc
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise InputError(f"{source}", expected="the truth.json schema (see designkit.scenarios.truth)",
                             got=f"{type(exc).__name__}: {exc}") from exc


def _floats(values: Iterable[Any]) -> tuple[float, ...]:
    return tuple(float(v) for v in values)


def _intervals(values: Iterable[Sequence[Any]]) -> tuple[Interval, ...]:
    return tuple((float(v[0]), float(v[1])) for v in values)


def _check_interval(name: str, start: float, end: float, duration: float) -> None:
    if not (math.isfinite(start) and math.isfinite(end)):
        raise InputError(name, expected="finite times", got=(start, end))
    if end < start:
        raise InputError(name, expected="end >= start", got=f"[{start:.3f}, {end:.3f}]",
                         fix="swap the two times or fix the annotation")
    if start < 0 or end > duration + 1e-6:
        raise InputError(name, expected=f"within the audio (0–{duration:.3f} s)", got=f"[{start:.3f}, {end:.3f}]",
                         fix="trim the annotation or check that it belongs to this recording")


def validate(truth: Truth) -> None:
    """Refuse truth that contradicts itself; messages name the field and the item."""
    d = truth.duration
    if not math.isfinite(d) or d <= 0:
        raise InputError("duration", expected="seconds > 0", got=d)
    previous_end = -math.inf
    for i, s in enumerate(truth.user_speech):
        _check_interval(f"user_speech[{i}]", s.start, s.end, d)
        if s.start < previous_end - 1e-9:
            raise InputError(f"user_speech[{i}]", expected="utterances of one speaker that do not overlap",
                             got=f"starts at {s.start:.3f} s before the previous one ends at {previous_end:.3f} s",
                             fix="merge the two utterances or fix their times")
        previous_end = s.end
        for w in s.words:
            _check_interval(f"user_speech[{i}].words['{w.word}']", w.start, w.end, d)
    for name in ("holds", "agent_turns", "should_not_speak"):
        for i, (a, b) in enumerate(getattr(truth, name)):
            _check_interval(f"{name}[{i}]", a, b, d)
    previous_end = -math.inf
    for i, (a, b) in enumerate(truth.agent_turns):  # the agent is one speaker too
        if a < previous_end - 1e-9:
            raise InputError(f"agent_turns[{i}]", expected="agent turns in time order that do not overlap",
                             got=f"starts at {a:.3f} s before the previous one ends at {previous_end:.3f} s",
                             fix="merge the two turns or fix their times")
        previous_end = b
    for i, n in enumerate(truth.noises):
        _check_interval(f"noises[{i}]", n.start, n.end, d)
    for name in ("turn_ends", "backchannel_opportunities", "barge_ins", "targets", "reps"):
        for i, t in enumerate(getattr(truth, name)):
            _check_interval(f"{name}[{i}]", t, t, d)
    for i, c in enumerate(truth.cues):
        _check_interval(f"cues[{i}] ({c.kind})", c.t, c.t, d)


def load_truth(path: str | os.PathLike[str]) -> Truth:
    """Read a truth.json; errors name the file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(str(path), expected="a readable JSON file", got=str(exc),
                         fix="check the file; truth.json is written by save_scenario") from exc
    return Truth.from_dict(data, source=str(path))
