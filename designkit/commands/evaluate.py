"""`designkit evaluate`: metrics of session logs, or Full-Duplex-Bench scores of a folder.

    designkit evaluate DIR --json                 # DIR: Full-Duplex-Bench example folders
    designkit evaluate LOG [LOG ...] [--truth T.json ...] [--json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from designkit.commands import action, json_safe
from designkit.errors import InputError


def _folder(args: argparse.Namespace) -> int:
    from designkit.metrics.fdbench import evaluate_folder
    from designkit.metrics.fdbench.folder import TASK_FILES

    lines = 0
    for line in evaluate_folder(args.paths[0], task=args.task, reference=args.reference):
        lines += 1
        if args.json:
            print(json.dumps({k: json_safe(v) for k, v in line.items()}), flush=True)
        else:
            print("  ".join(f"{k}={json_safe(v)}" for k, v in line.items()
                            if k not in ("latency_stop_list", "latency_resp_list")), flush=True)
    if not lines:  # an empty answer would read as "nothing wrong" to a script
        files = ", ".join(sorted({name for name, _ in TASK_FILES} | {"output.wav"}))
        raise InputError(f"DIR {args.paths[0]}", expected="example folders, each with one of " + files,
                         got="no example folder", fix="point it at the folder that holds the example folders")
    return 0


def _logs(args: argparse.Namespace) -> int:
    from designkit.log import read_log
    from designkit.metrics.session import SessionTruth, evaluate

    logs = [read_log(p) for p in args.paths]
    if args.truth:
        if len(args.truth) != len(logs):
            raise InputError("--truth", expected=f"{len(logs)} truth files (one per log)", got=len(args.truth))
        truths = []
        for path in args.truth:
            try:
                data = json.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise InputError(str(path), expected="a JSON truth file", got=repr(exc)) from exc
            truths.append(SessionTruth.make(**data))
    else:  # no truth: the user's speech as the log saw it, nothing else
        truths = [SessionTruth.make(duration_s=log.duration, name=str(log.header.get("name", p)))
                  for log, p in zip(logs, args.paths, strict=True)]
    frame = evaluate(logs, truths)
    if args.json:
        for name, row in frame.iterrows():
            print(json.dumps({"session": name, **{k: json_safe(float(v)) for k, v in row.items()}}))
    else:
        print(frame.T.to_string(float_format=lambda v: f"{v:.3f}"))
    return 0


def _run(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths]
    if len(paths) == 1 and paths[0].is_dir():
        return _folder(args)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise InputError("paths", expected="session logs or one Full-Duplex-Bench folder", got=missing)
    return _logs(args)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from designkit.metrics.fdbench import TASKS

    p = action(
        sub, "evaluate", _run, help="metrics of session logs, or Full-Duplex-Bench scores of a folder",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", help="session logs, or one folder of example folders")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--task", choices=TASKS, help="Full-Duplex-Bench task (default: from each folder's annotation)")
    p.add_argument("--reference", help="icc_gt_distribution.json for backchannel JSD (default: DIR/icc_gt_distribution.json)")
    p.add_argument("--truth", nargs="+", help="one truth JSON per log: duration_s, user_speech, respond_at, ...")
