"""`designkit scenarios list|generate|import`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from designkit import scenarios
from designkit.commands import action
from designkit.errors import InputError
from designkit.scenarios.recorded import import_fdbench, import_recording, write_labels


def _list(args: argparse.Namespace) -> int:
    for name, info in sorted(scenarios.sets().items()):
        params = json.dumps(dict(info.params))
        print(f"{name:22s} {info.kind:10s} n={info.default_n:<3d} {info.description}  {params}")
    if args.verbose:
        from designkit.scenarios.params import describe

        print('\nparams a study.json may set per scenario set ({"set": ..., "params": {...}}):')
        for kind in sorted(scenarios.store.generators()):
            print(f"\n{kind}:")
            for param, valid in describe(kind).items():
                print(f"  {param:16s} {valid}")
        from designkit.audio.recordings import RECORDING_SUFFIXES
        from designkit.scenarios.recorded import ANNOTATION_SUFFIXES, LABELS

        print('\nyour own recordings in a study.json ({"recordings": "FOLDER"}, relative to study.json):')
        print(f"  audio files      {', '.join(sorted(RECORDING_SUFFIXES))} (any rate and channels)")
        print(f"  annotations      NAME{{{','.join(ANNOTATION_SUFFIXES[:3])}}} beside NAME.wav, or labels.* in its folder")
        print(f"  labels           {', '.join(LABELS)} (a point label uses its start)")
    return 0


def _generate(args: argparse.Namespace) -> int:
    if args.labels and not args.out:
        raise InputError("--labels", expected="--out DIR as well (labels are written beside audio.wav)", got="no --out")
    made = scenarios.get(args.set, n=args.n, seed=args.seed)
    total = sum(s.duration for s in made)
    print(f"{len(made)} scenarios, {total / 60:.1f} min, cached in {scenarios.store.cache_dir()}")
    if args.out:
        for s in made:
            folder = scenarios.save_scenario(s, Path(args.out) / s.name)
            if args.labels:
                write_labels(s.truth, folder / f"labels.{args.labels}")
        print(f"written to {args.out}")
    return 0


def _import(args: argparse.Namespace) -> int:
    source = Path(args.source)
    scenario = import_fdbench(source) if source.is_dir() else import_recording(source, args.annotations)
    folder = scenarios.save_scenario(scenario, args.out)
    truth = scenario.truth
    print(f"imported {scenario.name}: {scenario.duration:.1f} s, {len(truth.user_speech)} utterances, "
          f"{len(truth.cues)} cues -> {folder}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("scenarios", help="list, generate or import sessions with ground truth",
                       description="Sessions with ground truth: named generated sets and imported recordings.")
    actions = p.add_subparsers(dest="scenarios_command", metavar="ACTION", required=True)
    listing = action(actions, "list", _list, help="the named sets", description="List the named scenario sets.")
    listing.add_argument("-v", "--verbose", action="store_true",
                         help="also list each generator's params with their valid values")
    gen = action(actions, "generate", _generate, help="generate (or load) a named set",
                 description="Generate a named set once into the cache; --out also writes folders.")
    gen.add_argument("set", help="a set name from `designkit scenarios list`")
    gen.add_argument("-n", type=int, default=None, help="how many (default: the set's size)")
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--out", help="also write scenario folders here")
    gen.add_argument("--labels", choices=("csv", "txt"),
                     help="with --out: also write the truth as labels.csv or labels.txt (Audacity) beside audio.wav")
    imp = action(actions, "import", _import, help="a WAV with annotations, or a Full-Duplex-Bench folder",
                 description="Import a recording (any WAV; CSV, Audacity labels or TextGrid "
                             "annotations) or a Full-Duplex-Bench example folder as a scenario folder.")
    imp.add_argument("source", help="a .wav file or a folder with input.wav/output.wav/output.json")
    imp.add_argument("--annotations", help=".csv (start,end,label), .txt (Audacity labels) or .TextGrid")
    imp.add_argument("--out", required=True, help="the scenario folder to write")
