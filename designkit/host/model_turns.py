"""An `InteractionModel` inside the engine: its frames become signals, its wish a Proposal, and only
what the Policy lets through reaches the agent's voice.

Three small parts share one `ModelTurns` buffer:
- `ModelPerceiver` steps the model on each microturn's audio (resampled to the model's rate and
  cut on its own frame grid: Moshi's 80 ms frames do not divide 200 ms microturns, so a frame is
  stepped in the microturn where its last sample arrives) and writes `wants_to_speak`;
- `ModelProposer` proposes SPEAK with the audio and text the model produced since the last
  decision (gathered to a minimum length), confidence = the highest `wants_to_speak` among
  those frames;
- `ModelVoiceSink` (a RecordSink) applies each decision: voiced -> the voice starts the pending
  utterance at the microturn's end; silent with a proposal -> the utterance is held for
  `hold_turns` microturns (a policy waiting for a pause may still take it), then dropped, never
  played; yield (or any silence while speaking) -> the voice is cut at the exact sample of the
  microturn end. The record still goes to `inner` (a log writer).

    turns = ModelTurns(model)
    engine = Engine([ModelPerceiver(turns)], policy, proposer=ModelProposer(turns),
                    sink=ModelVoiceSink(turns, inner=log_writer))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from designkit.core.context import Context, StepRecord
from designkit.core.decisions import NOTHING, Action, Proposal
from designkit.core.interaction import FloatArray, InteractionModel, ModelVoice
from designkit.core.microturns import Microturn
from designkit.core.protocols import RecordSink
from designkit.core.streams import SAMPLE_RATE

_EMPTY = np.zeros(0, np.float32)


@dataclass(slots=True)
class _Said:
    """What the model produced during one microturn."""

    audio: list[FloatArray] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    wish: float = 0.0


@dataclass(slots=True)
class ModelTurns:
    """The model, its input resampler and frame buffer, and what it said per microturn."""

    model: InteractionModel
    said: dict[int, _Said] = field(default_factory=dict)
    pending_from: int = 0
    voice: ModelVoice | None = None
    frames_stepped: int = 0
    hold_turns: int = 5
    gathering: bool = False
    _inbox: FloatArray = field(default_factory=lambda: _EMPTY)
    _resampler: object | None = None

    def __post_init__(self) -> None:
        if self.voice is None:
            self.voice = ModelVoice(self.model.sample_rate)

    def reset(self) -> None:
        self.model.reset()
        self.said = {}
        self.pending_from = 0
        self.frames_stepped = 0
        self.gathering = False
        self._inbox = _EMPTY
        self._resampler = None
        self.voice = ModelVoice(self.model.sample_rate)

    def _resample(self, audio: FloatArray) -> FloatArray:
        if self.model.input_rate == SAMPLE_RATE:
            return audio
        if self._resampler is None:
            import soxr

            # A streaming resampler keeps its filter state, so microturn edges leave no seams.
            self._resampler = soxr.ResampleStream(SAMPLE_RATE, self.model.input_rate, 1, dtype="float32")
        out: FloatArray = self._resampler.resample_chunk(audio)  # type: ignore[attr-defined]
        return out

    def hear(self, index: int, audio: FloatArray) -> float:
        """Step the model on every whole frame that `audio` completes; its highest wish."""
        joined = np.concatenate([self._inbox, self._resample(np.asarray(audio, np.float32))])
        size = self.model.frame_samples
        whole = joined.size // size
        self._inbox = joined[whole * size :].copy()
        said = self.said.setdefault(index, _Said())
        for i in range(whole):
            out = self.model.step(joined[i * size : (i + 1) * size])
            self.frames_stepped += 1
            said.wish = max(said.wish, out.wants_to_speak)
            if out.audio.size:
                said.audio.append(out.audio)
            if out.text:
                said.text.append(out.text)
        return said.wish

    def pending(self, upto: int) -> tuple[FloatArray, str, float]:
        """Audio, text and highest wish produced in microturns `pending_from..upto`."""
        parts = [self.said[k] for k in range(self.pending_from, upto + 1) if k in self.said]
        audio = np.concatenate([a for p in parts for a in p.audio]) if any(p.audio for p in parts) else _EMPTY
        return audio, "".join(t for p in parts for t in p.text), max((p.wish for p in parts), default=0.0)

    def settle(self, upto: int) -> None:
        """Forget everything up to microturn `upto`: it was played or dropped."""
        for k in range(self.pending_from, upto + 1):
            self.said.pop(k, None)
        self.pending_from = upto + 1


class ModelPerceiver:
    """Steps the model on each microturn; column `wants_to_speak`."""

    columns = ("wants_to_speak",)

    def __init__(self, turns: ModelTurns, name: str = "interaction_model") -> None:
        self.turns = turns
        self.name = name

    def reset(self) -> None:
        self.turns.reset()

    def step(self, microturn: Microturn) -> Mapping[str, float]:
        return {"wants_to_speak": self.turns.hear(microturn.index, microturn.audio)}

    def replay(self, microturns: Sequence[Microturn]) -> Mapping[str, npt.NDArray[np.float64]]:
        self.reset()
        return {"wants_to_speak": np.array([self.turns.hear(m.index, m.audio) for m in microturns])}


@dataclass(slots=True)
class ModelProposer:
    """SPEAK with what the model has said since the last decision, when it wants to.

    A streaming model (Moshi) says a little every 80 ms; the proposer gathers its words until
    `min_utterance_s` of audio is there or the model stops wanting the floor, so the policy rules
    on an utterance rather than on slivers. That wait is the proposer's knob, logged with
    every proposal's duration.
    """

    turns: ModelTurns
    min_wish: float = 0.5
    min_utterance_s: float = 0.6

    def reset(self) -> None:
        return None

    def propose(self, context: Context) -> Proposal:
        turns = self.turns
        turns.gathering = False
        audio, text, wish = turns.pending(context.index)
        if context.agent_speaking or wish < self.min_wish or not (audio.size or text):
            return NOTHING
        model = turns.model
        duration = audio.size / model.sample_rate
        still_going = turns.said.get(context.index, _Said()).wish >= self.min_wish
        if duration < self.min_utterance_s - 1e-9 and still_going:
            turns.gathering = True
            return NOTHING
        return Proposal(Action.SPEAK, confidence=wish, urgency=wish, content=text,
                        duration_s=duration, source=f"model:{model.name}")


@dataclass(slots=True)
class ModelVoiceSink:
    """Applies each decision to the model's voice, then hands the record on to `inner`."""

    turns: ModelTurns
    inner: RecordSink | None = None
    dropped_samples: int = 0

    def append(self, record: StepRecord) -> None:
        turns = self.turns
        voice = turns.voice
        assert voice is not None
        end = record.t + record.dt
        decision = record.decision
        if decision.action.is_voiced and record.proposal.action is not Action.SILENT:
            audio, _, _ = turns.pending(record.index)
            voice.start(audio, at=end)
            turns.settle(record.index)
        elif decision.action is not Action.CONTINUE and voice.speaking_at(end):
            voice.cut(at=end)
            turns.settle(record.index)
        elif record.agent_speaking:
            # What the model adds while the agent speaks is not queued behind the utterance:
            # the policy decided on the utterance it was shown.
            turns.settle(record.index)
        elif not turns.gathering:
            # Withheld: offered again while it is at most `hold_turns` microturns old (a policy
            # waiting for a pause may still take it), then dropped, never played.
            stale = record.index - turns.hold_turns
            if stale >= turns.pending_from:
                self.dropped_samples += turns.pending(stale)[0].size
                turns.settle(stale)
        if self.inner is not None:
            self.inner.append(record)
