"""The own turn-taking model as a perceiver, run by onnxruntime (no torch) or by torch.

`TurnTakingModel` writes, per microturn, `vap_200ms` .. `vap_800ms` (share of each coming 200 ms
bin in which the user will speak), `eot` (at a pause: the user has finished), `bc` (a moment for a
backchannel) and `vad_now`. The network is a causal GRU on log-mel (see `turn_taking_net.py`; `designkit.training` trains it).

Two backends, one perceiver:
- **onnxruntime** (CPU, float32): the graph `models/vap/vap.onnx` (exported from `vap.pt` by
  `turn_taking_export.py`), with the GRU hidden state as an input and an output, so `step()` carries
  it between microturns. This is what a live session on a laptop or on Binder runs: no torch.
- **torch** (float64, CUDA when there): the training network itself.

`device="auto"` picks torch on a GPU when torch is installed and a GPU is visible, else
onnxruntime. `device="onnx"` forces onnxruntime; `"cpu"`/`"cuda"` force torch.

Step == replay: with onnxruntime, `replay()` computes the log-mel of the whole session at once
(rows do not depend on where the audio is cut) and runs the graph microturn by microturn with the
same shapes as `step()`, so the two are bit-identical. The ONNX graph agrees with the float64 torch
network within `ONNX_TOLERANCE` (probabilities), measured by `tests/test_perception_vap_onnx.py`.

    vap = TurnTakingModel()                  # packaged weights; onnxruntime on a CPU machine
    engine = Engine([SileroVAD(), vap], policy, proposer=TurnTakingProposer())
"""

from __future__ import annotations

import importlib.util
import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from designkit import weights
from designkit.core.microturns import Microturn
from designkit.errors import InputError, MissingExtraError
from designkit.perception.audio.onnx import onnx_session
from designkit.perception.audio.turn_taking_features import (
    HEADS,
    HOP,
    SAMPLE_RATE,
    TAIL,
    log_mel,
    probabilities,
)

logger = logging.getLogger(__name__)

# Largest |onnxruntime (float32) - torch (float64)| over the heads, probabilities in [0, 1].
ONNX_TOLERANCE = 1e-4
ONNX_BACKEND = "onnxruntime"
# The training network and its torch runtime live in turn_taking_net.py (they import torch);
# these names are re-exported from there on first use, so importing this module never loads torch.
_NET_NAMES = ("TorchBackend", "TurnTakingNet", "VapConfig", "load_net", "save_net", "predict_many", "untrained",
              "pick_device", "parameter_count", "steps_per_second")


def __getattr__(name: str) -> Any:
    if name in _NET_NAMES:
        from designkit.perception.audio import turn_taking_net

        return getattr(turn_taking_net, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Backend(Protocol):
    """Runs the network on stacked log-mel steps, carrying the GRU state."""

    name: str
    n_mels: int
    stack: int
    version: str

    def reset(self) -> None: ...

    def run(self, mels: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        """(steps * stack, n_mels) log-mel rows -> (steps, 7) probabilities; state carried on."""
        ...

    def run_chunks(self, mels: npt.NDArray[np.float32],
                   chunk_steps: Sequence[int]) -> npt.NDArray[np.float64]:
        """A whole session: the probabilities at the last step of each chunk (exactly as `run`
        called chunk by chunk would give)."""
        ...


class OnnxBackend:
    """onnxruntime on the CPU, float32; the GRU state is a numpy array between calls."""

    name = ONNX_BACKEND

    def __init__(self, model: str | Path | bytes, *, threads: int = 1) -> None:
        source = model if isinstance(model, bytes) else str(model)
        self.session = onnx_session(source, threads=threads)
        meta = self.session.get_modelmeta().custom_metadata_map
        config = json.loads(meta.get("config", "{}"))
        self.n_mels = int(config.get("n_mels", 40))
        self.stack = int(config.get("stack", 5))
        self.hidden = int(config.get("hidden", 128))
        self.version = str(config.get("version", "vap-gru-1"))
        self.source_sha256 = meta.get("source_sha256", "")
        self._state = np.zeros((1, 1, self.hidden), np.float32)

    def reset(self) -> None:
        self._state = np.zeros((1, 1, self.hidden), np.float32)

    def _logits(self, mels: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        steps = mels.shape[0] // self.stack
        x = np.ascontiguousarray(mels[: steps * self.stack].reshape(steps, 1, self.stack * self.n_mels))
        logits, self._state = self.session.run(None, {"x": x, "h0": self._state})
        out: npt.NDArray[np.float32] = logits[:, 0, :]
        return out

    def run(self, mels: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        return probabilities(self._logits(mels).astype(np.float64).tolist())

    def run_chunks(self, mels: npt.NDArray[np.float32],
                   chunk_steps: Sequence[int]) -> npt.NDArray[np.float64]:
        last: list[list[float]] = []
        start = 0
        for steps in chunk_steps:
            rows = steps * self.stack
            logits = self._logits(mels[start : start + rows])
            last.append(logits[-1].astype(np.float64).tolist())
            start += rows
        return probabilities(last) if last else np.zeros((0, len(HEADS)))


def onnxruntime_available() -> bool:
    return importlib.util.find_spec("onnxruntime") is not None


def _torch_gpu() -> bool:
    if importlib.util.find_spec("torch") is None:
        return False
    import torch

    return bool(torch.cuda.is_available())


def choose_backend(device: str, *, path: str | Path | None, net: Any) -> Backend:
    """The backend `device` asks for (see the module docstring)."""
    onnx_file = path is not None and str(path).endswith(".onnx")
    if device == "auto":
        use_onnx = onnx_file or not _torch_gpu()
        if use_onnx and not onnxruntime_available() and importlib.util.find_spec("torch") is not None:
            use_onnx = False  # torch on the CPU still works
    elif device in ("onnx", ONNX_BACKEND):
        use_onnx = True
    else:
        use_onnx = False
    if use_onnx:
        if net is not None or (path is not None and not onnx_file):
            from designkit.perception.audio.turn_taking_export import export_bytes
            from designkit.perception.audio.turn_taking_net import load_net

            return OnnxBackend(export_bytes(net if net is not None else load_net(path)))
        return OnnxBackend(weights.resolve("vap_onnx", path=path))
    if onnx_file:
        raise InputError("device for an ONNX file", expected="'auto' or 'onnx'", got=repr(device))
    try:
        from designkit.perception.audio.turn_taking_net import TorchBackend
    except ImportError as exc:
        raise MissingExtraError("torch", "models") from exc
    return TorchBackend(device=device, path=path, net=net)


class TurnTakingModel:
    """The model as a perceiver: columns `vap_200ms`..`vap_800ms`, `eot`, `bc` (and `vad_now`).

    `prefix` renames the columns (e.g. "model_" gives `model_eot`) when another perceiver already
    writes `eot`. `net=` takes an in-memory network (tests, notebooks right after training); `path=`
    a checkpoint (`.pt`) or an exported graph (`.onnx`). `backend` says which runtime was chosen.
    """

    def __init__(self, *, path: str | Path | None = None, net: Any = None,
                 device: str = "auto", prefix: str = "", name: str = "turn_taking",
                 threads: int | None = 1) -> None:
        self._backend = choose_backend(device, path=path, net=net)
        if threads is not None and hasattr(self._backend, "threads"):
            self._backend.threads = threads
        self.name = name
        self.columns: tuple[str, ...] = tuple(prefix + h for h in HEADS)
        # Warm up now (scipy.fft's first import takes ~1 s, a runtime's first run allocates), so
        # that the first live microturn costs what every other one does.
        self._backend.run(log_mel(np.zeros(TAIL + self._backend.stack * HOP, np.float32), self._backend.n_mels))
        self.reset()

    @property
    def backend(self) -> str:
        """"onnxruntime", "torch-cpu" or "torch-cuda"."""
        return self._backend.name

    @property
    def version(self) -> str:
        return self._backend.version

    @property
    def config(self) -> Any:
        return getattr(self._backend, "config", None)

    @property
    def net(self) -> Any:
        """The torch network (torch backend only)."""
        return getattr(self._backend, "net", None)

    def reset(self) -> None:
        self._tail = np.zeros(TAIL, np.float32)
        self._backend.reset()
        self._last = np.zeros(len(HEADS))

    def _check(self, samples: int) -> None:
        per_step = self._backend.stack * HOP
        if samples % per_step:
            raise InputError("microturn length for the turn-taking model",
                             expected=f"a multiple of {per_step / SAMPLE_RATE * 1000:g} ms",
                             got=f"{samples / SAMPLE_RATE * 1000:g} ms", fix="use dt = 0.2 s or 0.1 s")

    def step(self, microturn: Microturn) -> Mapping[str, float]:
        audio = microturn.audio
        self._check(audio.size)
        joined = np.concatenate([self._tail, audio.astype(np.float32, copy=False)])
        self._tail = joined[-TAIL:]
        self._last = self._backend.run(log_mel(joined, self._backend.n_mels))[-1]
        return dict(zip(self.columns, self._last.tolist(), strict=True))

    def replay(self, microturns: Sequence[Microturn]) -> Mapping[str, npt.NDArray[np.float64]]:
        self.reset()
        if not microturns:
            return {c: np.zeros(0) for c in self.columns}
        sizes = [m.audio.size for m in microturns]
        for size in set(sizes):
            self._check(size)
        audio = np.concatenate([self._tail] + [m.audio.astype(np.float32, copy=False) for m in microturns])
        self._tail = audio[-TAIL:]
        per_step = self._backend.stack * HOP
        picked = self._backend.run_chunks(log_mel(audio, self._backend.n_mels), [s // per_step for s in sizes])
        self._last = picked[-1]
        return {c: picked[:, i].copy() for i, c in enumerate(self.columns)}
