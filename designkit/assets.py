"""Find files shipped from the repository's `widgets/` folder (ES modules, CSS, the colour table):
inside the wheel, or in the source tree when editable."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from designkit.errors import InputError

_SOURCE_TREE = Path(__file__).resolve().parents[1] / "widgets"


def widget_asset(name: str) -> Path:
    """The path of `widgets/<name>` (e.g. "live.js"), wherever designkit is installed from."""
    packaged = resources.files("designkit").joinpath("_assets", "widgets", name)
    if packaged.is_file():
        return Path(str(packaged))
    local = _SOURCE_TREE / name
    if local.is_file():
        return local
    raise InputError("widget asset", expected=f"widgets/{name} in the package or source tree",
                     got="not found", fix="reinstall designkit (`pip install duplex-designkit[live]`)")
