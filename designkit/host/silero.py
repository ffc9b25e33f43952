"""Silero VAD in torch, one row per session: the batched form the host steps every tick.

The `silero-vad` wheel ships the model as TorchScript beside its ONNX exports; this module
rebuilds the same network with those weights (an STFT as a convolution, four convolutions, an
LSTM cell, a 1x1 convolution) so that many sessions run as one batch on the CPU or a GPU. The convolutions see each 32 ms frame on its own, so all frames of
all sessions are encoded in one call; only the LSTM cell walks through time, over all sessions
at once, with a mask for rows that have no frame at a given step. Its probabilities equal the
ONNX model's up to float32 rounding (see the host tests for the measured tolerance).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional

from designkit import weights

FRAME = 512
CONTEXT = 64
HIDDEN = 128
N_FFT = 256


_NAMES = {
    "stft.forward_basis_buffer": "stft_conv.weight",
    **{f"encoder.{i}.reparam_conv.{kind}": f"conv{i + 1}.{kind}" for i in range(4) for kind in ("weight", "bias")},
    **{f"decoder.rnn.{kind}": f"lstm_cell.{kind}" for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")},
    "decoder.decoder.2.weight": "final_conv.weight",
    "decoder.decoder.2.bias": "final_conv.bias",
}


def weights_file() -> Path:
    """The TorchScript model inside the installed `silero-vad` wheel (the same weights as the ONNX
    sequence export the per-session perceiver runs; the wheel's safetensors hold an older set)."""
    return weights.resolve("silero_vad_jit")


def _state_dict(path: Path) -> dict[str, torch.Tensor]:
    with warnings.catch_warnings():  # torch 2.13 marks TorchScript loading deprecated; it still loads
        warnings.simplefilter("ignore", DeprecationWarning)
        scripted = torch.jit.load(str(path), map_location="cpu")  # type: ignore[no-untyped-call]
    found = dict(scripted._model.named_parameters())
    found.update(dict(scripted._model.named_buffers()))
    return {ours: found[theirs].detach().clone() for theirs, ours in _NAMES.items()}


def _conv_rows(conv: nn.Conv1d, x: torch.Tensor) -> torch.Tensor:
    """relu(conv(x)) for x laid out (rows, time, channels), as one matrix product."""
    kernel, stride, pad = conv.kernel_size[0], conv.stride[0], int(conv.padding[0])
    if x.shape[1] == 1 and pad == kernel // 2:  # one step: every tap but the centre sees padding
        out = torch.addmm(conv.bias, x[:, 0], conv.weight[:, :, pad].T)  # type: ignore[arg-type]
        return torch.relu(out)[:, None]
    weight = conv.weight.permute(2, 1, 0).reshape(-1, conv.out_channels)
    columns = functional.pad(x, (0, 0, pad, pad)).unfold(1, kernel, stride).transpose(2, 3)
    rows, steps = x.shape[0], columns.shape[1]
    out = torch.addmm(conv.bias, columns.reshape(rows * steps, -1), weight)  # type: ignore[arg-type]
    return torch.relu(out).reshape(rows, steps, conv.out_channels)


class SileroNet(nn.Module):
    """Silero VAD v5 (16 kHz): (rows, 64 + 512) samples -> speech probability, LSTM state per row."""

    _window: torch.Tensor

    def __init__(self) -> None:
        super().__init__()
        self.stft_conv = nn.Conv1d(1, 258, kernel_size=256, stride=128, bias=False)
        self.conv1 = nn.Conv1d(129, 128, kernel_size=3, padding=1)
        self.conv2 = nn.Conv1d(128, 64, kernel_size=3, stride=2, padding=1)
        self.conv3 = nn.Conv1d(64, 64, kernel_size=3, stride=2, padding=1)
        self.conv4 = nn.Conv1d(64, 128, kernel_size=3, padding=1)
        self.lstm_cell = nn.LSTMCell(HIDDEN, HIDDEN)
        self.final_conv = nn.Conv1d(HIDDEN, 1, 1)
        self.register_buffer("_window", torch.hann_window(N_FFT, periodic=True), persistent=False)

    @classmethod
    def load(cls, path: Path | None = None) -> SileroNet:
        net = cls()
        net.load_state_dict(_state_dict(path or weights_file()))
        return net.eval()

    def encode(self, frames: torch.Tensor) -> torch.Tensor:
        """(n, 576) frames with their 64-sample context -> (n, 128) features; frames independent.

        The first layer is a windowed DFT written as a convolution (its weights are a periodic Hann
        window times cos and -sin); an FFT gives the same magnitudes for a fraction of the work.
        The convolutions run as matrix products on (frames, time, channels): with only 4, 2 and 1
        time steps per frame that is faster on a CPU than the convolution kernels.
        """
        x = functional.pad(frames[:, None, :], (0, CONTEXT), mode="reflect")[:, 0]
        spectrum = torch.fft.rfft(x.unfold(-1, N_FFT, N_FFT // 2) * self._window, dim=-1)
        x = (spectrum.real.square() + spectrum.imag.square()).sqrt()  # |z|, at half the cost of abs()
        for conv in (self.conv1, self.conv2, self.conv3, self.conv4):
            x = _conv_rows(conv, x)
        return x[:, 0]

    def decode(self, hidden: torch.Tensor) -> torch.Tensor:
        """(..., 128) LSTM outputs -> (...) speech probabilities."""
        weight, bias = self.final_conv.weight[0, :, 0], self.final_conv.bias
        assert bias is not None
        return torch.sigmoid(torch.relu(hidden) @ weight + bias[0])

    def _lstm_weights(self) -> list[torch.Tensor]:
        cell = self.lstm_cell
        return [cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh]

    def run(self, features: torch.Tensor, counts: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]
            ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Walk the LSTM through `features` (rows, steps, 128): row r advances `counts[r]` steps.

        Returns probabilities (rows, steps) (0 past a row's count) and the new state.
        """
        h, c = state
        rows, steps = features.shape[:2]
        outputs = torch.zeros((rows, steps, HIDDEN), dtype=features.dtype, device=features.device)
        # Every row advances alike up to the shortest count: one fused sequence call (all of a
        # replay block; all but the last frame of a live tick, where rows differ by one frame).
        common = int(counts.min()) if rows else 0
        if common:
            hidden, h_n, c_n = torch.lstm(features[:, :common], (h[None], c[None]), self._lstm_weights(), True, 1,
                                          0.0, False, False, True)
            outputs[:, :common] = hidden
            h, c = h_n[0], c_n[0]
        cell = self.lstm_cell
        for t in range(common, steps):
            gates = features[:, t] @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh.T + cell.bias_hh
            i, f, g, o = gates.chunk(4, dim=1)
            c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h_new = torch.sigmoid(o) * torch.tanh(c_new)
            live = (counts > t)[:, None]
            h, c = torch.where(live, h_new, h), torch.where(live, c_new, c)
            outputs[:, t] = h
        probs = self.decode(outputs)
        if common < steps:
            probs = probs * (torch.arange(steps, device=counts.device)[None] < counts[:, None])
        return probs, (h, c)
