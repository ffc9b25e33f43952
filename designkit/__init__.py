"""designkit: prototype the timing of full-duplex interaction models in Jupyter."""

from __future__ import annotations

from designkit import deprecation as _deprecation

__version__ = "0.1.0"

__all__ = ["__version__"]

_deprecation.install()  # old module paths keep working for one release (with a warning)
