"""Interruption styles: how the agent may take the floor, and what a wish to speak becomes."""

from __future__ import annotations

from enum import Enum


class Style(str, Enum):
    """How the agent may take the floor.

    - `barge_in`: may speak over the user (an interrupt) when confident enough.
    - `wait_for_pause`: speaks only after the user has paused `pause_s`; backchannels may overlap.
    - `backchannel_only`: never takes a turn, only short voiced backchannels.
    - `caption_only`: never uses its voice; every intervention becomes a caption.
    - `ask_first`: instead of speaking it asks ("may I?") in a pause, and waits.
    """

    BARGE_IN = "barge_in"
    WAIT_FOR_PAUSE = "wait_for_pause"
    BACKCHANNEL_ONLY = "backchannel_only"
    CAPTION_ONLY = "caption_only"
    ASK_FIRST = "ask_first"
