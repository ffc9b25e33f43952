"""Every session metric, declared once: name, how a session computes it, label, unit, scale,
which way is better, its sanity anchors and its glossary row.

`session_metrics` computes from here, chart axes (`designkit.metrics.units`) and `designkit.sanity`
read it, and the glossary test checks every entry against docs/glossary.md. A new metric is a
pure function in its own module, one `Metric(...)` below, and a row in docs/glossary.md.

`compute` gets a `SessionView` (the timeline, the truth and the values metrics share) and returns
the value, NaN where the metric does not apply, or None where the session lacks what the metric
measures (no targets, no cues, no proposals): the metric is then left out of the session's row.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from designkit.core.decisions import Action, Reason
from designkit.errors import InputError
from designkit.metrics.anchors import (
    Anchors,
    Expected,
    Facts,
    always_early,
    always_overlap,
    always_rude,
    always_timespeak_hits,
    always_yield,
    every_microturn_per_min,
    never_applies,
    share_anchors,
    when,
    zero,
)
from designkit.metrics.attention import attention_cost
from designkit.metrics.intervals import FloatArray, overlap_seconds
from designkit.metrics.task_success import turn_end_latencies
from designkit.metrics.thinking import TalkBack, talk_back
from designkit.metrics.truth import CUE_WINDOW_S
from designkit.metrics.turn_taking import (
    early_interruption_rate,
    false_interruptions_per_min,
    interruptions_per_min,
    overlap_ratio,
    yield_latencies,
)
from designkit.metrics.view import SessionView, answered_share


class Better(str, Enum):
    """Which way a metric is better; NEITHER: read it beside others (a rate of interventions)."""

    LOWER = "lower"
    HIGHER = "higher"
    NEITHER = ""


# How a session computes a metric: its value, NaN (does not apply) or None (left out of the row).
Compute = Callable[[SessionView], "float | None"]


@dataclass(frozen=True, slots=True)
class Metric:
    """One session metric, all of it in one place.

    `label`: the metric in a designer's words (chart titles, the glossary row); `unit`: what one
    step means; `scale`: the range and what typical values look like; `glossary`: the
    docs/glossary.md row that explains it ("" = the row named like the metric).
    """

    name: str
    label: str
    unit: str
    scale: str
    better: Better
    anchors: Anchors
    compute: Compute
    glossary: str = ""

    def __post_init__(self) -> None:
        empty = [part for part in ("name", "label", "unit", "scale") if not str(getattr(self, part)).strip()]
        if empty:
            raise InputError(f"metric {self.name!r}", expected="a name, label, unit and scale", got=f"empty {empty}")
        if not isinstance(self.better, Better):
            raise InputError(f"metric {self.name!r} better", expected=f"one of {list(Better)}", got=self.better)
        if not isinstance(self.anchors, Anchors):
            raise InputError(f"metric {self.name!r} anchors", expected="Anchors(oracle=..., never=..., always=...)",
                             got=type(self.anchors).__name__)
        if not callable(self.compute):
            raise InputError(f"metric {self.name!r} compute", expected="a function of a SessionView",
                             got=type(self.compute).__name__)

    @property
    def glossary_row(self) -> str:
        """The code in the first column of its docs/glossary.md row."""
        return self.glossary or self.name


def _mean(values: FloatArray) -> float:
    return float(values.mean()) if len(values) else math.nan


BASE: tuple[Metric, ...] = (
    Metric("interventions_per_min", "interventions per minute", "per minute",
           "0 and up; each speak, backchannel, interrupt, caption or ask counts once", Better.NEITHER,
           Anchors(oracle=lambda f: f.acts / f.minutes, never=zero, always=every_microturn_per_min),
           lambda s: len(s.times) / s.minutes),
    Metric("voiced_per_min", "spoken interventions per minute", "per minute", "0 and up; captions not counted",
           Better.NEITHER,
           Anchors(oracle=lambda f: f.voiced / f.minutes, never=zero, always=every_microturn_per_min),
           lambda s: int(s.voiced.sum()) / s.minutes),
    Metric("backchannels_per_min", "backchannels per minute", "per minute",
           "0 and up; people give ~5–15 in a lively minute of listening", Better.NEITHER,
           Anchors(oracle=lambda f: f.count("backchannel") / f.minutes, never=zero, always=zero),
           lambda s: s.kinds.count(Action.BACKCHANNEL.value) / s.minutes),
    Metric("attention_cost", "attention cost", "cost points per minute",
           "0 = never asks for attention; 1 point = one full spoken turn (speak or interrupt); "
           "a backchannel 0.2, a caption 0.4, an ask 0.6, +0.5 per second of overlap, "
           "+2 per interruption of the person", Better.LOWER,
           Anchors(oracle=lambda f: (0.0, 60.0 / f.dt), never=zero, always=lambda f: (60.0 / f.dt, math.inf)),
           lambda s: attention_cost(interventions=s.kinds, overlap_s=overlap_seconds(s.user, s.agent),
                                    interruptions=s.interruptions, duration_s=s.duration, weights=s.weights)),
    Metric("overlap_ratio", "talking at the same time", "share of agent speech time",
           "0–1; 0 = never over the person", Better.LOWER,
           Anchors(oracle=lambda f: when(f.voiced > 0, (0.0, 0.05)), never=never_applies, always=always_overlap),
           lambda s: overlap_ratio(user_speech=s.user, agent_speech=s.agent)),
    Metric("yield_latency_s", "time to stop when talked over", "seconds", "0 and up; under 0.4 s feels polite",
           Better.LOWER, Anchors(oracle=never_applies, never=never_applies, always=always_yield),
           lambda s: _mean(yield_latencies(user_speech=s.user, agent_speech=s.turns))),
    Metric("response_latency_s", "time to answer", "seconds",
           "from the person's last word to the agent's first; people take ~0.2–0.6 s", Better.LOWER,
           Anchors(oracle=lambda f: when(f.has("respond_at"), (0.0, f.dt)), never=never_applies,
                   always=never_applies),
           lambda s: _mean(turn_end_latencies(turn_ends=s.truth.respond_at, user_speech=s.user,
                                              voiced_onsets=s.turn_onsets))),
    Metric("early_interruption_rate", "early starts", "share of agent turns",
           "0–1; turns that start > 0.5 s before the person finished", Better.LOWER,
           Anchors(oracle=lambda f: when(f.has("user_speech"), 0.0),
                   never=lambda f: when(f.has("user_speech"), 0.0),
                   always=always_early),
           lambda s: early_interruption_rate(user_speech=s.user, agent_speech=s.turns)),
    Metric("interruptions_per_min", "starts over the person per minute", "per minute",
           "0 and up; spoken interventions (backchannels too) that start while the person talks", Better.LOWER,
           Anchors(oracle=lambda f: interruptions_per_min(  # the plan's voiced onsets, at the end of their microturn
                       user_speech=f.truth.user_speech, duration_s=f.n * f.dt,
                       onsets=[(p.k + 1) * f.dt for p in f.plan if p.action.is_voiced]),
                   never=zero,
                   always=lambda f: interruptions_per_min(  # a voiced onset at the end of every microturn
                       user_speech=f.truth.user_speech, duration_s=f.n * f.dt,
                       onsets=[(k + 1) * f.dt for k in range(f.n)])),
           lambda s: interruptions_per_min(user_speech=s.user, onsets=s.times[s.voiced], duration_s=s.duration)),
    Metric("false_interruptions_per_min", "took a pause for a turn end", "per minute",
           "0 and up; agent turns that start while the person talks or in a pause they go on from",
           Better.LOWER,
           Anchors(oracle=lambda f: false_interruptions_per_min(  # the plan's turns, from the end of their microturn
                       user_speech=f.truth.user_speech, duration_s=f.n * f.dt,
                       agent_turns=[((p.k + 1) * f.dt, (p.k + 1) * f.dt + p.duration_s) for p in f.plan
                                    if p.action.is_voiced and p.action is not Action.BACKCHANNEL]),
                   never=zero,
                   always=lambda f: false_interruptions_per_min(  # one turn from the first microturn's end on
                       user_speech=f.truth.user_speech, duration_s=f.n * f.dt,
                       agent_turns=[(f.dt, (f.n + 1) * f.dt)])),
           lambda s: false_interruptions_per_min(user_speech=s.user, agent_turns=s.turns, duration_s=s.duration)),
    Metric("task_success", "turns answered", "share of turns that needed an answer",
           "0–1; 1 = every turn that needed an answer got one", Better.HIGHER,
           Anchors(oracle=lambda f: when(f.has("respond_at"), 1.0),
                   never=lambda f: when(f.has("respond_at"), 0.0),
                   always=lambda f: when(f.has("respond_at"), 0.0)),
           answered_share),
    Metric("silent_share", "proposals withheld", "share of microturns with a proposal",
           "0–1; how often the policy kept the model quiet", Better.NEITHER,
           Anchors(oracle=lambda f: when(f.acts > 0, 0.0), never=lambda f: when(f.acts > 0, 1.0),
                   always=lambda f: when(f.acts > 0, 0.0)),
           lambda s: float(sum(s.shares.values())) if s.timeline.proposed.any() else math.nan),
)


def _share_of(reason: str) -> Compute:
    return lambda s: s.shares.get(reason)


# One per silent reason, in the order session rows list them (by code).
SILENCE_SHARES: tuple[Metric, ...] = tuple(
    Metric(f"share:{r.value}", f"withheld because {r.label.removeprefix('quiet: ')}",
           "share of microturns with a proposal",
           "0–1; the shares of all silence reasons add up to 'proposals withheld'", Better.NEITHER,
           share_anchors(r.value), _share_of(r.value), glossary="share:silent:…")
    for r in sorted((r for r in Reason if r.is_silence), key=lambda r: r.value))


OUTCOMES: tuple[Metric, ...] = (
    Metric("deliberate_silence_precision", "right to stay quiet", "share of withheld proposals",
           "0–1; withheld where the truth says 'do not speak'", Better.HIGHER,
           Anchors(oracle=never_applies, never=lambda f: when(f.acts > 0, f.count("backchannel") / max(1, f.acts)),
                   always=never_applies),
           lambda s: s.silence.deliberate_silence_precision if s.silence is not None else None),
    Metric("silence_regret_per_min", "missed moments per minute", "per minute",
           "0 and up; withheld where the truth says 'speak'", Better.LOWER,
           Anchors(oracle=lambda f: when(f.acts > 0, 0.0),
                   never=lambda f: when(f.acts > 0, (f.acts - f.count("backchannel")) / f.minutes),
                   always=lambda f: when(f.acts > 0, 0.0)),
           lambda s: s.silence.silence_regret_per_min if s.silence is not None else None),
    Metric("timespeak_hit_rate", "on-time share (TimeSpeak)", "share of target times",
           "0–1; spoke within 0.5 s of the time asked for", Better.HIGHER,
           Anchors(oracle=lambda f: when(f.has("targets"), 1.0), never=lambda f: when(f.has("targets"), 0.0),
                   always=always_timespeak_hits),
           lambda s: s.timespeak.hit_rate if s.timespeak is not None else None),
    Metric("timespeak_mae_s", "timing error (TimeSpeak)", "seconds",
           "0 and up; mean distance from the time asked for, over hits", Better.LOWER,
           Anchors(oracle=lambda f: when(f.has("targets"), (0.0, f.dt)), never=never_applies,
                   always=lambda f: when(always_timespeak_hits(f) > 0, (0.0, 0.5))),
           lambda s: s.timespeak.mean_abs_error_s if s.timespeak is not None else None),
    Metric("timespeak_p90_s", "worst-case timing error (TimeSpeak, p90)", "seconds",
           "0 and up; 9 in 10 hits were at least this close", Better.LOWER,
           Anchors(oracle=lambda f: when(f.has("targets"), (0.0, f.dt)), never=never_applies,
                   always=lambda f: when(always_timespeak_hits(f) > 0, (0.0, 0.5))),
           lambda s: s.timespeak.p90_abs_error_s if s.timespeak is not None else None),
    Metric("false_starts_per_min", "false starts per minute", "per minute",
           "0 and up; spoke when no time was asked for", Better.LOWER,
           Anchors(oracle=lambda f: when(f.has("targets"), (f.acts - f.count("target")) / f.minutes),
                   never=lambda f: when(f.has("targets"), 0.0),
                   always=lambda f: when(f.has("targets"), (1.0 - always_timespeak_hits(f) * len(f.truth.targets))
                                         / f.minutes)),
           lambda s: s.timespeak.false_starts_per_min if s.timespeak is not None else None),
    Metric("cue_precision", "interventions that matched a cue (CueSpeak precision)", "share of interventions",
           "0–1", Better.HIGHER,
           Anchors(oracle=lambda f: when(f.has("cues"), len(f.truth.cues) / max(1, f.acts)), never=never_applies,
                   always=lambda f: when(f.has("cues"), len(f.truth.cues) / f.n)),
           lambda s: s.cuespeak.precision if s.cuespeak is not None else None),
    Metric("cue_recall", "cues answered (CueSpeak recall)", "share of cues", "0–1", Better.HIGHER,
           Anchors(oracle=lambda f: when(f.has("cues"), 1.0), never=lambda f: when(f.has("cues"), 0.0),
                   always=lambda f: when(f.has("cues"), 1.0)),
           lambda s: s.cuespeak.recall if s.cuespeak is not None else None),
    Metric("cue_f1", "cue score (CueSpeak F1)", "score", "0–1; balances precision and recall", Better.HIGHER,
           Anchors(oracle=lambda f: when(f.has("cues"), 2 * (c := len(f.truth.cues) / max(1, f.acts)) / (c + 1)),
                   never=never_applies,
                   always=lambda f: when(f.has("cues"), 2 * (c := len(f.truth.cues) / f.n) / (c + 1))),
           lambda s: s.cuespeak.f1 if s.cuespeak is not None else None),
    Metric("cue_latency_s", "time from cue to intervention", "seconds", "0 up to the 3 s window", Better.LOWER,
           Anchors(oracle=lambda f: when(f.has("cues"), (0.0, CUE_WINDOW_S)), never=never_applies,
                   always=lambda f: when(f.has("cues"), (0.0, f.dt))),
           lambda s: s.cuespeak.median_latency_s if s.cuespeak is not None else None),
    Metric("rude_hits", "cue hits over the person's speech", "count per session", "0 and up", Better.LOWER,
           Anchors(oracle=lambda f: when(f.has("cues"), 0.0), never=lambda f: when(f.has("cues"), 0.0),
                   always=always_rude),
           lambda s: float(s.cuespeak.rude_hits) if s.cuespeak is not None else None),
)


def _planned_talk(f: Facts, *, always: bool = False) -> TalkBack:
    """The anchor agents' answers: the oracle's planned speaks, or a speak in every microturn; no thinking."""
    onsets = [(k + 1) * f.dt for k in range(f.n)] if always else \
        [(p.k + 1) * f.dt for p in f.plan if p.action is Action.SPEAK]
    return talk_back(user_speech=f.truth.user_speech, answers=onsets, thinking_at=(), sounds=0)


def _no_thinking(f: Facts, *, always: bool = False) -> Expected:
    return when(len(_planned_talk(f, always=always).answers) > 0, 0.0)


# Talking back (docs/design.md, "Talking back"): NaN where no turn end was answered.
TALK: tuple[Metric, ...] = (
    Metric("first_word_s", "time to first word", "seconds",
           "from the person's last word to the answer's first (thinking sounds do not count); "
           "people take ~0.2–0.6 s, a talking agent on a laptop ~1 s", Better.LOWER,
           Anchors(oracle=lambda f: _mean(_planned_talk(f).first_word_s), never=never_applies,
                   always=lambda f: _mean(_planned_talk(f, always=True).first_word_s)),
           lambda s: _mean(s.talk.first_word_s)),
    Metric("thinking_s", "time spent thinking", "seconds",
           "0 and up; from when the policy wanted to answer to the answer's first word", Better.LOWER,
           Anchors(oracle=_no_thinking, never=never_applies, always=lambda f: _no_thinking(f, always=True)),
           lambda s: _mean(s.talk.thinking_s)),
    Metric("fillers_per_answer", "thinking sounds per answer", "per answer",
           "0 and up; fillers, backchannels and holding lines said while thinking", Better.NEITHER,
           Anchors(oracle=_no_thinking, never=never_applies, always=lambda f: _no_thinking(f, always=True)),
           lambda s: s.talk.fillers_per_answer),
)

# name -> declaration, in the order a session's row lists them.
CATALOGUE: dict[str, Metric] = {m.name: m for m in (*BASE, *SILENCE_SHARES, *OUTCOMES, *TALK)}

__all__ = ["BASE", "CATALOGUE", "OUTCOMES", "SILENCE_SHARES", "TALK", "Better", "Compute", "Metric"]
