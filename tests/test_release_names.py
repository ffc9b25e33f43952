"""The kit's own name and version: every install line a person reads installs this kit (never the
unrelated `designkit` on the package index), and the version is declared in one place."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import tomllib

import designkit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import install_lines  # noqa: E402

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_install_line_names_this_kit_or_a_declared_dependency() -> None:
    offenders = [f"{line.where}: {name!r} in {line.text!r}" for line, name in install_lines.foreign(ROOT)]
    assert offenders == []


def test_the_check_catches_the_unrelated_designkit(tmp_path: Path) -> None:
    (tmp_path / "designkit").mkdir()
    (tmp_path / "designkit" / "weights.py").write_text("")
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    (tmp_path / "README.md").write_text('## Install on your laptop\n\n```bash\npip install "designkit[all]"\n```\n')
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "x.md").write_text("Run `pip install --no-deps silero-vad` then `pip install designkit`.\n")
    found = [(line.where, name) for line, name in install_lines.foreign(tmp_path)]
    assert found == [("README.md", "designkit"), ("docs/x.md", "designkit")]


@pytest.mark.parametrize(("command", "names"), [
    ('pip install "duplex-designkit[all]"', ("duplex-designkit",)),
    ("pip install --no-index --find-links WHEELS 'duplex-designkit[live,sound]'`).", ("duplex-designkit",)),
    ("pip install -q -e '.[all]'", ()),
    ("pip install --no-deps moshi==0.2.13` after `.[all]`.", ("moshi",)),
    ("pip install imageio-ffmpeg, or install ffmpeg (make setup does)", ("imageio-ffmpeg",)),
    ("pip install designkit && designkit doctor", ("designkit",)),
    ("pip install dist/duplex_designkit-0.2.0-py3-none-any.whl", ()),
])
def test_install_lines_are_read_as_pip_reads_them(command: str, names: tuple[str, ...]) -> None:
    assert install_lines.requirement_names(command) == names


def test_the_distribution_name_is_declared_once_and_the_kit_uses_it() -> None:
    assert PYPROJECT["project"]["name"] == designkit.DISTRIBUTION == "duplex-designkit"
    assert install_lines.requirement_names(designkit.install_line("all")) == (designkit.DISTRIBUTION,)
    # extras that pull other extras name the kit itself
    for requirement in PYPROJECT["project"]["optional-dependencies"]["all"]:
        assert requirement.startswith(f"{designkit.DISTRIBUTION}[")


def test_the_readme_laptop_command_is_the_same_on_every_system() -> None:
    command = install_lines.readme_command(ROOT)
    assert command == designkit.install_line("all")
    section = (ROOT / "README.md").read_text().split(install_lines.LAPTOP_SECTION, 1)[1].split("\n## ", 1)[0]
    assert [line.strip() for line in section.splitlines() if line.strip().startswith("pip install")] == [command] * 2


def test_the_version_is_declared_once_in_the_package() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    source = ROOT / PYPROJECT["tool"]["hatch"]["version"]["path"]
    assert source == ROOT / "designkit" / "__init__.py"
    assert re.findall(r'^__version__ = "([^"]+)"$', source.read_text(), re.MULTILINE) == [designkit.__version__]
    assert re.fullmatch(r"\d+\.\d+\.\d+", designkit.__version__)  # semantic: MAJOR.MINOR.PATCH
    # the changelog's newest entry is this version
    headings = re.findall(r"^## \[?(\d+\.\d+\.\d+)", (ROOT / "CHANGELOG.md").read_text(), re.MULTILINE)
    assert headings[0] == designkit.__version__


def test_the_command_reports_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    from designkit.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["--version"])
    assert capsys.readouterr().out.strip() == f"designkit {designkit.__version__}"
