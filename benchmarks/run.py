"""Run designkit's benchmarks and print one JSON object per line.

    python benchmarks/run.py [--only NAME ...] [--quick]

Each benchmark is a module `benchmarks/<name>.py` with `NAME` and `run(quick: bool)` that
yields `{"metric", "value", "unit", "goal"}` dicts; this script adds the benchmark name,
the device and the quick flag, so lines can be compared run to run.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ("engine", "live", "live_agents", "scenarios", "policy_metrics", "perception", "vision_language", "study", "credible", "host", "talkback", "people", "wizard", "designer",
              "release", "readable")


def _device() -> str:
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:
        return "cpu"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, help="run only these benchmarks")
    parser.add_argument("--quick", action="store_true", help="each benchmark in about 30 s on 2 cores")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    device = _device()
    failed = 0
    for name in args.only or BENCHMARKS:
        if not (HERE / f"{name}.py").exists():
            print(json.dumps({"benchmark": name, "error": "not written yet"}), flush=True)
            continue
        module = importlib.import_module(name)
        started = time.perf_counter()
        try:
            for line in module.run(quick=args.quick):
                value = line["value"]
                if isinstance(value, float) and not math.isfinite(value):
                    value = None
                out = {"benchmark": name, **line, "value": value, "device": line.get("device", device),
                       "quick": args.quick}
                print(json.dumps(out), flush=True)
        except Exception as exc:  # one broken benchmark must not hide the others
            failed += 1
            print(json.dumps({"benchmark": name, "error": repr(exc)}), flush=True)
        print(json.dumps({"benchmark": name, "metric": "wall_s",
                          "value": round(time.perf_counter() - started, 2), "unit": "s",
                          "quick": args.quick}), file=sys.stderr, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
