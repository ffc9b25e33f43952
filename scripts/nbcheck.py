"""A pytest plugin for nbval runs: a notebook cell that prints a warning fails, even where its
output is not compared. Designers read those outputs; a warning there is noise or a real problem.

    python -m pytest -p nbcheck --nbval-lax notebooks/*.ipynb      (with scripts/ on PYTHONPATH)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

WARNING = re.compile(r"\b\w*Warning: |^WARNING\b|^\s*warnings\.warn\(", re.MULTILINE)


def _text(output: Any) -> str:
    if output.get("output_type") == "stream":
        return str(output.get("text", ""))
    data = output.get("data", {}) or {}
    return str(data.get("text/plain", ""))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if call.when != "call" or not report.passed or type(item).__name__ != "IPyNbCell":
        return
    for output in getattr(item, "test_outputs", None) or []:
        text = _text(output)
        match = WARNING.search(text)
        if match:
            start = max(0, text.rfind("\n", 0, match.start()) + 1)
            report.outcome = "failed"
            report.longrepr = f"{item.name}: the cell printed a warning:\n{text[start:start + 600]}"
            return
