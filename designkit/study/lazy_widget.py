"""Built on first show: the study objects that draw as ipywidgets (the explorer, the session board)
make their widgets only when a notebook shows them, so a script or a test that only reads their
charts and tables pays for no widget."""

from __future__ import annotations

from typing import Any


class LazyWidget:
    """Mixin: `widget` calls `_build` (which sets `self._widget`) the first time it is read."""

    _widget: Any = None

    @property
    def widget(self) -> Any:
        if self._widget is None:
            self._build()
        return self._widget

    def _build(self) -> None:
        raise NotImplementedError

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
