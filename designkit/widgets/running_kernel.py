"""The ipykernel kernel this code runs in, if any (live sessions tune how it handles their messages)."""

from __future__ import annotations

from typing import Any


def running_kernel() -> Any:
    """The running IPython kernel object, or None outside one (a script, a plain IPython shell)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return getattr(get_ipython(), "kernel", None)
