"""Checks of a built wheel and of what a laptop install made of it.

    python scripts/wheel_check.py installed WHEEL   # (run by the venv's python) this venv's kit is WHEEL
    python scripts/wheel_check.py imported VENV     # `import designkit` here finds VENV's copy
    python scripts/wheel_check.py contents WHEEL    # the wheel holds what a laptop needs and no tests

`installed` compares the metadata (name, version) and the hash of every file of the package in the
wheel with what pip recorded in the venv, so a distribution of the same name from elsewhere (the
unrelated `designkit`, or any other build) fails it.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.metadata
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import venv
import zipfile
from email.parser import Parser
from pathlib import Path

PACKAGE = "designkit/"
# What a laptop needs inside the wheel: the notebooks and studies `designkit lab` copies, the widget
# assets, the own turn-taking model's weights, the Jupyter and Voilà settings.
NEEDED = ("designkit/_assets/notebooks/00-start-here.ipynb", "designkit/_assets/studies/quiet-modes/study.json",
          "designkit/_assets/docs/glossary.md", "designkit/_assets/widgets/live.js",
          "designkit/_assets/widgets/dom.js",
          "designkit/_assets/models/vap/vap.onnx", "designkit/_assets/models/vap/vap.pt",
          "designkit/_assets/models/language_probe/probe.npz", "designkit/cli.py")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_metadata(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as archive:
        info = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        message = Parser().parsestr(archive.read(info).decode())
    return {"name": str(message["Name"]), "version": str(message["Version"]), "summary": str(message["Summary"])}


def wheel_record(wheel: Path) -> dict[str, str]:
    """path -> 'sha256=...' for every file of the wheel (from its RECORD)."""
    with zipfile.ZipFile(wheel) as archive:
        record = next(n for n in archive.namelist() if n.endswith(".dist-info/RECORD"))
        rows = csv.reader(io.StringIO(archive.read(record).decode()))
        return {row[0]: row[1] for row in rows if row and row[1]}


def wheel_names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return sorted(archive.namelist())


def file_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def contents_problems(wheel: Path) -> list[str]:
    """What is wrong with the wheel's contents (empty when nothing is)."""
    names = set(wheel_names(wheel))
    problems = [f"missing {needed}" for needed in NEEDED if needed not in names]
    problems += [f"carries a test file {n}" for n in sorted(names) if re.search(r"(^|/)(tests?|conftest)(/|\.py$)", n)]
    return problems


def installed_problems(wheel: Path) -> list[str]:
    """What differs between the wheel and the kit installed in the running interpreter's environment."""
    meta = wheel_metadata(wheel)
    try:
        dist = importlib.metadata.distribution(meta["name"])
    except importlib.metadata.PackageNotFoundError:
        return [f"{meta['name']} is not installed"]
    problems = []
    if normalise(dist.metadata["Name"]) != normalise(meta["name"]) or dist.version != meta["version"]:
        problems.append(f"installed {dist.metadata['Name']} {dist.version}, the wheel is {meta['name']} {meta['version']}")
    recorded = {str(f): f.hash.value for f in dist.files or () if f.hash}
    for path, digest in wheel_record(wheel).items():
        if path.startswith(PACKAGE) and recorded.get(path) != digest.split("=", 1)[1]:
            problems.append(f"{path} differs from the wheel's (or is missing)")
    return problems


def no_network() -> list[str]:
    """`unshare -rn` (a namespace with no network) where this machine allows it; --no-index proves it anyway."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0:
        return [unshare, "-rn"]
    return []


def offline_install(wheelhouse: Path, line: str, laptop: Path) -> subprocess.CompletedProcess[str]:
    """Run a wheelhouse's install line (`pip install --no-index --find-links linux-x86_64 "..."`) in a fresh
    venv at `laptop`, in the wheelhouse folder, without network and without this machine's pip settings."""
    venv.create(laptop, with_pip=True)
    words = shlex.split(line)
    assert words[:2] == ["pip", "install"] and "--no-index" in words, line
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env |= {"PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    return subprocess.run([*no_network(), str(laptop / "bin" / "python"), "-m", *words], cwd=wheelhouse, env=env,
                          capture_output=True, text=True)


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] in ("installed", "contents"):
        wheel = Path(argv[1])
        problems = installed_problems(wheel) if argv[0] == "installed" else contents_problems(wheel)
        for problem in problems:
            print(f"wheel_check {argv[0]}: {problem}", file=sys.stderr)
        if not problems:
            meta = wheel_metadata(wheel)
            print(f"wheel_check {argv[0]}: {meta['name']} {meta['version']} ok ({wheel.name})")
        return 1 if problems else 0
    if len(argv) == 2 and argv[0] == "imported":
        import designkit

        where = Path(designkit.__file__).resolve()
        if not where.is_relative_to(Path(argv[1]).resolve()):
            print(f"wheel_check imported: designkit comes from {where}, not from {argv[1]}", file=sys.stderr)
            return 1
        print(f"wheel_check imported: designkit {designkit.__version__} from {where.parent}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
