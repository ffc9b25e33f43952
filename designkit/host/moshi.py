"""Moshi in-process as an `InteractionModel`: Mimi codes in, `LMGen.step`, Mimi decode out.

Moshi hears and speaks at 24 kHz in 80 ms frames (1920 samples, 12.5 Hz). Each `step` encodes
one frame of the user's audio with Mimi, steps the language model on those codes and decodes the
model's own audio codes back to 1920 samples. Its text stream says when it is talking: a word
piece (not padding, ids 0 and 3) means it wants the floor. `ModelTurns` resamples the kit's
16 kHz microturns to 24 kHz and cuts them on Moshi's frame grid.

Install (the `moshi` package pins torch<2.10 and numpy<2.3, which the kit's own torch pin
contradicts; moshi 0.2.13 runs under the kit's torch, tested here, so it is installed without its
pins): `pip install 'duplex-designkit[moshi]' && pip install --no-deps moshi==0.2.13` (`make setup`
does both). Real weights, once downloaded by the user
(`huggingface-cli download kyutai/moshiko-pytorch-bf16`): `MoshiModel.pretrained()`. Tests and
benchmarks build a tiny random-weight configuration offline with `tiny_moshi()`, as moshi's own
tests do.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import numpy as np

from designkit.core.interaction import FloatArray, ModelStep
from designkit.errors import InputError, MissingExtraError

logger = logging.getLogger(__name__)

SAMPLE_RATE = 24_000
FRAME = 1920
_PADDING_TOKENS = (0, 3)


def _moshi() -> Any:
    try:
        import moshi.models as models
    except ImportError as exc:
        raise MissingExtraError("moshi", "moshi") from exc
    return models


def tiny_moshi(seed: int = 0, *, device: str = "cpu") -> tuple[Any, Any]:
    """A tiny random-weight Mimi codec and Moshi LM (24 kHz, 12.5 Hz, 4 + 4 codebooks), offline."""
    import torch

    models = _moshi()
    from moshi.models import loaders

    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        config = copy.deepcopy(loaders._mimi_config)
        config["seanet"].update(dimension=32, n_filters=4)
        config["quantizer"].update(dimension=16, n_q=8, bins=32, input_dimension=32, output_dimension=32)
        config["transformer"].update(d_model=32, num_heads=2, num_layers=1, dim_feedforward=64, context=25,
                                     input_dimension=32, output_dimensions=[32])
        mimi = loaders.get_mimi(None, config, num_codebooks=4, device=device).eval()
        lm = models.lm.LMModel(
            delays=[0] + [0, 1, 1, 1] * 2, n_q=8, dep_q=4, card=32, text_card=48, dim=16, num_layers=2,
            num_heads=1, hidden_scale=1, depformer_dim=16, depformer_multi_linear=True,
            depformer_weights_per_step=True, depformer_num_heads=1, depformer_gating="silu", gating="silu",
            context=50, existing_text_padding_id=3, device=device, dtype=torch.float32).eval()
    finally:
        torch.random.set_rng_state(generator_state)
    return mimi, lm


class MoshiModel:
    """Moshi (or a fork with its interfaces, e.g. PersonaPlex) stepping one 80 ms frame at a time."""

    name = "moshi"
    input_rate = SAMPLE_RATE
    frame_samples = FRAME
    sample_rate = SAMPLE_RATE

    def __init__(self, mimi: Any, lm: Any, *, tokenizer: Any = None, seed: int = 0, temp: float = 0.8,
                 temp_text: float = 0.7, top_k: int = 250, top_k_text: int = 25) -> None:
        import torch

        models = _moshi()
        self.mimi = mimi
        self.lm = lm
        self.tokenizer = tokenizer
        self.seed = seed
        self.device = next(lm.parameters()).device
        self.gen = models.LMGen(lm, temp=temp, temp_text=temp_text, top_k=top_k, top_k_text=top_k_text)
        if int(mimi.sample_rate) != SAMPLE_RATE or round(mimi.sample_rate / mimi.frame_rate) != FRAME:
            raise InputError("Mimi codec", expected="24 kHz, 1920-sample frames",
                             got=f"{mimi.sample_rate} Hz, {mimi.sample_rate / mimi.frame_rate:g} samples")
        self._torch = torch
        self.mimi.streaming_forever(1)
        self.gen.streaming_forever(1)
        self.reset()

    @classmethod
    def pretrained(cls, hf_repo: str = "kyutai/moshiko-pytorch-bf16", *, device: str = "cuda") -> MoshiModel:
        """The released weights from the local Hugging Face cache (download them once yourself)."""
        import os

        from moshi.models import loaders

        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never download here
        info = loaders.CheckpointInfo.from_hf_repo(hf_repo)
        return cls(info.get_mimi(device=device), info.get_moshi(device=device), tokenizer=info.get_text_tokenizer())

    def reset(self) -> None:
        self._torch.manual_seed(self.seed)  # sampling is seeded: a session replays the same way
        self.mimi.reset_streaming()
        self.gen.reset_streaming()
        self.frames = 0

    def _text(self, token: int) -> str:
        if token in _PADDING_TOKENS:
            return ""
        if self.tokenizer is None:
            return f"<{token}>"
        return str(self.tokenizer.id_to_piece(token)).replace("\u2581", " ")

    def step(self, frame: FloatArray) -> ModelStep:
        if frame.shape != (FRAME,):
            raise InputError("Moshi frame", expected=f"{FRAME} samples at 24 kHz", got=frame.shape)
        torch = self._torch
        with torch.no_grad():
            pcm = torch.from_numpy(np.ascontiguousarray(frame, np.float32)).to(self.device)[None, None]
            codes = self.mimi.encode(pcm)
            if self.frames == 0:
                # As moshi's server does: the first frame is the past for the model; re-apply
                # the encoder's left padding on the next one.
                self.mimi.reset_streaming()
            self.frames += 1
            tokens = self.gen.step(codes)
            if tokens is None:  # the first steps fill the acoustic delays
                return ModelStep()
            audio = self.mimi.decode(tokens[:, 1:])[0, 0].float().cpu().numpy().astype(np.float32)
        text = self._text(int(tokens[0, 0, 0]))
        return ModelStep(audio=audio, text=text, wants_to_speak=1.0 if text else 0.0)
