"""`designkit replay WAV-or-LOG --policy policy.json [--log OUT]`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from designkit.audio.recordings import RECORDING_SUFFIXES
from designkit.audio.wav import read_wav
from designkit.commands import action
from designkit.core import Engine, Session
from designkit.log import make_header, read_log, replay_to_log
from designkit.log.reader import SessionLog
from designkit.log.summary import summarize
from designkit.log.writer import LogWriter
from designkit.perception import EnergyVAD
from designkit.perception.logged_signals import LoggedSignals, logged_microturns
from designkit.policy import SpeakAfterSilence
from designkit.policy.loader import load_policy


def _run(args: argparse.Namespace) -> int:
    source = Path(args.source)
    policy = load_policy(args.policy) if args.policy else SpeakAfterSilence()
    out = Path(args.log) if args.log else None
    if source.suffix.lower() in RECORDING_SUFFIXES:
        session = Session.from_array(read_wav(source), name=source.stem)
        log = replay_to_log(Engine([EnergyVAD()], policy), session, out)
    else:
        old = read_log(source)
        engine = Engine([LoggedSignals(old)], policy, dt=float(old.header["dt"]))
        header = make_header(engine, name=str(old.header.get("name", source.stem)),
                             extra={"replayed_from": str(source)})
        if out is None:
            log = SessionLog.from_records(header, engine.replay(logged_microturns(old)))
        else:
            with LogWriter(out, header=header) as writer:
                engine.sink = writer
                engine.replay(logged_microturns(old))
            log = read_log(out)
    if not args.quiet:
        print(log.transcript())
    print(json.dumps(summarize(log), indent=2))
    if out is not None:
        print(f"log written to {out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = action(
        sub, "replay", _run, help="run a recording or a log's signals through a policy",
        description="Replay a WAV file (perceived with the energy VAD) or an earlier session log "
                    "(its recorded signals) through a policy; print the transcript and a summary.",
    )
    p.add_argument("source", help="a recording (.wav, .flac, .mp3, .m4a, .webm, ...) or a session log")
    p.add_argument("--policy", help="policy JSON file (default: speak after 4 silent microturns)")
    p.add_argument("--log", help="write the new session log here (.parquet)")
    p.add_argument("--quiet", action="store_true", help="print only the summary")
