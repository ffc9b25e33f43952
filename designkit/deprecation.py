"""Old import paths that keep working for one release, with a DeprecationWarning.

The package was reorganised so it reads in the order data flows (docs/architecture.md). Each old
module path below is served by an import hook: importing it imports the new modules, copies
their public names into a module at the old path and warns once, naming the new path. The old
paths hold no code of their own, so nothing at an old path can import upward in the layers (the
new homes are only known here, as text) and the moved files keep their history in git.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import warnings
from collections.abc import Sequence
from types import CodeType, ModuleType

REMOVED_IN = "0.3"

# old module -> the modules its names now live in (all their public names are re-exported)
MOVED: dict[str, tuple[str, ...]] = {
    "designkit.audio_io": ("designkit.audio.wav", "designkit.audio.resample"),
    "designkit.core.rules": ("designkit.core.voice", "designkit.core.wizard", "designkit.core.state"),
    "designkit.metrics.compare": ("designkit.study.compare", "designkit.study.prepare"),
    "designkit.metrics.evaluate": ("designkit.metrics.session",),
    "designkit.perception.card": ("designkit.training.model_card",),
    "designkit.perception.data": ("designkit.training.dialogues",),
    "designkit.perception.detectors": ("designkit.perception.simulated_cues", "designkit.proposers.cues"),
    "designkit.perception.energy": ("designkit.perception.audio.energy",),
    "designkit.perception.evaluation": ("designkit.training.pause_scoring",),
    "designkit.perception.labels": ("designkit.training.targets",),
    "designkit.perception.language_probe": ("designkit.perception.language.probe",
                                            "designkit.training.language_probe"),
    "designkit.perception.logged": ("designkit.perception.logged_signals",),
    "designkit.perception.motion": ("designkit.perception.vision.motion",),
    "designkit.perception.pose": ("designkit.perception.vision.pose",),
    "designkit.perception.proposer": ("designkit.proposers.turn_taking",),
    "designkit.perception.reps": ("designkit.perception.vision.reps",),
    "designkit.perception.simulated": ("designkit.proposers.simulated", "designkit.perception.truth_vad",
                                       "designkit.core.microturns"),
    "designkit.perception.train": ("designkit.training.config", "designkit.training.train"),
    "designkit.perception.turn_end": ("designkit.perception.audio.smart_turn",),
    "designkit.perception.vad": ("designkit.perception.audio.silero",),
    "designkit.perception.vap": ("designkit.perception.audio.turn_taking",),
    "designkit.perception.visual_cues": ("designkit.perception.vision.cues",),
    "designkit.perception.weights": ("designkit.weights",),
    "designkit.policy.context": ("designkit.policy.modes",),
    "designkit.policy.replay": ("designkit.core.cached",),
    "designkit.policy.simple": ("designkit.policy.speak_after_silence",),
    "designkit.render.voice": ("designkit.render.agent_voice",),
    "designkit.widgets.assets": ("designkit.assets",),
    "designkit.widgets.frames": ("designkit.widgets.jpeg",),
    "designkit.widgets.voice": ("designkit.widgets.speech_cache", "designkit.audio.wav"),
}
# Old CLI entries (`python -m OLD`) that still run.
MAIN: dict[str, str] = {"designkit.perception.train": "main()"}
_FILENAME = "<designkit deprecated path>"


def moved(old: str, new: Sequence[str]) -> None:
    """Warn, at the code that imported `old`, that it moved to `new`."""
    # Count frames the way `warnings` does: it skips importlib's own frames by itself.
    level, frame = 2, sys._getframe(1)
    while frame is not None and frame.f_code.co_filename in (_FILENAME, __file__, "<frozen importlib._bootstrap>",
                                                             "<frozen importlib._bootstrap_external>"):
        if "importlib._bootstrap" not in frame.f_code.co_filename:
            level += 1
        frame = frame.f_back  # type: ignore[assignment]
    warnings.warn(f"{old} is deprecated and will be removed in designkit {REMOVED_IN}: import from "
                  f"{' / '.join(new)}", DeprecationWarning, stacklevel=level)


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.InspectLoader):
    """Finds the old paths in MOVED and builds each from its new modules."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
                  ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=_FILENAME)

    def is_package(self, fullname: str) -> bool:
        return False

    def get_source(self, fullname: str) -> str:
        lines = [f"from {new} import *" for new in MOVED[fullname]]
        lines.append(f"from designkit.deprecation import moved as _moved\n_moved(__name__, {MOVED[fullname]!r})")
        if fullname in MAIN:
            lines.append(f"if __name__ == '__main__':\n    raise SystemExit({MAIN[fullname]})")
        return "\n".join(lines) + "\n"

    def get_code(self, fullname: str) -> CodeType:
        return compile(self.get_source(fullname), _FILENAME, "exec")

    def exec_module(self, module: ModuleType) -> None:
        exec(self.get_code(module.__name__), module.__dict__)


def install() -> None:
    """Serve the old paths (once per process; `import designkit` calls it)."""
    if not any(isinstance(finder, _MovedModules) for finder in sys.meta_path):
        sys.meta_path.append(_MovedModules())
