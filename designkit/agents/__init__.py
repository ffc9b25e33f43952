"""Ready agents, one file each: conversation, breathing coach, language coach, exercise coach;
and a runner that puts a full-duplex system through Full-Duplex-Bench-layout inputs (`fdbench`).

Each `build(...)` returns an `Agent` (engine + script + what listens); the live widget wraps it:
`designkit.widgets.agents.conversation()` returns a LiveSession ready to display.
"""

from designkit.agents.script import INTENTS, Script, ScriptedProposer
from designkit.agents.spec import Agent, audio_models_installed

__all__ = ["INTENTS", "Agent", "Script", "ScriptedProposer", "audio_models_installed"]
