"""designkit: prototype the timing of full-duplex interaction models in Jupyter."""

from __future__ import annotations

from designkit import deprecation as _deprecation
from designkit.distribution import DISTRIBUTION, install_line

# The release, declared once: pyproject.toml reads the version from here ([tool.hatch.version]).
__version__ = "0.2.0"

__all__ = ["DISTRIBUTION", "__version__", "install_line"]


_deprecation.install()  # old module paths keep working for one release (with a warning)
