"""`python -m designkit.training COMMAND ...`: one entry for every training job."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

COMMANDS = {
    "train": "train the turn-taking model and write its weights, config and model card",
    "language-probe": "train the language ID head on generated espeak-ng speech",
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in COMMANDS:
        parser = argparse.ArgumentParser(prog="python -m designkit.training", description=__doc__)
        parser.add_argument("command", choices=sorted(COMMANDS),
                            help="; ".join(f"{name}: {what}" for name, what in COMMANDS.items()))
        parser.parse_args(args[:1])
        return 2
    command, rest = args[0], args[1:]
    if command == "train":
        from designkit.training.train import main as train_main

        return train_main(rest)
    from designkit.training.language_probe import REPO_PROBE, train

    parser = argparse.ArgumentParser(prog="python -m designkit.training language-probe")
    parser.add_argument("--out", default=str(REPO_PROBE))
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args(rest)
    logging.basicConfig(level=logging.INFO)
    from pathlib import Path

    train(Path(options.out), seed=options.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
