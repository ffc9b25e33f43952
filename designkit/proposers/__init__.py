"""Proposers: what the model would like to do each microturn (the policy decides).

    turn_taking   from the turn-taking model's signals: respond at a turn end, backchannel
    pause         a stand-in for live demos: answer once the user pauses
    cues          speak when a perceived cue fires
    simulated     a simulated model of set quality, built from ground truth
"""

from designkit.proposers.cues import CueProposer
from designkit.proposers.pause import PauseProposer
from designkit.proposers.simulated import PERFECT, ModelQuality, Moment, SimulatedProposer
from designkit.proposers.turn_taking import TurnTakingProposer

__all__ = ["PERFECT", "CueProposer", "ModelQuality", "Moment", "PauseProposer", "SimulatedProposer",
           "TurnTakingProposer"]
