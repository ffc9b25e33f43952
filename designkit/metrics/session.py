"""evaluate(logs, truths) -> one row per session, one column per metric."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from designkit.core.context import EventKind
from designkit.core.decisions import Action, Reason
from designkit.errors import InputError
from designkit.metrics.attention import attention_cost
from designkit.metrics.cuespeak import cuespeak
from designkit.metrics.intervals import (
    FloatArray,
    IntervalsLike,
    TimesLike,
    as_intervals,
    as_times,
    inside,
    overlap_seconds,
)
from designkit.metrics.silence import silence_outcome, silence_reasons
from designkit.metrics.task_success import task_success, turn_end_latencies
from designkit.metrics.timeline import Timeline, timeline_of
from designkit.metrics.timespeak import timespeak
from designkit.metrics.turn_taking import (
    early_interruption_rate,
    overlap_ratio,
    yield_latencies,
)

NEEDED_TOL_S = 1.0
CUE_WINDOW_S = 3.0  # CueSpeak's window: a proposal up to this long after a cue answers it


@dataclass(frozen=True, slots=True)
class SessionTruth:
    """What a session's ground truth says, as plain arrays (seconds).

    `user_speech`: when the user speaks; `respond_at`: moments the agent should act (turn ends,
    backchannel openings: a proposal within `NEEDED_TOL_S` of one is "needed"); `targets`:
    user-set TimeSpeak times; `cues`: CueSpeak cue times (with `cue_kinds`); `backchannel_at`:
    openings for a backchannel (also "needed"); `should_not_speak`: spans where acting is wrong
    (a proposal there is never "needed").
    """

    duration_s: float
    user_speech: FloatArray = field(default_factory=lambda: np.zeros((0, 2)))
    respond_at: FloatArray = field(default_factory=lambda: np.zeros(0))
    backchannel_at: FloatArray = field(default_factory=lambda: np.zeros(0))
    targets: FloatArray = field(default_factory=lambda: np.zeros(0))
    cues: FloatArray = field(default_factory=lambda: np.zeros(0))
    name: str = ""
    cue_kinds: tuple[str, ...] = ()
    should_not_speak: FloatArray = field(default_factory=lambda: np.zeros((0, 2)))

    @classmethod
    def make(cls, *, duration_s: float, user_speech: IntervalsLike = (), respond_at: TimesLike = (),
             backchannel_at: TimesLike = (), targets: TimesLike = (), cues: TimesLike = (),
             name: str = "", cue_kinds: tuple[str, ...] | list[str] = (),
             should_not_speak: IntervalsLike = ()) -> SessionTruth:
        if not (isinstance(duration_s, (int, float)) and math.isfinite(duration_s) and duration_s > 0):
            raise InputError("truth duration_s", expected="seconds > 0", got=duration_s)
        raw_cues = np.asarray(cues, dtype=np.float64).reshape(-1)
        kinds = tuple(str(k) for k in cue_kinds) or (EventKind.CUE.value,) * len(raw_cues)
        if len(kinds) != len(raw_cues):
            raise InputError("truth cue_kinds", expected=f"{len(raw_cues)} kinds (one per cue)", got=len(kinds))
        order = np.argsort(raw_cues, kind="stable")
        return cls(float(duration_s), as_intervals("truth user_speech", user_speech),
                   as_times("truth respond_at", respond_at), as_times("truth backchannel_at", backchannel_at),
                   as_times("truth targets", targets), as_times("truth cues", raw_cues), name,
                   tuple(kinds[i] for i in order.tolist()),
                   as_intervals("truth should_not_speak", should_not_speak))


def truth_of(obj: Any) -> SessionTruth:
    """A SessionTruth from itself, a mapping or object with its field names, a scenario's truth
    (`designkit.scenarios.truth.Truth`: turn_ends -> respond_at, backchannel_opportunities ->
    backchannel_at, holds + should_not_speak -> should_not_speak) or a scenario (its `.truth`)."""
    if isinstance(obj, SessionTruth):
        return obj
    inner = getattr(obj, "truth", None)
    if inner is not None and not isinstance(obj, Mapping):
        found = truth_of(inner)
        name = str(getattr(obj, "name", "") or found.name)
        return found if name == found.name else replace(found, name=name)
    if hasattr(obj, "turn_ends") and hasattr(obj, "duration"):
        cues = list(getattr(obj, "cues", ()))
        return SessionTruth.make(
            duration_s=float(obj.duration),
            user_speech=[(float(s.start), float(s.end)) for s in obj.user_speech],
            respond_at=list(obj.turn_ends), backchannel_at=list(getattr(obj, "backchannel_opportunities", ())),
            targets=list(getattr(obj, "targets", ())), cues=[float(c.t) for c in cues],
            cue_kinds=[str(c.kind) for c in cues],
            should_not_speak=[*getattr(obj, "holds", ()), *getattr(obj, "should_not_speak", ())])
    get = obj.get if isinstance(obj, Mapping) else (lambda k, d=None: getattr(obj, k, d))
    duration = get("duration_s", None)
    if duration is None:
        raise InputError("truth", expected="an object with duration_s (and user_speech, respond_at, ...)",
                         got=type(obj).__name__)
    return SessionTruth.make(duration_s=float(duration), user_speech=get("user_speech", ()) or (),
                             respond_at=get("respond_at", ()) or (),
                             backchannel_at=get("backchannel_at", ()) or (), targets=get("targets", ()) or (),
                             cues=get("cues", ()) or (), name=str(get("name", "") or ""))


# The names `session_metrics` can return, in the order tables show them (studies validate
# their `metrics` against this; `share:<reason>` is the share of proposals withheld for it).
BASE_METRICS = (
    "interventions_per_min", "voiced_per_min", "backchannels_per_min", "attention_cost", "overlap_ratio",
    "yield_latency_s", "response_latency_s", "early_interruption_rate", "task_success", "silent_share",
    "deliberate_silence_precision", "silence_regret_per_min",
    "timespeak_hit_rate", "timespeak_mae_s", "timespeak_p90_s", "false_starts_per_min",
    "cue_precision", "cue_recall", "cue_f1", "cue_latency_s", "rude_hits",
)
METRICS = BASE_METRICS + tuple(f"share:{r.value}" for r in Reason if r.value.startswith("silent:"))


def session_metrics(timeline: Timeline, truth: SessionTruth, *, weights: Mapping[str, float] | None = None,
                    only: Collection[str] | None = None) -> dict[str, float]:
    """Every metric of one session, as a flat dict (NaN where a metric does not apply).

    `only`: compute just these (the explorer's chart needs three of the ~30 on every slider
    move); the values are the same as in the full dict.
    """
    def want(*names: str) -> bool:
        return only is None or any(n in only for n in names)

    duration = max(timeline.duration_s, 1e-9)
    minutes = duration / 60.0
    agent, began_as_backchannel = timeline.voice()
    turns = agent[~began_as_backchannel]
    user = truth.user_speech if len(truth.user_speech) else timeline.user_speech()
    times, kinds = timeline.interventions()
    named = np.asarray(kinds, dtype=str)  # the same names, compared as one array
    voiced = np.isin(named, _VOICED_NAMES)
    captions = times[named == Action.CAPTION.value] if len(times) else np.zeros(0)
    out: dict[str, float] = {
        "interventions_per_min": len(times) / minutes,
        "voiced_per_min": int(voiced.sum()) / minutes,
        "backchannels_per_min": kinds.count(Action.BACKCHANNEL.value) / minutes,
    }
    if want("attention_cost"):
        interrupted = inside(times, user) & voiced
        out["attention_cost"] = attention_cost(interventions=kinds, overlap_s=overlap_seconds(user, agent),
                                               interruptions=int(interrupted.sum()), duration_s=duration,
                                               weights=weights)
    if want("overlap_ratio"):
        out["overlap_ratio"] = overlap_ratio(user_speech=user, agent_speech=agent)
    if want("yield_latency_s"):
        yields = yield_latencies(user_speech=user, agent_speech=turns)
        out["yield_latency_s"] = float(yields.mean()) if len(yields) else math.nan
    if want("response_latency_s"):
        responses = turn_end_latencies(turn_ends=truth.respond_at, user_speech=user,
                                       voiced_onsets=turns[:, 0] if len(turns) else np.zeros(0))
        out["response_latency_s"] = float(responses.mean()) if len(responses) else math.nan
    if want("early_interruption_rate"):
        out["early_interruption_rate"] = early_interruption_rate(user_speech=user, agent_speech=turns)
    if want("task_success"):
        out["task_success"] = _task_success(truth, user, turns, captions)
    if only is None or any(n == "silent_share" or n.startswith("share:") for n in only):
        proposed = timeline.proposed
        shares = silence_reasons(proposed=proposed, reasons=timeline.reasons)
        out["silent_share"] = float(sum(shares.values())) if proposed.any() else math.nan
        for reason, share in shares.items():
            out[f"share:{reason}"] = share
    if want("deliberate_silence_precision", "silence_regret_per_min"):
        starts, withheld = timeline.proposals()
        if len(starts):
            needed = _needed(starts, truth)
            outcome = silence_outcome(withheld=withheld, needed=needed, duration_s=duration)
            out["deliberate_silence_precision"] = outcome.deliberate_silence_precision
            out["silence_regret_per_min"] = outcome.silence_regret_per_min
    if len(truth.targets) and want("timespeak_hit_rate", "timespeak_mae_s", "timespeak_p90_s", "false_starts_per_min"):
        onsets = agent[:, 0] if len(agent) else np.zeros(0)
        ts = timespeak(targets=truth.targets, onsets=np.sort(np.concatenate([onsets, captions])), duration_s=duration)
        out.update({"timespeak_hit_rate": ts.hit_rate, "timespeak_mae_s": ts.mean_abs_error_s,
                    "timespeak_p90_s": ts.p90_abs_error_s, "false_starts_per_min": ts.false_starts_per_min})
    if len(truth.cues) and want("cue_precision", "cue_recall", "cue_f1", "cue_latency_s", "rude_hits"):
        cs = cuespeak(cues=truth.cues, interventions=times, user_speech=user, voiced=voiced)
        out.update({"cue_precision": cs.precision, "cue_recall": cs.recall, "cue_f1": cs.f1,
                    "cue_latency_s": cs.median_latency_s, "rude_hits": float(cs.rude_hits)})
    return out


_VOICED_NAMES = [a.value for a in Action if a.is_voiced]


def _needed(starts: FloatArray, truth: SessionTruth) -> np.ndarray:
    """Proposals the truth asks for: within `NEEDED_TOL_S` of a real turn end or a TimeSpeak target,
    or from `NEEDED_TOL_S` before a cue to `CUE_WINDOW_S` after it, and not where speaking is wrong. A backchannel opening is
    optional: withholding one is not a regret."""
    moments = np.sort(np.concatenate([truth.respond_at, truth.targets]))
    near = _near(starts, moments, NEEDED_TOL_S)
    if len(truth.cues):
        after = starts[:, None] - truth.cues[None, :]
        near |= np.any((after >= -NEEDED_TOL_S) & (after <= CUE_WINDOW_S + 1e-9), axis=1)
    return near & ~inside(starts, truth.should_not_speak)


def _task_success(truth: SessionTruth, user: FloatArray, turns: FloatArray, captions: FloatArray) -> float:
    """Answered real turn ends (the truth's `respond_at`) / all of them; a caption answers too
    (voiced onsets: the starts of `turns`; `captions`: when captions were shown)."""
    if len(truth.respond_at) == 0:
        return math.nan
    onsets = turns[:, 0] if len(turns) else np.zeros(0)
    return task_success(turn_ends=truth.respond_at, user_speech=user, voiced_onsets=onsets,
                        answers=np.sort(np.concatenate([onsets, captions]))).rate


def _near(times: FloatArray, moments: FloatArray, tol: float) -> np.ndarray:
    if len(moments) == 0:
        return np.zeros(len(times), dtype=bool)
    k = np.searchsorted(moments, times)
    left = np.abs(times - moments[np.clip(k - 1, 0, len(moments) - 1)])
    right = np.abs(moments[np.clip(k, 0, len(moments) - 1)] - times)
    return np.minimum(left, right) <= tol + 1e-9


def evaluate(logs: Sequence[Any], truths: Sequence[Any], *,
             weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Session x metric: one row per (log, truth) pair, indexed by session name.

    `logs`: policy replays, lists of engine records or session logs; `truths`: `SessionTruth`s
    (or objects/mappings with its fields).
    """
    if len(logs) != len(truths):
        raise InputError("truths", expected=f"{len(logs)} truths (one per log)", got=len(truths))
    rows = []
    names = []
    for i, (log, raw) in enumerate(zip(logs, truths, strict=True)):
        truth = truth_of(raw)
        timeline = timeline_of(log)
        rows.append(session_metrics(timeline, truth, weights=weights))
        names.append(truth.name or timeline.name or f"session-{i}")
    frame = pd.DataFrame(rows, index=pd.Index(names, name="session"))
    return frame
