"""The release as a laptop gets it: `make dist`'s wheel carries the notebooks, studies, widget assets and
the own model's weights and nothing of the tests; the sdist builds the same wheel; and a classroom
wheelhouse installs on Linux with the network off."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from designkit import DISTRIBUTION, __version__
from designkit.commands import wheelhouse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import wheel_check  # noqa: E402

pytestmark = pytest.mark.slow


def build(source: Path, *args: str, out: Path) -> None:
    subprocess.run([sys.executable, "-m", "build", *args, "--outdir", str(out), str(source)], check=True,
                   capture_output=True, text=True)


def clean_checkout(target: Path) -> Path:
    """The files git sees (tracked, and new ones not ignored), as a fresh clone with these edits would have:
    one snapshot, so every build below reads the same files."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return clean_checkout(tmp_path_factory.mktemp("checkout"))


@pytest.fixture(scope="module")
def dist(checkout: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m build`: the sdist, then the wheel built from that sdist (what `make dist` does)."""
    out = tmp_path_factory.mktemp("dist")
    build(checkout, out=out)
    return out


def the_wheel(folder: Path) -> Path:
    return folder / f"{DISTRIBUTION.replace('-', '_')}-{__version__}-py3-none-any.whl"


def test_the_wheel_carries_what_a_laptop_needs_and_no_tests(checkout: Path, dist: Path) -> None:
    assert wheel_check.contents_problems(the_wheel(dist)) == []
    names = wheel_check.wheel_names(the_wheel(dist))
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "scripts/"))]
    notebooks = {n.removeprefix("designkit/_assets/") for n in names if n.endswith(".ipynb")}
    in_checkout = {p.relative_to(checkout).as_posix() for p in [*checkout.glob("notebooks/**/*.ipynb"),
                                                               *checkout.glob("studies/*/*.ipynb")]}
    assert in_checkout == notebooks
    metadata = wheel_check.wheel_metadata(the_wheel(dist))
    assert (metadata["name"], metadata["version"]) == (DISTRIBUTION, __version__)


def test_the_sdist_builds_the_same_wheel_as_the_checkout(checkout: Path, dist: Path, tmp_path: Path) -> None:
    build(checkout, "--wheel", out=tmp_path)  # straight from the checkout, not through the sdist
    assert wheel_check.wheel_names(the_wheel(tmp_path)) == wheel_check.wheel_names(the_wheel(dist))
    assert wheel_check.wheel_record(the_wheel(tmp_path)) == wheel_check.wheel_record(the_wheel(dist))


def test_twine_accepts_both(dist: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, sorted(dist.iterdir()))],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_linux_wheelhouse_installs_with_the_network_off(dist: Path, tmp_path: Path) -> None:
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    linux = wheelhouse.PLATFORMS["linux-x86_64"]
    results = wheelhouse.build(tmp_path / "wheels", platforms=(linux,), pythons=(here,), extras=("sound",),
                               find_links=(str(dist),), torch_index="", say=lambda _: None)
    assert results[0].extras == ("sound",) and not results[0].missing
    text = (tmp_path / "wheels" / "INSTALL.txt").read_text()
    line = re.search(r"pip install --no-index --find-links linux-x86_64 .*", text)
    assert line is not None and line.group(0) == f'pip install --no-index --find-links linux-x86_64 "{DISTRIBUTION}[sound]"'
    checked = subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=tmp_path / "wheels")
    assert checked.returncode == 0

    laptop = tmp_path / "laptop"
    done = wheel_check.offline_install(tmp_path / "wheels", line.group(0), laptop)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    python = str(laptop / "bin" / "python")
    used = subprocess.run([*wheel_check.no_network(), python, "-c",
                           "import designkit, espeakng_loader; print(designkit.__version__)"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert used.stdout.strip() == __version__, used.stderr
