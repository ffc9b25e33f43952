"""Sessions with ground truth: generated (dialogue, breathing, learners, workouts) or recorded.

    from designkit import scenarios
    dialogues = scenarios.get("dialogue-basic", n=20)
    scenarios.sets()                      # the named sets and what they hold
"""

import contextlib
import importlib

from designkit.scenarios import breathing as _breathing
from designkit.scenarios import dialogue as _dialogue
from designkit.scenarios.spec import Scenario, ScenarioSpec, load_scenario, save_scenario
from designkit.scenarios.store import generate, get, register_generator, register_set, sets
from designkit.scenarios.truth import Cue, Noise, Segment, Truth, Word, load_truth

register_generator("dialogue", "designkit.scenarios.dialogue:generate_dialogue", version=_dialogue.VERSION,
                   description="a user talking in turns: holds, hesitations, barge-ins, noises")
register_generator("breathing", "designkit.scenarios.breathing:generate_breathing", version=_breathing.VERSION,
                   description="breath sounds with TimeSpeak targets and a spoken reminder")

register_set("dialogue-basic", "dialogue", {"duration_s": 60.0},
             description="1-minute clean dialogues, focused context")
register_set("dialogue-noisy", "dialogue", {"duration_s": 60.0, "snr_db": 5.0},
             description="1-minute dialogues with room noise at 5 dB SNR")
register_set("dialogue-20db", "dialogue", {"duration_s": 60.0, "snr_db": 20.0},
             description="1-minute dialogues with room noise at 20 dB SNR")
register_set("dialogue-stressed", "dialogue", {"duration_s": 60.0, "context": "stressed"},
             description="a hurried speaker: faster, higher, shorter pauses")
register_set("dialogue-public", "dialogue", {"duration_s": 60.0, "context": "public", "snr_db": 20.0},
             description="café noise: babble behind the speaker at 20 dB SNR")
register_set("dialogue-long", "dialogue", {"duration_s": 600.0}, default_n=20,
             description="10-minute dialogues for replay studies")
register_set("breathing-6s", "breathing", {"period_s": 6.0}, description="breathe in every 6 s, with a reminder")
register_set("breathing-10s", "breathing", {"period_s": 10.0, "duration_s": 90.0},
             description="breathe in every 10 s over 90 s, with a reminder")

# Generators that live in their own modules register themselves when present.
for _module in ("designkit.scenarios.exercise", "designkit.scenarios.language"):
    with contextlib.suppress(ImportError):  # an optional generator whose extra is not installed
        importlib.import_module(_module)

__all__ = [
    "Cue", "Noise", "Scenario", "ScenarioSpec", "Segment", "Truth", "Word", "generate", "get",
    "load_scenario", "load_truth", "register_generator", "register_set", "save_scenario", "sets",
]
