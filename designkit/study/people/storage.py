"""Where a study with people keeps what it keeps, and how one participant is forgotten.

Layout, inside the study folder (pseudonymous ids only; no name is asked or kept anywhere):

    people/
      order.json                      who got which order (designkit.study.people.order)
      P01/
        consent.json                  the text shown, when it was agreed, what is kept
        calm/                         one folder per participant and condition ...
          chat/                       ... holding one per task (usually one):
            session-<time>/           the live session as always: log.parquet, recording.json
                                      (audio.wav only when the participant agreed to keep audio)
            ratings.json              the answers to the questionnaire after the session
            markers.json              the think-aloud markers (a readable copy of the log's
                                      `marker` events)
    people.parquet                    the tidy table of the whole study (`study_table`)

`forget(folder, "P01")` removes the participant's folder, their place in order.json, their rows of
people.parquet, and the same in the published app (`published/`); a later publish starts from the
study folder, so nothing forgotten comes back.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from designkit.core.context import EventKind
from designkit.errors import InputError
from designkit.log import read_log
from designkit.metrics.session import SessionTruth, session_metrics
from designkit.metrics.timeline import timeline_of
from designkit.study.people.order import OrderBook, check_participant
from designkit.study.people.questionnaire import INSTRUMENT_SCORES, Questionnaire
from designkit.study.people.spec import People

log = logging.getLogger(__name__)

PEOPLE_DIR = "people"
TABLE = "people.parquet"
CONSENT = "consent.json"
RATINGS = "ratings.json"
MARKERS = "markers.json"
SESSION_PREFIX = "session"
PUBLISHED = "published"
# The session metrics the table carries beside the ratings (from the session log alone: a live
# session has no ground truth, so the user's speech is what the engine heard and a turn end is
# the end of each stretch of it).
SESSION_METRICS = ("interventions_per_min", "false_interruptions_per_min", "response_latency_s", "yield_latency_s",
                   "overlap_ratio", "early_interruption_rate", "attention_cost", "silent_share")
ROW_COLUMNS = ("participant", "condition", "position", "task", "kind", "item", "instrument", "reversed", "value",
               "text")


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """What a participant agreed to: the text they were shown, when, and what is kept."""

    participant: str
    text: str
    keep: tuple[str, ...] = ("signals",)
    share_audio: bool = False  # may a published app play their audio (only if audio is kept)
    given_at: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        object.__setattr__(self, "participant", check_participant(self.participant))
        object.__setattr__(self, "keep", tuple(self.keep))
        if self.share_audio and "audio" not in self.keep:
            raise InputError("sharing audio", expected="audio kept before it can be shared", got=list(self.keep))

    def to_dict(self) -> dict[str, Any]:
        return {"participant": self.participant, "text": self.text, "keep": list(self.keep),
                "share_audio": self.share_audio, "given_at": self.given_at}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConsentRecord:
        return cls(str(data["participant"]), str(data["text"]), tuple(data.get("keep", ("signals",))),
                   bool(data.get("share_audio", False)), float(data["given_at"]))


@dataclass(frozen=True, slots=True)
class Marker:
    """A think-aloud marker: the microturn its key was pressed in, its time, who, and a note."""

    microturn: int
    t: float
    note: str = ""
    by: str = "participant"

    def to_dict(self) -> dict[str, Any]:
        return {"microturn": self.microturn, "t": self.t, "note": self.note, "by": self.by}


@dataclass(frozen=True, slots=True)
class SessionFolder:
    """The folder of one participant x condition x task, and what is in it."""

    path: Path
    participant: str
    condition: str
    task: str

    def log_path(self) -> Path | None:
        """The session log (the last one when the session was started again), or None."""
        logs = sorted(self.path.glob(f"{SESSION_PREFIX}-*/log.parquet"))
        return logs[-1] if logs else None

    def ratings(self) -> dict[str, Any] | None:
        path = self.path / RATINGS
        return json.loads(path.read_text()) if path.is_file() else None


class PeopleStore:
    """The people/ folder of one study (see the module)."""

    def __init__(self, study_folder: str | os.PathLike[str], people: People) -> None:
        self.study_folder = Path(study_folder)
        self.people = people
        self.root = self.study_folder / PEOPLE_DIR

    # -- folders ---------------------------------------------------------------------------
    def participants(self) -> list[str]:
        """Participants with a folder, in the order they were given an order."""
        if not self.root.is_dir():
            return []
        book = self.order_book()
        found = [p.name for p in self.root.iterdir() if p.is_dir()]
        return sorted(found, key=lambda p: (book.numbers.get(p, 1 << 30), p))

    def order_book(self) -> OrderBook:
        return OrderBook.open(self.root, self.people.scheme)

    def order(self, participant: str) -> tuple[str, ...]:
        """The conditions in the order `participant` meets them (saved on first call)."""
        return self.order_book().order(participant)

    def session(self, participant: str, condition: str, task: str) -> SessionFolder:
        pid = check_participant(participant)
        if condition not in self.people.conditions:
            raise InputError("condition", expected=f"one of {list(self.people.conditions)}", got=repr(condition))
        self.people.task(task)
        return SessionFolder(self.root / pid / condition / task, pid, condition, task)

    def sessions(self) -> list[tuple[SessionFolder, int]]:
        """Every session folder with its position in the participant's order, in order."""
        out = []
        book = self.order_book()
        for pid in self.participants():
            order = book.scheme.order_for(book.numbers[pid]) if pid in book.numbers else self.people.conditions
            for position, condition, task in self.people.sessions_for(order):
                folder = self.session(pid, condition, task.name)
                if folder.path.is_dir():
                    out.append((folder, position))
        return out

    # -- writing ---------------------------------------------------------------------------
    def save_consent(self, record: ConsentRecord) -> Path:
        path = self.root / record.participant / CONSENT
        _write_json(path, record.to_dict())
        return path

    def consent(self, participant: str) -> ConsentRecord | None:
        path = self.root / check_participant(participant) / CONSENT
        return ConsentRecord.from_dict(json.loads(path.read_text())) if path.is_file() else None

    def save_ratings(self, folder: SessionFolder, answers: Mapping[str, Any], *, open_answer: str = "",
                     position: int) -> Path:
        """The questionnaire's answers after a session (checked against its scales), with scores."""
        questionnaire = self.people.questionnaire
        checked = questionnaire.check(answers)
        data = {"participant": folder.participant, "condition": folder.condition, "task": folder.task,
                "position": position, "answers": checked, "open_answer": str(open_answer),
                "scores": questionnaire.scores(checked), "saved_at": time.time()}
        path = folder.path / RATINGS
        _write_json(path, data)
        return path

    def save_markers(self, folder: SessionFolder) -> list[Marker]:
        """markers.json from the session log's marker events (the log is the record; this is a copy
        a person can read)."""
        found = markers_of(folder.log_path()) if folder.log_path() is not None else []
        _write_json(folder.path / MARKERS, [m.to_dict() for m in found])
        return found

    # -- the table -------------------------------------------------------------------------
    def table(self) -> pd.DataFrame:
        """The tidy table: one row per participant x condition x task x item (answers and scores),
        with the session's metrics as columns (see `study_table`)."""
        return study_table(self.sessions(), self.people.questionnaire)

    def write_table(self) -> Path:
        path = self.study_folder / TABLE
        frame = self.table()
        tmp = path.with_suffix(".tmp")
        frame.to_parquet(tmp, index=False)
        tmp.replace(path)
        return path

    # -- forgetting ------------------------------------------------------------------------
    def forget(self, participant: str) -> list[Path]:
        """Remove every file and row of `participant`, here and in the published app; returns what
        was removed."""
        pid = check_participant(participant)
        removed: list[Path] = []
        for root in (self.study_folder, self.study_folder / PUBLISHED):
            folder = root / PEOPLE_DIR / pid
            if folder.exists():
                shutil.rmtree(folder)
                removed.append(folder)
            if (root / PEOPLE_DIR / "order.json").is_file():
                OrderBook.open(root / PEOPLE_DIR, self.people.scheme).without(pid)
            table = root / TABLE
            if table.is_file():
                frame = pd.read_parquet(table)
                kept = frame[frame["participant"] != pid]
                if len(kept) != len(frame):
                    kept.to_parquet(table, index=False)
                    removed.append(table)
        if removed:
            log.info("forgot participant %s: %s", pid, [str(p) for p in removed])
        return removed


def publish_people(study_folder: str | os.PathLike[str], people: People, target: str | os.PathLike[str]) -> Path:
    """Copy what a published app shows into `target`: the tidy table, and per session its log,
    ratings and markers; a session's audio only when its participant agreed to share it. The
    copy is made afresh each time, so a forgotten participant never comes back."""
    store = PeopleStore(study_folder, people)
    out = Path(target)
    if (out / PEOPLE_DIR).exists():
        shutil.rmtree(out / PEOPLE_DIR)
    table = store.write_table()
    shutil.copy2(table, out / TABLE)
    for folder, _ in store.sessions():
        consent = store.consent(folder.participant)
        dest = out / PEOPLE_DIR / folder.participant / folder.condition / folder.task
        dest.mkdir(parents=True, exist_ok=True)
        for name in (RATINGS, MARKERS):
            if (folder.path / name).is_file():
                shutil.copy2(folder.path / name, dest / name)
        log_path = folder.log_path()
        if log_path is not None:
            shutil.copy2(log_path, dest / "log.parquet")
            audio = log_path.parent / "audio.wav"
            if audio.is_file() and consent is not None and consent.share_audio:
                shutil.copy2(audio, dest / "audio.wav")
    return out / TABLE


def published_sessions(app: str | os.PathLike[str]) -> list[tuple[SessionFolder, int]]:
    """The sessions of a published app (`publish_people`'s layout), as `PeopleStore.sessions` gives
    them in a study folder, so the same analysis runs on either."""
    table = pd.read_parquet(Path(app) / TABLE)
    found = table.drop_duplicates(["participant", "condition", "task"])
    return [(PublishedSession(Path(app) / PEOPLE_DIR / p / c / t, p, c, t), int(pos))
            for p, c, t, pos in zip(found["participant"], found["condition"], found["task"], found["position"],
                                    strict=True)]


def sessions_in(folder: str | os.PathLike[str], people: People) -> list[tuple[SessionFolder, int]]:
    """The sessions of a study folder or of its published app, whichever `folder` is."""
    if (Path(folder) / PEOPLE_DIR / "order.json").is_file():
        return PeopleStore(folder, people).sessions()
    return published_sessions(folder)


class PublishedSession(SessionFolder):
    """A session folder in a published app: its log sits in the folder itself."""

    def log_path(self) -> Path | None:
        path = self.path / "log.parquet"
        return path if path.is_file() else None


def markers_of(path: str | os.PathLike[str] | None) -> list[Marker]:
    """The marker events of a session log, each at the microturn it landed in."""
    if path is None:
        return []
    frame = read_log(path).frame
    out = []
    for index, raw in zip(frame["index"], frame["events"], strict=True):
        for event in json.loads(raw) if raw else ():
            if event.get("kind") == EventKind.MARKER.value:
                data = event.get("data") or {}
                out.append(Marker(int(index), float(event["t"]), str(data.get("note", "")),
                                  str(data.get("by", "participant"))))
    return out


def live_session_metrics(path: str | os.PathLike[str]) -> dict[str, float]:
    """The metrics of a live session from its log alone (see `SESSION_METRICS`).

    The user's speech is what the engine heard (microturn resolution) and every end of it is a
    turn end to answer (`false_interruptions_per_min`, declared in `designkit.metrics.catalogue`,
    counts the turns the agent took in a pause the person went on from).
    """
    timeline = timeline_of(read_log(path))
    duration = max(len(timeline.actions) * timeline.dt, 1e-9)
    user = timeline.user_speech()
    truth = SessionTruth.make(duration_s=duration, user_speech=user, respond_at=user[:, 1] if len(user) else ())
    metrics = session_metrics(timeline, truth, only=SESSION_METRICS)
    out = {name: float(metrics.get(name, math.nan)) for name in SESSION_METRICS}
    out["duration_s"] = duration
    return out


def study_table(sessions: Sequence[tuple[SessionFolder, int]], questionnaire: Questionnaire) -> pd.DataFrame:
    """One row per answer (kind "item"), instrument score ("score") and open answer ("open") of
    every rated session: participant, condition, position (1 = first), task, item, instrument,
    reversed, value, text, then the session's metrics (NaN without a log) and its marker count."""
    rows: list[dict[str, Any]] = []
    for folder, position in sessions:
        ratings = folder.ratings()
        if ratings is None:
            continue
        log_path = folder.log_path()
        metrics = live_session_metrics(log_path) if log_path is not None else \
            dict.fromkeys((*SESSION_METRICS, "duration_s"), math.nan)
        metrics["markers"] = float(len(markers_of(log_path)))
        base = {"participant": folder.participant, "condition": folder.condition, "position": position,
                "task": folder.task}
        for item_id, value in ratings["answers"].items():
            item = questionnaire.item(item_id)
            rows.append({**base, "kind": "item", "item": item_id, "instrument": item.instrument,
                         "reversed": item.reversed, "value": float(value), "text": "", **metrics})
        for name, value in ratings.get("scores", {}).items():
            rows.append({**base, "kind": "score", "item": name, "instrument": _SCORED_BY[name], "reversed": False,
                         "value": float(value), "text": "", **metrics})
        if ratings.get("open_answer"):
            rows.append({**base, "kind": "open", "item": "open_answer", "instrument": "", "reversed": False,
                         "value": math.nan, "text": str(ratings["open_answer"]), **metrics})
    columns = [*ROW_COLUMNS, *SESSION_METRICS, "duration_s", "markers"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"position": "int64", "reversed": "bool", "value": "float64"})


_SCORED_BY = {score: name for name, scores in INSTRUMENT_SCORES.items() for score in scores}


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n")
    tmp.replace(path)
