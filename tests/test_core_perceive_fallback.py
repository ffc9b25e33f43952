"""A perceiver whose batch replay breaks is stepped instead: the answer stays right, and the log
says why, once per session."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pytest

from designkit.core import Engine, Microturn
from designkit.perception import EnergyVAD
from designkit.policy import SpeakAfterSilence
from designkit.testing import scripted_session

LOGGER = "designkit.core.perceive_session"


@dataclass
class BatchlessVAD(EnergyVAD):
    """The energy VAD on a runtime that cannot take a whole session in one batch."""

    name: str = "batchless_vad"

    def replay(self, microturns: Sequence[Microturn]) -> Mapping[str, npt.NDArray[np.float64]]:
        raise RuntimeError(f"batch of {len(microturns)} microturns is over this runtime's limit")


def test_a_failed_batch_replay_is_logged_once_and_the_stepped_answer_is_right(
        caplog: pytest.LogCaptureFixture) -> None:
    session = scripted_session([(0.5, 2.0), (3.0, 4.4)], 6.0)
    caplog.set_level(logging.WARNING, logger=LOGGER)

    batched = Engine([EnergyVAD()], SpeakAfterSilence()).replay(session)
    assert not [r for r in caplog.records if r.name == LOGGER]  # a working batch says nothing

    stepped = Engine([BatchlessVAD()], SpeakAfterSilence()).replay(session)
    (record,) = [r for r in caplog.records if r.name == LOGGER]
    assert record.levelno == logging.WARNING
    assert "batchless_vad" in record.getMessage() and "over this runtime's limit" in record.getMessage()

    assert [r.decision for r in stepped] == [r.decision for r in batched]
    assert [dict(r.signals) for r in stepped] == [dict(r.signals) for r in batched]
    assert not any(r.faults for r in stepped)

    Engine([BatchlessVAD()], SpeakAfterSilence()).replay(session)  # a second session logs again, once
    assert len([r for r in caplog.records if r.name == LOGGER]) == 2
