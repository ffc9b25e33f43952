"""The one resampler: soxr, band-limited and fast."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from designkit.core.streams import SAMPLE_RATE


def resample(samples: npt.NDArray[np.float32], rate: int, target: int = SAMPLE_RATE) -> npt.NDArray[np.float32]:
    """`samples` at `rate` Hz resampled to `target` Hz (soxr "HQ"); unchanged when the rates agree."""
    if rate == target:
        return samples.astype(np.float32, copy=False)
    import soxr

    return np.asarray(soxr.resample(samples.astype(np.float32, copy=False), rate, target, quality="HQ"),
                      dtype=np.float32)
