"""Kernel -> Interrupt stops a live session, as it stops a running cell.

While no cell runs, ipykernel ignores SIGINT, so an interrupt during a live session (which runs
between cells, on widget messages) used to change nothing: the kernel kept answering and capture
went on. `on_interrupt(callback)` installs a SIGINT handler for as long as the kernel is idle and
keeps it installed across ipykernel's per-message handler swap; `interrupted_in_handler` is for an
interrupt that lands while a widget message is being handled (ipykernel raises KeyboardInterrupt
there). Either way the callback runs on its own thread, never inside the signal handler, so it may
take the locks the interrupted code holds. An interrupt while a cell runs still stops only the cell.
Handlers chain: every live session in the kernel stops.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from typing import Any

from designkit.widgets.running_kernel import running_kernel

log = logging.getLogger(__name__)


def _install(handler: Any) -> None:
    signal.signal(signal.SIGINT, handler)
    kernel = running_kernel()
    if kernel is not None and hasattr(kernel, "saved_sigint_handler"):
        # ipykernel restores this one after each message it handles (post_handler_hook).
        kernel.saved_sigint_handler = handler


def _stop_soon(callback: Callable[[], None]) -> None:
    threading.Thread(target=callback, name="designkit-interrupted", daemon=True).start()


def on_interrupt(callback: Callable[[], None], *, is_active: Callable[[], bool]) -> bool:
    """Call `callback` (on a new thread) when the kernel is interrupted while `is_active()`.

    Signal handlers belong to the main thread; JupyterLab handles widget messages on a subshell
    thread, so from there the handler is installed through the kernel's main event loop. Returns
    False where none can be installed (no kernel main loop to reach, no signals)."""
    if threading.current_thread() is threading.main_thread():
        return _arm(callback, is_active)
    loop = getattr(running_kernel(), "io_loop", None)
    if loop is None:
        log.debug("interrupt handler not installed: not on the main thread and no kernel loop")
        return False
    loop.add_callback(_arm, callback, is_active)
    return True


def _arm(callback: Callable[[], None], is_active: Callable[[], bool]) -> bool:
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: Any) -> None:
        if is_active():
            _stop_soon(callback)
        if callable(previous) and previous is not signal.default_int_handler:
            previous(signum, frame)  # another live session's handler: it stops too

    try:
        _install(handler)
    except (ValueError, OSError):
        log.debug("interrupt handler not installed", exc_info=True)
        return False
    return True


def interrupted_in_handler(callback: Callable[[], None]) -> None:
    """An interrupt raised KeyboardInterrupt inside a widget message handler: stop this session
    the same way, and every other live session through the installed handlers."""
    _stop_soon(callback)
    kernel = running_kernel()
    chain = getattr(kernel, "saved_sigint_handler", None) if kernel is not None else None
    if callable(chain) and chain is not signal.default_int_handler:
        chain(signal.SIGINT, None)
