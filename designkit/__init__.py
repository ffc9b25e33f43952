"""designkit: prototype the timing of full-duplex interaction models in Jupyter."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
