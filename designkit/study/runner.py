"""Run a study: every (scenario, model quality, repetition) session under every policy variant.

    results = run(study)                       # local processes, tqdm progress, cached
    results = run(study, executor="dask")      # the same on a Dask cluster (a LocalCluster if none given)
    results.save("results.parquet")            # tidy rows + the spec + package versions

Each (session, policy) cell is cached under $DESIGNKIT_CACHE/study (or ~/.cache/designkit/study)
by a content hash of everything that decides it, so a rerun computes only what changed, a killed
run resumes where it stopped, and an unreadable entry is computed again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import multiprocessing
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from designkit import __version__
from designkit.cache import cache_dir as cache_dir_of
from designkit.errors import InputError, MissingExtraError
from designkit.metrics.stats import bootstrap_ci
from designkit.policy.spec import Policy
from designkit.study.prepare import Preparation, prepare_truth, session_rows
from designkit.study.spec import Study, quality_to_dict

log = logging.getLogger(__name__)

# Bump when the way a cell is computed changes (metrics, simulated model, replay rules).
CELL_VERSION = "2"  # 2: task success from the truth's turn ends; rude hits voiced only; cue windows close at the next cue
COLUMNS = ["set", "scenario", "scenario_index", "quality", "repetition", "policy", "metric", "value"]
PACKAGES = ("designkit", "numpy", "pandas", "pyarrow", "altair", "dask", "distributed")
EXECUTORS = ("local", "dask")
INLINE_MICROTURNS = 60_000


def cache_root() -> Path:
    """Where study cells are kept."""
    return cache_dir_of("study")


def package_versions() -> dict[str, str]:
    """The versions a result was computed with: the kit's own from `designkit.__version__` (its
    distribution is named otherwise on the package index), the libraries' from their metadata."""
    out = {}
    for name in PACKAGES:
        try:
            out[name] = __version__ if name == "designkit" else metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


@dataclass(frozen=True, slots=True)
class SessionJob:
    """One session to decide: a scenario's truth prepared with one model quality and seed, and the
    policies (with their cache keys) still to run on it."""

    set: str
    scenario: str
    scenario_index: int
    quality_name: str
    repetition: int
    seed: int
    truth: Any
    preparation: Preparation
    policies: tuple[tuple[str, str, Mapping[str, Any]], ...]  # (name, cache key, policy dict)
    weights: tuple[tuple[str, float], ...]


def _hash(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:24]


def scenario_truths(study: Study) -> list[tuple[str, int, str, str, Any]]:
    """(set, index, scenario name, scenario digest, truth) for every scenario, generating missing ones."""
    out = []
    for chosen in study.scenarios:
        for i, (name, digest, scenario) in enumerate(chosen.entries()):
            out.append((chosen.set, i, name, digest, scenario.truth))
    return out


def plan(study: Study, truths: Sequence[tuple[str, int, str, str, Any]] | None = None
         ) -> list[tuple[SessionJob, dict[str, str]]]:
    """Every session job with all its policies, and the cache key of each (policy name -> key)."""
    truths = scenario_truths(study) if truths is None else truths
    policies = {name: p.to_dict() for name, p in study.policies().items()}
    jobs = []
    for set_name, index, scenario, digest, truth in truths:
        for quality_name, quality in study.qualities:
            preparation = Preparation.of(study, quality_name)
            for rep in range(study.repetitions):
                seed = study.seed + index + 10_007 * rep
                keys = {name: _hash({"cell": CELL_VERSION, "scenario": digest, "quality": quality_to_dict(quality),
                                     "seed": seed, "policy": spec, "weights": dict(study.weights), "dt": study.dt,
                                     "moments": list(study.model_moments), "targets": study.targets_from})
                        for name, spec in policies.items()}
                job = SessionJob(set=set_name, scenario=scenario, scenario_index=index, quality_name=quality_name,
                                 repetition=rep, seed=seed, truth=truth, preparation=preparation,
                                 policies=tuple((name, keys[name], policies[name]) for name in policies),
                                 weights=study.weights)
                jobs.append((job, keys))
    return jobs


def run_job(job: SessionJob) -> list[tuple[str, dict[str, float]]]:
    """(cache key, metrics) for each policy of one session: prepare once, re-decide per policy."""
    prepared = prepare_truth(job.truth, job.preparation, seed=job.seed)
    weights = dict(job.weights) or None
    out = []
    for _, key, spec in job.policies:
        [metrics] = session_rows(Policy.from_dict(dict(spec)), [prepared], weights=weights)
        out.append((key, {k: float(v) for k, v in metrics.items()}))
    return out


def run_jobs(jobs: Sequence[SessionJob]) -> list[tuple[str, dict[str, float]]]:
    return [cell for job in jobs for cell in run_job(job)]


class CellCache:
    """One small JSON file per (session, policy) cell, written atomically."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or cache_root()

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, float] | None:
        path = self.path(key)
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text())
            if data.get("key") != key or not isinstance(data.get("metrics"), dict):
                raise ValueError("not a cell")
            return {str(k): (math.nan if v is None else float(v)) for k, v in data["metrics"].items()}
        except (ValueError, TypeError, OSError) as exc:
            log.warning("cache entry %s is unreadable (%s): computing it again", path, exc)
            path.unlink(missing_ok=True)
            return None

    def put(self, key: str, metrics: Mapping[str, float]) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        clean = {k: (None if math.isnan(v) else v) for k, v in metrics.items()}
        tmp.write_text(json.dumps({"key": key, "metrics": clean}))
        os.replace(tmp, path)


def _duration(truth: Any) -> float:
    return float(getattr(truth, "duration", None) or getattr(truth, "duration_s", 60.0))


def _batches(jobs: Sequence[SessionJob], count: int) -> list[list[SessionJob]]:
    count = max(1, min(count, len(jobs)))
    return [list(jobs[i::count]) for i in range(count)]


def _local(jobs: Sequence[SessionJob], workers: int) -> Iterator[list[tuple[str, dict[str, float]]]]:
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield run_job(job)
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(run_jobs, batch) for batch in _batches(jobs, workers * 4)]
        for future in as_completed(futures):
            yield future.result()


def _dask(jobs: Sequence[SessionJob], workers: int, client: Any | None) -> Iterator[list[tuple[str, dict[str, float]]]]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise MissingExtraError("dask[distributed]", "study") from exc
    own = None
    if client is None:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               dashboard_address=None, host="127.0.0.1")
        own = (Client(cluster), cluster)
        client = own[0]
    try:
        futures = client.map(run_jobs, _batches(jobs, max(1, workers) * 4), pure=False)
        for future in as_completed(futures):
            yield future.result()
    finally:
        if own is not None:
            own[0].close()
            own[1].close()


@dataclass(frozen=True)
class Results:
    """A study's tidy results: one row per (session, policy, metric), with the spec that made them."""

    frame: pd.DataFrame
    study: Study
    versions: Mapping[str, str]
    computed: int = 0  # cells computed in this run (the rest came from the cache)

    def metric(self, name: str) -> pd.DataFrame:
        """Session x policy values of one metric (rows: set, scenario, quality, repetition)."""
        rows = self.frame[self.frame["metric"] == name]
        return rows.pivot_table(index=["set", "scenario", "quality", "repetition"], columns="policy",
                                values="value", sort=False)

    def wide(self) -> pd.DataFrame:
        """One row per (session, policy), one column per metric."""
        return self.frame.pivot_table(index=["set", "scenario", "quality", "repetition", "policy"],
                                      columns="metric", values="value", sort=False, dropna=False).reset_index()

    def summary(self, metrics: Sequence[str] | None = None, *, by: Sequence[str] = ("quality", "policy"),
                level: float = 0.95, resamples: int = 1000) -> pd.DataFrame:
        """Mean per group and metric with a percentile bootstrap CI over sessions (NaNs left out)."""
        import numpy as np

        chosen = list(metrics or self.study.metrics)
        rows = []
        frame = self.frame[self.frame["metric"].isin(chosen)]
        for key, group in frame.groupby([*by, "metric"], sort=False):
            est = bootstrap_ci(group["value"].to_numpy(dtype=np.float64), level=level, resamples=resamples,
                               seed=self.study.seed)
            rows.append({**dict(zip([*by, "metric"], key, strict=True)), "mean": est.mean, "low": est.low,
                         "high": est.high, "n": est.n})
        return pd.DataFrame(rows, columns=[*by, "metric", "mean", "low", "high", "n"])

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Parquet with the spec and package versions in its metadata."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(self.frame, preserve_index=False)
        meta = dict(table.schema.metadata or {})
        meta[b"designkit.study"] = self.study.to_json().encode()
        meta[b"designkit.versions"] = json.dumps(dict(self.versions)).encode()
        tmp = target.with_name(target.name + ".tmp")
        pq.write_table(table.replace_schema_metadata(meta), tmp)
        os.replace(tmp, target)
        return target

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Results:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        meta = table.schema.metadata or {}
        if b"designkit.study" not in meta:
            raise InputError("results file", expected="a Parquet file written by Results.save", got=str(path))
        study = Study.from_dict(json.loads(meta[b"designkit.study"]))
        versions = json.loads(meta.get(b"designkit.versions", b"{}"))
        return cls(table.to_pandas(), study, versions)


def run(study: Study, *, executor: str = "local", workers: int | None = None, client: Any | None = None,
        cache: bool = True, cache_dir: str | os.PathLike[str] | None = None, progress: bool = True) -> Results:
    """Run every cell not yet cached, in parallel, and gather the tidy results table.

    `executor`: "local" (a process pool over this machine's cores) or "dask" (`client`'s cluster,
    or a `LocalCluster` of `workers` processes). Both give the same table.
    """
    if executor not in EXECUTORS:
        raise InputError("executor", expected=f"one of {list(EXECUTORS)}", got=repr(executor))
    from tqdm.auto import tqdm

    store = CellCache(Path(cache_dir) / "study" if cache_dir is not None else None)
    jobs = plan(study)
    found: dict[str, dict[str, float]] = {}
    todo: list[SessionJob] = []
    for job, _keys in jobs:
        missing = []
        for name, key, spec in job.policies:
            cell = store.get(key) if cache else None
            if cell is None:
                missing.append((name, key, spec))
            else:
                found[key] = cell
        if missing:
            todo.append(replace(job, policies=tuple(missing)))
    cells = sum(len(j.policies) for j in todo)
    log.info("study %s: %d cells cached, %d to compute", study.name, len(found), cells)
    if workers is not None:
        count = workers
    else:  # a small study runs faster here than it takes to start worker processes
        size = sum(len(j.policies) * _duration(j.truth) / j.preparation.dt for j in todo)
        count = 1 if size < INLINE_MICROTURNS else (os.cpu_count() or 1)
    if todo:
        bar = tqdm(total=cells, desc=f"study {study.name}", unit="cell", disable=not progress)
        stream: Iterable[list[tuple[str, dict[str, float]]]] = (
            _dask(todo, count, client) if executor == "dask" else _local(todo, min(count, len(todo))))
        for batch in stream:
            for key, metrics in batch:
                found[key] = metrics
                if cache:
                    store.put(key, metrics)
            bar.update(len(batch))
        bar.close()
    rows = []
    for job, keys in jobs:
        for name, key in keys.items():
            for metric, value in sorted(found[key].items()):
                rows.append((job.set, job.scenario, job.scenario_index, job.quality_name, job.repetition, name,
                             metric, value))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return Results(frame, study, package_versions(), computed=cells)
