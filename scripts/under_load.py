"""Run tests with every core kept busy beside them: timing-sensitive tests must hold on a loaded laptop.

    python scripts/under_load.py                       # the browser tests beside one busy process
    python scripts/under_load.py --hogs 2 tests/browser/test_live_agents.py
    make test-under-load

The busy processes spin in pure Python (one core each: on a 2-core laptop one of them takes half of it) until pytest ends; pytest's exit status is
this script's. Timing goals live in benchmarks/; a test that measures time asserts with a margin that
must survive this.
"""

from __future__ import annotations

import argparse
import multiprocessing
import subprocess
import sys
import time


def spin() -> None:
    """Keep one core busy until killed."""
    while True:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hogs", type=int, default=1, help="busy processes (default: 1)")
    parser.add_argument("pytest_args", nargs="*", default=["tests/browser"], help="what pytest runs")
    args = parser.parse_args(argv)
    hogs = [multiprocessing.Process(target=spin, daemon=True) for _ in range(max(0, args.hogs))]
    for hog in hogs:
        hog.start()
    started = time.monotonic()
    try:
        code = subprocess.call([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args.pytest_args])
    finally:
        for hog in hogs:
            hog.kill()
    print(f"under_load: {args.hogs} busy processes beside pytest; {time.monotonic() - started:.0f} s; exit {code}")
    return code


if __name__ == "__main__":
    sys.exit(main())
