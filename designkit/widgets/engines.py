"""Which engine a live session runs when none is given: the conversation agent when the models are
installed, else the loudness detector; and how it is described and closed."""

from __future__ import annotations

import logging

from designkit.agents.script import Script
from designkit.agents.spec import Agent, audio_models_installed, missing_models_hint
from designkit.core.engine import Engine
from designkit.errors import InputError
from designkit.host.remote import host_engine
from designkit.perception.audio.energy import EnergyVAD
from designkit.policy import Policy
from designkit.proposers.pause import PauseProposer

log = logging.getLogger(__name__)

ENERGY_LISTENING = "loudness detector"


def energy_engine() -> Engine:
    """Loudness VAD, the pause proposer and the default `Policy`: runs anywhere, no models."""
    return Engine([EnergyVAD()], Policy(), proposer=PauseProposer())


def default_agent() -> Agent:
    """The conversation agent (Silero VAD + the turn-taking model; scripted lines) when the models are installed,
    else the loudness detector with the pause proposer; `listening` says which."""
    if audio_models_installed():
        from designkit.agents import conversation

        # Timing only: its scripted lines, not words (no 100 MB of models loading behind every bare
        # session); `agents.conversation()` answers in words where the talk extra is installed.
        return conversation.build(talk=False)
    return Agent(name="live", title="Live microturns", engine=energy_engine(), script=Script(),
                 listening=f"{ENERGY_LISTENING} (fallback: {missing_models_hint()})")


def default_engine() -> Engine:
    """The engine `LiveSession()` runs: see `default_agent`."""
    return default_agent().engine


def describe(engine: Engine) -> str:
    """Which perceivers hear the person, for the widget's "listening" line."""
    return " + ".join(p.name for p in engine.perceivers) or "nothing"


def close_perceivers(engine: Engine) -> None:
    """Stop the workers that run beside the microturn loop (slow perceivers); a failure is logged."""
    for perceiver in engine.perceivers:
        closer = getattr(perceiver, "close", None)
        if callable(closer):
            try:
                closer()
            except Exception:
                log.exception("closing perceiver %s failed", perceiver.name)


def resolve_agent(engine: Engine | None, *, agent: Agent | None, host: str | None, name: str,
                  title: str | None, listening: str | None) -> tuple[Agent, str | None]:
    """The agent a live session runs: the one given, one around a given engine, the host's, or the
    default; with the "listening" line to show."""
    if agent is None and engine is None and host is not None:
        # The models run once in the model host ("auto": this machine's, started if needed);
        # the engine, the policy and the log stay here.
        engine = host_engine(host, name=name)
        listening = listening or f"the model host ({host})"
    if agent is None:
        agent = default_agent() if engine is None else Agent(
            name=name, title=title or "Live microturns", engine=engine, script=Script(),
            listening=listening or describe(engine))
    elif engine is not None:
        raise InputError("live session", expected="an engine or an agent", got="both")
    return agent, listening
