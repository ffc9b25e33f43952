"""The conversation agent: the own turn-taking model hears the user, the policy decides, the script speaks.

Perception on the microturn path: Silero VAD (`vad`) and the turn-taking model (`eot`, `bc`, voice
activity projection), both through onnxruntime. Its proposer offers an answer at a likely turn
end and a backchannel while the user talks; the policy (style, confidence, budget, yield) governs
all of it, and a barge-in over the agent makes it yield (`yield_microturns`). It needs the models
(`audio_models_installed()`); the live widget falls back to the loudness detector without them.

    agent = build()                          # an Agent; designkit.widgets.agents.conversation() shows it
"""

from __future__ import annotations

from typing import Any

from designkit.agents.script import Script, ScriptedProposer
from designkit.agents.spec import Agent, audio_models_installed, line_measure
from designkit.core.engine import Engine
from designkit.errors import MissingExtraError
from designkit.policy import Policy, Style

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


def build(*, policy: Policy | None = None, script: Script | None = None, min_confidence: float = 0.3,
          device: str = "auto", smart_turn: bool = False) -> Agent:
    """The conversation agent (raises `MissingExtraError` naming what to install without the models).

    `smart_turn=True` adds Smart Turn v3 beside the loop (column `smart_eot`, logged with its arrival
    microturns) for comparison with the own model's `eot`; the proposer still reads `eot`."""
    if not audio_models_installed():
        raise MissingExtraError("onnxruntime and silero-vad", "realtime")
    from designkit.perception.audio.silero import SileroVAD
    from designkit.perception.audio.turn_taking import TurnTakingModel
    from designkit.proposers.turn_taking import TurnTakingProposer

    policy = policy or POLICY
    script = script or SCRIPT
    model = TurnTakingModel(device=device)
    inner = TurnTakingProposer(min_confidence=min_confidence)
    perceivers: list[Any] = [SileroVAD(), model]
    listening = f"Silero VAD + turn-taking model {model.version} ({model.backend})"
    if smart_turn:
        from designkit.core.beside import Beside
        from designkit.perception.audio.smart_turn_beside import SmartTurnBeside

        perceivers.append(Beside(SmartTurnBeside()))
        listening += " + Smart Turn v3 in a worker"
    proposer = ScriptedProposer(inner, script, intents=INTENTS, measure=line_measure())
    proposer.prepare()
    engine = Engine(perceivers, policy, proposer=proposer)
    return Agent(name="conversation", title="Conversation", engine=engine, script=script,
                 listening=listening, intro="Talk; it answers at your turn ends and backchannels while you speak.")

