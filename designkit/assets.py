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


def widget_module(name: str, *shared: str) -> str:
    """A widget's ES module as anywidget loads it: the `shared` files (e.g. "dom.js") and then
    `widgets/<name>`. anywidget runs each widget as one module from text, so a widget cannot
    import a sibling file; joining them here keeps one copy of what several widgets use."""
    return "\n".join(widget_asset(part).read_text(encoding="utf-8") for part in (*shared, name))
