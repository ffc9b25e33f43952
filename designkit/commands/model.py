"""`designkit model evaluate`: score the turn-taking model beside its baselines on your recordings.

    designkit model evaluate rec1.wav rec2.wav            # rec1.csv / rec1.txt / rec1.TextGrid beside each
    designkit model evaluate folder1 folder2 --json       # folders with audio.wav + labels.csv
    designkit model evaluate recs/*.wav --card models/vap --source "12 kitchen-table recordings"

Besides shift/hold accuracy it prints end-of-turn curves as LiveKit's eot-bench reports them:
false cut-off rate at 300 / 600 ms of silence and the delay for 5 % / 10 % false cut-offs, for the
own model, Smart Turn v3, Silero + timeout and a timeout behind a perfect VAD (`end_of_turn`,
and the whole curve as `end_of_turn_curve` in `--json`).

Annotations need `user` spans, `turn_end` points and `hold` spans (pauses inside a turn);
`backchannel` points add the backchannel AUC. `--card` writes the table into that model
folder's MODEL_CARD.md and evaluation.json ("Evaluation on imported recordings").
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from designkit.commands import action, json_safe
from designkit.errors import InputError


def _write_card(folder: Path, table: dict[str, Any], source: str) -> None:
    from designkit.training import model_card as card

    card_path, evaluation_path = folder / "MODEL_CARD.md", folder / "evaluation.json"
    for required in (card_path, evaluation_path):
        if not required.exists():
            raise InputError(f"--card {folder}", expected="a model folder with MODEL_CARD.md and evaluation.json",
                             got=f"no {required.name}")
    evaluation = json.loads(evaluation_path.read_text(encoding="utf-8"))
    evaluation["imported"] = {"source": source, "table": json_safe(table)}
    evaluation_path.write_text(json.dumps(evaluation, indent=2) + "\n", encoding="utf-8")
    text = card.with_imported(card_path.read_text(encoding="utf-8"), card.imported_section(table, source))
    card_path.write_text(text, encoding="utf-8")


def _evaluate(args: argparse.Namespace) -> int:
    from designkit.perception.audio.turn_taking import load_net
    from designkit.training import dialogues as data
    from designkit.training import model_card as card

    dialogues = data.load_recordings(args.recordings)
    weights = args.weights if args.weights is not None else (args.card / "vap.pt" if args.card else None)
    net = load_net(weights)
    table = card.evaluate(net, dialogues, smart_turn=not args.no_smart_turn, progress=not args.json)
    if not args.no_eot:
        from designkit.training import eot_bench

        curves = eot_bench.curves(net, dialogues, smart_turn=not args.no_smart_turn)
        table["end_of_turn"] = eot_bench.summary(curves)
        table["end_of_turn_curve"] = eot_bench.points(curves)
    if args.json:
        print(json.dumps(json_safe(table)))
    else:
        print(card.markdown_table(table))
        if "end_of_turn" in table:
            print("\nEnd of turn (eot-bench style): false cut-offs at 300 / 600 ms of silence, delay for 5 % / 10 %")
            print(eot_bench.markdown(table["end_of_turn"]))
    if args.card is not None:
        source = args.source or f"Recordings: {', '.join(d.name for d in dialogues)}."
        _write_card(args.card, table, source)
        if not args.json:
            print(f"\nwritten into {args.card / 'MODEL_CARD.md'}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("model", help="score the turn-taking model on your own recordings",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ev = action(actions, "evaluate", _evaluate, help="shift/hold, latency and backchannel scores beside the baselines",
                description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ev.add_argument("recordings", nargs="+", help="WAV files with annotations beside them, or folders with audio.wav")
    ev.add_argument("--weights", type=Path, default=None, help="a vap.pt checkpoint (default: the shipped model)")
    ev.add_argument("--no-smart-turn", action="store_true", help="leave Smart Turn v3 out (faster)")
    ev.add_argument("--json", action="store_true", help="the whole table as one JSON object")
    ev.add_argument("--no-eot", action="store_true",
                    help="leave out the end-of-turn curves (false cut-offs at 300 / 600 ms, delay for 5 / 10 %%)")
    ev.add_argument("--card", type=Path, default=None,
                    help="a model folder (e.g. models/vap): write the table into its card; its vap.pt is scored")
    ev.add_argument("--source", default="", help="with --card: one line saying what the recordings are")
