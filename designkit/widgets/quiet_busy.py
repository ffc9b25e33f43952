"""A live session's own messages do not flash the kernel "busy".

ipykernel publishes "busy" and then "idle" around every message it handles, widget messages
included: while a session streams, that is ten status changes a second. JupyterLab redraws its
notebook toolbar on each change (about 5 ms of the page's main thread each on a 2-core laptop),
and a decision that arrives meanwhile waits for it: the kernel-to-page leg of the round trip was
15-18 ms p95 in JupyterLab against 6 ms in Voila, and back to 6 ms without the busy flash.

So for the comm messages of an open live session the kernel skips "busy". It still sends "idle"
(JupyterLab ends its bookkeeping of each sent message on it; the status was idle already, so
nothing redraws). Cells, other widgets and every other message report busy/idle as before.
Outside ipykernel (or in one without `_publish_status`) nothing changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from designkit.widgets.running_kernel import running_kernel

log = logging.getLogger(__name__)

_QUIET: set[str] = set()  # comm ids of open live sessions
_MARK = "_designkit_quiet_busy"


def is_quiet(status: str, channel: str, parent: Mapping[str, Any] | None) -> bool:
    """True for the "busy" of a shell comm message addressed to an open live session."""
    if status != "busy" or channel != "shell" or not parent or not _QUIET:
        return False
    header = parent.get("header") or {}
    content = parent.get("content") or {}
    return header.get("msg_type") == "comm_msg" and isinstance(content, Mapping) and content.get("comm_id") in _QUIET


def _filtered(kernel: Any) -> Callable[..., Any]:
    original = kernel._publish_status

    def publish_status(status: str, channel: str, parent: Any = None) -> Any:
        try:
            quiet = is_quiet(status, channel, parent or kernel.get_parent(channel))
        except Exception:  # an unexpected parent: report as usual
            quiet = False
        return None if quiet else original(status, channel, parent)

    setattr(publish_status, _MARK, True)
    return publish_status


def quiet(comm_id: str | None, kernel: Any = None) -> bool:
    """Skip "busy" for the messages of comm `comm_id` from now on; False where that cannot be done."""
    kernel = kernel if kernel is not None else running_kernel()
    if not comm_id or kernel is None or not callable(getattr(kernel, "_publish_status", None)) \
            or not callable(getattr(kernel, "get_parent", None)):
        return False
    if not getattr(kernel._publish_status, _MARK, False):
        kernel._publish_status = _filtered(kernel)
    _QUIET.add(comm_id)
    return True


def loud(comm_id: str | None) -> None:
    """Report busy/idle for comm `comm_id` as usual again (its session closed)."""
    _QUIET.discard(comm_id or "")
