"""The `designkit` command: each area of the kit registers its own subcommands."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from designkit import __version__
from designkit.errors import DesignkitError

# Modules with `register(subparsers)`; each adds its subcommands with their own --help.
COMMAND_MODULES = (
    "designkit.commands.demo",
    "designkit.commands.replay",
    "designkit.commands.logs",
    "designkit.commands.evaluate",
    "designkit.commands.model",
    "designkit.commands.scenarios",
    "designkit.commands.study",
    "designkit.commands.host",
    "designkit.commands.lab",
    "designkit.commands.doctor",
    "designkit.commands.wheelhouse",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="designkit",
        description="Prototype the timing of full-duplex interaction models: replay, measure, publish.",
    )
    parser.add_argument("--version", action="version", version=f"designkit {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # that area is not part of this install
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except DesignkitError as exc:
        print(f"designkit: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
