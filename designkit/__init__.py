"""designkit: prototype the timing of full-duplex interaction models in Jupyter."""

from __future__ import annotations

from designkit import deprecation as _deprecation

# The release, declared once: pyproject.toml reads the version from here ([tool.hatch.version]).
__version__ = "0.2.0"
# The distribution on the package index (pyproject.toml's [project] name; a test checks they agree). The
# name "designkit" there belongs to an unrelated project, so install lines name this one.
DISTRIBUTION = "duplex-designkit"

__all__ = ["DISTRIBUTION", "__version__", "install_line"]


def install_line(*extras: str) -> str:
    """The pip command that installs the kit with `extras`: 'pip install "duplex-designkit[sound]"'."""
    return f'pip install "{DISTRIBUTION}[{",".join(extras)}]"' if extras else f'pip install "{DISTRIBUTION}"'


_deprecation.install()  # old module paths keep working for one release (with a warning)
