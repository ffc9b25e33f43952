"""What each scenario generator accepts as `params`, with valid values and defaults, so a study
file can set them and `designkit scenarios list -v` can show them (not only error messages).

    describe("dialogue")      # {"snr_db": "None (clean) or -10 to 60 dB (default None)", ...}
    check("dialogue", {"snr_db": 10})    # InputError naming the valid names for a typo
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from designkit.errors import InputError

# The frames of both video generators (exercise, visual_cues), which draw with one renderer.
_FRAMES: dict[str, tuple[str, Any]] = {
    "fps": ("frames per second", 15.0),
    "width": ("pixels", 320),
    "height": ("pixels", 240),
    "noise": ("pixel noise", 2.0),
}

# name -> (valid values in words, default). Kept beside the generators' own checks, which remain
# the authority at generation time; a test compares the names with each generator's defaults.
PARAMS: dict[str, dict[str, tuple[str, Any]]] = {
    "dialogue": {
        "duration_s": (">= 10 s", 60.0),
        "snr_db": ("None (clean) or -10 to 60 dB of room noise", None),
        "context": ("focused | stressed | public", "focused"),
        "noises": ("true | false (coughs, laughs, keyboard, door between turns)", True),
        "barge_in_rate": ("share 0-1 of agent turns the user talks into", 0.3),
        "hesitation_rate": ("share 0-1 of holds after a trailing 'um', 'so'", 0.5),
        "voice": ("an espeak-ng voice name, 'piper', or None (drawn)", None),
    },
    "breathing": {
        "duration_s": ("seconds", 60.0),
        "period_s": ("2 s to duration_s: time between breaths", 6.0),
        "reminder": ("true | false: a spoken reminder", True),
        "first_s": ("seconds before the first breath", 2.0),
    },
    "exercise": {
        "exercise": ("any | a name from designkit.scenarios.exercise.Exercise", "any"),
        "reps": ("whole number of counted reps", 8),
        **_FRAMES,
        "tempo_s": ("[low, high] seconds per rep", [1.2, 2.6]),
        "partial_share": ("share 0-1 of partial reps", 0.15),
        "pause_share": ("share 0-1 of pauses", 0.25),
    },
    "visual_cues": {
        **_FRAMES,
        "hold_s": ("seconds of holding still before the cue", 3.0),
    },
    "learner": {
        "utterances": ("whole number", 5),
        "switch_share": ("share 0-1 of utterances that switch language", 0.6),
        "languages": ("list of language codes", None),
        "target": ("a language code, or None (drawn)", None),
    },
}


def describe(kind: str) -> dict[str, str]:
    """Each parameter of generator `kind` with its valid values and default, in words."""
    known = PARAMS.get(kind)
    if known is None:
        return {}
    return {name: f"{valid} (default {default!r})" for name, (valid, default) in known.items()}


def check(kind: str, params: Mapping[str, Any]) -> None:
    """Refuse names a generator does not take, listing the ones it does (values are checked by the
    generator when it runs)."""
    known = PARAMS.get(kind)
    if known is None:
        return
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise InputError(f"{kind} scenario params", expected=f"names from {sorted(known)}", got=unknown,
                         fix="`designkit scenarios list -v` lists each with its valid values")
