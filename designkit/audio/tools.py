"""Where the kit finds the programs and libraries it speaks and decodes with (standard library only).

A laptop has no Debian packages, so the kit looks in the Python wheels first and in the system
second: libespeak-ng and its voice data come from `espeakng-loader`, ffmpeg from
`imageio-ffmpeg` (both in the extra `sound`, part of `all`). The same wheel on every laptop also
means the same espeak-ng version, so generated scenarios sound the same everywhere.

`DESIGNKIT_NO_SYSTEM_TOOLS=1` turns the system fallback off: `make test` uses it to prove that a
fresh `pip install` works on a machine without the Debian packages.
"""

from __future__ import annotations

import ctypes.util
import importlib
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

NO_SYSTEM_ENV = "DESIGNKIT_NO_SYSTEM_TOOLS"
ESPEAK_ENV = "DESIGNKIT_ESPEAK_LIBRARY"  # an explicit libespeak-ng to use (e.g. a Homebrew one)
INSTALL_HINT = 'pip install "duplex-designkit[sound]" (part of duplex-designkit[all])'


class ToolMissing(LookupError):
    """A program or library the kit needs was found neither in a wheel nor on the system."""


def system_tools_allowed() -> bool:
    """False when $DESIGNKIT_NO_SYSTEM_TOOLS is set to anything but '', '0' or 'false'."""
    return os.environ.get(NO_SYSTEM_ENV, "").strip().lower() in ("", "0", "false", "no")


@dataclass(frozen=True, slots=True)
class EspeakPaths:
    """The espeak-ng library to load and the data folder to hand it (None: its built-in default)."""

    library: str
    data: str | None
    source: str  # "wheel", "system" or the variable that named it


def _wheel_module(name: str) -> object | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def espeak_paths() -> EspeakPaths:
    """$DESIGNKIT_ESPEAK_LIBRARY when set; else libespeak-ng from `espeakng-loader` when installed;
    else the system's (unless disabled)."""
    explicit = os.environ.get(ESPEAK_ENV, "").strip()
    if explicit:
        return EspeakPaths(explicit, os.environ.get("ESPEAK_DATA_PATH") or None, ESPEAK_ENV)
    loader = _wheel_module("espeakng_loader")
    if loader is not None:
        try:
            library = str(loader.get_library_path())  # type: ignore[attr-defined]
            data = str(loader.get_data_path())  # type: ignore[attr-defined]
        except (RuntimeError, OSError):
            library, data = "", ""
        if library and Path(library).is_file() and Path(data).is_dir():
            return EspeakPaths(library, data, "wheel")
    if not system_tools_allowed():
        raise ToolMissing(f"espeak-ng: the wheel `espeakng-loader` is not installed ({NO_SYSTEM_ENV} is set, "
                          f"so the system library is not used); install it: {INSTALL_HINT}")
    found = ctypes.util.find_library("espeak-ng")
    if not found:
        found = {"darwin": "libespeak-ng.dylib", "win32": "libespeak-ng.dll"}.get(sys.platform, "libespeak-ng.so.1")
    return EspeakPaths(found, None, "system")


def ffmpeg_exe() -> str:
    """The ffmpeg program: `imageio-ffmpeg`'s when installed, else `ffmpeg` on PATH (unless disabled)."""
    wheel = _wheel_module("imageio_ffmpeg")
    if wheel is not None:
        try:
            exe = str(wheel.get_ffmpeg_exe())  # type: ignore[attr-defined]
        except RuntimeError:
            exe = ""
        # imageio-ffmpeg itself falls back to $IMAGEIO_FFMPEG_EXE or PATH when its binary is missing:
        # only a binary inside its package counts as "from the wheel".
        if exe and Path(exe).is_file() and (system_tools_allowed() or _inside(exe, wheel)):
            return exe
    if system_tools_allowed():
        found = shutil.which("ffmpeg")
        if found:
            return found
    raise ToolMissing(f"ffmpeg: found neither the wheel `imageio-ffmpeg`"
                      f"{'' if system_tools_allowed() else f' ({NO_SYSTEM_ENV} is set)'} nor `ffmpeg` on PATH; "
                      f"install it: {INSTALL_HINT}")


def _inside(path: str, module: object) -> bool:
    root = Path(getattr(module, "__file__", "") or ".").resolve().parent
    return root in Path(path).resolve().parents
