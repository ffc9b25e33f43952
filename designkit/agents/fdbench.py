"""Run a full-duplex system over Full-Duplex-Bench example folders, the way the benchmark does.

    agent = KitAgent()                                  # Silero VAD + own turn-taking model + a Policy
    run_folder(agent, "fd-inputs")                      # writes output.wav + output.json per example
    scores = score_folder("fd-inputs")                  # {"smooth_turn_taking": {"tor", "latency"}, ...}

The system is anything with `name` and `respond(user_audio) -> Reply`: the whole user channel
(16 kHz mono) in, the agent's channel (same length) and its words with times out. That is all the
benchmark sees of a system (offline, from the input file); a causal system must only use the past
to decide, which the kit's engine guarantees for `KitAgent`. An interaction model that steps on
frames can be wrapped into this shape (`respond` runs its steps over the file).

`output.json` is `{"text": ..., "chunks": [{"text": word, "timestamp": [start, end]}]}`: here
the words come from the agent's own TTS timings (espeak-ng word events), not from an ASR pass
over `output.wav` as the benchmark does for systems whose words it does not know; for user
interruption only the words from the interruption's end on are kept, as its transcript does.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from designkit.agents.conversation import POLICY as CONVERSATION_AGENT_POLICY
from designkit.audio.wav import read_wav, write_wav
from designkit.core.decisions import Action, Proposal
from designkit.core.engine import Context, Engine
from designkit.core.session import Session
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError
from designkit.metrics.timeline import timeline_of
from designkit.policy import Policy
from designkit.render.tts import Voice, synthesize

FloatArray = npt.NDArray[np.float32]
Word = tuple[str, float, float]
LINES = ("I see, tell me more about that.", "That makes sense to me.", "Okay, and what happened then?",
         "Interesting, please go on.")
BACKCHANNELS = ("mm-hm", "yeah", "right")
# The live conversation agent's policy: answers after a short pause once the model is fairly sure.
CONVERSATION_POLICY = CONVERSATION_AGENT_POLICY


@dataclass(frozen=True, slots=True)
class Reply:
    """What a system said over one input: its channel (16 kHz, as long as the input) and its words."""

    audio: FloatArray
    words: tuple[Word, ...] = ()


@runtime_checkable
class FullDuplexSystem(Protocol):
    """A system the runner can score: the whole user channel in, its own channel and words out."""

    name: str

    def respond(self, user_audio: FloatArray) -> Reply: ...


@dataclass(slots=True)
class _SpokenLines:
    """Wraps a proposer: each proposal gets the next line (or backchannel) and that line's length."""

    inner: Any
    lines: Mapping[str, float]
    backchannels: Mapping[str, float]
    _n: int = 0

    def reset(self) -> None:
        self._n = 0
        self.inner.reset()

    def propose(self, context: Context) -> Proposal:
        p: Proposal = self.inner.propose(context)
        if p.is_empty:
            return p
        table = self.backchannels if p.action is Action.BACKCHANNEL else self.lines
        text = list(table)[self._n % len(table)]
        self._n += 1
        return Proposal(p.action, p.confidence, p.urgency, text, table[text], p.source)


@dataclass
class KitAgent:
    """The kit's own full-duplex agent: Silero VAD and the own turn-taking model hear the user,
    `TurnTakingProposer` proposes, `policy` decides, espeak-ng speaks; a barge-in makes it yield."""

    policy: Policy = field(default_factory=lambda: CONVERSATION_POLICY)
    voice: Voice = field(default_factory=lambda: Voice(name="en-us", rate=175))
    lines: Sequence[str] = LINES
    backchannels: Sequence[str] = BACKCHANNELS
    name: str = "designkit (Silero VAD + own turn-taking model + wait_for_pause)"
    _speech: dict[str, Any] = field(default_factory=dict, repr=False)
    _perceivers: list[Any] = field(default_factory=list, repr=False)

    def _say(self, text: str) -> Any:
        if text not in self._speech:
            self._speech[text] = synthesize(text, self.voice)
        return self._speech[text]

    def _engine(self) -> Engine:
        from designkit.perception.audio.silero import SileroVAD
        from designkit.perception.audio.turn_taking import TurnTakingModel
        from designkit.proposers.turn_taking import TurnTakingProposer

        if not self._perceivers:
            self._perceivers = [SileroVAD(), TurnTakingModel(device="cpu")]
        spoken = _SpokenLines(TurnTakingProposer(), {t: self._say(t).duration for t in self.lines},
                              {t: self._say(t).duration for t in self.backchannels})
        return Engine(self._perceivers, self.policy, proposer=spoken, replay_workers=1)

    def respond(self, user_audio: FloatArray) -> Reply:
        audio = np.asarray(user_audio, dtype=np.float32)
        if audio.ndim != 1 or audio.size == 0:
            raise InputError("user audio", expected="mono 16 kHz samples", got=audio.shape)
        records = self._engine().replay(Session.from_array(audio, chunk_s=1.0))
        spans = timeline_of(records).agent_speech()
        out = np.zeros(audio.size, np.float32)
        words: list[Word] = []
        starts = iter(spans.tolist())
        for r in records:
            d = r.decision
            if not d.action.is_voiced or r.agent_speaking:
                continue  # only a voiced decision while quiet starts an utterance (timeline rule)
            onset, until = next(starts)
            speech = self._say(d.content)
            keep = max(0, min(speech.samples.size, round((until - onset) * SAMPLE_RATE)))
            a = round(onset * SAMPLE_RATE)
            piece = speech.samples[:keep][: max(0, out.size - a)]
            out[a : a + piece.size] += piece
            words += [(w, round(onset + s, 3), round(min(onset + e, until), 3))
                      for w, s, e in speech.words if onset + s < min(until, audio.size / SAMPLE_RATE)]
        return Reply(out, tuple(words))


def examples(folder: str | os.PathLike[str]) -> list[Path]:
    """Every example folder (one holding `input.wav`) under `folder`, sorted."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError("folder", expected="a folder of Full-Duplex-Bench examples", got=str(root))
    return sorted(p.parent for p in root.rglob("input.wav"))


def run_folder(system: FullDuplexSystem, folder: str | os.PathLike[str]) -> list[Path]:
    """`output.wav` and `output.json` beside each example's `input.wav`; returns the example folders."""
    done = []
    for example in examples(folder):
        reply = system.respond(read_wav(example / "input.wav"))
        write_wav(example / "output.wav", np.clip(reply.audio, -1.0, 1.0))
        words = list(reply.words)
        if (example / "interrupt.json").exists():
            # The benchmark transcribes the agent from the end of the interruption on.
            end = float(json.loads((example / "interrupt.json").read_text(encoding="utf-8"))[0]["timestamp"][1])
            words = [w for w in words if w[1] >= end]
        chunks = [{"text": w, "timestamp": [s, e]} for w, s, e in words]
        (example / "output.json").write_text(json.dumps({"text": " ".join(w for w, _, _ in words),
                                                         "chunks": chunks}) + "\n", encoding="utf-8")
        done.append(example)
    return done


def score_folder(folder: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """`designkit evaluate` on each task folder under `folder`: task -> its aggregate line."""
    from designkit.metrics.fdbench import evaluate_folder

    out: dict[str, dict[str, Any]] = {}
    for task_dir in sorted(p for p in Path(folder).iterdir() if p.is_dir()):
        for line in evaluate_folder(task_dir):
            if "aggregate" in line:
                out[str(line["aggregate"])] = {k: v for k, v in line.items() if k != "aggregate"}
    return out


__all__ = [
    "BACKCHANNELS",
    "CONVERSATION_POLICY",
    "LINES",
    "PUBLISHED",
    "FullDuplexSystem",
    "KitAgent",
    "Reply",
    "examples",
    "run_folder",
    "score_folder",
    "scorecard",
]


# Published Full-Duplex-Bench v1 rows (their papers and reports; lower is better for all).
PUBLISHED = (
    ("NVIDIA PersonaPlex", "smooth_turn_taking", "latency", 0.070),
    ("Moshi", "smooth_turn_taking", "latency", 0.265),
    ("TML-Interaction-Small (their report)", "smooth_turn_taking", "latency", 0.40),
    ("Gemini Live", "smooth_turn_taking", "latency", 1.301),
    ("Gemini Live", "pause_handling", "tor", 0.255),
    ("NVIDIA PersonaPlex", "pause_handling", "tor", 0.584),
    ("Moshi", "pause_handling", "tor", 0.985),
    ("Moshi", "user_interruption", "latency", 0.257),
)


def scorecard(policies: Mapping[str, Policy], *, n: int = 4, seed: int = 0,
              folder: str | os.PathLike[str] | None = None) -> Any:
    """Our agent under each policy over `n` generated examples per task, scored as the benchmark
    scores them, with the published rows beside: a DataFrame (system, policy, task, metric, mean),
    `metric` named `<task>:<tor|latency|frequency>` so a study conclusion can check it."""
    import tempfile

    import pandas as pd

    from designkit.scenarios.fdbench_layout import write_examples

    rows: list[dict[str, Any]] = [{"system": s, "policy": s, "task": t, "metric": f"{t}:{m}", "mean": v,
                                   "source": "published"} for s, t, m, v in PUBLISHED]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(folder) if folder is not None else Path(tmp)
        write_examples(root, n=n, seed=seed)
        for name, policy in policies.items():
            agent = KitAgent(policy=policy)
            run_folder(agent, root)
            for task, scores in score_folder(root).items():
                for metric, value in scores.items():
                    if metric != "examples" and value is not None:
                        rows.append({"system": "designkit", "policy": name, "task": task,
                                     "metric": f"{task}:{metric}", "mean": float(value), "source": "ours"})
    return pd.DataFrame(rows)
