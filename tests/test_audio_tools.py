"""The kit finds espeak-ng and ffmpeg in the Python wheels first, the system second, and says
clearly what to install when neither is there."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from designkit.audio import tools
from designkit.audio.tools import ToolMissing, espeak_paths, ffmpeg_exe

HAS_ESPEAK_WHEEL = importlib.util.find_spec("espeakng_loader") is not None
HAS_FFMPEG_WHEEL = importlib.util.find_spec("imageio_ffmpeg") is not None


@pytest.mark.skipif(not HAS_ESPEAK_WHEEL, reason="espeakng-loader (extra `sound`) is not installed")
def test_espeak_comes_from_the_wheel_when_installed() -> None:
    paths = espeak_paths()
    assert paths.source == "wheel"
    assert Path(paths.library).is_file() and (Path(paths.data or "") / "phontab").is_file()


@pytest.mark.skipif(not HAS_FFMPEG_WHEEL, reason="imageio-ffmpeg (extra `sound`) is not installed")
def test_ffmpeg_comes_from_the_wheel_and_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(tools.NO_SYSTEM_ENV, "1")
    exe = ffmpeg_exe()
    assert "imageio_ffmpeg" in exe
    out = subprocess.run([exe, "-hide_banner", "-version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("ffmpeg version")


def test_without_wheels_and_with_the_system_hidden_the_errors_say_what_to_install(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "espeakng_loader", None)  # import fails, as when not installed
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)
    monkeypatch.setenv(tools.NO_SYSTEM_ENV, "1")
    with pytest.raises(ToolMissing, match=r"espeak-ng: the wheel `espeakng-loader` is not installed.*designkit\[sound\]"):
        espeak_paths()
    with pytest.raises(ToolMissing, match=r"ffmpeg: found neither.*DESIGNKIT_NO_SYSTEM_TOOLS is set.*designkit\[sound\]"):
        ffmpeg_exe()
    monkeypatch.setenv(tools.NO_SYSTEM_ENV, "0")  # the system fallback is back
    assert espeak_paths().source == "system"


def test_an_explicit_library_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(tools.ESPEAK_ENV, str(tmp_path / "libespeak-ng.dylib"))
    paths = espeak_paths()
    assert (paths.library, paths.source) == (str(tmp_path / "libespeak-ng.dylib"), tools.ESPEAK_ENV)


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="Linux only: reads the process's mapped files")
def test_the_library_that_speaks_is_the_one_the_lookup_chose() -> None:
    """With DESIGNKIT_NO_SYSTEM_TOOLS=1 (make test's laptop check) this proves the system
    libespeak-ng was never loaded, whatever the machine has installed."""
    from designkit.render.tts import synthesize

    assert synthesize("hello").duration > 0.1
    loaded = {line.split()[-1] for line in Path("/proc/self/maps").read_text().splitlines()
              if "libespeak-ng" in line}
    assert loaded, "no libespeak-ng mapped"
    paths = espeak_paths()
    if paths.source == "wheel":
        assert {str(Path(p).resolve()) for p in loaded} == {str(Path(paths.library).resolve())}
    if not tools.system_tools_allowed():
        assert all("espeakng_loader" in p for p in loaded), loaded
