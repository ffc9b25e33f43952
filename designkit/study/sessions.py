"""From a point in a study chart to the session behind it: its timeline, its audio, what changed.

    run = session_run(study, scenario="dialogue-basic-03", policy="context=public")
    run.frame                     # one row per microturn: user, agent, action, reason, confidence
    wav = run.wav()               # the user's audio with the agent's voice mixed in (16 kHz WAV)
    other = session_run(study, scenario="dialogue-basic-03", policy="context=focused")
    differences(run, other)       # the microturns that decided differently, and both reasons
    ab_timeline(run, other)       # two timelines one above the other, differences marked

A session is replayed exactly as the study's runner scored it (same truth, simulated model,
seed and policy), so what a person hears is the session behind the number.
"""

from __future__ import annotations

import io
import logging
import wave
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from designkit.audio.wav import to_pcm16
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError

log = logging.getLogger(__name__)

DEFAULT_WORDS = {"speak": "okay, I see.", "interrupt": "sorry, one thing.", "backchannel": "mm-hm",
                 "continue": "okay"}
AGENT_GAIN = 0.9
USER_GAIN = 0.7


@dataclass(frozen=True, slots=True)
class SessionRun:
    """One policy's decisions over one study session, with the user's audio when there is some."""

    scenario: str
    policy: str
    quality: str
    dt: float
    frame: pd.DataFrame
    audio: npt.NDArray[np.float32] | None = None

    @property
    def duration_s(self) -> float:
        return len(self.frame) * self.dt

    def agent_voice(self) -> npt.NDArray[np.float32]:
        """The agent's voice alone: each utterance rendered (espeak-ng) where the agent spoke, cut
        where it stopped (a yield cuts at the microturn)."""
        n = max(round(self.duration_s * SAMPLE_RATE), 0 if self.audio is None else self.audio.size)
        out = np.zeros(n, dtype=np.float32)
        for start, end, text in utterances(self.frame, self.dt):
            samples = _speech(text)
            a = round(start * SAMPLE_RATE)
            b = min(n, a + min(samples.size, round((end - start) * SAMPLE_RATE)))
            if b > a:
                out[a:b] += samples[: b - a]
        return out

    def mixed(self) -> npt.NDArray[np.float32]:
        """The user's audio with the agent's voice mixed in, as a person would have heard both."""
        agent = self.agent_voice()
        if self.audio is None:
            return np.clip(AGENT_GAIN * agent, -1.0, 1.0).astype(np.float32)
        user = np.zeros_like(agent)
        user[: self.audio.size] = self.audio[: agent.size]
        return np.clip(USER_GAIN * user + AGENT_GAIN * agent, -1.0, 1.0).astype(np.float32)

    def wav(self) -> bytes:
        """`mixed()` as a 16-bit WAV file in memory (for an audio player)."""
        return wav_bytes(self.mixed())


def wav_bytes(samples: npt.NDArray[np.floating], rate: int = SAMPLE_RATE) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(to_pcm16(samples))
    return buffer.getvalue()


@lru_cache(maxsize=64)
def _speech(text: str) -> npt.NDArray[np.float32]:
    from designkit.render import tts

    return np.asarray(tts.synthesize(text).samples, dtype=np.float32)


def utterances(frame: pd.DataFrame, dt: float) -> list[tuple[float, float, str]]:
    """(start, end, words) of each stretch the agent spoke, with the words of the decision that
    started it (a default phrase per action when the proposal had none)."""
    speaking = frame["agent"].to_numpy(dtype=bool)
    out: list[tuple[float, float, str]] = []
    k = 0
    n = speaking.size
    while k < n:
        if not speaking[k]:
            k += 1
            continue
        start = k
        while k < n and speaking[k]:
            k += 1
        cause = frame.iloc[start - 1] if start > 0 else frame.iloc[start]
        text = str(cause["content"]) or DEFAULT_WORDS.get(str(cause["action"]), "okay")
        out.append((start * dt, k * dt, text))
    return out


def _scenario(study: Any, name: str | int) -> tuple[Any, int, Any]:
    """(the scenario set entry, the index in it, the scenario) for a name or a running number."""
    names = []
    running = 0
    for chosen in study.scenarios:
        made = chosen.load()
        for i, scenario in enumerate(made):
            label = str(scenario.name or f"{chosen.set}-{i:02d}")
            names.append(label)
            if name in (label, running):
                return chosen, i, scenario
            running += 1
    raise InputError("scenario", expected=f"one of {names} (or its number)", got=repr(name))


def session_run(study: Any, *, scenario: str | int, policy: str, quality: str | None = None,
                repetition: int = 0) -> SessionRun:
    """Replay one session of `study` with the variant named `policy`, as the runner scored it."""
    from designkit.study.prepare import Preparation, prepare_truth

    variants = study.policies()
    if policy not in variants:
        raise InputError("policy variant", expected=f"one of {list(variants)}", got=repr(policy))
    qualities = dict(study.qualities)
    quality_name = quality or study.qualities[0][0]
    if quality_name not in qualities:
        raise InputError("model quality", expected=f"one of {list(qualities)}", got=repr(quality))
    _, index, found = _scenario(study, scenario)
    seed = study.seed + index + 10_007 * repetition  # as runner.plan seeds each session
    prepared = prepare_truth(found.truth, Preparation.of(study, quality_name), seed=seed)
    replayed = prepared.run(variants[policy])
    return SessionRun(str(found.name or scenario), policy, quality_name, float(study.dt),
                      replay_frame(replayed), np.asarray(found.audio, dtype=np.float32))


def replay_frame(replayed: Any) -> pd.DataFrame:
    """One row per microturn of a `Replayed`: t, user, agent, action, reason, confidence, content,
    proposed (what the model wanted), decision (action:reason)."""
    decisions = replayed.decisions
    return pd.DataFrame({
        "t": np.arange(len(decisions)) * replayed.dt,
        "user": np.asarray(replayed.user_speaking, dtype=bool),
        "agent": np.asarray(replayed.agent_speaking, dtype=bool),
        "action": [d.action.value for d in decisions],
        "reason": [_reason(d) for d in decisions],
        "confidence": [float(d.confidence) for d in decisions],
        "content": [d.content for d in decisions],
        "proposed": [p.action.value if p.action.value != "silent" else "" for p in replayed.proposals],
    })


def _reason(decision: Any) -> str:
    reason = decision.reason
    return str(getattr(reason, "value", reason))


def differences(a: SessionRun, b: SessionRun) -> pd.DataFrame:
    """The microturns where two policies decided differently on the same session, with both
    actions and reasons (the "what changed" of an A/B)."""
    if len(a.frame) != len(b.frame) or a.dt != b.dt:
        raise InputError("sessions to compare", expected="the same session (same length and dt)",
                         got=f"{len(a.frame)} x {a.dt} s and {len(b.frame)} x {b.dt} s")
    left, right = a.frame, b.frame
    changed = (left["action"] != right["action"]) | (left["reason"] != right["reason"])
    out = pd.DataFrame({
        "t": left.loc[changed, "t"].to_numpy(),
        "proposed": left.loc[changed, "proposed"].to_numpy(),
        "action_a": left.loc[changed, "action"].to_numpy(),
        "reason_a": left.loc[changed, "reason"].to_numpy(),
        "action_b": right.loc[changed, "action"].to_numpy(),
        "reason_b": right.loc[changed, "reason"].to_numpy(),
    }).reset_index(drop=True)
    out.attrs["policies"] = (a.policy, b.policy)
    return out


def lanes(run: SessionRun) -> pd.DataFrame:
    """Timeline rows (lane, start, end, label, detail): who speaks, and each decision's reason."""
    from designkit.study.charts import runs

    frame = run.frame
    rows = [{"lane": "user", "start": s, "end": e, "label": "user speaks", "detail": ""}
            for s, e in runs(frame["user"], frame["t"], run.dt)]
    rows += [{"lane": "agent", "start": s, "end": e, "label": "agent speaks", "detail": text}
             for s, e, text in utterances(frame, run.dt)]
    quiet = frame["reason"].isin(["silent:nothing_to_say", "continue:speaking"]) & (frame["proposed"] == "")
    for t, action, reason, conf, proposed in frame.loc[~quiet, ["t", "action", "reason", "confidence",
                                                                  "proposed"]].itertuples(index=False):
        detail = f"{action} (model proposed {proposed or 'nothing'}, confidence {conf:.2f})"
        rows.append({"lane": "decision", "start": float(t), "end": float(t) + run.dt, "label": reason,
                     "detail": detail})
    return pd.DataFrame(rows, columns=["lane", "start", "end", "label", "detail"])


def timeline(run: SessionRun, *, width: int = 620, changed: pd.DataFrame | None = None,
             title: str | None = None, labels: list[str] | None = None) -> Any:
    """A session's lanes (user, agent, decisions coloured by reason, with a legend), and, when
    `changed` is given, the microturns where another policy decided differently as red ticks."""
    from designkit.study.charts import _altair
    from designkit.study.colours import lane_colour, reason_colour

    alt = _altair()
    data = lanes(run)
    labels = labels or list(dict.fromkeys(data["label"]))
    speech = {"user speaks": lane_colour("user speech"), "agent speaks": lane_colour("agent speech")}
    domain = [x for x in speech if x in labels] + sorted(x for x in labels if x not in speech)
    colours = [speech.get(x) or reason_colour(x) for x in domain]
    order = ["user", "agent", "decision", "changed"]
    y = alt.Y("lane:N", sort=order, title=None, scale=alt.Scale(domain=order if changed is not None else order[:3]))
    x = alt.X("start:Q", title="time (s)", scale=alt.Scale(domain=[0, run.duration_s]))
    bars = alt.Chart(data).mark_bar(height=16).encode(
        x=x, x2="end:Q", y=y,
        color=alt.Color("label:N", scale=alt.Scale(domain=domain, range=colours), title="who speaks / why"),
        tooltip=["lane:N", alt.Tooltip("label:N", title="state / reason"), "detail:N",
                 alt.Tooltip("start:Q", format=".1f", title="from (s)"), alt.Tooltip("end:Q", format=".1f", title="to (s)")])
    layers = [bars]
    if changed is not None and not changed.empty:
        marks = changed.assign(lane="changed", start=changed["t"])
        first, second = changed.attrs.get("policies", ("A", "B"))
        names = {"action_a": f"{first}: action", "reason_a": f"{first}: why", "action_b": f"{second}: action",
                 "reason_b": f"{second}: why"}
        layers.append(alt.Chart(marks).mark_tick(color="#d7263d", thickness=2, size=16).encode(
            x=x, y=y, tooltip=[alt.Tooltip("start:Q", format=".1f", title="t (s)"),
                               alt.Tooltip("proposed:N", title="model proposed"),
                               *[alt.Tooltip(f"{c}:N", title=title) for c, title in names.items()]]))
    chart = alt.layer(*layers) if len(layers) > 1 else bars
    height = 16 * (4 if changed is not None else 3) + 20
    return chart.properties(width=width, height=height,
                            title=title or f"{run.scenario}: {run.policy} ({run.quality} model)")


def ab_timeline(a: SessionRun, b: SessionRun, *, width: int = 620) -> Any:
    """Two policies on one session, one timeline above the other, the microturns that decided
    differently marked on both (hover a mark for both reasons)."""
    from designkit.study.charts import _altair

    alt = _altair()
    changed = differences(a, b)
    labels = list(dict.fromkeys([*lanes(a)["label"], *lanes(b)["label"]]))  # one colour per reason in both
    return alt.vconcat(timeline(a, width=width, changed=changed, labels=labels),
                       timeline(b, width=width, changed=changed, labels=labels)).resolve_scale(color="shared")
