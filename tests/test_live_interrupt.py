"""Kernel -> Interrupt stops a live session (a real ipykernel): armed from the main thread or from a
widget-message thread, it reaches the session while the kernel is idle, and a running cell is
still the one an interrupt stops."""

from __future__ import annotations

import time
from typing import Any

from real_kernel import kernel, run

__all__ = ["kernel"]  # the fixture


ARM = """
import threading
from designkit.widgets import interrupt
stopped = []
def arm(name):
    interrupt.on_interrupt(lambda: stopped.append(name), is_active=lambda: True)
arm("main")
worker = threading.Thread(target=arm, args=("widget thread",))  # as a subshell handles widget messages
worker.start(); worker.join()
"""


def test_an_interrupt_while_idle_stops_every_armed_session_and_a_cell_still_stops(kernel: tuple[Any, Any]) -> None:
    km, kc = kernel
    assert run(kc, ARM) == ""
    time.sleep(0.3)  # the widget thread's handler is installed by the kernel's main loop
    km.interrupt_kernel()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "main" not in run(kc, "print(sorted(stopped))"):
        time.sleep(0.2)
    assert run(kc, "print(sorted(stopped))").strip() == "['main', 'widget thread']"
    msg_id = kc.execute("import time\ntime.sleep(30)")
    time.sleep(1.0)
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=15)
    while reply["parent_header"]["msg_id"] != msg_id:  # the earlier cells' replies
        reply = kc.get_shell_msg(timeout=15)
    assert reply["content"].get("ename") == "KeyboardInterrupt"
