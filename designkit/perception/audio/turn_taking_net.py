"""designkit's own turn-taking model: a small causal GRU on log-mel that hears the user every microturn.

Per microturn it predicts (all probabilities):
- `vap_200ms` .. `vap_800ms`: the share of each coming 200 ms bin in which the user will be
  speaking (voice activity projection, after Ekstedt & Skantze 2022, user channel only);
- `eot`: at a pause, that the user has finished the turn (shift) rather than pausing (hold);
- `bc`: that this is a moment for a backchannel ("mm-hm").

Front end: causal log-mel, 40 bins, 25 ms windows that end every 10 ms (each uses only past
samples). Five frames are stacked into one 50 ms step, projected, and fed to a one-layer GRU;
the heads read the GRU state at the end of each microturn. `step()` carries the last 240 samples
and the GRU state between microturns; `replay()` runs the whole session in one call and returns
exactly what stepping returns (features are computed frame by frame, the GRU runs in float64 and is
causal, so chunking changes nothing).

    vap = TurnTakingModel()                    # trained weights, found by the resolver (onnxruntime on a CPU)
    engine = Engine([SileroVAD(), vap], policy, proposer=TurnTakingProposer())
"""

from __future__ import annotations

import copy
import logging
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit import weights
from designkit.errors import InputError, MissingExtraError
from designkit.perception.audio.turn_taking_features import (
    HEADS,
    HOP,
    SAMPLE_RATE,
    TAIL,
    WIN,
    log_mel,
    probabilities,
)

try:
    import torch
    from torch import nn
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise MissingExtraError("torch", "models") from exc

logger = logging.getLogger(__name__)

_THREADS_LOCK = threading.Lock()
__all__ = ["HEADS", "HOP", "SAMPLE_RATE", "TAIL", "WIN", "TorchBackend", "TurnTakingNet",
           "VapConfig", "load_net", "log_mel", "predict_many", "save_net", "untrained"]


@dataclass(frozen=True, slots=True)
class VapConfig:
    """Shape of the network; stored with its weights so a checkpoint rebuilds itself."""

    n_mels: int = 40
    stack: int = 5
    proj: int = 96
    hidden: int = 128
    version: str = "vap-gru-1"

    @property
    def step_s(self) -> float:
        return self.stack * HOP / SAMPLE_RATE

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VapConfig:
        names = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - names
        if unknown:
            raise InputError("VapConfig field", expected=f"some of {sorted(names)}", got=sorted(unknown))
        return cls(**dict(data))


class TurnTakingNet(nn.Module):
    """Stacked log-mel -> linear -> GRU -> 7 logits per 50 ms step (see HEADS).

    Trained in float32; the perceiver runs a float64 copy.
    """

    def __init__(self, config: VapConfig) -> None:
        super().__init__()
        self.config = config
        self.proj = nn.Linear(config.n_mels * config.stack, config.proj)
        self.gru = nn.GRU(config.proj, config.hidden, batch_first=True)
        self.heads = nn.Linear(config.hidden, len(HEADS))

    def forward(self, mels: torch.Tensor, state: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """mels (batch, steps * stack, n_mels) -> logits (batch, steps, 7), GRU state."""
        batch, frames, n_mels = mels.shape
        mels = mels.to(self.proj.weight.dtype)
        stacked = mels.reshape(batch, frames // self.config.stack, self.config.stack * n_mels)
        hidden, state = self.gru(torch.relu(self.proj(stacked)), state)
        return self.heads(hidden), state


def pick_device(device: str = "auto") -> torch.device:
    """`auto`: CUDA when a GPU is visible, else the CPU."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def load_net(path: str | Path | None = None) -> TurnTakingNet:
    """The trained network from `path`, or the shipped weights found by the resolver."""
    file = weights.resolve("vap", path=path)
    checkpoint = torch.load(file, map_location="cpu", weights_only=True)
    net = TurnTakingNet(VapConfig.from_dict(checkpoint["config"]))
    net.load_state_dict(checkpoint["state"])
    return net.eval()


def save_net(net: TurnTakingNet, path: str | Path, *, meta: Mapping[str, Any] | None = None) -> Path:
    """Write a checkpoint (config + weights in float32 + training metadata)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to("cpu", torch.float32).contiguous() for k, v in net.state_dict().items()}
    torch.save({"config": net.config.to_dict(), "state": state, "meta": dict(meta or {})}, target)
    return target


class TorchBackend:
    """The torch runtime of `TurnTakingModel` (see `turn_taking.py`): float64, CUDA when there.

    Inference runs in float64 and reports float32-rounded probabilities: matrix kernels round
    differently for different chunk lengths, and this keeps step == replay exact.
    """

    def __init__(self, *, device: str = "auto", path: str | Path | None = None,
                 net: TurnTakingNet | None = None, threads: int | None = 1) -> None:
        source = net if net is not None else load_net(path)
        self.device = pick_device(device)
        self.net = copy.deepcopy(source).to(self.device, torch.float64).eval()
        self.config = self.net.config
        self.n_mels = self.config.n_mels
        self.stack = self.config.stack
        self.version = self.config.version
        self.name = f"torch-{self.device.type}"
        # Small recurrent steps run fastest on one CPU thread, and leave the other cores alone.
        self.threads = threads
        self._state: torch.Tensor | None = None

    def reset(self) -> None:
        self._state = None

    @torch.inference_mode()
    def _logits(self, mels: npt.NDArray[np.float32]) -> torch.Tensor:
        tensor = torch.from_numpy(mels)[None].to(self.device, torch.float64)
        # torch's thread count is process-wide: the lock keeps set/restore pairs from
        # interleaving when an engine replays its perceivers in threads.
        with _THREADS_LOCK:
            previous = torch.get_num_threads()
            if self.threads and self.device.type == "cpu":
                torch.set_num_threads(self.threads)
            try:
                logits, self._state = self.net(tensor, self._state)
            finally:
                torch.set_num_threads(previous)
        return logits[0]

    def run(self, mels: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        return probabilities(self._logits(mels).to("cpu", torch.float64).tolist())

    def run_chunks(self, mels: npt.NDArray[np.float32], chunk_steps: Sequence[int]) -> npt.NDArray[np.float64]:
        # One call for the whole session: float64 makes it equal to chunked stepping.
        ends = torch.from_numpy(np.cumsum(chunk_steps) - 1).to(self.device)
        return probabilities(self._logits(mels)[ends].to("cpu", torch.float64).tolist())


@torch.inference_mode()
def predict_many(net: TurnTakingNet, audios: Sequence[npt.NDArray[np.float32]], *, device: str = "auto",
                 batch_size: int = 16) -> list[npt.NDArray[np.float64]]:
    """Per-step probabilities (steps x 7, every 50 ms) of many recordings, batched (GPU when there).

    Recordings in a batch are zero-padded at the end; a causal model's outputs before the padding
    equal a single-recording run up to float rounding.
    """
    target = pick_device(device)
    net = net.to(target).eval()
    per_step = net.config.stack * HOP
    out: list[npt.NDArray[np.float64]] = []
    for start in range(0, len(audios), batch_size):
        group = audios[start : start + batch_size]
        steps = [a.size // per_step for a in group]
        longest = max(steps)
        mels = np.zeros((len(group), longest * net.config.stack, net.config.n_mels), np.float32)
        for i, audio in enumerate(group):
            padded = np.concatenate([np.zeros(TAIL, np.float32), audio[: steps[i] * per_step].astype(np.float32)])
            mels[i, : steps[i] * net.config.stack] = log_mel(padded, net.config.n_mels)
        logits, _ = net(torch.from_numpy(mels).to(target))
        probs = torch.sigmoid(logits).to("cpu", torch.float64).numpy()
        out.extend(probs[i, : steps[i]] for i in range(len(group)))
    return out


def steps_per_second(config: VapConfig) -> float:
    return 1.0 / config.step_s


def untrained(seed: int = 0, config: VapConfig | None = None) -> TurnTakingNet:
    """A randomly initialised network with a fixed seed (tests, architecture checks)."""
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        net = TurnTakingNet(config or VapConfig())
    finally:
        torch.random.set_rng_state(generator_state)
    return net.eval()


def parameter_count(net: nn.Module) -> int:
    return int(sum(math.prod(p.shape) for p in net.parameters()))
