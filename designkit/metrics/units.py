"""Every metric a session reports, in plain words, with its unit, scale and which way is better.

Charts title their axes with `axis_title(name)`; docs/glossary.md explains each entry at length,
and a test keeps the table, the metrics and the glossary in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from designkit.core.decisions import Reason


@dataclass(frozen=True, slots=True)
class MetricInfo:
    """`label`: the metric in a designer's words; `unit`: what one step means; `scale`: the range
    and what typical values look like; `better`: "lower", "higher" or "" (neither: read it with others)."""

    label: str
    unit: str
    scale: str
    better: str = ""


METRIC_INFO: dict[str, MetricInfo] = {
    "interventions_per_min": MetricInfo("interventions per minute", "per minute",
                                        "0 and up; each speak, backchannel, interrupt, caption or ask counts once"),
    "voiced_per_min": MetricInfo("spoken interventions per minute", "per minute", "0 and up; captions not counted"),
    "backchannels_per_min": MetricInfo("backchannels per minute", "per minute",
                                       "0 and up; people give ~5–15 in a lively minute of listening"),
    "attention_cost": MetricInfo("attention cost", "cost points per minute",
                                 "0 = never asks for attention; 1 point = one full spoken turn (speak or interrupt); "
                                 "a backchannel 0.2, a caption 0.4, an ask 0.6, +0.5 per second of overlap, "
                                 "+2 per interruption of the person", "lower"),
    "overlap_ratio": MetricInfo("talking at the same time", "share of agent speech time",
                                "0–1; 0 = never over the person", "lower"),
    "yield_latency_s": MetricInfo("time to stop when talked over", "seconds",
                                  "0 and up; under 0.4 s feels polite", "lower"),
    "response_latency_s": MetricInfo("time to answer", "seconds",
                                     "from the person's last word to the agent's first; people take ~0.2–0.6 s",
                                     "lower"),
    "early_interruption_rate": MetricInfo("early starts", "share of agent turns",
                                          "0–1; turns that start > 0.5 s before the person finished", "lower"),
    "task_success": MetricInfo("turns answered", "share of turns that needed an answer",
                               "0–1; 1 = every turn that needed an answer got one", "higher"),
    "silent_share": MetricInfo("proposals withheld", "share of microturns with a proposal",
                               "0–1; how often the policy kept the model quiet"),
    "deliberate_silence_precision": MetricInfo("right to stay quiet", "share of withheld proposals",
                                               "0–1; withheld where the truth says 'do not speak'", "higher"),
    "silence_regret_per_min": MetricInfo("missed moments per minute", "per minute",
                                         "0 and up; withheld where the truth says 'speak'", "lower"),
    "timespeak_hit_rate": MetricInfo("on-time share (TimeSpeak)", "share of target times",
                                     "0–1; spoke within 0.5 s of the time asked for", "higher"),
    "timespeak_mae_s": MetricInfo("timing error (TimeSpeak)", "seconds",
                                  "0 and up; mean distance from the time asked for, over hits", "lower"),
    "timespeak_p90_s": MetricInfo("worst-case timing error (TimeSpeak, p90)", "seconds",
                                  "0 and up; 9 in 10 hits were at least this close", "lower"),
    "false_starts_per_min": MetricInfo("false starts per minute", "per minute",
                                       "0 and up; spoke when no time was asked for", "lower"),
    "cue_precision": MetricInfo("interventions that matched a cue (CueSpeak precision)", "share of interventions",
                                "0–1", "higher"),
    "cue_recall": MetricInfo("cues answered (CueSpeak recall)", "share of cues", "0–1", "higher"),
    "cue_f1": MetricInfo("cue score (CueSpeak F1)", "score", "0–1; balances precision and recall", "higher"),
    "cue_latency_s": MetricInfo("time from cue to intervention", "seconds", "0 up to the 3 s window", "lower"),
    "rude_hits": MetricInfo("cue hits over the person's speech", "count per session", "0 and up", "lower"),
}
for _reason in Reason:
    if _reason.is_silence:
        METRIC_INFO[f"share:{_reason.value}"] = MetricInfo(
            f"withheld because {_reason.label.removeprefix('quiet: ')}", "share of microturns with a proposal",
            "0–1; the shares of all silence reasons add up to 'proposals withheld'")


def metric_info(name: str) -> MetricInfo:
    """The entry for `name`; a metric without one gets its name as label (and a test fails)."""
    return METRIC_INFO.get(name) or MetricInfo(name, "", "")


def axis_title(name: str) -> str:
    """`time to answer (seconds, lower is better)`: what a chart axis says about a metric."""
    info = metric_info(name)
    extra = ", ".join(x for x in (info.unit, f"{info.better} is better" if info.better else "") if x)
    return f"{info.label} ({extra})" if extra else info.label
