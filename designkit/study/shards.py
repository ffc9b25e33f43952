"""The explorer's sessions split over worker processes, each keeping its share prepared between
slider moves, so a move re-decides every session on every core."""

from __future__ import annotations

import math
import multiprocessing
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from designkit.policy.spec import Policy
from designkit.study.prepare import Preparation, prepare_truth, session_rows


def metric_rows(prepared: Sequence[Any], spec: Mapping[str, Any], weights: Mapping[str, float] | None,
                metrics: Sequence[str]) -> list[list[float]]:
    """One row of metric values per prepared session, for the policy `spec` (a dict: it crosses processes)."""
    rows = session_rows(Policy.from_dict(dict(spec)), prepared, weights=weights, only=metrics)
    return [[float(values.get(m, math.nan)) for m in metrics] for values in rows]


def prepare_all(truths: Sequence[Any], seeds: Sequence[int], preparation: Preparation) -> list[Any]:
    """Signals and simulated proposals of every session, prepared once (only decisions change later)."""
    return [prepare_truth(t, preparation, seed=s) for t, s in zip(truths, seeds, strict=True)]


def _worker(conn: Any, truths: Sequence[Any], seeds: Sequence[int], preparation: Preparation,
            weights: Mapping[str, float] | None, metrics: Sequence[str]) -> None:
    prepared = prepare_all(truths, seeds, preparation)
    conn.send("ready")
    while True:
        spec = conn.recv()
        if spec is None:
            break
        conn.send(metric_rows(prepared, spec, weights, metrics))
    conn.close()


class Shards:
    """Worker processes, each holding its share of the sessions prepared."""

    def __init__(self, truths: Sequence[Any], seeds: Sequence[int], preparation: Preparation,
                 weights: Mapping[str, float] | None, metrics: Sequence[str], workers: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipes = []
        self.processes = []
        for i in range(workers):
            parent, child = context.Pipe()
            process = context.Process(target=_worker, daemon=True,
                                      args=(child, list(truths[i::workers]), list(seeds[i::workers]), preparation,
                                            weights, list(metrics)))
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)
        self.order = [i for w in range(workers) for i in range(w, len(truths), workers)]
        for pipe in self.pipes:
            if pipe.recv() != "ready":
                raise RuntimeError("an explorer worker did not start")
        self._finalizer = weakref.finalize(self, Shards._stop, self.pipes, self.processes)

    def rows(self, spec: Mapping[str, Any]) -> list[list[float]]:
        for pipe in self.pipes:
            pipe.send(dict(spec))
        parts = [row for pipe in self.pipes for row in pipe.recv()]
        out: list[list[float]] = [[]] * len(parts)
        for position, row in zip(self.order, parts, strict=True):
            out[position] = row
        return out

    @staticmethod
    def _stop(pipes: Sequence[Any], processes: Sequence[Any]) -> None:
        for pipe in pipes:
            try:
                pipe.send(None)
                pipe.close()
            except (OSError, BrokenPipeError):
                pass
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()

    def close(self) -> None:
        self._finalizer()
