"""`designkit transcript LOG` and `designkit audit verify|report LOG`."""

from __future__ import annotations

import argparse
import json

from designkit.commands import action
from designkit.log import audit_report, read_log, verify_log


def _transcript(args: argparse.Namespace) -> int:
    print(read_log(args.log).transcript())
    return 0


def _verify(args: argparse.Namespace) -> int:
    result = verify_log(args.log)
    print(("OK: " if result.ok else "BROKEN: ") + result.message)
    return 0 if result.ok else 1


def _report(args: argparse.Namespace) -> int:
    print(json.dumps(audit_report(read_log(args.log)), indent=2))
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = action(sub, "transcript", _transcript, help="print a session log as readable lines, one per change",
               description="Print a session log (Parquet or journal) as readable lines.")
    p.add_argument("log", help="a session log (.parquet) or its .journal.jsonl")

    audit = sub.add_parser("audit", help="check a log's hash chain or summarise its consent",
                           description="Tamper evidence and consent for session logs.")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    v = action(audit_sub, "verify", _verify, help="recompute the hash chain; name the first broken row",
               description="Exit 0 when every row matches its hash, 1 otherwise.")
    v.add_argument("log")
    r = action(audit_sub, "report", _report, help="consent, policy, versions and chain status as JSON",
               description="Print an audit report of a log as JSON.")
    r.add_argument("log")
