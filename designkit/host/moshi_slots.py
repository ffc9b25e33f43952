"""Many conversations with one Moshi model: a row of streaming state per session slot.

Moshi keeps every streaming module's state batched and can reset single rows (`reset_mask`) and
pause rows (`exec_mask`), so one `step` advances every active session by one 80 ms frame: Mimi
encodes all rows, `LMGen.step` runs once for the batch, Mimi decodes all rows. A session joins
by resetting its row; rows without a frame this tick are paused, not disturbed. On one H100 a
Moshi-size model stepped 32 such rows in p95 39.6 ms per 80 ms frame (docs/design.md,
"Measured sizes").

    slots = MoshiSlots(mimi, lm, capacity=32)
    slots.open(3)                                  # a new conversation in row 3
    out = slots.step({3: frame, 5: other_frame})   # {slot: ModelStep}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from designkit.core.interaction import FloatArray, ModelStep
from designkit.errors import InputError
from designkit.host.moshi import _PADDING_TOKENS, FRAME, _moshi


class MoshiSlots:
    """One Mimi codec and one LMGen streaming `capacity` sessions at once."""

    def __init__(self, mimi: Any, lm: Any, capacity: int, *, use_sampling: bool = True, temp: float = 0.8,
                 temp_text: float = 0.7, top_k: int = 250, top_k_text: int = 25) -> None:
        import torch

        models = _moshi()
        self._torch = torch
        self.mimi, self.lm, self.capacity = mimi, lm, capacity
        self.device = next(lm.parameters()).device
        # Out-of-sync support: rows start at different frames, so "still filling the delays" is
        # decided per row (masked tokens) rather than for the whole batch at once.
        self.gen = models.LMGen(lm, use_sampling=use_sampling, temp=temp, temp_text=temp_text, top_k=top_k,
                                top_k_text=top_k_text, support_out_of_sync=True)
        self.mimi.streaming_forever(capacity)
        self.gen.streaming_forever(capacity)
        self.frames = np.zeros(capacity, np.int64)

    def _mask(self, slots: list[int]) -> Any:
        mask = self._torch.zeros(self.capacity, dtype=self._torch.bool, device=self.device)
        mask[slots] = True
        return mask

    def open(self, slot: int) -> None:
        """A fresh conversation in `slot`; the other rows are untouched."""
        mask = self._mask([slot])
        self.mimi.reset_streaming(mask)
        self.gen.reset_streaming(mask)
        self.frames[slot] = 0

    def step(self, frames: Mapping[int, FloatArray]) -> dict[int, ModelStep]:
        """One 80 ms frame (1920 samples at 24 kHz) for each given slot; the others wait."""
        torch = self._torch
        slots = sorted(frames)
        if not slots:
            return {}
        batch = np.zeros((self.capacity, 1, FRAME), np.float32)
        for slot in slots:
            frame = np.asarray(frames[slot], np.float32)
            if frame.shape != (FRAME,):
                raise InputError("Moshi frame", expected=f"{FRAME} samples at 24 kHz", got=frame.shape)
            batch[slot, 0] = frame
        active = self._mask(slots)
        self.mimi.set_exec_mask(active)
        self.gen.set_exec_mask(active)
        with torch.no_grad():
            codes = self.mimi.encode(torch.from_numpy(batch).to(self.device))
            first = [s for s in slots if self.frames[s] == 0]
            if first:  # as moshi's server: re-apply the encoder's left padding after a first frame
                self.mimi.reset_streaming(self._mask(first))
                self.mimi.set_exec_mask(active)
            self.frames[slots] += 1
            tokens = self.gen.step(codes)
            if tokens is None:
                return {s: ModelStep() for s in slots}
            # Rows still filling their acoustic delays (or paused) carry placeholder tokens past the
            # codebook: decode a valid stand-in for them and report no output.
            audio_tokens = tokens[:, 1:]
            valid = ((audio_tokens >= 0) & (audio_tokens < self.lm.card)).all(dim=2).all(dim=1) & active
            safe = torch.where(valid[:, None, None], audio_tokens, torch.zeros_like(audio_tokens))
            # A row decodes only once it has real tokens, as a session alone first decodes then.
            self.mimi.set_exec_mask(valid)
            audio = self.mimi.decode(safe)[:, 0].float().cpu().numpy()
        text = tokens[:, 0, 0].cpu().tolist()
        ready = valid.cpu().tolist()
        out = {}
        for slot in slots:
            if not ready[slot]:
                out[slot] = ModelStep()
                continue
            token = int(text[slot])
            words = "" if token in _PADDING_TOKENS else f"<{token}>"
            out[slot] = ModelStep(audio=np.ascontiguousarray(audio[slot], np.float32), text=words,
                                  wants_to_speak=1.0 if words else 0.0)
        return out
