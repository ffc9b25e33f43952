"""The turn-taking model's log-mel front end in torch, so features are computed where the model runs.

Same recipe as `designkit.perception.vap.log_mel` (causal 25 ms Hann windows every 10 ms, power
spectrum, Slaney mel filters, fixed log scaling), for a batch of rows at once on the CPU or a
GPU. Everything runs in float32 (the numpy path sums the power in float64): the log-mel values
agree to about 1e-6, far inside the tolerance the host tests state for the model's outputs,
and the host's features cost a third of what float64 would. On a CPU the frames go through
in slices of a few dozen along time, so the windowed frames, their spectra and powers stay in
cache (a whole 8 s replay block at once spends most of its time moving memory).
"""

from __future__ import annotations

import functools

import torch

from designkit.perception.audio.smart_turn import mel_filters
from designkit.perception.audio.turn_taking_features import HOP, TAIL, WIN


@functools.lru_cache(maxsize=8)
def _constants(n_mels: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    window = (0.5 - 0.5 * torch.cos(2.0 * torch.pi * torch.arange(WIN, dtype=torch.float64) / WIN))
    filters = torch.from_numpy(mel_filters(n_mels, WIN).T.copy())
    return window.to(device, torch.float32), filters.to(device, torch.float32)


CPU_SLICE_FRAMES = 32


def log_mel_rows(audio: torch.Tensor, n_mels: int = 40) -> torch.Tensor:
    """(rows, TAIL + n * HOP) float32 samples, whose first TAIL are past context -> (rows, n, n_mels)."""
    window, filters = _constants(n_mels, audio.device)
    count = (audio.shape[-1] - TAIL) // HOP
    frames = audio[:, : TAIL + count * HOP].unfold(-1, WIN, HOP)
    mel = torch.empty((audio.shape[0], count, n_mels), dtype=torch.float32, device=audio.device)
    step = CPU_SLICE_FRAMES if audio.device.type == "cpu" else max(count, 1)
    for start in range(0, count, step):
        spectrum = torch.fft.rfft(frames[:, start : start + step] * window, dim=-1)
        mel[:, start : start + step] = (spectrum.real.square() + spectrum.imag.square()) @ filters
    return mel.add_(1e-9).log10_().add_(5.0).div_(3.0)
