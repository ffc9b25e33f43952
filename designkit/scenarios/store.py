"""Named scenario sets, generated once and cached by the content hash of their specs.

    from designkit import scenarios
    sessions = scenarios.get("dialogue-basic", n=20)   # generated the first time, then loaded

Generators register a kind (`register_generator`); sets name a kind plus parameters
(`register_set`). The cache lives in $DESIGNKIT_CACHE or ~/.cache/designkit.
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from designkit import cache
from designkit.errors import InputError
from designkit.scenarios.spec import Scenario, ScenarioSpec, load_scenario, save_scenario

log = logging.getLogger(__name__)

Generator = Callable[[ScenarioSpec], Scenario]


@dataclass(frozen=True, slots=True)
class GeneratorInfo:
    kind: str
    target: str  # "module:function", imported in worker processes too
    version: str
    description: str


@dataclass(frozen=True, slots=True)
class SetInfo:
    name: str
    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    default_n: int = 20


_GENERATORS: dict[str, GeneratorInfo] = {}
_SETS: dict[str, SetInfo] = {}


def register_generator(kind: str, target: str, *, version: str, description: str = "") -> None:
    """Make `kind` generatable; `target` is "module:function" taking a ScenarioSpec."""
    _GENERATORS[kind] = GeneratorInfo(kind, target, version, description)


def register_set(name: str, kind: str, params: Mapping[str, Any] | None = None, *,
                 description: str = "", default_n: int = 20) -> None:
    _SETS[name] = SetInfo(name, kind, dict(params or {}), description, default_n)


def cache_dir() -> Path:
    """Where generated scenarios are kept."""
    return cache.cache_dir("scenarios")


def generators() -> dict[str, GeneratorInfo]:
    return dict(_GENERATORS)


def sets() -> dict[str, SetInfo]:
    """The named sets, by name."""
    return dict(_SETS)


def _resolve(kind: str) -> tuple[GeneratorInfo, Generator]:
    if kind not in _GENERATORS:
        raise InputError("scenario kind", expected=f"one of {sorted(_GENERATORS)}", got=repr(kind))
    info = _GENERATORS[kind]
    module, _, name = info.target.partition(":")
    function: Generator = getattr(importlib.import_module(module), name)
    return info, function


def generate(spec: ScenarioSpec) -> Scenario:
    """Make one scenario from its spec (no cache)."""
    _, function = _resolve(spec.kind)
    return function(spec)


def _cached(spec: ScenarioSpec, root: Path) -> Path:
    info, function = _resolve(spec.kind)
    folder = root / f"{spec.kind}-{spec.digest(info.version)}"
    if (folder / "scenario.json").exists():
        return folder
    if folder.exists():  # a half-written entry from a killed run: make it again
        shutil.rmtree(folder)
    tmp = folder.with_name(folder.name + f".tmp{os.getpid()}-{threading.get_ident()}")
    save_scenario(function(spec), tmp, float32=True)  # bit-exact and memory-mapped when loaded
    try:
        tmp.rename(folder)
    except OSError:  # another process finished it first
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def specs_for(name: str, *, n: int | None = None, seed: int = 0,
              params: Mapping[str, Any] | None = None) -> list[ScenarioSpec]:
    """The specs of a named set; `params` override the set's generator parameters."""
    if name not in _SETS:
        raise InputError("scenario set", expected=f"one of {sorted(_SETS)}", got=repr(name))
    info = _SETS[name]
    count = info.default_n if n is None else n
    if count < 1:
        raise InputError("scenario count n", expected="at least 1", got=count)
    merged = dict(info.params)
    if params:
        from designkit.scenarios.params import check

        check(info.kind, params)
        merged.update(params)
    return [ScenarioSpec(info.kind, seed=seed + i, params=merged) for i in range(count)]


def get(name: str, n: int | None = None, *, seed: int = 0, workers: int | None = None,
        progress: bool = True, params: Mapping[str, Any] | None = None) -> list[Scenario]:
    """The named set's first `n` scenarios (seeds `seed`, `seed+1`, ...), generated once;
    `params` override the set's generator parameters (each combination is cached on its own)."""
    specs = specs_for(name, n=n, seed=seed, params=params)
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    missing = [s for s in specs if not (root / f"{s.kind}-{s.digest(_resolve(s.kind)[0].version)}" / "scenario.json").exists()]
    if missing:
        from tqdm.auto import tqdm

        jobs = workers if workers is not None else min(len(missing), os.cpu_count() or 1)
        bar = tqdm(total=len(missing), desc=f"generating {name}", disable=not progress, unit="scenario")
        if jobs <= 1 or len(missing) == 1:
            for spec in missing:
                _cached(spec, root)
                bar.update()
        else:
            # Threads suffice: each scenario speaks through its own espeak-ng server process
            # (render.tts.fresh_voices), and threads need no `if __name__ == "__main__"` in scripts.
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                for _ in pool.map(_cached, missing, [root] * len(missing)):
                    bar.update()
        bar.close()
    return [load_scenario(_cached(s, root)) for s in specs]
