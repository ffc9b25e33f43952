"""Bring your own model: any OpenAI-compatible chat endpoint (llama.cpp's server, Ollama, vLLM), by URL.

Only the address the designer gives is ever called: `base_url` + `/chat/completions`, with
`stream: true`, read as server-sent events with the standard library (no client package).

    EndpointModel("http://127.0.0.1:8080/v1", model="smollm2")       # a local llama.cpp server
    EndpointModel("http://127.0.0.1:11434/v1", model="llama3.2:1b")  # Ollama
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from designkit.errors import InputError
from designkit.proposers.llm.chat import Message

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EndpointModel:
    """A chat model served at `base_url` (the part before `/chat/completions`).

    `api_key` is sent as a bearer token when given; `temperature` and `top_p` go with each request.
    """

    base_url: str
    model: str = "default"
    api_key: str = ""
    temperature: float = 0.2
    top_p: float = 0.9
    timeout_s: float = 30.0

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InputError("language model endpoint", expected="an http(s) URL such as http://127.0.0.1:8080/v1",
                             got=repr(self.base_url))
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))

    @property
    def name(self) -> str:
        return f"{self.model} at {self.base_url}"

    def load(self) -> None:
        return None  # the server holds the model

    @property
    def url(self) -> str:
        return f"{self.base_url}/chat/completions"

    def stream(self, messages: Sequence[Message], *, max_tokens: int) -> Iterator[str]:
        body = json.dumps({"model": self.model, "messages": [m.to_dict() for m in messages], "stream": True,
                           "max_tokens": max_tokens, "temperature": self.temperature, "top_p": self.top_p})
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url, data=body.encode(), headers=headers, method="POST")
        try:
            response = urllib.request.urlopen(request, timeout=self.timeout_s)
        except urllib.error.URLError as exc:
            raise InputError("language model endpoint", expected=f"a chat server at {self.url}",
                             got=str(getattr(exc, "reason", exc)), fix="start the server or fix the URL") from exc
        with response:
            for raw in response:
                line = raw.decode("utf-8", "replace").strip()
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                try:
                    choice = json.loads(data)["choices"][0]
                except (ValueError, KeyError, IndexError):
                    logger.warning("unreadable event from %s: %.80s", self.url, data)
                    continue
                piece = (choice.get("delta") or {}).get("content") or (choice.get("text") or "")
                if piece:
                    yield piece
