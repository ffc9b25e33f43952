"""`designkit doctor` without a browser: the kit's own checks, and how browser reports read."""

from __future__ import annotations

import json

import pytest

from designkit.cli import main as cli
from designkit.commands.doctor import browser_checks, browser_name, render
from designkit.widgets.preflight import CHUNKS, BrowserReport

CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"


def test_the_local_checks_pass_here(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["doctor", "--no-browser", "--json"]) == 0
    checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)}
    assert {checks[n]["status"] for n in ("python", "notebooks", "voice (TTS)")} == {"ok"}
    assert checks["browser"]["status"] == "skip"


@pytest.mark.parametrize(("agent", "expected"), [
    (CHROME_UA, ("Chrome", 131)),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
     ("Safari", 17)),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0", ("Firefox", 128)),
    (CHROME_UA + " Edg/131.0.0.0", ("Edge", 131)),
    ("curl/8", ("unknown", 0)),
])
def test_browser_names(agent: str, expected: tuple[str, int]) -> None:
    assert browser_name(agent) == expected


def report(**raw: object) -> BrowserReport:
    base = {"secureContext": True, "userAgent": CHROME_UA, "permission": "granted", "errorName": None,
            "settings": {"echoCancellation": True, "noiseSuppression": True}, "sampleRate": 16000,
            "peakDb": -12.0, "answered": CHUNKS, "rttMs": [10.0] * CHUNKS}
    return BrowserReport(raw={**base, **raw})


def test_a_good_report_reads_ready() -> None:
    text = render(browser_checks(report(), mode="room"))
    assert text.splitlines()[-1] == "READY: every check passed"


@pytest.mark.parametrize(("raw", "line", "fix"), [
    ({"errorName": "NotAllowedError", "error": "Permission denied", "permission": "denied"},
     "✘ microphone   blocked (NotAllowedError", "set Microphone to Allow"),
    ({"errorName": "NotFoundError", "error": "Requested device not found"},
     "✘ microphone   not available (NotFoundError", "plug in a headset"),
    ({"secureContext": False, "errorName": "InsecureContext", "error": "not a secure context"},
     "✘ secure page", "http://127.0.0.1"),
    ({"rttMs": [400.0] * CHUNKS}, "✘ round trip", "too busy"),
    ({"answered": 3, "rttMs": [10.0] * 3}, "✘ round trip   3/15", "page was closed early"),
])
def test_problems_read_as_a_cross_and_what_to_do(raw: dict[str, object], line: str, fix: str) -> None:
    text = render(browser_checks(report(**raw), mode="room"))
    assert any(row.startswith(f"  {line}") for row in text.splitlines()), text
    assert fix in text and text.splitlines()[-1].startswith("NOT READY")


def test_warnings_do_not_stop_the_class() -> None:
    text = render(browser_checks(report(peakDb=-80.0, settings={"echoCancellation": False,
                                                                 "noiseSuppression": True}), mode="room"))
    assert "! sound level" in text and "! microphone" in text and "use a headset" in text
    assert text.splitlines()[-1].startswith("READY (check: microphone, sound level)")


def test_a_page_that_never_reports() -> None:
    text = render(browser_checks(BrowserReport(), mode="room"))
    assert "never reported back" in text and text.splitlines()[-1].startswith("NOT READY")
