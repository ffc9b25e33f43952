"""Every perceiver over a whole session at once (what `Engine.replay` perceives before deciding).

Perceivers are independent of each other, so with more than one worker they run side by side in
threads (model runtimes release the GIL): a replay takes as long as its slowest perceiver, not
their sum. Results do not depend on the order they finish in. A perceiver whose batch `replay`
fails anywhere is stepped microturn by microturn instead, so its faults land where they would live;
the reason is logged once per session and perceiver (the results stay right, only slower).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from designkit.core.microturns import Microturn
from designkit.core.protocols import Perceiver

logger = logging.getLogger(__name__)


def perceive_session(perceivers: Sequence[Perceiver], turns: Sequence[Microturn],
                     workers: int) -> tuple[dict[str, np.ndarray], dict[int, list[str]]]:
    """Every perceiver's columns for the whole session, and the faults per microturn index."""
    workers = min(workers, len(perceivers))
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="designkit-replay") as pool:
            results = list(pool.map(lambda p: _perceive_one(p, turns), perceivers))
    else:
        results = [_perceive_one(p, turns) for p in perceivers]
    columns: dict[str, np.ndarray] = {}
    faults: dict[int, list[str]] = {}
    for out, found in results:
        columns.update(out)
        for i, messages in found.items():
            faults.setdefault(i, []).extend(messages)
    return columns, faults


def _perceive_one(
    perceiver: Perceiver, turns: Sequence[Microturn]
) -> tuple[dict[str, np.ndarray], dict[int, list[str]]]:
    """One perceiver over a whole session: its batch `replay`, or, when that fails anywhere,
    step by step so faults land on the same microturns as they would live."""
    try:
        values = perceiver.replay(turns)
        columns: dict[str, np.ndarray] = {}
        for c in perceiver.columns:
            array = np.asarray(values[c], dtype=np.float64)
            if array.shape != (len(turns),):
                raise ValueError(f"column {c} has shape {array.shape}")
            columns[c] = array
        return columns, {}
    except Exception as exc:
        logger.warning("perceiver %s: batch replay failed (%r); stepping it microturn by microturn over %d "
                       "microturns instead", perceiver.name, exc, len(turns))
    perceiver.reset()
    out = {c: np.full(len(turns), np.nan) for c in perceiver.columns}
    faults: dict[int, list[str]] = {}
    for i, turn in enumerate(turns):
        try:
            stepped = perceiver.step(turn)
            for c in perceiver.columns:
                out[c][i] = float(stepped[c])
        except Exception as exc:
            for c in perceiver.columns:
                out[c][i] = np.nan
            faults.setdefault(i, []).append(f"{perceiver.name}: {exc!r}")
    return out, faults
