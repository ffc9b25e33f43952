"""Language-model runtimes for the agent's answers, one file each: `local_gguf` (a GGUF chat model
in torch, SmolLM2-135M-Instruct by default), `endpoint` (any OpenAI-compatible server by URL) and
`stub` (deterministic, for tests); `persona` writes the prompt, `sentences` cuts the stream."""

from designkit.proposers.llm.chat import LanguageModel, Message
from designkit.proposers.llm.endpoint import EndpointModel
from designkit.proposers.llm.persona import Persona
from designkit.proposers.llm.stub import StubModel

__all__ = ["EndpointModel", "LanguageModel", "Message", "Persona", "StubModel"]
