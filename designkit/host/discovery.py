"""Where a running host says it listens, so notebooks on the same machine find it ("auto").

The `designkit host` command writes `<cache>/host.json` (`url`, `pid`, `device`, `capacity`)
once it listens and removes it when it stops; `find_host()` reads it back and checks that the
process is still alive, so a crashed host is not mistaken for a running one. On a hub, the
spawner sets `DESIGNKIT_HOST_URL` instead (the host then runs elsewhere); it wins when set.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from designkit.cache import cache_dir

URL_VARIABLE = "DESIGNKIT_HOST_URL"


def address_file() -> Path:
    return cache_dir() / "host.json"


def announce(url: str, **details: Any) -> Path:
    path = address_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"url": url, "pid": os.getpid(), **details}), encoding="utf-8")
    return path


def withdraw() -> None:
    path = address_file()
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def find_host() -> dict[str, Any] | None:
    """The host to use: $DESIGNKIT_HOST_URL, else this machine's running host, else None."""
    if os.environ.get(URL_VARIABLE):
        return {"url": os.environ[URL_VARIABLE]}
    try:
        found: dict[str, Any] = json.loads(address_file().read_text(encoding="utf-8"))
        os.kill(int(found["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return found
