"""How many rows a log had and how its chain ended: the seal that makes a missing tail visible.

A hash chain proves order: changing, dropping or swapping a row breaks it from that row on. It
cannot show that the last rows were cut off, because a shorter chain is still a valid chain.
So the writer also records how far the chain went:

- while live, a checkpoint (rows so far + last hash) in a small manifest file beside the log,
  rewritten after every flush of the journal (at least once per second of session time);
- on close, a seal (row count + final hash) in the Parquet metadata and, detached, in the same
  manifest (`<log>.manifest.json`), now marked closed.

With `DESIGNKIT_AUDIT_KEY` set, each seal and checkpoint also carries an HMAC-SHA256 of its
facts: without the key, nobody can cut a log and rewrite its seals consistently.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from designkit.errors import LogError
from designkit.log.schema import JOURNAL_SUFFIX

KEY_ENV = "DESIGNKIT_AUDIT_KEY"
MANIFEST_SUFFIX = ".manifest.json"
MANIFEST_SCHEMA = "designkit.session_log.manifest"
METADATA_KEY = b"designkit.seal"
# The live checkpoint is rewritten in place at a fixed width: one write() call, no rename, so a
# kill leaves either the old or the new text (padded with spaces, which JSON ignores).
CHECKPOINT_WIDTH = 512


def manifest_path(log_path: Path) -> Path:
    """`<log>.manifest.json` beside `<log>` (for a journal, beside the Parquet path it was for)."""
    name = log_path.name
    if name.endswith(JOURNAL_SUFFIX):
        name = name[: -len(JOURNAL_SUFFIX)]
    return log_path.with_name(name + MANIFEST_SUFFIX)


def audit_key() -> bytes | None:
    """The signing key from the environment, or None when logs are not signed."""
    key = os.environ.get(KEY_ENV, "")
    return key.encode() if key else None


@dataclass(frozen=True, slots=True)
class Seal:
    """How far a chain went: `rows` rows, the last one hashing to `final_hash`.

    `closed` tells a close-time seal from a live checkpoint; `t` is the session time it covers.
    """

    rows: int
    final_hash: str
    genesis: str
    closed: bool
    t: float = 0.0
    signature: str | None = None

    def facts(self) -> str:
        return f"{self.genesis}:{self.rows}:{self.final_hash}:{'closed' if self.closed else 'open'}"

    def signed(self, key: bytes | None) -> Seal:
        if key is None:
            return self
        digest = hmac.new(key, self.facts().encode(), hashlib.sha256).hexdigest()
        return Seal(self.rows, self.final_hash, self.genesis, self.closed, self.t, digest)

    def signature_ok(self, key: bytes) -> bool:
        expected = hmac.new(key, self.facts().encode(), hashlib.sha256).hexdigest()
        return self.signature is not None and hmac.compare_digest(expected, self.signature)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"schema": MANIFEST_SCHEMA, "state": "closed" if self.closed else "open",
                               "rows": self.rows, "final_hash": self.final_hash, "genesis": self.genesis,
                               "t": round(self.t, 6)}
        if self.signature is not None:
            out["hmac"] = self.signature
        return out

    @classmethod
    def from_dict(cls, data: Any, where: str) -> Seal:
        try:
            if not isinstance(data, Mapping) or data.get("schema") != MANIFEST_SCHEMA:
                raise ValueError(f"schema {data.get('schema') if isinstance(data, Mapping) else data!r}")
            rows = data["rows"]
            if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
                raise ValueError(f"rows {rows!r}")
            signature = data.get("hmac")
            return cls(rows, str(data["final_hash"]), str(data["genesis"]), data["state"] == "closed",
                       float(data.get("t", 0.0)), None if signature is None else str(signature))
        except (KeyError, TypeError, ValueError) as exc:
            raise LogError(where, expected=f"a {MANIFEST_SCHEMA} record", got=str(exc),
                           fix="the seal or manifest was damaged or edited") from exc


class Checkpointer:
    """Keeps `<log>.manifest.json` current while a log is written (one small write per flush)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)

    def write(self, seal: Seal) -> None:
        if self._fd is None:
            return
        text = json.dumps(seal.to_dict(), sort_keys=True)
        data = text.ljust(CHECKPOINT_WIDTH - 1).encode() + b"\n"
        os.pwrite(self._fd, data, 0)

    def close(self, seal: Seal) -> None:
        """Replace the checkpoint by the closed manifest, atomically."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        write_manifest(self.path, seal)


def write_manifest(path: Path, seal: Seal) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(seal.to_dict(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_manifest(path: Path) -> Seal | None:
    """The manifest beside a log, or None when there is none."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise LogError(f"manifest {path}", expected="a readable JSON file", got=str(exc)) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LogError(f"manifest {path}", expected="JSON", got=str(exc),
                       fix="the manifest was damaged or edited") from exc
    return Seal.from_dict(data, f"manifest {path}")


def seal_from_metadata(metadata: Mapping[bytes, bytes] | None, where: str) -> Seal | None:
    """The seal stored in a closed log's Parquet metadata, or None (older logs have none)."""
    if not metadata or METADATA_KEY not in metadata:
        return None
    try:
        data = json.loads(metadata[METADATA_KEY])
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LogError(f"{where} seal", expected="JSON", got=str(exc)) from exc
    return Seal.from_dict(data, f"{where} seal")
