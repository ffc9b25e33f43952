"""The turn-taking model through onnxruntime: the live stack's runtime, no torch needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from designkit import weights
from designkit.core import Session
from designkit.core.microturns import Microturn
from designkit.perception.audio.turn_taking import HEADS, ONNX_TOLERANCE, TurnTakingModel
from designkit.perception.audio.turn_taking_export import sha256

pytest.importorskip("onnxruntime")
FIXTURE = Path(__file__).parent / "fixtures" / "perception" / "two_phrases.wav"
REPO = Path(__file__).resolve().parents[1]


def speech_turns(dt: float = 0.2) -> list[Microturn]:
    audio, _ = sf.read(FIXTURE, dtype="int16")
    return list(Session.from_array(np.tile(audio, 2), chunk_s=0.3, dt=dt).microturns())


@pytest.mark.parametrize("dt", [0.2, 0.1])
def test_onnx_stepping_equals_replay_exactly(dt: float) -> None:
    model = TurnTakingModel(device="onnx")
    assert model.backend == "onnxruntime"
    session = speech_turns(dt)
    replayed = model.replay(session)
    model.reset()
    stepped = [model.step(turn) for turn in session]
    for column in HEADS:
        assert np.array_equal(np.array([s[column] for s in stepped]), replayed[column]), column


def test_the_committed_onnx_graph_is_the_committed_checkpoint() -> None:
    """Fails when vap.pt was retrained without re-exporting: run
    `python -m designkit.training export-onnx`."""
    pytest.importorskip("torch")
    onnx_model = TurnTakingModel(device="onnx")
    assert onnx_model._backend.source_sha256 == sha256(weights.resolve("vap")), "vap.onnx is stale"  # type: ignore[attr-defined]
    torch_model = TurnTakingModel(device="cpu")
    session = speech_turns()
    by_onnx, by_torch = onnx_model.replay(session), torch_model.replay(session)
    worst = max(float(np.abs(by_onnx[c] - by_torch[c]).max()) for c in HEADS)
    assert worst <= ONNX_TOLERANCE
    assert max(float(by_torch[c].max()) for c in HEADS) > 0.5  # the fixture makes the heads move


def test_an_in_memory_network_runs_through_onnx_within_tolerance() -> None:
    pytest.importorskip("torch")
    pytest.importorskip("onnx")
    from designkit.perception.audio.turn_taking import untrained

    net = untrained(seed=4)
    session = speech_turns()
    by_onnx = TurnTakingModel(net=net, device="onnx").replay(session)
    by_torch = TurnTakingModel(net=net, device="cpu").replay(session)
    for column in HEADS:
        np.testing.assert_allclose(by_onnx[column], by_torch[column], atol=ONNX_TOLERANCE, rtol=0)


def test_auto_on_a_machine_without_a_gpu_uses_onnxruntime() -> None:
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        assert TurnTakingModel().backend == "torch-cuda"
    else:
        assert TurnTakingModel().backend == "onnxruntime"


def test_the_live_audio_stack_runs_where_torch_cannot_be_imported() -> None:
    script = """
import sys
sys.modules["torch"] = None  # any `import torch` now fails
import numpy as np
from designkit.core import Engine, Session
from designkit.perception.audio.turn_taking import TurnTakingModel
from designkit.perception.audio.silero import SileroVAD
from designkit.policy import Policy
model = TurnTakingModel()
assert model.backend == "onnxruntime", model.backend
rng = np.random.default_rng(0)
audio = (rng.standard_normal(16000 * 2) * 3000).astype(np.int16)
records = Engine([SileroVAD(), model], Policy()).replay(Session.from_array(audio, chunk_s=0.2))
assert len(records) == 10 and not any(r.faults for r in records)
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
