"""Subcommands of the `designkit` CLI, one module per area."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any

Handler = Callable[[argparse.Namespace], int]


def json_safe(value: Any) -> Any:
    """`value` with every non-finite float (inside dicts and lists too) as None: strict JSON for
    other tools, where Python would write NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    return value


def action(parsers: argparse._SubParsersAction, name: str, handler: Handler,  # type: ignore[type-arg]
           **options: Any) -> argparse.ArgumentParser:
    """The subcommand `name` (`options` as for `add_parser`: help, description), run by `handler`."""
    parser: argparse.ArgumentParser = parsers.add_parser(name, **options)
    parser.set_defaults(handler=handler)
    return parser
