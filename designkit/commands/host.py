"""`designkit host`: one model host for every notebook on this machine (see docs/scaling.md)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from designkit.commands import action

logger = logging.getLogger(__name__)


def _run(args: argparse.Namespace) -> int:
    import torch

    from designkit.host.discovery import announce, withdraw
    from designkit.host.host import Host
    from designkit.host.server import HostServer
    from designkit.host.wire import PATH

    # Batched small steps: one intra-op thread per host keeps the tick steady on shared CPUs.
    torch.set_num_threads(args.threads)
    host = Host(capacity=args.capacity, dt=args.dt, device=args.device, idle_timeout_s=args.idle_timeout)
    server = HostServer(host, log_dir=args.log_dir)

    async def main() -> None:
        ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(server.serve(args.bind, args.port, ready))
        # SIGTERM (a hub stopping its service, a test fixture) closes every session's log first.
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        port = await ready
        url = f"ws://{args.bind}:{port}{PATH}"
        announce(url, device=host.device, capacity=host.stack.capacity)
        print(f"designkit host: {url} on {host.device}, {host.stack.capacity} slots", flush=True)
        try:
            await task
        except asyncio.CancelledError:
            logger.info("host stopped")
        finally:
            withdraw()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = action(sub, "host", _run, help="serve the models once for many live sessions (GPU when there)")
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on (default: this machine only)")
    parser.add_argument("--port", type=int, default=8765, help="port (0: any free one)")
    parser.add_argument("--capacity", type=int, default=64, help="session slots")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument("--dt", type=float, default=0.2, help="microturn length in seconds")
    parser.add_argument("--threads", type=int, default=1, help="torch threads on the CPU")
    parser.add_argument("--idle-timeout", type=float, default=10.0, help="drop a session silent this long (s)")
    parser.add_argument("--log-dir", default=None, help="write each session's log here")
