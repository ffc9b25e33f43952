"""`designkit doctor` finds the unrelated project that is also called designkit on the package index
(it installs an import package of the same name) and says how to get this kit back."""

from __future__ import annotations

from pathlib import Path

import pytest

from designkit import DISTRIBUTION
from designkit.commands.doctor import FAIL, OK, WARN, check_name, render


def installed(site: Path, name: str, version: str, summary: str) -> None:
    """A distribution's metadata as pip leaves it, providing the top-level package `designkit`."""
    info = site / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: {summary}\n")
    (info / "top_level.txt").write_text("designkit\n")


def test_this_kit_alone_is_fine() -> None:
    check = check_name()
    assert check.status == OK and DISTRIBUTION in check.detail


def test_the_other_designkit_is_a_failure_with_the_way_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    installed(tmp_path, "designkit", "0.2.4", "A modern Python toolkit for software architecture, featuring all "
                                              "12 GoF + 18 original design patterns")
    monkeypatch.syspath_prepend(str(tmp_path))
    check = check_name()
    assert check.status == FAIL and "designkit 0.2.4" in check.detail
    assert f"pip uninstall -y designkit {DISTRIBUTION}" in check.fix and f'"{DISTRIBUTION}[all]"' in check.fix
    assert "NOT READY" in render([check])


def test_this_kit_under_its_old_name_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    installed(tmp_path, "designkit", "0.1.0", "Prototype how a full-duplex interaction model behaves in time")
    monkeypatch.syspath_prepend(str(tmp_path))
    check = check_name()
    assert check.status == WARN and check.fix == "pip uninstall -y designkit"
