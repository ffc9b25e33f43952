"""Answers in words: any chat model streams its answer; the voice starts on the first whole sentence;
a model behind an OpenAI-compatible URL is called at that URL and nowhere else; the local GGUF model
answers from its wheel, offline."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from designkit.errors import InputError
from designkit.proposers.llm.chat import Message
from designkit.proposers.llm.endpoint import EndpointModel
from designkit.proposers.llm.persona import Persona, prompt_text
from designkit.proposers.llm.sentences import first_sentence, is_boilerplate, sentences, tidy
from designkit.proposers.llm.stub import StubModel


def test_sentences_come_out_as_soon_as_each_one_ends() -> None:
    read: list[str] = []

    def pieces() -> Iterator[str]:
        for piece in ("Boil it ", "for 7.5 min", "utes. Then ", "cool it!", " Enjoy"):
            read.append(piece)
            yield piece

    stream = sentences(pieces())
    assert next(stream) == "Boil it for 7.5 minutes."
    assert read == ["Boil it ", "for 7.5 min", "utes. Then "]  # nothing read past the first sentence
    assert list(stream) == ["Then cool it!", "Enjoy"]


def test_the_first_clause_is_said_before_its_sentence_is_written() -> None:
    def pieces(text: str) -> Iterator[str]:
        for i, word in enumerate(text.split()):
            yield word if i == 0 else " " + word

    long = "In a small garden, herbs and lettuce grow well. Water them often, every morning."
    assert list(sentences(pieces(long), first_clause_words=4)) == [
        "In a small garden,", "herbs and lettuce grow well.", "Water them often, every morning."]
    # A clause shorter than that, or numbers with a comma or colon, do not end the first part.
    assert next(sentences(pieces("Yes, boil it for 1,000 seconds at 10:30 sharp."), first_clause_words=4)) == (
        "Yes, boil it for 1,000 seconds at 10:30 sharp.")
    assert list(sentences(pieces(long))) == ["In a small garden, herbs and lettuce grow well.",
                                            "Water them often, every morning."]


def test_the_first_phrase_is_said_before_its_clause_is_written() -> None:
    """With `first_phrase_words`, the first part ends before a joining word once it has that many
    words; later parts are whole sentences, and a word is joining only once the stream is past it."""
    def pieces(text: str) -> Iterator[str]:
        for i, word in enumerate(text.split()):
            yield word if i == 0 else " " + word

    text = "The best book to read on holiday is a classic. Take it to the beach."
    assert list(sentences(pieces(text), first_clause_words=3, first_phrase_words=3)) == [
        "The best book", "to read on holiday is a classic.", "Take it to the beach."]
    # Fewer words before the joining word than asked: the phrase goes on to the next one, or the clause.
    assert next(sentences(pieces("Go to bed early, and rest."), first_clause_words=3, first_phrase_words=3)) == (
        "Go to bed early,")
    # "today" begins with "to": not a joining word, although its first piece is "to".
    assert next(sentences(iter(["Buy some bread to", "day please."]), first_phrase_words=3)) == (
        "Buy some bread today please.")


def test_the_first_sentence_is_speakable_and_short() -> None:
    assert first_sentence(iter(["**Try** a *pinch* of salt 🧂. More"])) == "Try a pinch of salt."
    assert first_sentence(iter(["one two three four five six"]), max_words=4) == "one two three four"
    assert tidy('  "Hello   there."  ') == "Hello there."
    assert is_boilerplate("As an AI, I cannot cook.") and is_boilerplate("I\u2019m sorry to hear that.")
    assert not is_boilerplate("Boil the egg for seven minutes.")


def test_the_stub_model_answers_by_keyword_word_by_word() -> None:
    model = StubModel({"egg": "Boil an egg for about seven minutes."})
    asked = [Message("system", "You cook."), Message("user", "How long for an EGG?")]
    assert list(model.stream(asked, max_tokens=3)) == ["Boil", " an", " egg"]
    assert "".join(model.stream([Message("user", "hello")], max_tokens=40)) == model.fallback


def test_older_exchanges_leave_the_prompt_in_blocks_so_most_prompts_begin_as_the_last_one() -> None:
    """With `history_turns` 3 the prompt holds 3 to 5 recent exchanges: it grows by one a turn and
    drops three at once, so only one turn in three reads the conversation again."""
    persona = Persona("You are a cooking assistant.", history_turns=3)
    exchanges = [(f"question {k}", f"answer {k}") for k in range(9)]
    held = [len(persona.recent(exchanges[:k])) for k in range(10)]
    assert held == [0, 1, 2, 3, 4, 5, 3, 4, 5, 3]
    for k in range(1, 9):
        before, after = persona.recent(exchanges[:k]), persona.recent(exchanges[: k + 1])
        assert (after[-1] == exchanges[k] and after[: len(before)] == before) or len(after) == 3
    assert Persona("You cook.", history_turns=0).recent(exchanges) == ()


def test_the_persona_prompt_holds_examples_recent_history_and_what_was_heard() -> None:
    cook = Persona("You are a cooking assistant.", history_turns=1)
    messages = cook.messages(history=[("hi", "Hello!"), ("eggs?", "Seven minutes.")], heard="and rice?")
    assert messages[0] == Message("system", cook.system) and cook.system.startswith("You are a cooking assistant.")
    assert [m.content for m in messages[-3:]] == ["eggs?", "Seven minutes.", "and rice?"]
    assert "hi" not in [m.content for m in messages]  # older than history_turns
    assert prompt_text(messages).splitlines()[-1] == "user: and rice?"
    assert Persona.from_dict(cook.to_dict()) == cook
    with pytest.raises(InputError):
        Message("robot", "beep")


class _ChatServer:
    """A local stand-in for llama.cpp's server: streams a fixed answer as server-sent events."""

    def __init__(self, answer: list[str]) -> None:
        self.requests: list[dict[str, Any]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for piece in answer:
                    event = {"choices": [{"delta": {"content": piece}}]}
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")

            def log_message(self, *_: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_an_openai_compatible_endpoint_is_called_at_the_given_url_and_streams() -> None:
    server = _ChatServer(["Rice and", " beans make", " a great chili.", " Also tacos."])
    try:
        model = EndpointModel(server.url + "/", model="smollm2", api_key="k")
        messages = Persona("You are a cook.").messages(history=(), heard="rice and beans?")
        assert first_sentence(model.stream(messages, max_tokens=32)) == "Rice and beans make a great chili."
        request = server.requests[0]
        assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer k"
        assert request["body"]["stream"] is True and request["body"]["max_tokens"] == 32
        assert request["body"]["messages"][-1] == {"role": "user", "content": "rice and beans?"}
    finally:
        server.close()
    with pytest.raises(InputError, match="start the server"):
        list(model.stream(messages, max_tokens=8))  # the server is gone: a clear error, no other address tried
    with pytest.raises(InputError):
        EndpointModel("localhost:8080")


@pytest.mark.models
@pytest.mark.slow
def test_the_packaged_smollm2_answers_one_sentence_offline() -> None:
    from designkit.proposers.llm.local_gguf import GGUFModel

    model = GGUFModel()
    answer = first_sentence(model.stream(Persona("You are a cooking assistant.").messages(
        history=(), heard="how long should I boil an egg"), max_tokens=32), max_words=25)
    assert answer and len(answer.split()) <= 25 and model.name.startswith("SmolLM2-135M-Instruct")
    # A stream read to its end (the model stopped at max_tokens) ends too, and so does the next one.
    for _ in range(2):
        assert "".join(model.stream([Message("user", "Hello!")], max_tokens=3)).strip()


@pytest.mark.models
@pytest.mark.slow
@pytest.mark.parametrize("runtime", ["onnx", "torch"])
def test_a_prompt_that_shares_the_persona_answers_as_a_fresh_model_would(runtime: str) -> None:
    """The kept attention cache of the last prompt only saves reading the shared part again."""
    from designkit.proposers.llm.local_gguf import MIN_SHARED_TOKENS, GGUFModel

    persona = Persona("You are a cooking assistant.")
    first, second = (persona.messages(history=(), heard=q) for q in ("how long should I boil an egg",
                                                                      "what can I cook with rice and beans"))
    warm = GGUFModel(runtime=runtime)
    "".join(warm.stream(first, max_tokens=8))
    assert warm.runtime == runtime and warm.shared_tokens == 0
    cached = "".join(warm.stream(second, max_tokens=16))
    assert warm.shared_tokens >= MIN_SHARED_TOKENS  # the persona was not read again
    warm.forget()  # the same weights reading the whole prompt
    assert cached == "".join(warm.stream(second, max_tokens=16)) and warm.shared_tokens == 0


@pytest.mark.models
@pytest.mark.slow
def test_the_next_turn_of_a_conversation_does_not_read_the_last_answer_again() -> None:
    """On the CPU the kept cache holds what the model wrote too: the next prompt, which holds that
    answer in the conversation so far, is read from where the new question begins."""
    from designkit.proposers.llm.local_gguf import GGUFModel

    persona = Persona("You are a cooking assistant.")
    model = GGUFModel(runtime="onnx")
    question = "how long should I boil an egg"
    answer = first_sentence(model.stream(persona.messages(history=(), heard=question), max_tokens=32))
    first_prompt = len(model._tokenizer.apply_chat_template(
        [m.to_dict() for m in persona.messages(history=(), heard=question)], add_generation_prompt=True))
    following = persona.messages(history=((question, answer),), heard="and a soft one")
    cached = "".join(model.stream(following, max_tokens=16))
    assert model.shared_tokens > first_prompt  # past the first prompt: into the answer it wrote
    model.forget()
    assert cached == "".join(model.stream(following, max_tokens=16))


@pytest.mark.models
@pytest.mark.slow
def test_onnxruntime_writes_the_words_torch_writes_and_is_made_once() -> None:
    """The ONNX model made from the GGUF answers with the torch model's greedy words; a second model
    object finds it in the cache instead of making it again."""
    from designkit.proposers.llm import onnx_runtime
    from designkit.proposers.llm.local_gguf import GGUFModel

    messages = Persona("You are a cooking assistant.").messages(history=(), heard="how do I make a simple tomato sauce")
    onnx = GGUFModel(runtime="onnx")
    words = "".join(onnx.stream(messages, max_tokens=20))
    assert words.strip() and words == "".join(GGUFModel(runtime="torch").stream(messages, max_tokens=20))
    made = list((onnx_runtime.cache_dir("llm-onnx")).iterdir())
    assert len(made) == 1 and (made[0] / onnx_runtime.SOURCE_FILE).is_file()
    stamp = (made[0] / "model.onnx").stat().st_mtime
    again = GGUFModel(runtime="onnx")
    assert "".join(again.stream(messages, max_tokens=20)) == words
    assert (made[0] / "model.onnx").stat().st_mtime == stamp


def test_a_runtime_or_precision_the_kit_does_not_have_is_refused_by_name() -> None:
    from designkit.proposers.llm.local_gguf import GGUFModel

    with pytest.raises(InputError, match="runtime"):
        GGUFModel(runtime="llama.cpp")
    with pytest.raises(InputError, match="precision"):
        GGUFModel(precision="int3")
