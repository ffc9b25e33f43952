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

    vap = TurnTakingModel()                    # trained weights, found by the resolver
    engine = Engine([SileroVAD(), vap], policy, proposer=TurnTakingProposer())
"""

from __future__ import annotations

import copy
import functools
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
from designkit.core.microturns import Microturn
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError, MissingExtraError
from designkit.perception.audio.smart_turn import mel_filters

try:
    import torch
    from torch import nn
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise MissingExtraError("torch", "models") from exc

logger = logging.getLogger(__name__)

WIN = 400
HOP = 160
TAIL = WIN - HOP
_THREADS_LOCK = threading.Lock()
HEADS = ("vap_200ms", "vap_400ms", "vap_600ms", "vap_800ms", "eot", "bc", "vad_now")


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


def log_mel(audio: npt.NDArray[np.floating[Any]], n_mels: int = 40) -> npt.NDArray[np.float32]:
    """Causal log-mel frames of `audio` whose first TAIL samples are past context.

    Frame j covers samples [j*HOP, j*HOP + WIN). Every row is computed on its own (a per-row FFT,
    then float64 arithmetic), so cutting the audio anywhere on the hop grid gives the same rows.
    """
    import scipy.fft

    x = np.asarray(audio, np.float32)
    count = (x.size - TAIL) // HOP
    if count <= 0:
        return np.zeros((0, n_mels), np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(x[: TAIL + count * HOP], WIN)[::HOP]
    spectrum = scipy.fft.rfft(frames * _hann(), axis=-1)
    power = np.square(spectrum.real, dtype=np.float64) + np.square(spectrum.imag, dtype=np.float64)
    # The filter bank is sparse (each band spans a few bins): scipy's sparse product sums every
    # row on its own in a fixed order, with no BLAS thread pool spinning on the other core.
    mel = np.asarray(_mel_t(n_mels).T.dot(power.T).T)
    # Fixed scaling (no per-session statistics: the model must stream).
    scaled: npt.NDArray[np.float32] = ((np.log10(mel + 1e-9) + 5.0) / 3.0).astype(np.float32)
    return scaled


@functools.lru_cache(maxsize=2)
def _mel_t(n_mels: int) -> Any:
    import scipy.sparse

    return scipy.sparse.csr_array(mel_filters(n_mels, WIN).T)


@functools.lru_cache(maxsize=1)
def _hann() -> npt.NDArray[np.float32]:
    return (0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(WIN) / WIN)).astype(np.float32)


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


class TurnTakingModel:
    """The model as a perceiver: columns `vap_200ms`..`vap_800ms`, `eot`, `bc` (and `vad_now`).

    `prefix` renames the columns (e.g. "model_" gives `model_eot`) when another perceiver already
    writes `eot`. `net=` takes an in-memory network (tests, notebooks right after training).
    """

    def __init__(self, *, path: str | Path | None = None, net: TurnTakingNet | None = None,
                 device: str = "auto", prefix: str = "", name: str = "turn_taking",
                 threads: int | None = 1) -> None:
        source = net if net is not None else load_net(path)
        self.device = pick_device(device)
        # Inference runs in float64 and reports float32-rounded probabilities: matrix kernels
        # round differently for different chunk lengths, and this keeps step == replay exact.
        self.net = copy.deepcopy(source).to(self.device, torch.float64).eval()
        self.config = self.net.config
        # Small recurrent steps run fastest on one CPU thread, and leave the other cores alone.
        self.threads = threads
        self.name = name
        self.columns: tuple[str, ...] = tuple(prefix + h for h in HEADS)
        self._tail = np.zeros(TAIL, np.float32)
        self._state: torch.Tensor | None = None
        self._last = np.zeros(len(HEADS))

    @property
    def version(self) -> str:
        return self.config.version

    def reset(self) -> None:
        self._tail = np.zeros(TAIL, np.float32)
        self._state = None
        self._last = np.zeros(len(HEADS))

    def _check(self, samples: int) -> None:
        per_step = self.config.stack * HOP
        if samples % per_step:
            raise InputError("microturn length for the turn-taking model",
                             expected=f"a multiple of {per_step / SAMPLE_RATE * 1000:g} ms",
                             got=f"{samples / SAMPLE_RATE * 1000:g} ms", fix="use dt = 0.2 s or 0.1 s")

    @torch.inference_mode()
    def _run(self, mels: npt.NDArray[np.float32], pick: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """Probabilities at the steps `pick`, carrying the GRU state to the end of `mels`."""
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
        return _sigmoid(logits[0, torch.from_numpy(pick).to(self.device)])

    def step(self, microturn: Microturn) -> Mapping[str, float]:
        audio = microturn.audio
        self._check(audio.size)
        joined = np.concatenate([self._tail, audio.astype(np.float32, copy=False)])
        self._tail = joined[-TAIL:]
        mels = log_mel(joined, self.config.n_mels)
        self._last = self._run(mels, np.array([len(mels) // self.config.stack - 1]))[0]
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
        ends = np.cumsum(sizes) // (self.config.stack * HOP) - 1
        picked = self._run(log_mel(audio, self.config.n_mels), ends)
        self._last = picked[-1]
        return {c: picked[:, i].copy() for i, c in enumerate(self.columns)}


def _logistic(v: float) -> float:
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)  # no overflow for very negative logits
    return e / (1.0 + e)


def _sigmoid(logits: torch.Tensor) -> npt.NDArray[np.float64]:
    """Element by element in Python floats: vectorised kernels round differently at a tensor's
    tail, and stepping must equal replay bit for bit."""
    rows = logits.to("cpu", torch.float64).tolist()
    probs = np.array([[_logistic(v) for v in row] for row in rows], np.float64)
    return probs.reshape(-1, len(HEADS)).astype(np.float32).astype(np.float64)


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
