"""What a chart says about a metric: its plain label, unit and which way is better.

The words come from each metric's declaration in `designkit.metrics.catalogue`; docs/glossary.md
explains each entry at length, and a test keeps the catalogue and the glossary in step.
"""

from __future__ import annotations

from collections.abc import Mapping

from designkit.metrics.catalogue import CATALOGUE, Metric
from designkit.metrics.fdbench.labels import LABELS as FDB_LABELS

METRIC_INFO: Mapping[str, Metric] = CATALOGUE  # name -> declaration (label, unit, scale, better)


def metric_label(name: str) -> str:
    """The metric in a designer's words (a Full-Duplex-Bench score's from `fdbench.labels`); a name
    without a declaration stands for itself."""
    declared = CATALOGUE.get(name)
    return declared.label if declared is not None else FDB_LABELS.get(name, name)


def axis_title(name: str) -> str:
    """`time to answer (seconds, lower is better)`: what a chart axis says about a metric."""
    declared = CATALOGUE.get(name)
    if declared is None:
        return name
    extra = ", ".join(x for x in (declared.unit, f"{declared.better.value} is better" if declared.better.value else "")
                      if x)
    return f"{declared.label} ({extra})"
