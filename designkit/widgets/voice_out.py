"""The agent's voice in a live session: what each decision does to it, and lines rendered ahead."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, MutableMapping
from typing import Any

from designkit.agents.script import Script
from designkit.agents.spec import agent_speaker
from designkit.audio.wav import to_pcm16
from designkit.core.decisions import Action, Decision
from designkit.core.engine import Engine
from designkit.render.agent_voice import AgentVoice, espeak_synthesize
from designkit.widgets.speech_cache import CachedSynthesis

log = logging.getLogger(__name__)


def speak(voice: AgentVoice | None, decision: Decision, counts: MutableMapping[str, int]) -> tuple[bool, bytes | None]:
    """Update the voice for this decision: (drop what the browser queued?, next piece)."""
    if voice is None:
        return False, None
    was_speaking = voice.speaking
    action = decision.action
    try:
        started = voice.apply(decision)
    except Exception:  # a synthesis failure is a silent agent, not a dead session
        log.exception("the agent's voice failed for %r", decision.content)
        voice.stop()
        started = None
    stop = was_speaking and (started is not None or not (action.is_voiced or action is Action.CONTINUE))
    if stop:
        counts["stops"] += 1
    if not voice.speaking:
        return stop, None
    counts["voice_pieces"] += 1
    return stop, to_pcm16(voice.pull())


def warm_script(voice: AgentVoice | None, script: Script) -> None:
    """Render the script's lines now, so the first time one is said costs nothing in a microturn."""
    if voice is None:
        return
    for intent, lines in script.lines.items():
        for line in lines:
            if "{said}" not in line:
                voice.prepare(line)
            elif intent == "count":
                for n in range(1, 21):
                    voice.prepare(line.replace("{said}", str(n)))


def warm_lines(voice: AgentVoice | None, lines: Iterable[str]) -> None:
    """Render these lines now (a wizard's palette); one that fails is logged and left out."""
    if voice is None:
        return
    for line in lines:
        try:
            voice.prepare(line)
        except Exception:
            log.exception("could not render the line %r", line)


def make_voice(synthesize: Callable[[str], Any] | None = None) -> AgentVoice:
    """The agent's stoppable voice, its lines cached once rendered (espeak-ng unless given)."""
    return AgentVoice(synthesize=CachedSynthesis(synthesize or espeak_synthesize(agent_speaker())))


def warm_voice(voice: AgentVoice | None, engine: Engine, script: Script) -> None:
    """Render the usual lines now, so the first "mm-hm" costs nothing inside a microturn."""
    if voice is None:
        return
    voice.warm()
    content = getattr(engine.proposer, "content", "")
    if isinstance(content, str) and content.strip():
        voice.prepare(content)
    warm_script(voice, script)
