"""The kit's name on the package index and the pip line that installs it.

It sits below every other module (errors' advice names it), so it imports nothing of designkit.
"""

from __future__ import annotations

# pyproject.toml's [project] name (a test checks they agree). The name "designkit" on the package index
# belongs to an unrelated project, so install lines name this one.
DISTRIBUTION = "duplex-designkit"


def install_line(*extras: str) -> str:
    """The pip command that installs the kit with `extras`: 'pip install "duplex-designkit[sound]"'."""
    return f'pip install "{DISTRIBUTION}[{",".join(extras)}]"' if extras else f'pip install "{DISTRIBUTION}"'
