"""Changes a designer makes to a study without writing JSON: its conditions (add, rename, remove,
move a knob), its sessions, metrics and attention-cost weights, and the check of its conclusion.

Each change takes a `Study` and returns a new one (the spec validates it); the study editor
(`designkit.widgets.study_editor`) saves it to `study.json`, which a person may still edit by hand.

A study's conditions are its policies as `Study.policies()` names them. The editor lists the
ones a person named: `base` (the policy the grid varies, or the only one), the `variants` (each
crossed with the grid) and the `saved` ones (run as they are). A condition added here is saved
(run as it is, after the others), so the existing conditions keep their names and the study's
conclusion still finds them.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from designkit.core.decisions import ACTION_LABELS, Action
from designkit.errors import InputError
from designkit.metrics.attention import INTERRUPTION_WEIGHT, OVERLAP_WEIGHT, STUDY_WEIGHT_DEFAULTS
from designkit.policy.knobs import same_knob
from designkit.policy.spec import KNOBS, Policy
from designkit.study.spec import Study

BASE = "base"
CONCLUSION = "conclusion.json"
Named = tuple[tuple[str, Policy], ...]  # a study's variants or its own conditions, by name


class Kind(str, Enum):
    """Where a condition lives in study.json, in the words the editor shows."""

    BASE = "the base policy"
    VARIANT = "a variant"
    SAVED = "a condition of its own"


@dataclass(frozen=True, slots=True)
class Condition:
    """A condition by the name a person gave it, where it lives and the policy it runs."""

    name: str
    kind: Kind
    policy: Policy


def conditions(study: Study) -> list[Condition]:
    """The conditions a person named, in the order the study runs them."""
    out = [] if study.variants else [Condition(BASE, Kind.BASE, study.base)]
    out += [Condition(n, Kind.VARIANT, p) for n, p in study.variants]
    out += [Condition(n, Kind.SAVED, p) for n, p in study.saved]
    return out


def condition(study: Study, name: str) -> Condition:
    for c in conditions(study):
        if c.name == name:
            return c
    raise InputError("condition", expected=f"one of {[c.name for c in conditions(study)]}", got=repr(name))


def add_condition(study: Study, like: str | None = None, name: str | None = None) -> tuple[Study, str]:
    """A new condition, a copy of `like` (default: the first), run as it is; returns the study
    and the new condition's name ("condition 1", "condition 2", ... unless `name` is given)."""
    taken = {c.name for c in conditions(study)} | set(study.policies())
    if name is None:
        name = next(f"condition {i}" for i in range(1, len(taken) + 2) if f"condition {i}" not in taken)
    name = _checked_name(name, taken)
    source = condition(study, like) if like is not None else conditions(study)[0]
    return study.replace(saved=(*study.saved, (name, source.policy))), name


def rename_condition(study: Study, old: str, new: str) -> Study:
    """`old` called `new`; the base keeps its name (the grid's conditions are named after it)."""
    found = condition(study, old)
    if found.kind is Kind.BASE:
        raise InputError("condition to rename", expected="a variant or a condition of its own, not the base",
                         got=repr(old), fix="add a condition (a copy of the base) and name that one")
    new = _checked_name(new, ({c.name for c in conditions(study)} | set(study.policies())) - {old})
    return _rewrite_list(study, found, lambda named: ((new if n == old else n, p) for n, p in named))


def remove_condition(study: Study, name: str) -> Study:
    found = condition(study, name)
    if found.kind is Kind.BASE:
        raise InputError("condition to remove", expected="a variant or a condition of its own, not the base",
                         got=repr(name))
    return _rewrite_list(study, found, lambda named: ((n, p) for n, p in named if n != name))


def set_knob(study: Study, name: str, knob: str, value: Any) -> Study:
    """Condition `name` with one knob moved; `study` itself when the value is the knob's own (a
    control sending back what it was given)."""
    found = condition(study, name)
    if same_knob(getattr(found.policy, knob), getattr(found.policy.replace(**{knob: value}), knob)):
        return study
    if found.kind is Kind.BASE:
        return study.replace(base=study.base.replace(**{knob: value}))
    return _rewrite_list(study, found, lambda named: ((n, p.replace(**{knob: value}) if n == name else p)
                                                     for n, p in named))


def _rewrite_list(study: Study, found: Condition, rewrite: Callable[[Named], Iterable[tuple[str, Policy]]]) -> Study:
    """`study` with the list that holds `found` (its variants or its own conditions) rewritten."""
    field = "variants" if found.kind is Kind.VARIANT else "saved"
    return study.replace(**{field: tuple(rewrite(getattr(study, field)))})


def _checked_name(name: str, taken: set[str]) -> str:
    name = " ".join(str(name).split())
    if not name or name in taken or "=" in name:
        raise InputError("condition name", expected="a new name, without '='", got=repr(name),
                         fix=f"names taken: {sorted(taken)}")
    return name


# -- attention-cost weights ---------------------------------------------------------------------
# Each weight a study may set, with the words the editor shows: the kinds of intervention by their
# action's label, then the two that weigh talking over the person (docs/glossary.md, "attention cost").
WEIGHT_LABELS: dict[str, str] = {
    **{kind: ACTION_LABELS[Action(kind)] for kind in STUDY_WEIGHT_DEFAULTS if kind not in
       (OVERLAP_WEIGHT, INTERRUPTION_WEIGHT)},
    OVERLAP_WEIGHT: "talking at the same time, per second",
    INTERRUPTION_WEIGHT: "cutting the person off, each time",
}


def weights(study: Study) -> dict[str, float]:
    """Every attention-cost weight: the study's, else the defaults."""
    return dict(STUDY_WEIGHT_DEFAULTS) | dict(study.weights)


def set_weights(study: Study, values: Mapping[str, float]) -> Study:
    """The study with these weights (every one; study.json keeps `{}` while they are the defaults)."""
    unknown = set(values) - set(STUDY_WEIGHT_DEFAULTS)
    if unknown:
        raise InputError("attention-cost weight", expected=f"one of {sorted(STUDY_WEIGHT_DEFAULTS)}",
                         got=sorted(unknown))
    full = weights(study) | {k: float(v) for k, v in values.items()}
    if any(not (math.isfinite(v) and v >= 0) for v in full.values()):
        raise InputError("attention-cost weights", expected="numbers >= 0", got=full)
    same = all(math.isclose(full[k], v) for k, v in STUDY_WEIGHT_DEFAULTS.items())
    return study.replace(weights=() if same else tuple(full.items()))


# -- names a person reads -----------------------------------------------------------------------
def plain_name(policy_name: str) -> str:
    """A policy's name in words: "context=public, style=barge_in" -> "context mode in public,
    interruption style may interrupt" (names a person gave are kept)."""
    parts = []
    for part in policy_name.split(", "):
        knob, _, value = part.partition("=")
        if value and knob in KNOBS:
            parts.append(f"{KNOBS[knob].label} {KNOBS[knob].label_of(value)}")
        else:
            parts.append(part)
    return ", ".join(parts)


def studies_under(root: str | os.PathLike[str]) -> list[Path]:
    """Study folders (a study.json and one notebook) under `root`, by name."""
    return sorted(p.parent for p in Path(root).glob("*/study.json") if len(list(p.parent.glob("*.ipynb"))) == 1)


# -- copying a study ------------------------------------------------------------------------------
# What a copy leaves behind: what running, publishing and serving wrote, and the people it met
# (a copy starts with nobody: the participants agreed to the study they sat, not to its copies).
NOT_COPIED = ("published", "results.parquet", "voila.log", ".ipynb_checkpoints", "people", "people.parquet")
STUDY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def copy_study(folder: str | os.PathLike[str], name: str) -> Path:
    """A copy of the study in `folder` beside it, as a study of its own called `name`: its
    study.json named `name`, its notebook `name.ipynb`, its conclusion kept; no results, no
    publication and no participants. Returns the new folder."""
    source = Path(folder)
    if not (source / "study.json").is_file():
        raise InputError("study to copy", expected="a folder with study.json", got=str(source))
    name = str(name).strip()
    if not STUDY_NAME.fullmatch(name):
        raise InputError("name of the copy", expected="letters, digits, '-', '_' or '.' (a folder name), e.g. our-pair",
                         got=repr(name))
    target = source.parent / name
    if target.exists():
        raise InputError("name of the copy", expected="a name no folder beside the study has yet", got=repr(name),
                         fix="choose another name")
    notebooks = [p for p in source.glob("*.ipynb") if not p.name.startswith(".")]
    study = Study.load(source / "study.json")
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*NOT_COPIED))
    if len(notebooks) == 1:
        (target / notebooks[0].name).rename(target / f"{name}.ipynb")
    study.replace(name=name).save(target / "study.json")
    return target


# -- the conclusion ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ClaimCheck:
    """One sentence of a study's conclusion and whether this run's table supports it."""

    sentence: str
    holds: bool
    why: str = ""


def check_conclusion(folder: str | os.PathLike[str], results: Any) -> list[ClaimCheck]:
    """Each claim of the folder's conclusion.json against these results (a claim that names a
    condition no longer in the study says so); [] when the study has no conclusion.json."""
    from designkit.study.claims import Conclusion

    path = Path(folder) / CONCLUSION
    if not path.is_file():
        return []
    conclusion = Conclusion.load(path)
    table = conclusion.table(results)
    out = []
    for claim in conclusion.claims:
        try:
            broken = claim.broken(table)
            out.append(ClaimCheck(claim.sentence(table), not broken, "; ".join(broken)))
        except InputError as exc:
            out.append(ClaimCheck(re.sub(r"\{[^}]*\}", "…", claim.says), False, str(exc)))
    return out


def rename_in_conclusion(folder: str | os.PathLike[str], old: str, new: str) -> bool:
    """Point the conclusion's numbers at a renamed condition (and the grid's conditions made
    from it); True when conclusion.json changed."""
    path = Path(folder) / CONCLUSION
    if not path.is_file():
        return False
    data = json.loads(path.read_text(encoding="utf-8"))
    changed = False
    for claim in data.get("claims", []):
        for where in claim.get("values", {}).values():
            policy = where.get("policy")
            if policy == old or (isinstance(policy, str) and policy.startswith(old + ", ")):
                where["policy"] = new + policy[len(old):]
                changed = True
    if changed:
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed


__all__ = [
    "BASE",
    "WEIGHT_LABELS",
    "ClaimCheck",
    "Condition",
    "Kind",
    "add_condition",
    "check_conclusion",
    "condition",
    "conditions",
    "copy_study",
    "plain_name",
    "remove_condition",
    "rename_condition",
    "rename_in_conclusion",
    "set_knob",
    "set_weights",
    "studies_under",
    "weights",
]
