"""`designkit wheelhouse DIR`: every wheel a class needs, for every system in the room, in one folder.

Thirty laptops downloading ~1 GB each at 9:00 on one venue network is how a workshop starts late. A
teacher runs this once, the day before, on a machine with a good connection:

    designkit wheelhouse wheels --platforms macos-arm64,macos-x86_64,win-amd64,linux-x86_64 --python 3.11,3.12

and copies `wheels/` to a USB stick or a share. It holds one folder of wheels per system (pip's
`download --only-binary=:all: --platform ... --python-version ... --implementation cp`), `INSTALL.txt` (the
offline install line for each system, `pip install --no-index --find-links ...`), `SHA256SUMS`, and says
plainly what cannot be had as a wheel on a system (those extras are left out of that system's line).

Before the kit is on the package index, its own wheel comes from a folder: `--find-links dist` (after
`make dist`). On Linux the package index's torch is a CUDA build of several GB; the wheelhouse takes
torch from PyTorch's CPU index there (`--torch-index`, "" to use pip's own configuration). Run it where
pip reaches the package index (and that index): it downloads, it installs nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

from designkit import DISTRIBUTION, __version__
from designkit.errors import InputError

log = logging.getLogger(__name__)

CPU_TORCH_INDEX = "https://download.pytorch.org/whl/cpu"
DEFAULT_EXTRAS = ("all",)


@dataclass(frozen=True, slots=True)
class Platform:
    """A system in the classroom: its folder name, pip's platform tags, how a person says it, and the
    values its Python gives environment markers (`sys_platform == "linux"`)."""

    name: str
    tags: tuple[str, ...]
    label: str
    venv: str  # make and enter a venv there (the line before the install line)
    markers: tuple[tuple[str, str], ...]

    def marker_environment(self, python: str) -> dict[str, str]:
        return {**dict(self.markers), "python_version": python, "python_full_version": f"{python}.0",
                "implementation_name": "cpython", "platform_python_implementation": "CPython"}


def _manylinux(arch: str, newest: int = 28) -> tuple[str, ...]:
    """manylinux_2_28 and every older glibc tag (pip does not widen a custom manylinux_2_N tag itself)."""
    tags = [f"manylinux_2_{minor}_{arch}" for minor in range(newest, 4, -1)]
    return (*tags, f"manylinux2014_{arch}", f"manylinux2010_{arch}", f"manylinux1_{arch}")


_POSIX_VENV = "python3 -m venv designkit-env && source designkit-env/bin/activate"
_MAC = (("sys_platform", "darwin"), ("platform_system", "Darwin"), ("os_name", "posix"), ("platform_release", "23.0.0"))
_LINUX = (("sys_platform", "linux"), ("platform_system", "Linux"), ("os_name", "posix"), ("platform_release", "6.1.0"))
_WINDOWS = (("sys_platform", "win32"), ("platform_system", "Windows"), ("os_name", "nt"), ("platform_release", "10"))
# macOS tags name the oldest system a wheel runs on; pip widens them to every older macOS itself.
PLATFORMS: dict[str, Platform] = {p.name: p for p in (
    Platform("macos-arm64", ("macosx_14_0_arm64",), "macOS, Apple silicon (macOS 14 or newer)", _POSIX_VENV,
             (*_MAC, ("platform_machine", "arm64"))),
    Platform("macos-x86_64", ("macosx_13_0_x86_64",), "macOS, Intel (macOS 13 or newer)", _POSIX_VENV,
             (*_MAC, ("platform_machine", "x86_64"))),
    Platform("win-amd64", ("win_amd64",), "Windows, 64-bit (PowerShell)",
             r"py -m venv designkit-env; designkit-env\Scripts\Activate.ps1", (*_WINDOWS, ("platform_machine", "AMD64"))),
    Platform("linux-x86_64", _manylinux("x86_64"), "Linux, x86-64 (glibc 2.28 or newer)", _POSIX_VENV,
             (*_LINUX, ("platform_machine", "x86_64"))),
)}


@dataclass(frozen=True, slots=True)
class Missing:
    """What pip could not find as a wheel for a platform, and which extra needed it."""

    extra: str
    package: str
    reason: str


@dataclass(frozen=True, slots=True)
class PlatformResult:
    platform: Platform
    extras: tuple[str, ...]  # the extras whose wheels are all in the folder
    missing: tuple[Missing, ...]
    files: tuple[Path, ...]

    @property
    def bytes(self) -> int:
        return sum(f.stat().st_size for f in self.files)

    def install_line(self, *, folder_prefix: str = "") -> str:
        extras = f"[{','.join(self.extras)}]" if self.extras else ""
        return f'pip install --no-index --find-links {folder_prefix}{self.platform.name} "{DISTRIBUTION}{extras}"'


def parse_platforms(text: str) -> tuple[Platform, ...]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in PLATFORMS]
    if unknown or not names:
        raise InputError("--platforms", expected=f"a comma-separated list of {', '.join(PLATFORMS)}",
                         got=", ".join(unknown) or "nothing")
    return tuple(PLATFORMS[n] for n in names)


def parse_pythons(text: str) -> tuple[str, ...]:
    versions = tuple(v.strip() for v in text.split(",") if v.strip())
    if not versions or not all(re.fullmatch(r"3\.\d{1,2}", v) for v in versions):
        raise InputError("--python", expected="versions like 3.11 or 3.11,3.12", got=text)
    return versions


_NOT_FOUND = (
    re.compile(r"No matching distribution found for ([A-Za-z0-9][A-Za-z0-9._-]*)"),
    re.compile(r"Could not find a version that satisfies the requirement ([A-Za-z0-9][A-Za-z0-9._-]*)"),
)
_NO_DISTRIBUTIONS = re.compile(r"no matching distributions available for your environment:\s*\n((?:[ \t]+\S+\s*\n?)+)")


def unmet_requirements(pip_output: str) -> tuple[str, ...]:
    """The requirements (with their version ranges) pip found no wheel for: 'docopt>=0.6.2'."""
    found = re.findall(r"Could not find a version that satisfies the requirement (\S+)", pip_output)
    return tuple(dict.fromkeys(found))


def missing_packages(pip_output: str) -> tuple[str, ...]:
    """The packages pip found no usable wheel for, read from a failed `pip download`'s output."""
    found: list[str] = []
    for pattern in _NOT_FOUND:
        found += pattern.findall(pip_output)
    for block in _NO_DISTRIBUTIONS.findall(pip_output):
        found += block.split()
    names = [re.split(r"[\[=<>!~;]", name)[0] for name in found]
    return tuple(dict.fromkeys(n for n in names if n))


def extras_of_wheel(wheel: Path) -> dict[str, tuple[str, ...]]:
    """extra -> the extras it stands for ('all' -> live, models, ...; an ordinary extra -> itself).

    The build writes an extra that names others (`all = ["duplex-designkit[live,models,...]"]`) as the
    union of their requirements, so an extra stands for the others whose requirements it holds when
    together they make up all of its own."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(name).decode())
    needs: dict[str, set[str]] = {str(e): set() for e in metadata.get_all("Provides-Extra") or ()}
    for line in metadata.get_all("Requires-Dist") or ():
        requirement, _, marker = str(line).partition(";")
        named = re.search(r"extra\s*==\s*['\"]([^'\"]+)['\"]", marker)
        if named and named.group(1) in needs:
            needs[named.group(1)].add(requirement.strip())
    extras: dict[str, tuple[str, ...]] = {}
    for extra, own in needs.items():
        parts = [other for other, theirs in needs.items() if other != extra and theirs and theirs < own]
        covered = set().union(*(needs[p] for p in parts)) if parts else set()
        extras[extra] = tuple(parts) if len(parts) > 1 and covered == own else (extra,)
    return extras


def expand(extras: Sequence[str], known: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Extras with the ones that stand for others ('all') replaced by what they stand for."""
    unknown = [e for e in extras if e not in known]
    if unknown:
        raise InputError("--extras", expected=f"extras of {DISTRIBUTION}: {', '.join(sorted(known))}",
                         got=", ".join(unknown))
    out: list[str] = []
    for extra in extras:
        parts = known[extra]
        out += [extra] if parts == (extra,) else list(expand(parts, known))
    return tuple(dict.fromkeys(out))


# pip evaluates environment markers (`nvidia-nccl; sys_platform == "linux"`) for the machine it runs on,
# whatever --platform says: downloading for Windows from Linux would ask for Linux-only wheels. So pip
# runs with the target system's marker values (packaging's default_environment, which Marker.evaluate
# reads on every call). Given as `python -c LAUNCH MARKERS_JSON pip-arguments...`.
LAUNCH = """
import json, runpy, sys
import pip._vendor.packaging.markers as markers
target, machine = json.loads(sys.argv.pop(1)), markers.default_environment
markers.default_environment = lambda: {**machine(), **target}
sys.argv[0] = "pip"
runpy.run_module("pip", run_name="__main__", alter_sys=True)
"""

Runner = Callable[[list[str], dict[str, str]], "subprocess.CompletedProcess[str]"]


def _pip(args: list[str], markers: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """pip, as it would decide on the system `markers` describe."""
    return subprocess.run([sys.executable, "-c", LAUNCH, json.dumps(markers), *args], capture_output=True,
                          text=True, check=False)


@dataclass(frozen=True, slots=True)
class Downloader:
    """`pip download` of the kit for one platform and its Python versions into one folder."""

    platform: Platform
    pythons: tuple[str, ...]
    folder: Path
    find_links: tuple[str, ...] = ()
    torch_index: str = CPU_TORCH_INDEX
    run: Runner = _pip

    def _args(self, python: str, requirement: str, *, deps: bool = True) -> list[str]:
        args = ["download", "--only-binary=:all:", "--implementation", "cp", "--python-version", python,
                "--dest", str(self.folder), "--progress-bar", "off", "--disable-pip-version-check"]
        for tag in self.platform.tags:
            args += ["--platform", tag]
        for link in (*self.find_links, str(self.folder)):  # its own folder: pure wheels built here
            args += ["--find-links", link]
        if self.torch_index and self.platform.name.startswith("linux"):
            args += ["--extra-index-url", self.torch_index]
        return [*args, *([] if deps else ["--no-deps"]), requirement]

    def fetch(self, requirement: str, *, deps: bool = True) -> tuple[bool, str]:
        """Download `requirement` for every Python version; (worked, pip's output of the first failure).
        A dependency published only as a pure-Python sdist (docopt) is built into a wheel here, which
        then serves every system."""
        for python in self.pythons:
            built: set[str] = set()
            while True:
                done = self.run(self._args(python, requirement, deps=deps), self.platform.marker_environment(python))
                if done.returncode == 0:
                    break
                output = done.stdout + done.stderr
                wanted = [r for r in unmet_requirements(output) if r not in built]
                if not wanted or not self._build_pure_wheel(wanted[0]):
                    return False, output
                built.add(wanted[0])
        return True, ""

    def _build_pure_wheel(self, requirement: str) -> bool:
        """Build `requirement`'s sdist into the folder; keep it only when it is pure Python (any system)."""
        with tempfile.TemporaryDirectory() as scratch:
            name = re.split(r"[\[=<>!~;]", requirement)[0]
            done = self.run(["wheel", "--no-deps", "--no-binary", name, "--wheel-dir", scratch,
                             "--disable-pip-version-check", requirement], {})
            wheels = list(Path(scratch).glob("*.whl"))
            if done.returncode != 0 or len(wheels) != 1 or not wheels[0].name.endswith("-none-any.whl"):
                return False
            shutil.move(str(wheels[0]), self.folder / wheels[0].name)
            log.info("built %s from its sdist (pure Python)", wheels[0].name)
            return True


def requirement(extras: Sequence[str]) -> str:
    return f"{DISTRIBUTION}[{','.join(extras)}]=={__version__}" if extras else f"{DISTRIBUTION}=={__version__}"


def build_platform(downloader: Downloader, extras: Sequence[str]) -> PlatformResult:
    """Every wheel of the kit with `extras` for one platform; extras whose wheels cannot all be had are
    left out, each with what was missing."""
    folder = downloader.folder
    folder.mkdir(parents=True, exist_ok=True)
    ok, output = downloader.fetch(requirement(()), deps=False)
    if not ok:
        raise InputError(f"{DISTRIBUTION} {__version__}", expected="its wheel on the package index or in a "
                         "--find-links folder", got=(missing_packages(output) or ("pip failed",))[0],
                         fix="before it is published, build it (`make dist`) and pass --find-links dist")
    wheel = next(folder.glob(f"{DISTRIBUTION.replace('-', '_')}-{__version__}-*.whl"))
    wanted = expand(extras, extras_of_wheel(wheel))
    ok, output = downloader.fetch(requirement(wanted))
    kept, missing = list(wanted), []
    if not ok:  # find which extras cannot be had, one by one, and fetch the rest together
        base_ok, base_output = downloader.fetch(requirement(()))
        if not base_ok:
            missing.append(Missing("(the kit itself)", ", ".join(missing_packages(base_output)) or "?",
                                   _last_error(base_output)))
            kept = []
        else:
            for extra in wanted:
                extra_ok, extra_output = downloader.fetch(requirement((extra,)))
                if not extra_ok:
                    kept.remove(extra)
                    missing.append(Missing(extra, ", ".join(missing_packages(extra_output)) or "?",
                                           _last_error(extra_output)))
            if kept:
                ok, output = downloader.fetch(requirement(kept))
                if not ok:
                    missing.append(Missing(",".join(kept), ", ".join(missing_packages(output)) or "?",
                                           "these extras' wheels do not resolve together: " + _last_error(output)))
                    kept = []
    files = tuple(sorted(folder.glob("*.whl")))
    return PlatformResult(downloader.platform, tuple(kept), tuple(missing), files)


def _last_error(output: str) -> str:
    """The line of pip's failure a person should read."""
    errors = [line.removeprefix("ERROR: ").strip() for line in output.splitlines() if line.startswith("ERROR:")]
    plain = [e for e in errors if e.startswith(("No matching distribution", "Cannot install"))]
    return (plain or errors or output.strip().splitlines() or ["pip failed"])[0]


def sha256sums(root: Path, results: Sequence[PlatformResult]) -> str:
    lines = []
    for result in results:
        for path in result.files:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            lines.append(f"{digest}  {path.relative_to(root).as_posix()}")
    return "\n".join(lines) + "\n"


def install_text(results: Sequence[PlatformResult], *, pythons: Sequence[str]) -> str:
    """INSTALL.txt: one page a person follows on a laptop with no network."""
    lines = [f"{DISTRIBUTION} {__version__}: install on a laptop from this folder, no network needed",
             "=" * 72, "",
             f"Made {time.strftime('%Y-%m-%d')} for Python {', '.join(pythons)} "
             "(install that Python first: python.org; on Windows tick \"Add python.exe to PATH\").",
             "Open a terminal IN THIS FOLDER (the one holding INSTALL.txt), then run the two lines for",
             "your system:", ""]
    for result in results:
        lines += [f"{result.platform.label}:", f"    {result.platform.venv}", f"    {result.install_line()}", ""]
    lines += ["Then, on every system:", "    designkit doctor      (click Allow when the browser asks for the "
              "microphone)", "    designkit lab", ""]
    missing = [(r, m) for r in results for m in r.missing]
    lines.append("Not available as wheels (left out of the line above for that system):")
    if not missing:
        lines.append("    nothing: every extra is here for every system.")
    for result, item in missing:
        lines.append(f"    {result.platform.name}: extra '{item.extra}' needs {item.package}, which has no wheel "
                     f"for this system ({item.reason})")
    lines += ["", "Check the files were copied whole:  sha256sum -c SHA256SUMS   (macOS: shasum -a 256 -c SHA256SUMS)"]
    return "\n".join(lines) + "\n"


def build(root: Path, *, platforms: Sequence[Platform], pythons: Sequence[str], extras: Sequence[str],
          find_links: Sequence[str] = (), torch_index: str = CPU_TORCH_INDEX, run: Runner = _pip,
          say: Callable[[str], None] = print) -> tuple[PlatformResult, ...]:
    """The wheelhouse in `root`: a folder of wheels per platform, INSTALL.txt and SHA256SUMS."""
    root.mkdir(parents=True, exist_ok=True)
    links = tuple(str(Path(link).resolve()) if Path(link).exists() else link for link in find_links)
    results = []
    for platform in platforms:
        say(f"designkit wheelhouse: {platform.name} (Python {', '.join(pythons)}) ...")
        downloader = Downloader(platform, tuple(pythons), root / platform.name, links, torch_index, run)
        result = build_platform(downloader, extras)
        say(f"  {len(result.files)} wheels, {result.bytes / 1e9:.2f} GB"
            + "".join(f"; no wheel: {m.package} (extra {m.extra})" for m in result.missing))
        results.append(result)
    (root / "SHA256SUMS").write_text(sha256sums(root, results))
    (root / "INSTALL.txt").write_text(install_text(results, pythons=pythons))
    return tuple(results)


def _wheelhouse(args: argparse.Namespace) -> int:
    results = build(Path(args.dir), platforms=parse_platforms(args.platforms), pythons=parse_pythons(args.python),
                    extras=tuple(e.strip() for e in args.extras.split(",") if e.strip()),
                    find_links=tuple(args.find_links or ()), torch_index=args.torch_index)
    print(f"designkit wheelhouse: wrote {Path(args.dir) / 'INSTALL.txt'} and SHA256SUMS")
    return 1 if any(not r.extras and r.missing for r in results) else 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    parser = sub.add_parser("wheelhouse", help="download every wheel a class needs, per system, for offline installs",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", help="folder to fill (one sub-folder per system, INSTALL.txt, SHA256SUMS)")
    parser.add_argument("--platforms", default=",".join(PLATFORMS),
                        help=f"comma-separated, of {', '.join(PLATFORMS)} (default: all of them)")
    parser.add_argument("--python", default=here, help=f"Python versions of the laptops, e.g. 3.11,3.12 (default {here})")
    parser.add_argument("--extras", default=",".join(DEFAULT_EXTRAS), help="the kit's extras (default: all)")
    parser.add_argument("--find-links", action="append", metavar="DIR",
                        help="a folder with wheels not on the package index, e.g. dist (this kit before release)")
    parser.add_argument("--torch-index", default=CPU_TORCH_INDEX,
                        help=f"where Linux gets torch (default: the CPU builds, {CPU_TORCH_INDEX}); '' for pip's own")
    parser.set_defaults(handler=_wheelhouse)
