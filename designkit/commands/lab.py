"""`designkit lab`: open JupyterLab on the notebooks and studies, on 127.0.0.1 (a secure context, so
the browser lets the live widget use the microphone).

From a checkout, the notebooks open in place. From a `pip install`, they come inside the wheel and
are copied once into a folder of your own (`./designkit-notebooks` unless `--dir` says otherwise), so
your edits are yours. After an upgrade, a file you edited stays as it is and the kit's new version is
written beside it (`01-live-microturns.new-0.2.0.ipynb`); a file you did not edit is updated in place;
the command says which (designkit/commands/notebook_copy.py).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from importlib import resources
from pathlib import Path

from designkit import DISTRIBUTION, __version__, install_line
from designkit.commands.notebook_copy import MANIFEST, Upgrade, sync
from designkit.errors import InputError

log = logging.getLogger(__name__)

FIRST_NOTEBOOK = "notebooks/00-start-here.ipynb"
DEFAULT_DIR = "designkit-notebooks"
_SOURCE_TREE = Path(__file__).resolve().parents[2]


def packaged_material() -> Path | None:
    """The folder holding notebooks/, studies/ and docs/: the wheel's copy, or the source tree when
    designkit runs from a checkout (editable install)."""
    packaged = resources.files("designkit").joinpath("_assets")
    if packaged.joinpath(FIRST_NOTEBOOK).is_file():
        return Path(str(packaged))
    if (_SOURCE_TREE / FIRST_NOTEBOOK).is_file():
        return _SOURCE_TREE
    return None


def open_workspace(target: str | os.PathLike[str] | None) -> tuple[Path, Upgrade | None]:
    """Where JupyterLab opens, and what was copied or upgraded there (None when nothing was looked at).

    `target` (filled from the package the first time, upgraded without overwriting your edits later);
    the current folder when it already has the notebooks; else the checkout; else ./designkit-notebooks."""
    if target is None:
        here = Path.cwd()
        if (here / FIRST_NOTEBOOK).is_file():
            return here, _upgrade(here)
        source = packaged_material()
        if source is not None and source == _SOURCE_TREE:
            return source, None
        target = here / DEFAULT_DIR
    folder = Path(target).expanduser().resolve()
    if (folder / FIRST_NOTEBOOK).is_file():
        return folder, _upgrade(folder)
    source = packaged_material()
    if source is None:
        raise InputError("notebooks", expected="the notebooks inside the designkit package", got="not found",
                         fix=f'reinstall it: pip install --force-reinstall "{DISTRIBUTION}[all]"')
    upgrade = sync(folder, source, version=__version__)
    log.info("%s", upgrade.summary())
    return folder, upgrade


def workspace(target: str | os.PathLike[str] | None) -> Path:
    """The folder JupyterLab opens (see open_workspace)."""
    return open_workspace(target)[0]


def _upgrade(folder: Path) -> Upgrade | None:
    """Bring a copy made by `designkit lab` (it has a manifest) up to the installed kit's notebooks."""
    source = packaged_material()
    if source is None or source == folder or not (folder / MANIFEST).is_file():
        return None  # the checkout itself, or notebooks this command did not copy
    return sync(folder, source, version=__version__)


def lab_command(folder: Path, *, port: int | None, browser: bool) -> list[str]:
    """JupyterLab on 127.0.0.1 opening the first notebook (`--allow-root` only when root)."""
    cmd = [sys.executable, "-m", "jupyter", "lab", "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={folder}",
           f"--ServerApp.default_url=/lab/tree/{FIRST_NOTEBOOK}"]
    if port is not None:
        cmd.append(f"--ServerApp.port={port}")
    if not browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


def _lab(args: argparse.Namespace) -> int:
    if not _has_jupyterlab():
        raise InputError("JupyterLab", expected="the `live` extra", got="not installed",
                         fix=install_line("all"))
    from designkit.study.serving import run_server

    folder, upgrade = open_workspace(args.dir)
    if upgrade is not None and upgrade.summary():
        print(f"designkit lab: {upgrade.summary()}")
    print(f"designkit lab: opening {folder / FIRST_NOTEBOOK} on http://127.0.0.1 (Ctrl-C to stop)")
    return run_server(lab_command(folder, port=args.port, browser=not args.no_browser), cwd=folder)


def _has_jupyterlab() -> bool:
    import importlib.util

    return importlib.util.find_spec("jupyterlab") is not None


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    lab = sub.add_parser("lab", help="open JupyterLab on the notebooks (127.0.0.1, microphone allowed)",
                         description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    lab.add_argument("--dir", help=f"folder for your copy of the notebooks (default: ./{DEFAULT_DIR}, "
                                    "or the checkout when run from one)")
    lab.add_argument("--port", type=int, help="port (default: JupyterLab's, 8888 or the next free one)")
    lab.add_argument("--no-browser", action="store_true", help="print the address instead of opening a browser")
    lab.set_defaults(handler=_lab)
