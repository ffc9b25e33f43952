"""A GGUF chat model run by onnxruntime on the CPU: the same answers as transformers, twice as fast.

On 2 CPU cores a 135M model writing one token at a time is bound by reading its weights and by
the framework's cost per operation; transformers in torch took 80-100 ms a token for
SmolLM2-135M, onnxruntime ~50 ms with the same fp32 weights (the same greedy words on the
`talkback` questions), and ~0.1 s instead of ~0.5 s to read a prompt whose persona it read before.
(onnxruntime-genai's own generator is as fast, but holds Python's lock while it computes: the
microturn loop then waited up to 0.4 s for it.)

The GGUF file is made into an ONNX model once, by onnxruntime-genai's model builder, into the
cache (`~/.cache/designkit/llm-onnx/<model>-<size>-<precision>/`, ~540 MB for fp32; ~60 s on 2
cores); the folder's `designkit-source.json` names the GGUF it was made from, so a changed file is
made again. `precision="int8"` halves the file and writes twice as fast, with answers that differ
more from the GGUF's own (docs/talk-back.md).

    folder = onnx_folder(gguf_file, "fp32", export=lambda out: save_hf(model, tokenizer, out))
    decoder = OnnxDecoder(folder, cpu_threads=1)
    for token in decoder.stream(ids, max_tokens=48, repetition_penalty=1.1): ...
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Generator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit.cache import cache_dir
from designkit.errors import InputError

logger = logging.getLogger(__name__)

PRECISIONS = ("fp32", "int8")
SOURCE_FILE = "designkit-source.json"


def onnx_installed() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None
               for m in ("onnxruntime", "onnxruntime_genai", "onnx", "onnx_ir"))


def onnx_folder(gguf: Path, precision: str, *, export: Callable[[Path], None]) -> Path:
    """The ONNX model made from `gguf` at `precision`, made now if the cache lacks it.

    `export(folder)` writes the model as a Hugging Face folder (weights, config, tokenizer): the
    builder reads that. Made in a temporary folder and moved into place, so an interrupted build
    leaves nothing that looks finished."""
    if precision not in PRECISIONS:
        raise InputError("ONNX model precision", expected=" or ".join(PRECISIONS), got=precision)
    stat = gguf.stat()
    source = {"gguf": gguf.name, "size": stat.st_size, "precision": precision}
    target = cache_dir("llm-onnx", f"{gguf.stem}-{stat.st_size}-{precision}")
    if _made_from(target) == source:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="designkit-onnx-", dir=target.parent) as tmp:
        hf, out = Path(tmp) / "hf", Path(tmp) / "onnx"
        export(hf)
        logger.info("making %s into an ONNX model (%s), once: ~60 s on 2 cores", gguf.name, precision)
        _build(hf, out, precision, Path(tmp) / "builder-cache")
        for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "special_tokens_map.json"):
            if (hf / name).is_file() and not (out / name).exists():
                shutil.copyfile(hf / name, out / name)
        (out / SOURCE_FILE).write_text(json.dumps(source))
        if _made_from(target) == source:
            return target  # another process (a second kernel) made it meanwhile
        if target.exists():
            shutil.rmtree(target)  # made from another file
        try:
            out.replace(target)
        except OSError:
            if _made_from(target) != source:
                raise
    return target


def _made_from(folder: Path) -> dict[str, Any] | None:
    try:
        return dict(json.loads((folder / SOURCE_FILE).read_text()))
    except (OSError, ValueError):
        return None


def _build(hf: Path, out: Path, precision: str, builder_cache: Path) -> None:
    """onnxruntime-genai's model builder, as its documentation runs it; offline, never the hub."""
    command = [sys.executable, "-m", "onnxruntime_genai.models.builder", "-m", str(hf), "-i", str(hf),
               "-o", str(out), "-p", precision, "-e", "cpu", "-c", str(builder_cache),
               "--extra_options", "prune_lm_head=true", "hf_token=false"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not (out / "genai_config.json").is_file():
        raise RuntimeError(f"onnxruntime-genai's model builder failed ({done.returncode}): {done.stderr[-2000:]}")


class OnnxDecoder:
    """Writes token ids after a prompt's ids with onnxruntime (which lets go of Python's lock while
    it computes, so the microturn loop runs on beside it); keeps the last prompt's attention cache
    and reads only what follows the part the next prompt shares with it (the persona and earlier
    exchanges). Greedy, or sampled with `temperature` and `top_p`, with transformers' repetition
    penalty: the same words as the GGUF model in torch."""

    def __init__(self, folder: Path, *, cpu_threads: int) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = cpu_threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # no busy core while idle
        self._session = ort.InferenceSession(str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])
        model = json.loads((folder / "genai_config.json").read_text())["model"]
        eos = model.get("eos_token_id", [])
        self._eos = {int(t) for t in (eos if isinstance(eos, list) else [eos])}
        self._cache_names = [i.name for i in self._session.get_inputs() if i.name.startswith("past_key_values.")]
        decoder = model["decoder"]
        self._empty = np.zeros((1, decoder["num_key_value_heads"], 0, decoder["head_size"]), np.float32)
        self._lock = threading.Lock()
        self._kept: tuple[list[int], list[npt.NDArray[np.float32]]] | None = None  # a prompt and its cache
        self._rng = np.random.default_rng()
        self.shared_tokens = 0  # how many tokens of the last prompt were not read again

    def forget(self) -> None:
        """Read the next prompt whole (no kept attention cache)."""
        with self._lock:
            self._kept = None

    def stream(self, ids: Sequence[int], *, max_tokens: int, repetition_penalty: float = 1.0,
               temperature: float = 0.0, top_p: float = 1.0) -> Generator[int, None, None]:
        """The written token ids, one at a time, up to `max_tokens` or the model's end of text.
        Stop reading early to stop writing."""
        prompt = [int(t) for t in ids]
        if not prompt:
            raise InputError("prompt token ids", expected="at least one token", got="none")
        with self._lock:
            shared, cache = self._shared_cache(prompt)
            self.shared_tokens = shared
            seen = np.unique(np.asarray(prompt, np.int64))
            read, feed = prompt[:shared], prompt[shared:]
            for _ in range(max_tokens):
                logits, cache = self._step(feed, len(read), cache)
                read = read + feed
                # Kept with what it wrote: the next prompt holds this answer in the conversation so far.
                self._kept = (read, cache)
                token = self._choose(logits, seen, repetition_penalty, temperature, top_p)
                if token in self._eos:
                    return
                yield token
                seen = np.union1d(seen, [token])
                feed = [token]

    def _shared_cache(self, prompt: list[int]) -> tuple[int, list[npt.NDArray[np.float32]]]:
        if self._kept is not None:
            kept, cache = self._kept
            limit = min(len(kept), len(prompt) - 1)  # at least one token to read
            shared = 0
            while shared < limit and kept[shared] == prompt[shared]:
                shared += 1
            if shared:
                return shared, [c[:, :, :shared] for c in cache]
        return 0, [self._empty] * len(self._cache_names)

    def _step(self, feed: list[int], past: int, cache: list[npt.NDArray[np.float32]]
              ) -> tuple[npt.NDArray[np.float32], list[npt.NDArray[np.float32]]]:
        inputs: dict[str, Any] = {"input_ids": np.asarray([feed], np.int64),
                                  "attention_mask": np.ones((1, past + len(feed)), np.int64)}
        inputs.update(zip(self._cache_names, cache, strict=True))
        logits, *present = self._session.run(None, inputs)
        return logits[0, -1], present

    def _choose(self, logits: npt.NDArray[np.float32], seen: npt.NDArray[np.int64], penalty: float,
                temperature: float, top_p: float) -> int:
        """transformers' repetition penalty on every token seen so far, then greedy or top-p sampling."""
        scores = logits.astype(np.float64)
        if penalty != 1.0:
            picked = scores[seen]
            scores[seen] = np.where(picked < 0, picked * penalty, picked / penalty)
        if temperature <= 0:
            return int(np.argmax(scores))
        scores = scores / temperature
        probs = np.exp(scores - scores.max())
        probs /= probs.sum()
        order = np.argsort(-probs)
        keep = order[: int(np.searchsorted(np.cumsum(probs[order]), top_p)) + 1]
        return int(self._rng.choice(keep, p=probs[keep] / probs[keep].sum()))
