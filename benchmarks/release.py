"""Benchmark `release`: what a laptop and a classroom really get from the kit's release.

- wheel_mb: size of the wheel `make dist` builds (from the sdist).
- readme_install_is_this_kit: 1 when the README's laptop command (`pip install "duplex-designkit[all]"`),
  with pip pointed at the built wheel's folder, installs a distribution whose metadata and every package
  file are this wheel's (scripts/laptop-check.sh, LAPTOP_INSTALL_ONLY; the laptop venv is reused when
  its dependencies did not change, the kit itself is always uninstalled and installed again).
- wheel_notebooks_run: 1 when every notebook and study notebook, copied out of that installed wheel as
  `designkit lab` copies them, passes nbval there (espeak-ng, ffmpeg and sox hidden from PATH).
- wheelhouse_offline_install: 1 when a linux-x86_64 wheelhouse of the kit with the `sound` extra installs
  into a fresh venv with `--no-index` in a namespace without network (`unshare -rn`, where allowed).
- wheelhouse_gb (one line per platform): the size of `designkit wheelhouse` for that system. --quick
  downloads the kit with the `sound` extra only (its base dependencies: numpy, pandas, pyarrow, scipy,
  soxr, tqdm, plus espeak-ng and ffmpeg wheels); without --quick, the README's `all`. Either way for this
  Python only. Linux torch comes from pip's configuration here (a CPU build, as PyTorch's CPU index
  serves), since that index is out of reach from this machine.

--quick does not finish in 30 s: the notebooks alone take minutes (as in `make test`'s laptop check).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from designkit import DISTRIBUTION, __version__
from designkit.commands import wheelhouse

NAME = "release"
ROOT = Path(__file__).resolve().parents[1]
QUICK_EXTRAS = ("sound",)
FULL_EXTRAS = ("all",)
OFFLINE_EXTRAS = ("sound",)
sys.path.insert(0, str(ROOT / "scripts"))
import wheel_check  # noqa: E402


def _laptop_check(wheels: Path, *, install_only: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WHEELS": str(wheels), "LAPTOP_TESTS": ""}
    if install_only:
        env["LAPTOP_INSTALL_ONLY"] = "1"
    return subprocess.run(["bash", str(ROOT / "scripts" / "laptop-check.sh")], cwd=ROOT, env=env,
                          capture_output=True, text=True)


def run(quick: bool) -> Iterator[dict[str, Any]]:
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        dist = tmp / "dist"
        subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)], check=True,
                       capture_output=True)
        wheel = dist / f"{DISTRIBUTION.replace('-', '_')}-{__version__}-py3-none-any.whl"
        yield {"metric": "wheel_mb", "value": round(wheel.stat().st_size / 1e6, 2), "unit": "MB", "goal": "report"}

        installed = _laptop_check(dist, install_only=True)
        ok = installed.returncode == 0 and f"wheel_check installed: {DISTRIBUTION} {__version__} ok" in installed.stdout
        if not ok:
            print(installed.stdout[-3000:] + installed.stderr[-3000:], file=sys.stderr)
        yield {"metric": "readme_install_is_this_kit", "value": int(ok), "unit": "bool", "goal": "== 1"}

        notebooks = _laptop_check(dist, install_only=False) if ok else None
        passed = notebooks is not None and notebooks.returncode == 0 and " passed" in notebooks.stdout
        if notebooks is not None and not passed:
            print(notebooks.stdout[-3000:] + notebooks.stderr[-3000:], file=sys.stderr)
        yield {"metric": "wheel_notebooks_run", "value": int(passed), "unit": "bool", "goal": "== 1"}

        linux = wheelhouse.PLATFORMS["linux-x86_64"]
        offline = tmp / "offline"
        result = wheelhouse.build(offline, platforms=(linux,), pythons=(here,), extras=OFFLINE_EXTRAS,
                                  find_links=(str(dist),), torch_index="", say=lambda _: None)[0]
        done = wheel_check.offline_install(offline, result.install_line(), tmp / "laptop")
        used = subprocess.run([*wheel_check.no_network(), str(tmp / "laptop" / "bin" / "python"), "-c",
                               "import designkit; print(designkit.__version__)"], cwd=tmp, capture_output=True,
                              text=True)
        works = done.returncode == 0 and used.stdout.strip() == __version__ and not result.missing
        if not works:
            print(done.stdout[-2000:] + done.stderr[-2000:] + used.stderr[-2000:], file=sys.stderr)
        yield {"metric": "wheelhouse_offline_install", "value": int(works), "unit": "bool", "goal": "== 1",
               "platform": linux.name, "extras": ",".join(OFFLINE_EXTRAS), "network": "off" if wheel_check.no_network()
               else "--no-index"}

        extras = QUICK_EXTRAS if quick else FULL_EXTRAS
        results = wheelhouse.build(tmp / "wheelhouse", platforms=tuple(wheelhouse.PLATFORMS.values()), pythons=(here,),
                                   extras=extras, find_links=(str(dist),), torch_index="", say=lambda _: None)
        for item in results:
            yield {"metric": "wheelhouse_gb", "value": round(item.bytes / 1e9, 3), "unit": "GB", "goal": "report",
                   "platform": item.platform.name, "python": here, "extras": ",".join(extras),
                   "got_extras": ",".join(item.extras),
                   "no_wheel": "; ".join(f"{m.extra}: {m.package}" for m in item.missing)}
