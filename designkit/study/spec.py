"""Study: scenario sets x policy variants x model qualities x metrics, as an immutable spec.

    study = Study(name="quiet-modes", scenarios=(ScenarioSet("dialogue-basic", n=20),),
                  grid={"context": ["focused", "public", "do_not_disturb"]},
                  metrics=("task_success", "attention_cost"))
    assert Study.from_dict(study.to_dict()) == study
    study.save("studies/quiet-modes/study.json")

Everything is checked when the spec is made: an unknown scenario set, policy knob or metric is
an `InputError` naming the valid choices, before any work starts.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from designkit.errors import InputError
from designkit.metrics import METRICS
from designkit.policy.spec import Policy
from designkit.proposers.simulated import ModelQuality
from designkit.study.people.spec import People
from designkit.study.recordings import KEY, RecordingSet

# What `designkit.metrics.session.session_metrics` reports (NaN where a metric does not apply).
SPEC_VERSION = 1
# Truth times the simulated model may propose at, and that may count as TimeSpeak targets.
MOMENT_SOURCES = ("turn_ends", "backchannel_opportunities", "targets", "reps", "cues")
DEFAULT_MOMENTS = ("turn_ends", "backchannel_opportunities")


def _known_sets() -> dict[str, Any]:
    from designkit import scenarios

    return scenarios.sets()


@dataclass(frozen=True, slots=True)
class ScenarioSet:
    """`n` scenarios of a named set (`designkit.scenarios.sets()`), seeds `seed`, `seed + 1`, ...;
    `params` override the set's generator parameters (`designkit scenarios list -v` lists them)."""

    set: str
    n: int = 20
    seed: int = 0
    params: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        known = _known_sets()
        if self.set not in known:
            raise InputError("scenario set", expected=f"one of {sorted(known)}", got=repr(self.set))
        if not isinstance(self.n, int) or isinstance(self.n, bool) or self.n < 1:
            raise InputError(f"scenario count for {self.set}", expected="a whole number >= 1", got=self.n)
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise InputError(f"scenario seed for {self.set}", expected="an integer", got=self.seed)
        params = tuple(self.params.items()) if isinstance(self.params, Mapping) else tuple(self.params)
        object.__setattr__(self, "params", tuple(sorted((str(k), v) for k, v in params)))
        if self.params:
            from designkit.scenarios.params import check

            check(known[self.set].kind, dict(self.params))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"set": self.set, "n": self.n, "seed": self.seed}
        if self.params:
            out["params"] = dict(self.params)
        return out

    def load(self, *, progress: bool = False) -> list[Any]:
        """The scenarios (generated once, then cached)."""
        from designkit import scenarios

        return scenarios.get(self.set, n=self.n, seed=self.seed, progress=progress, params=dict(self.params) or None)

    def specs(self) -> list[Any]:
        from designkit.scenarios import store

        return store.specs_for(self.set, n=self.n, seed=self.seed, params=dict(self.params) or None)

    def entries(self) -> list[tuple[str, str, Any]]:
        """(session name, digest of its generator spec, scenario) for every scenario."""
        from designkit.scenarios import store

        specs = self.specs()
        version = store.generators()[specs[0].kind].version
        return [(str(scenario.name or f"{self.set}-{i:02d}"), f"{spec.kind}-{spec.digest(version)}", scenario)
                for i, (scenario, spec) in enumerate(zip(self.load(), specs, strict=True))]

    def rooted(self, root: str | os.PathLike[str]) -> ScenarioSet:
        """The same set: generated sets do not depend on where the study file is."""
        return self

    @classmethod
    def parse(cls, value: Any) -> ScenarioSet:
        if isinstance(value, ScenarioSet):
            return value
        if isinstance(value, str):
            return cls(value)
        if isinstance(value, Mapping):
            unknown = set(value) - {"set", "n", "seed", "params"}
            if unknown:
                raise InputError("scenario set field", expected="one of ['n', 'params', 'seed', 'set']",
                                 got=sorted(unknown))
            return cls(str(value.get("set", "")), int(value.get("n", 20)), int(value.get("seed", 0)),
                       tuple(dict(value.get("params") or {}).items()))
        raise InputError("scenario set", expected="a set name or {'set': ..., 'n': ..., 'seed': ...}",
                         got=type(value).__name__)


def parse_source(value: Any) -> ScenarioSet | RecordingSet:
    """A `scenarios` entry of study.json: a named set, or `{"recordings": "FOLDER"}` (your own)."""
    if isinstance(value, RecordingSet):
        return value
    if isinstance(value, Mapping) and KEY in value:
        return RecordingSet.parse(value)
    return ScenarioSet.parse(value)


_QUALITY_FIELDS = tuple(f.name for f in fields(ModelQuality))


def quality_from_dict(data: Mapping[str, Any]) -> ModelQuality:
    unknown = set(data) - set(_QUALITY_FIELDS)
    if unknown:
        raise InputError("model quality field", expected=f"one of {list(_QUALITY_FIELDS)}", got=sorted(unknown))
    return ModelQuality(**dict(data))


def quality_to_dict(quality: ModelQuality) -> dict[str, Any]:
    return {name: getattr(quality, name) for name in _QUALITY_FIELDS}


def _value_name(value: Any) -> str:
    if isinstance(value, float):
        return "inf" if math.isinf(value) else f"{value:g}"
    return str(getattr(value, "value", value))


@dataclass(frozen=True, slots=True)
class Study:
    """A comparison to run: every policy variant on every scenario, with each model quality.

    - `scenarios`: named scenario sets (`ScenarioSet` or names) and your own recordings
      (`{"recordings": "FOLDER"}`, `designkit.study.recordings`).
    - `variants`: named policies; `grid`: knob -> values, crossed over every variant (over
      `base` when there are no variants). Names of grid variants read "knob=value, ...".
    - `qualities`: named `ModelQuality`s of the simulated model that proposes (default: one).
    - `metrics`: names from `METRICS` (all are computed and cached; these are the ones shown).
    - `repetitions`: model seeds per scenario; `seed`: the first one.
    - `weights`: attention-cost weights (`designkit.metrics.attention`).
    - `model_moments`: the truth times the simulated model proposes at (from `MOMENT_SOURCES`:
      turn ends and backchannel openings by default; e.g. `("reps",)` for a rep detector).
    - `targets_from`: the truth times scored as TimeSpeak targets (`"targets"`, or e.g. `"reps"`).
    - `saved`: named policies run as they are, after the others (not crossed with the grid): the
      knobs a person saved from the explorer.
    - `people`: sessions with participants (`designkit.study.people.spec.People`): which of these
      policies they meet, the tasks, the questionnaire and the order; None for a study without people.
    """

    name: str
    scenarios: tuple[ScenarioSet | RecordingSet, ...]
    metrics: tuple[str, ...] = ("task_success", "attention_cost", "response_latency_s")
    variants: tuple[tuple[str, Policy], ...] = ()
    grid: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    base: Policy = field(default_factory=Policy)
    qualities: tuple[tuple[str, ModelQuality], ...] = (("default", ModelQuality()),)
    repetitions: int = 1
    seed: int = 0
    weights: tuple[tuple[str, float], ...] = ()
    title: str = ""
    question: str = ""
    dt: float = 0.2
    model_moments: tuple[str, ...] = DEFAULT_MOMENTS
    targets_from: str = "targets"
    saved: tuple[tuple[str, Policy], ...] = ()
    people: People | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        moments = (self.model_moments,) if isinstance(self.model_moments, str) else tuple(self.model_moments)
        bad = [m for m in moments if m not in MOMENT_SOURCES]
        if bad or self.targets_from not in MOMENT_SOURCES:
            raise InputError("truth times", expected=f"names from {list(MOMENT_SOURCES)}",
                             got=bad or repr(self.targets_from))
        set_(self, "model_moments", moments)
        if not isinstance(self.name, str) or not self.name or "/" in self.name:
            raise InputError("study name", expected="a short name without '/'", got=repr(self.name))
        scenarios = tuple(parse_source(s) for s in (self.scenarios if not isinstance(self.scenarios, str)
                                                           else (self.scenarios,)))
        if not scenarios:
            raise InputError("study scenarios", expected="at least one scenario set", got="none")
        set_(self, "scenarios", scenarios)
        metrics = (self.metrics,) if isinstance(self.metrics, str) else tuple(self.metrics)
        unknown = [m for m in metrics if m not in METRICS]
        if unknown or not metrics:
            raise InputError("metric", expected=f"names from {list(METRICS)}", got=unknown or "none")
        set_(self, "metrics", metrics)
        variants = tuple(self.variants.items()) if isinstance(self.variants, Mapping) else tuple(self.variants)
        for entry in variants:
            if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], Policy)):
                raise InputError("policy variant", expected="(name, Policy) pairs or {name: Policy}", got=entry)
        set_(self, "variants", tuple((str(n), p) for n, p in variants))
        saved = tuple(self.saved.items()) if isinstance(self.saved, Mapping) else tuple(self.saved)
        if any(not (isinstance(e, tuple) and len(e) == 2 and isinstance(e[1], Policy)) for e in saved):
            raise InputError("saved variant", expected="(name, Policy) pairs or {name: Policy}", got=saved)
        set_(self, "saved", tuple((str(n), p) for n, p in saved))
        grid = tuple(self.grid.items()) if isinstance(self.grid, Mapping) else tuple(self.grid)
        knobs = Policy.knobs()
        clean: list[tuple[str, tuple[Any, ...]]] = []
        for knob, values in grid:
            if knob not in knobs:
                raise InputError("policy field", expected=f"one of {list(knobs)}", got=repr(knob))
            values = (values,) if isinstance(values, (str, int, float)) else tuple(values)
            if not values:
                raise InputError(f"grid values for {knob}", expected="at least one value", got="none")
            clean.append((knob, values))
        set_(self, "grid", tuple(clean))
        if not isinstance(self.base, Policy):
            raise InputError("base policy", expected="a designkit.policy.Policy", got=type(self.base).__name__)
        qualities = tuple(self.qualities.items()) if isinstance(self.qualities, Mapping) else tuple(self.qualities)
        if not qualities or any(not isinstance(q, ModelQuality) for _, q in qualities):
            raise InputError("model qualities", expected="(name, ModelQuality) pairs", got=qualities)
        set_(self, "qualities", tuple((str(n), q) for n, q in qualities))
        weights = tuple(self.weights.items()) if isinstance(self.weights, Mapping) else tuple(self.weights)
        set_(self, "weights", tuple((str(k), float(v)) for k, v in weights))
        if not isinstance(self.repetitions, int) or self.repetitions < 1:
            raise InputError("repetitions", expected="a whole number >= 1", got=self.repetitions)
        names = list(self.policies())  # builds every variant: a bad knob value fails here
        if len(set(names)) != len(names):
            raise InputError("policy variant names", expected="unique names", got=names)
        if isinstance(self.people, Mapping):
            set_(self, "people", People.from_dict(self.people))
        if self.people is not None and set(self.people.conditions) - set(names):
            raise InputError("people conditions", expected=f"names of the study's policies {names}",
                             got=sorted(set(self.people.conditions) - set(names)))

    # -- what the study runs -------------------------------------------------------------------
    def policies(self) -> dict[str, Policy]:
        """Every policy variant by name, in order."""
        starts = list(self.variants) or [("", self.base)]
        for knob, values in self.grid:
            starts = [(", ".join(filter(None, [name, f"{knob}={_value_name(v)}"])), p.replace(**{knob: v}))
                      for name, p in starts for v in values]
        out = {name or "base": p for name, p in starts}
        for name, policy in self.saved:
            out[name] = policy
        return out

    def quality(self, name: str) -> ModelQuality:
        for n, q in self.qualities:
            if n == name:
                return q
        raise InputError("model quality", expected=f"one of {[n for n, _ in self.qualities]}", got=repr(name))

    def replace(self, **changes: Any) -> Study:
        valid = [f.name for f in fields(self)]
        unknown = set(changes) - set(valid)
        if unknown:
            raise InputError("study field", expected=f"one of {valid}", got=sorted(unknown))
        return replace(self, **changes)

    # -- round trip ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "study", "version": SPEC_VERSION, "name": self.name, "title": self.title,
            "question": self.question, "scenarios": [s.to_dict() for s in self.scenarios],
            "metrics": list(self.metrics),
            "variants": [{"name": n, "policy": p.to_dict()} for n, p in self.variants],
            "grid": {k: [getattr(v, "value", v) for v in vs] for k, vs in self.grid},
            "base": self.base.to_dict(),
            "qualities": [{"name": n, **quality_to_dict(q)} for n, q in self.qualities],
            "repetitions": self.repetitions, "seed": self.seed, "weights": dict(self.weights), "dt": self.dt,
            "model_moments": list(self.model_moments), "targets_from": self.targets_from,
            **({"saved": [{"name": n, "policy": p.to_dict()} for n, p in self.saved]} if self.saved else {}),
            **({"people": self.people.to_dict()} if self.people is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Study:
        data = dict(data)
        if data.pop("kind", "study") != "study":
            raise InputError("study file kind", expected="'study'", got=repr(data.get("kind")))
        data.pop("version", None)
        valid = [f.name for f in fields(cls)]
        unknown = set(data) - set(valid)
        if unknown:
            raise InputError("study field", expected=f"one of {valid}", got=sorted(unknown))
        if "variants" in data:
            data["variants"] = tuple((str(v["name"]), Policy.from_dict(v["policy"])) for v in data["variants"])
        if "saved" in data:
            data["saved"] = tuple((str(v["name"]), Policy.from_dict(v["policy"])) for v in data["saved"])
        if "base" in data:
            data["base"] = Policy.from_dict(data["base"])
        if "grid" in data:
            data["grid"] = tuple((k, tuple(v)) for k, v in dict(data["grid"]).items())
        if "qualities" in data:
            data["qualities"] = tuple(
                (str(q["name"]), quality_from_dict({k: v for k, v in q.items() if k != "name"}))
                for q in data["qualities"])
        if "scenarios" in data:
            data["scenarios"] = tuple(parse_source(s) for s in data["scenarios"])
        if "metrics" in data:
            data["metrics"] = tuple(data["metrics"])
        if "weights" in data:
            data["weights"] = tuple(dict(data["weights"]).items())
        if "model_moments" in data:
            data["model_moments"] = tuple(data["model_moments"])
        if data.get("people") is not None:
            data["people"] = People.from_dict(data["people"])
        return cls(**data)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False)

    def save(self, path: str | os.PathLike[str]) -> Path:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.to_json() + "\n")
        return target

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Study:
        """Read a `study.json` (or a folder holding one)."""
        source = Path(path)
        if source.is_dir():
            source = source / "study.json"
        if not source.is_file():
            raise InputError("study file", expected="a study.json (or a folder with one)", got=str(path))
        try:
            data = json.loads(source.read_text())
        except json.JSONDecodeError as exc:
            raise InputError("study file", expected="valid JSON", got=f"{source}: {exc}") from None
        study = cls.from_dict(data)
        # Recordings are found beside the study file, wherever it is opened from.
        rooted = tuple(s.rooted(source.parent.resolve()) for s in study.scenarios)
        for recordings in rooted:
            if isinstance(recordings, RecordingSet):
                recordings.files()  # a missing or empty folder is said now, naming the path
        return study.replace(scenarios=rooted)

    def digest(self) -> str:
        """A content hash of the spec."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:16]


def grid_of(**knobs: Sequence[Any]) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    """`grid=grid_of(confidence=[0.5, 0.7])`, in keyword order."""
    return tuple((k, tuple(v)) for k, v in knobs.items())
