"""A GGUF chat model run by onnxruntime-genai on the CPU: the same answers as transformers, twice as fast.

On 2 CPU cores a 135M model writing one token at a time is bound by reading its weights and by
the framework's cost per operation; transformers in torch took 80-100 ms a token for
SmolLM2-135M, onnxruntime-genai 47-50 ms with the same fp32 weights (the same greedy words on the
`talkback` questions) and ~0.1 s instead of ~0.5 s to read a prompt whose persona it read before.

The GGUF file is made into an ONNX model once, by onnxruntime-genai's own model builder, into the
cache (`~/.cache/designkit/llm-onnx/<model>-<size>-<precision>/`, ~540 MB for fp32; ~20 s); the
folder's `designkit-source.json` names the GGUF it was made from, so a changed file is made again.
`precision="int8"` halves the file and writes a token in ~21 ms, with answers that differ more
from the GGUF's own (docs/talk-back.md).

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

from designkit.cache import cache_dir
from designkit.errors import InputError

logger = logging.getLogger(__name__)

PRECISIONS = ("fp32", "int8")
SOURCE_FILE = "designkit-source.json"
# The decoder's attention cache holds this many tokens (prompt and answer); a longer one starts anew.
MAX_LENGTH = 2048


def onnx_installed() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("onnxruntime_genai", "onnx", "onnx_ir"))


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
        logger.info("making %s into an ONNX model (%s), once: ~20 s", gguf.name, precision)
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
    """Writes token ids after a prompt's ids; keeps the last prompt's attention cache and reads only
    what follows the part the next prompt shares with it (the persona and earlier exchanges)."""

    def __init__(self, folder: Path, *, cpu_threads: int) -> None:
        import onnxruntime_genai as og

        config = og.Config(str(folder))
        config.clear_providers()  # the CPU
        options = {"intra_op_num_threads": cpu_threads, "inter_op_num_threads": 1}
        config.overlay(json.dumps({"model": {"decoder": {"session_options": options}}}))
        self._og = og
        self._model = og.Model(config)
        self._lock = threading.Lock()
        self._generator: Any = None
        self._search: dict[str, Any] = {}
        self._kept: list[int] = []  # the prompt whose cache the generator holds
        self.shared_tokens = 0  # how many tokens of the last prompt were not read again
        eos = json.loads((folder / "genai_config.json").read_text())["model"].get("eos_token_id", [])
        self._eos = {int(t) for t in (eos if isinstance(eos, list) else [eos])}

    def stream(self, ids: Sequence[int], *, max_tokens: int, repetition_penalty: float = 1.0,
               temperature: float = 0.0, top_p: float = 1.0) -> Generator[int, None, None]:
        """The written token ids, one at a time, up to `max_tokens` or the model's end of text.
        Stop reading early to stop writing."""
        search = {"do_sample": temperature > 0, "repetition_penalty": repetition_penalty,
                  **({"temperature": temperature, "top_p": top_p} if temperature > 0 else {})}
        with self._lock:
            generator = self._ready(list(ids), search)
            for _ in range(max_tokens):
                if generator.is_done():
                    return
                generator.generate_next_token()
                token = int(generator.get_next_tokens()[0])
                if token in self._eos:
                    return
                yield token

    def forget(self) -> None:
        """Read the next prompt whole (no kept attention cache)."""
        with self._lock:
            self._generator, self._kept = None, []

    def _ready(self, ids: list[int], search: dict[str, Any]) -> Any:
        """The generator with `ids` appended: rewound to the part shared with the last prompt."""
        if not ids:
            raise InputError("prompt token ids", expected="at least one token", got="none")
        shared = 0
        if self._generator is not None and search == self._search and len(ids) + 64 < MAX_LENGTH:
            limit = min(len(self._kept), len(ids) - 1)
            while shared < limit and self._kept[shared] == ids[shared]:
                shared += 1
        if shared:
            self._generator.rewind_to(shared)
        else:
            params = self._og.GeneratorParams(self._model)
            params.set_search_options(max_length=MAX_LENGTH, **search)
            self._generator = self._og.Generator(self._model, params)
            self._search = search
        self._kept, self.shared_tokens = ids, shared
        self._generator.append_tokens(ids[shared:])
        return self._generator
