"""The kit's audio perception for many sessions at once: Silero VAD and the turn-taking model, one
row of batched state per session slot.

`AudioStack.step(slots, audio)` advances the given slots by the same number of samples (one
microturn live, a block of microturns in replay) and returns each slot's columns per microturn:
exactly the columns of `Engine([SileroVAD(), TurnTakingModel()], ...)`, from the same rules
(`SileroVAD.observe` for onsets and offsets, the same microturn ends for the model's heads).
State per slot: Silero's LSTM (h, c) rows, its 64-sample context and the samples not yet a whole
32 ms frame; the turn-taking GRU's row and its 240-sample tail. A slot that is not stepped is
left exactly as it was, so sessions join and leave without disturbing the others.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import torch

from designkit.core.microturns import samples_per_microturn
from designkit.errors import InputError
from designkit.host.features import log_mel_rows
from designkit.host.silero import CONTEXT, FRAME, HIDDEN, SileroNet
from designkit.perception.audio.silero import SileroVAD
from designkit.perception.audio.turn_taking_features import HEADS, HOP, TAIL, probabilities
from designkit.perception.audio.turn_taking_net import TurnTakingNet, load_net, pick_device

logger = logging.getLogger(__name__)

_CPU_ENCODE_ROWS = 256
VAD_COLUMNS = ("vad", "vad_speech", "vad_onset", "vad_offset")
COLUMNS = VAD_COLUMNS + HEADS
# Largest gap between the host and the per-session path, per column, over the test sessions
# (float32 FFTs and matrix products summed in another order); threshold columns match exactly
# unless a probability lies within this distance of its threshold.
TOLERANCE: Mapping[str, float] = {"vad": 1e-4, **{h: 1e-4 for h in HEADS},
                                  "vad_speech": 0.0, "vad_onset": 0.0, "vad_offset": 0.0}


class AudioStack:
    """Batched Silero VAD + turn-taking model over `capacity` session slots (GPU when there)."""

    columns = COLUMNS

    def __init__(self, capacity: int, *, dt: float = 0.2, device: str = "auto",
                 vap_path: str | Path | None = None, vap_net: TurnTakingNet | None = None,
                 vad_threshold: float = 0.5, vad_hangover_s: float = 0.2) -> None:
        if capacity < 1:
            raise InputError("host capacity", expected="at least 1 slot", got=capacity)
        self.capacity = capacity
        self.device = pick_device(device)
        self.samples_per_turn = samples_per_microturn(dt)
        net = vap_net if vap_net is not None else load_net(vap_path)
        # float32 (the per-session perceiver runs float64 for bit-exact step == replay): half the
        # cost, and the heads agree to ~1e-6, well inside TOLERANCE.
        self.vap = copy.deepcopy(net).to(self.device, torch.float32).eval()
        self.model_steps = self.vap.config.stack * HOP
        if self.samples_per_turn % self.model_steps:
            raise InputError("microturn length for the host", expected=f"a multiple of {self.model_steps} samples",
                             got=self.samples_per_turn, fix="use dt = 0.2 s or 0.1 s")
        self.silero = SileroNet.load().to(self.device)
        self._init_state(capacity, vad_threshold, vad_hangover_s)

    def sibling(self, capacity: int) -> AudioStack:
        """Another set of slots over the same networks (weights held once): for replay workers."""
        twin = copy.copy(self)
        twin._init_state(capacity, self.vad_threshold, self.vad_hangover_s)
        return twin

    def _init_state(self, capacity: int, vad_threshold: float, vad_hangover_s: float) -> None:
        self.capacity = capacity
        self.vad_threshold = vad_threshold
        self.vad_hangover_s = vad_hangover_s
        self.h = torch.zeros(capacity, HIDDEN, device=self.device)
        self.c = torch.zeros(capacity, HIDDEN, device=self.device)
        self.gru = torch.zeros(1, capacity, self.vap.config.hidden, device=self.device)
        self.context = np.zeros((capacity, CONTEXT), np.float32)
        self.tail = np.zeros((capacity, TAIL), np.float32)
        self.pending: list[npt.NDArray[np.float32]] = [np.zeros(0, np.float32)] * capacity
        self.vads: list[SileroVAD] = [self._new_vad() for _ in range(capacity)]

    def _new_vad(self) -> SileroVAD:
        return SileroVAD(threshold=self.vad_threshold, hangover_s=self.vad_hangover_s)

    def open(self, slot: int) -> None:
        """A fresh session in `slot`: its rows start from zero; other rows are untouched."""
        self.h[slot] = 0.0
        self.c[slot] = 0.0
        self.gru[:, slot] = 0.0
        self.context[slot] = 0.0
        self.tail[slot] = 0.0
        self.pending[slot] = np.zeros(0, np.float32)
        self.vads[slot] = self._new_vad()

    def step(self, slots: Sequence[int], audio: npt.NDArray[np.float32]) -> list[list[dict[str, float]]]:
        """Advance `slots` by the rows of `audio` (rows, k whole microturns of samples).

        Returns, per slot, k dicts of columns (one per microturn), as stepping each session's
        `SileroVAD` and `TurnTakingModel` on those microturns would.
        """
        table = self.step_table(slots, audio)
        return [[dict(zip(COLUMNS, row, strict=True)) for row in per_slot.tolist()] for per_slot in table]

    @torch.inference_mode()
    def step_table(self, slots: Sequence[int], audio: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        """As `step`, as one array (rows, k microturns, COLUMNS) for replays that keep columns."""
        audio = np.ascontiguousarray(audio, np.float32)
        rows, samples = audio.shape
        if rows != len(slots) or samples % self.samples_per_turn:
            raise InputError("host step audio", expected=f"{len(slots)} rows of whole microturns",
                             got=audio.shape)
        turns = samples // self.samples_per_turn
        table = np.zeros((rows, turns, len(COLUMNS)))
        if rows == 0:
            return table
        index = torch.as_tensor(list(slots), device=self.device)
        vad_rows = self._silero(slots, index, audio, turns)
        table[:, :, len(VAD_COLUMNS) :] = self._turn_taking(slots, index, audio, turns)
        for r, slot in enumerate(slots):
            vad = self.vads[slot]
            for m in range(turns):
                values = vad.observe(vad_rows[r][m])
                table[r, m, : len(VAD_COLUMNS)] = [values[c] for c in VAD_COLUMNS]
        return table

    def _silero(self, slots: Sequence[int], index: torch.Tensor, audio: npt.NDArray[np.float32],
                turns: int) -> list[list[npt.NDArray[np.float32]]]:
        """Per row, per microturn: probabilities of the 32 ms frames that ended inside it."""
        inputs, counts, firsts = [], [], []
        for r, slot in enumerate(slots):
            pending = self.pending[slot]
            joined = np.concatenate([pending, audio[r]]) if pending.size else audio[r]
            whole = joined.size // FRAME
            frames = joined[: whole * FRAME].reshape(whole, FRAME)
            self.pending[slot] = joined[whole * FRAME :].copy()
            framed = np.empty((whole, CONTEXT + FRAME), np.float32)
            framed[:, CONTEXT:] = frames
            if whole:
                framed[0, :CONTEXT] = self.context[slot]
                framed[1:, :CONTEXT] = frames[:-1, -CONTEXT:]
                self.context[slot] = frames[-1, -CONTEXT:]
            inputs.append(framed)
            counts.append(whole)
            firsts.append(pending.size)
        longest = max(counts)
        features = torch.zeros(len(slots), longest, HIDDEN, device=self.device)
        if longest:
            frames = torch.from_numpy(np.concatenate(inputs)).to(self.device)
            # On a CPU, blocks of a few hundred frames keep the convolutions' inputs in cache.
            piece = len(frames) if self.device.type != "cpu" else _CPU_ENCODE_ROWS
            encoded = torch.cat([self.silero.encode(frames[i : i + piece]) for i in range(0, len(frames), piece)])
            mask = torch.arange(longest)[None, :] < torch.as_tensor(counts)[:, None]
            features[mask.to(self.device)] = encoded
        probs, (h, c) = self.silero.run(features, torch.as_tensor(counts, device=self.device),
                                        (self.h[index], self.c[index]))
        self.h[index] = h
        self.c[index] = c
        table = probs.cpu().numpy()
        out = []
        for r, (count, before) in enumerate(zip(counts, firsts, strict=True)):
            # Frame j ends at sample (j + 1) * FRAME - before of this call; it belongs to the
            # microturn that contains that end, as when the session is stepped alone.
            ends = (np.arange(1, count + 1) * FRAME - before - 1) // self.samples_per_turn
            edges = np.searchsorted(ends, np.arange(turns + 1))
            out.append([table[r, edges[m] : edges[m + 1]] for m in range(turns)])
        return out

    def _turn_taking(self, slots: Sequence[int], index: torch.Tensor, audio: npt.NDArray[np.float32],
                     turns: int) -> npt.NDArray[np.float64]:
        """(rows, turns, 7) head probabilities at each microturn's last model step."""
        joined = np.concatenate([self.tail[list(slots)], audio], axis=1)
        self.tail[list(slots)] = joined[:, -TAIL:]
        mels = log_mel_rows(torch.from_numpy(joined).to(self.device), self.vap.config.n_mels)
        logits, state = self.vap(mels, self.gru[:, index].contiguous())
        self.gru[:, index] = state
        per_turn = self.samples_per_turn // self.model_steps
        picked = logits[:, per_turn - 1 :: per_turn]
        return probabilities(picked.reshape(-1, len(HEADS)).to("cpu", torch.float64).tolist()).reshape(len(slots), turns, len(HEADS))
