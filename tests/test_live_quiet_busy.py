"""A live session's own widget messages do not flash the kernel "busy" (JupyterLab redraws its
toolbar on each status change, which delayed decisions); everything else reports busy/idle."""

from __future__ import annotations

from typing import Any

from real_kernel import kernel, run

from designkit.widgets import quiet_busy

__all__ = ["kernel"]  # the fixture

TARGET = """
from designkit.widgets import quiet_busy
def opened(comm, msg):
    comm.on_msg(lambda m: None)
    if msg["content"]["data"].get("quiet"):
        quiet_busy.quiet(comm.comm_id)
get_ipython().kernel.comm_manager.register_target("dk-test", opened)
"""


def statuses(kc: Any, msg_type: str, content: dict[str, Any]) -> list[str]:
    """Send one shell message; the busy/idle statuses the kernel publishes for it."""
    msg = kc.session.msg(msg_type, content)
    kc.shell_channel.send(msg)
    seen = []
    while "idle" not in seen:
        reply = kc.get_iopub_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"] and reply["msg_type"] == "status":
            seen.append(reply["content"]["execution_state"])
    return seen


def test_a_live_comm_reports_idle_but_not_busy_and_other_messages_are_unchanged(kernel: tuple[Any, Any]) -> None:
    _, kc = kernel
    assert run(kc, TARGET) == ""
    for comm_id, quiet in (("live", True), ("other", False)):
        statuses(kc, "comm_open", {"comm_id": comm_id, "target_name": "dk-test", "data": {"quiet": quiet}})
    assert statuses(kc, "comm_msg", {"comm_id": "live", "data": {}}) == ["idle"]
    assert statuses(kc, "comm_msg", {"comm_id": "other", "data": {}}) == ["busy", "idle"]
    assert statuses(kc, "execute_request", {"code": "1", "silent": False, "store_history": False,
                                            "user_expressions": {}, "allow_stdin": False}) == ["busy", "idle"]
    assert run(kc, "quiet_busy.loud('live')") == ""
    assert statuses(kc, "comm_msg", {"comm_id": "live", "data": {}}) == ["busy", "idle"]


class FakeKernel:
    def __init__(self) -> None:
        self.sent: list[str] = []
        self.parent: dict[str, Any] = {}

    def _publish_status(self, status: str, channel: str, parent: Any = None) -> None:
        self.sent.append(status)

    def get_parent(self, channel: str) -> dict[str, Any]:
        return self.parent


def test_quiet_is_installed_once_and_needs_a_kernel_that_publishes_status() -> None:
    fake = FakeKernel()
    assert quiet_busy.quiet("a", kernel=fake) and quiet_busy.quiet("b", kernel=fake)
    fake.parent = {"header": {"msg_type": "comm_msg"}, "content": {"comm_id": "b"}}
    fake._publish_status("busy", "shell")
    fake._publish_status("idle", "shell")
    fake.parent = {"header": {"msg_type": "comm_msg"}, "content": {"comm_id": "c"}}
    fake._publish_status("busy", "shell")
    assert fake.sent == ["idle", "busy"]
    quiet_busy.loud("a")
    quiet_busy.loud("b")
    assert not quiet_busy.quiet("a", kernel=object())  # no _publish_status: nothing to filter
    assert not quiet_busy.quiet(None, kernel=fake)
