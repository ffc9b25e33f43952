"""The agent's voice in a live session: synthesis cached per text, and PCM for the browser.

Synthesis runs inside the microturn that decided to speak, so each text is rendered once and
kept (a live session says the same few lines again and again).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from designkit.render.agent_voice import espeak_synthesize

FloatArray = npt.NDArray[np.float32]
_CACHE = 64


class CachedSynthesis:
    """Wraps a synthesize function (default: espeak-ng via designkit.render.tts) with a small cache."""

    def __init__(self, synthesize: Callable[[str], FloatArray] | None = None) -> None:
        self._synthesize = synthesize or espeak_synthesize()
        self._cache: OrderedDict[str, FloatArray] = OrderedDict()

    def __call__(self, text: str) -> FloatArray:
        audio = self._cache.get(text)
        if audio is None:
            audio = np.asarray(self._synthesize(text), dtype=np.float32)
            self._cache[text] = audio
            if len(self._cache) > _CACHE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(text)
        return audio
