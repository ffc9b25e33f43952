"""`designkit wheelhouse`: reading pip's failures, choosing each system's wheels, and saying plainly what a
system cannot have. (The real download and an offline install: tests/test_release_dist.py.)"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from designkit import DISTRIBUTION, __version__
from designkit.commands import wheelhouse
from designkit.errors import InputError

NOT_FOUND = """ERROR: Could not find a version that satisfies the requirement espeakng-loader>=0.2.4 (from duplex-designkit[sound]) (from versions: none)
ERROR: No matching distribution found for espeakng-loader>=0.2.4
"""
CONFLICT = """ERROR: Cannot install duplex-designkit[models]==0.2.0 because these package versions have conflicting dependencies.

The conflict is caused by:
    duplex-designkit[models] 0.2.0 depends on torch==2.13.0; extra == "models"

Additionally, some packages in these conflicts have no matching distributions available for your environment:
    torch

ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/
"""


def test_pips_failures_name_the_missing_wheels() -> None:
    assert wheelhouse.missing_packages(NOT_FOUND) == ("espeakng-loader",)
    assert wheelhouse.missing_packages(CONFLICT) == ("torch",)
    assert wheelhouse.unmet_requirements(NOT_FOUND) == ("espeakng-loader>=0.2.4",)


def test_platforms_and_pythons_are_checked() -> None:
    assert [p.name for p in wheelhouse.parse_platforms("win-amd64, linux-x86_64")] == ["win-amd64", "linux-x86_64"]
    with pytest.raises(InputError, match="macos-arm64"):
        wheelhouse.parse_platforms("macos-m1")
    assert wheelhouse.parse_pythons("3.11,3.12") == ("3.11", "3.12")
    with pytest.raises(InputError):
        wheelhouse.parse_pythons("311")
    linux = wheelhouse.PLATFORMS["linux-x86_64"]
    assert linux.tags[0] == "manylinux_2_28_x86_64" and "manylinux2014_x86_64" in linux.tags


def make_wheel(folder: Path, name: str, requires: tuple[str, ...] = (), extras: tuple[str, ...] = ()) -> Path:
    """A tiny pure wheel with the given dependencies (for pip to resolve offline)."""
    dist = name.replace("-", "_")
    info = f"{dist}-1.0.dist-info"
    files = {
        f"{dist}/__init__.py": b"",
        f"{info}/METADATA": "\n".join(["Metadata-Version: 2.1", f"Name: {name}", "Version: 1.0",
                                       *(f"Provides-Extra: {e}" for e in extras),
                                       *(f"Requires-Dist: {r}" for r in requires), "", ""]).encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n\n",
    }
    record = "".join(f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},"
                     f"{len(data)}\n" for path, data in files.items()) + f"{info}/RECORD,,\n"
    path = folder / f"{dist}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name_in, data in files.items():
            archive.writestr(name_in, data)
        archive.writestr(f"{info}/RECORD", record)
    return path


@pytest.mark.parametrize(("system", "expected"), [("win-amd64", {"app", "winonly"}), ("linux-x86_64", {"app", "linuxonly"})])
def test_pip_decides_dependencies_as_the_target_system_would(tmp_path: Path, system: str, expected: set[str]) -> None:
    """pip alone evaluates `; sys_platform == "win32"` for the machine it runs on; the wheelhouse's pip
    evaluates it for the system it downloads for."""
    index = tmp_path / "index"
    index.mkdir()
    make_wheel(index, "app", ('winonly; sys_platform == "win32"', 'linuxonly; sys_platform == "linux"'))
    make_wheel(index, "winonly")
    make_wheel(index, "linuxonly")
    platform = wheelhouse.PLATFORMS[system]
    out = tmp_path / "out"
    done = wheelhouse._pip(["download", "--no-index", "--find-links", str(index), "--only-binary=:all:",
                            "--platform", platform.tags[0], "--python-version", "3.11", "--dest", str(out), "app"],
                           platform.marker_environment("3.11"))
    assert done.returncode == 0, done.stderr
    assert {p.name.split("-")[0] for p in out.glob("*.whl")} == expected


def kit_wheel(folder: Path) -> Path:
    """A stand-in for the kit's wheel with two extras and `all` pointing at both."""
    name = f"{DISTRIBUTION.replace('-', '_')}-{__version__}-py3-none-any.whl"
    # as hatchling writes it: `all = ["duplex-designkit[live,sound]"]` becomes the union of their requirements
    made = make_wheel(folder, DISTRIBUTION, ('jupyterlab>=4; extra == "live"', 'espeakng-loader; extra == "sound"',
                                             'jupyterlab>=4; extra == "all"', 'espeakng-loader; extra == "all"'),
                      extras=("live", "sound", "all"))
    return made.rename(folder / name)


def test_an_extra_without_wheels_is_left_out_and_said(tmp_path: Path) -> None:

    def pip(args: list[str], markers: dict[str, str]) -> subprocess.CompletedProcess[str]:
        requirement = args[-1]
        if args[0] == "wheel":  # building a pure wheel from the sdist: espeakng-loader has none
            return subprocess.CompletedProcess(args, 1, "", "ERROR: no sdist")
        dest = Path(args[args.index("--dest") + 1])
        dest.mkdir(parents=True, exist_ok=True)
        if "--no-deps" in args:
            kit_wheel(dest)
        if "sound" in requirement and markers.get("platform_machine") == "x86_64" and markers.get("sys_platform") == "darwin":
            return subprocess.CompletedProcess(args, 1, "", NOT_FOUND)
        return subprocess.CompletedProcess(args, 0, "", "")

    results = wheelhouse.build(tmp_path / "wheels", platforms=wheelhouse.parse_platforms("macos-arm64,macos-x86_64"),
                               pythons=("3.11",), extras=("all",), run=pip, say=lambda _: None)
    arm, intel = results
    assert arm.extras == ("live", "sound") and not arm.missing
    assert intel.extras == ("live",) and intel.missing == (
        wheelhouse.Missing("sound", "espeakng-loader", "No matching distribution found for espeakng-loader>=0.2.4"),)
    text = (tmp_path / "wheels" / "INSTALL.txt").read_text()
    assert f'pip install --no-index --find-links macos-arm64 "{DISTRIBUTION}[live,sound]"' in text
    assert f'pip install --no-index --find-links macos-x86_64 "{DISTRIBUTION}[live]"' in text
    assert "macos-x86_64: extra 'sound' needs espeakng-loader" in text
    sums = (tmp_path / "wheels" / "SHA256SUMS").read_text()
    assert f"macos-arm64/{DISTRIBUTION.replace('-', '_')}-{__version__}-py3-none-any.whl" in sums


def test_the_command_is_registered() -> None:
    done = subprocess.run([sys.executable, "-m", "designkit.cli", "wheelhouse", "--help"], capture_output=True,
                          text=True, check=True)
    assert "--platforms" in done.stdout and "INSTALL.txt" in done.stdout
