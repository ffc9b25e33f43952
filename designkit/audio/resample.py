"""The one resampler: soxr, band-limited and fast."""

from __future__ import annotations

import logging

import numpy as np
import numpy.typing as npt

from designkit.core.streams import SAMPLE_RATE

log = logging.getLogger(__name__)


def resample(samples: npt.NDArray[np.float32], rate: int, target: int = SAMPLE_RATE) -> npt.NDArray[np.float32]:
    """`samples` at `rate` Hz resampled to `target` Hz (soxr "HQ"); unchanged when the rates agree.

    A full-scale input can ring slightly past +-1 after filtering; those peaks are clipped (and
    logged) so the result is valid chunk audio."""
    if rate == target:
        return samples.astype(np.float32, copy=False)
    import soxr

    out = np.asarray(soxr.resample(samples.astype(np.float32, copy=False), rate, target, quality="HQ"),
                     dtype=np.float32)
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    if peak > 1.0:
        log.info("resampling %d Hz to %d Hz rang to a peak of %.3f: clipped to [-1, 1]", rate, target, peak)
        np.clip(out, -1.0, 1.0, out=out)
    return out
