"""Widgets: talk to the engine live from JupyterLab, Notebook 7 or Voilà.

    from designkit.widgets import LiveSession, Controls
    session = LiveSession(camera=True)
    display(session, Controls(session))
    StudyEditor("study.json")         # change, run, publish and serve a study by clicking
"""

from designkit.proposers.pause import PauseProposer
from designkit.widgets import agents
from designkit.widgets.clocks import ClockEstimate, ClockEstimator
from designkit.widgets.controls import Controls
from designkit.widgets.engines import default_engine, energy_engine
from designkit.widgets.live import LiveSession
from designkit.widgets.recording import load_session, read_recording, save_as_scenario
from designkit.widgets.study_editor import StudyEditor

__all__ = ["ClockEstimate", "ClockEstimator", "Controls", "LiveSession", "PauseProposer", "StudyEditor", "agents",
           "default_engine", "energy_engine", "load_session", "read_recording", "save_as_scenario"]
