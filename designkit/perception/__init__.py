"""Model adapters that turn microturns into signals. Heavy models import lazily, behind extras."""

from designkit.perception.energy import EnergyVAD

__all__ = ["EnergyVAD"]
