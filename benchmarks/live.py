"""Benchmark `live`: round trips of live microturns in real Chromium (fake mic and camera on).

- roundtrip_p95_ms (JupyterLab) and voila_roundtrip_p95_ms (standalone Voilà): an audio chunk
  sent by the browser -> its decision received by the browser, measured in the page
  (performance.now), camera on, the first second left out (warm-up). Also p50, and where the
  time goes: browser->kernel (up), kernel handler (kernel), kernel->browser (down), from the
  page's and the kernel's wall clocks (same machine).
- dropped_microturns: chunks the browser sent that did not become a full microturn in the log,
  plus microturns with a logged audio gap, over both runs (late camera frames are reported in
  its `detail`, not counted: the microturn's audio was whole).
- kernel_rss_growth_mb (full run only): the kernel's resident memory after 10 minutes of live
  streaming minus after the first 30 s.

Set DESIGNKIT_TCP_NODELAY=0 to run without the TCP_NODELAY server extension (for comparison).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "browser"))

import harness  # noqa: E402

NAME = "live"
WARMUP = 5
PID_CELL = "import os, pathlib; pathlib.Path({!r}).write_text(str(os.getpid()))\n"


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _stream(page: Any, seconds: float, *, on_tick: Any = None) -> dict[str, Any]:
    page.click(".dk-allow >> visible=true")
    harness.wait_live(page, "s.replies >= 5")
    target = int(seconds / 0.2)
    started = time.monotonic()
    while True:
        done = harness.live_state(page, "s.replies")
        if on_tick is not None:
            on_tick(time.monotonic() - started)
        if done >= target:
            break
        harness.wait_live(page, f"s.replies >= {min(target, done + 25)}", timeout_ms=60_000)
    data: dict[str, Any] = harness.live_state(
        page, "({sent: s.sent, staleFrames: s.staleFrames || 0, counts: s.counts, rtts: s.rtts, breakdown: s.breakdown.map(b => [b.rtt, b.kernel_ms, b.t_recv, b.t_back])})")
    page.click(".dk-revoke >> visible=true")
    return data


def _summary(prefix: str, data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    rtts = np.array(data["rtts"][WARMUP:])
    b = np.array(data["breakdown"][WARMUP:], dtype=float)
    down = (b[:, 3] - b[:, 2]) * 1000 - b[:, 1]
    up = b[:, 0] - (b[:, 3] - b[:, 2]) * 1000
    yield {"metric": f"{prefix}roundtrip_p95_ms", "value": round(float(np.percentile(rtts, 95)), 2),
           "unit": "ms", "goal": "<= 20"}
    yield {"metric": f"{prefix}roundtrip_p50_ms", "value": round(float(np.percentile(rtts, 50)), 2),
           "unit": "ms", "goal": ""}
    for name, values in (("up", up), ("kernel", b[:, 1]), ("down", down)):
        yield {"metric": f"{prefix}{name}_p95_ms", "value": round(float(np.percentile(values, 95)), 2),
               "unit": "ms", "goal": ""}


def _dropped(data: dict[str, Any], folder: Path) -> tuple[int, dict[str, int]]:
    """Chunks sent that did not become a full microturn, plus microturns with a logged gap."""
    from designkit.log import read_log

    harness.wait_for(lambda: (folder / "recording.json").is_file(), timeout=30, what="the log to close")
    frame = read_log(folder / "log.parquet").frame.iloc[:-1]  # the last row is the revocation
    full = int((frame["coverage"] == 1.0).sum())
    kinds: dict[str, int] = {}
    audio_gaps = 0
    for gaps in frame["gaps"]:
        found = json.loads(gaps or "[]")
        for gap in found:
            what = "frame" if gap["detail"].startswith("frame") else "audio"
            kinds[f"{what}_{gap['kind']}"] = kinds.get(f"{what}_{gap['kind']}", 0) + 1
        audio_gaps += any(not g["detail"].startswith("frame") for g in found)
    missing = max(0, data["sent"] - full)
    if missing:
        kinds["not_received"] = missing
    kinds["stale_frames_dropped_in_browser"] = int(data.get("staleFrames") or 0)
    return missing + audio_gaps, kinds


def _folder(log_dir: Path) -> Path:
    return next(p for p in log_dir.iterdir() if p.is_dir())


def run(quick: bool) -> Iterator[dict[str, Any]]:
    lab_s, voila_s = (14.0, 10.0) if quick else (600.0, 60.0)
    nodelay = os.environ.get("DESIGNKIT_TCP_NODELAY", "1") != "0"  # the servers inherit it
    lab_args: tuple[str, ...] = ()
    voila_args: tuple[str, ...] = ()
    dropped = 0
    detail: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="designkit-live-bench-") as tmp:
        work = Path(tmp)
        root = work / "root"
        root.mkdir()
        wav = harness.write_fake_wav(work / "mic.wav")
        with harness.chromium(wav) as browser:
            logs = root / "logs"
            logs.mkdir()
            pid_file = logs / "kernel.pid"
            harness.live_notebook(root / "bench.ipynb", log_dir=logs, camera=True,
                                  extra=PID_CELL.format(str(pid_file)))
            with harness.jupyterlab(root, work, extra_args=lab_args) as server:
                page = harness.new_page(browser)
                page.goto(f"{server.url}/lab/tree/bench.ipynb?reset")
                harness.run_all_cells(page)
                harness.wait_allow(page)
                rss: dict[str, float] = {}

                def tick(elapsed: float) -> None:
                    if "start" not in rss and elapsed >= 30:
                        rss["start"] = _rss_mb(int(pid_file.read_text()))

                data = _stream(page, lab_s, on_tick=None if quick else tick)
                if not quick:
                    rss["end"] = _rss_mb(int(pid_file.read_text()))
                yield from _summary("", data)
                lost, kinds = _dropped(data, _folder(logs))
                dropped += lost
                detail.update({f"lab_{k}": v for k, v in kinds.items()})
                page.context.close()
            vlogs = root / "vlogs"
            notebook = harness.live_notebook(root / "voila.ipynb", log_dir=vlogs, camera=True)
            with harness.voila(notebook, work, extra_args=voila_args) as server:
                page = harness.new_page(browser)
                page.goto(server.url)
                harness.wait_allow(page)
                vdata = _stream(page, voila_s)
                yield from _summary("voila_", vdata)
                lost, kinds = _dropped(vdata, _folder(vlogs))
                dropped += lost
                detail.update({f"voila_{k}": v for k, v in kinds.items()})
                page.context.close()
    yield {"metric": "dropped_microturns", "value": dropped, "unit": "count", "goal": "== 0", "detail": detail}
    if not quick:
        yield {"metric": "kernel_rss_growth_mb", "value": round(rss["end"] - rss["start"], 2),
               "unit": "MB", "goal": "<= 20 over 10 min"}
    yield {"metric": "tcp_nodelay", "value": int(nodelay), "unit": "bool", "goal": ""}


if __name__ == "__main__":
    for line in run(quick="--quick" in sys.argv):
        print(json.dumps(line), flush=True)
