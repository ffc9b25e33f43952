"""Old import paths keep working for one release, and say where things moved."""

from __future__ import annotations

import importlib
import sys

import pytest

# old module -> (a name it still offers, the module that now owns it)
MOVED = {
    "designkit.audio_io": ("read_wav", "designkit.audio.wav"),
    "designkit.perception.energy": ("EnergyVAD", "designkit.perception.audio.energy"),
    "designkit.perception.vad": ("SileroVAD", "designkit.perception.audio.silero"),
    "designkit.perception.turn_end": ("SmartTurn", "designkit.perception.audio.smart_turn"),
    "designkit.perception.vap": ("TurnTakingModel", "designkit.perception.audio.turn_taking"),
    "designkit.perception.pose": ("PoseSource", "designkit.perception.vision.pose"),
    "designkit.perception.motion": ("MotionSource", "designkit.perception.vision.motion"),
    "designkit.perception.reps": ("RepCounter", "designkit.perception.vision.reps"),
    "designkit.perception.visual_cues": ("VisualCues", "designkit.perception.vision.cues"),
    "designkit.perception.language_probe": ("LanguageProbe", "designkit.perception.language.probe"),
    "designkit.perception.logged": ("LoggedSignals", "designkit.perception.logged_signals"),
    "designkit.perception.simulated": ("SimulatedProposer", "designkit.proposers.simulated"),
    "designkit.perception.proposer": ("TurnTakingProposer", "designkit.proposers.turn_taking"),
    "designkit.perception.detectors": ("CueProposer", "designkit.proposers.cues"),
    "designkit.perception.train": ("TrainConfig", "designkit.training.config"),
    "designkit.perception.card": ("render", "designkit.training.model_card"),
    "designkit.perception.data": ("DialogueSet", "designkit.training.dialogues"),
    "designkit.perception.labels": ("targets", "designkit.training.targets"),
    "designkit.perception.evaluation": ("TurnTruth", "designkit.training.pause_scoring"),
    "designkit.perception.weights": ("resolve", "designkit.weights"),
    "designkit.policy.context": ("Mode", "designkit.policy.modes"),
    "designkit.policy.simple": ("SpeakAfterSilence", "designkit.policy.speak_after_silence"),
    "designkit.render.voice": ("AgentVoice", "designkit.render.agent_voice"),
    "designkit.metrics.evaluate": ("session_metrics", "designkit.metrics.session"),
    "designkit.metrics.compare": ("compare", "designkit.study.compare"),
    "designkit.core.rules": ("voice_after", "designkit.core.voice"),
    "designkit.widgets.voice": ("CachedSynthesis", "designkit.widgets.speech_cache"),
    "designkit.widgets.frames": ("decode_jpeg", "designkit.widgets.jpeg"),
    "designkit.widgets.assets": ("widget_asset", "designkit.assets"),
    "designkit.policy.replay": ("Replayed", "designkit.core.cached"),
}


@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_old_path_still_imports_warns_and_gives_the_same_object(old: str) -> None:
    name, new = MOVED[old]
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=new.replace(".", r"\.")):
        module = importlib.import_module(old)
    assert getattr(module, name) is getattr(importlib.import_module(new), name)


def test_the_new_paths_import_without_warnings(recwarn: pytest.WarningsRecorder) -> None:
    for new in sorted({new for _, new in MOVED.values()}):
        importlib.import_module(new)
    assert not [w for w in recwarn if issubclass(w.category, DeprecationWarning)
                and str(w.message).startswith("designkit")]


def test_the_kit_itself_never_imports_an_old_path() -> None:
    """Old paths are for users' code; one inside the kit warns at every designer (it happened)."""
    import ast
    from pathlib import Path

    from designkit.deprecation import MOVED as OLD

    package = Path(importlib.import_module("designkit").__file__).parent  # type: ignore[arg-type]
    found = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names += [f"{node.module}.{a.name}" for a in node.names]
            found += [f"{path.relative_to(package)}:{node.lineno} {n}" for n in names if n in OLD]
    assert not found, found
