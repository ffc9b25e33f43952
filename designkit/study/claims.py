"""A study's conclusion as claims checked against its own table.

    conclusion = Conclusion.load("conclusion.json")
    table = conclusion.table(results)     # results.summary(by=conclusion.by)
    conclusion.failures(table)            # [] when every claim holds for these numbers
    conclusion.text(table)                # the sentences, numbers filled in from the table

A conclusion is written once, as sentences with named numbers, and each sentence carries the
checks that make it true ("the caption never talks over the learner": `caption_rude == 0`). When a
rerun changes the numbers so that a sentence no longer holds, `failures` names it and `text`
marks it, instead of printing a claim the table contradicts. `conclusion.json`:

    {"claims": [{"says": "A caption catches {cap:.0%} of switches without a rude hit.",
                 "values": {"cap": {"policy": "at once (caption)", "metric": "cue_recall"},
                            "rude": {"policy": "at once (caption)", "metric": "rude_hits"}},
                 "checks": [["rude", "==", 0], ["cap", ">=", 0.9]]}]}

A value names a row of the summary by its columns (`policy`, `metric`, and `quality` or `set`
where the study has several; `"by": ["set", "policy"]` at the top reads a summary per set); `checks` compare two values, or a value and a number, with
`<`, `<=`, `>`, `>=`, `==` (within `tol`, default 0.005) or `!=`; `["a", "-", "b"]` style
arithmetic is not offered on purpose: name the difference in the sentence instead.
"""

from __future__ import annotations

import json
import math
import operator
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from designkit.errors import InputError

_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
TOL = 0.005


@dataclass(frozen=True, slots=True)
class Claim:
    says: str
    values: Mapping[str, Mapping[str, str]]
    checks: tuple[tuple[str | float, str, str | float], ...]
    tol: float = TOL

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Claim:
        unknown = set(data) - {"says", "values", "checks", "tol"}
        if unknown or "says" not in data:
            raise InputError("claim", expected="fields says, values, checks (and tol)", got=sorted(data))
        checks = []
        for check in data.get("checks", []):
            if len(check) != 3 or check[1] not in (*_OPS, "==", "!="):
                raise InputError("claim check", expected='[left, "<"|"<="|">"|">="|"=="|"!=", right]', got=check)
            checks.append((check[0], str(check[1]), check[2]))
        return cls(str(data["says"]), {k: dict(v) for k, v in dict(data.get("values", {})).items()},
                   tuple(checks), float(data.get("tol", TOL)))

    def numbers(self, summary: pd.DataFrame) -> dict[str, float]:
        """Each named value's mean in the summary (a missing row is an InputError naming it)."""
        out = {}
        for name, where in self.values.items():
            rows = summary
            for column, value in where.items():
                if column not in rows.columns:
                    raise InputError(f"claim value {name}", expected=f"columns from {list(summary.columns)}", got=column)
                rows = rows[rows[column] == value]
            if len(rows) != 1:
                raise InputError(f"claim value {name}", expected="exactly one row of the summary",
                                 got=f"{len(rows)} rows for {dict(where)}")
            out[name] = float(rows["mean"].iloc[0])
        return out

    def broken(self, summary: pd.DataFrame) -> list[str]:
        """The checks this table does not support, in words."""
        numbers = self.numbers(summary)

        def value(side: str | float) -> float:
            return numbers[side] if isinstance(side, str) else float(side)

        out = []
        for left, op, right in self.checks:
            a, b = value(left), value(right)
            if op == "==":
                ok = abs(a - b) <= self.tol
            elif op == "!=":
                ok = abs(a - b) > self.tol
            else:
                ok = not (math.isnan(a) or math.isnan(b)) and bool(_OPS[op](a, b))
            if not ok:
                out.append(f"{left} {op} {right} ({a:.4g} vs {b:.4g})")
        return out

    def sentence(self, summary: pd.DataFrame) -> str:
        return self.says.format(**self.numbers(summary))


@dataclass(frozen=True, slots=True)
class Conclusion:
    """Claims, and the summary they read: `Results.summary(by=by)` (default quality x policy)."""

    claims: tuple[Claim, ...]
    by: tuple[str, ...] = ("quality", "policy")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Conclusion:
        claims = data.get("claims")
        unknown = set(data) - {"claims", "by"}
        if not isinstance(claims, Sequence) or not claims or unknown:
            raise InputError("conclusion", expected='{"claims": [ ... ]} with at least one claim (and "by")', got=data)
        return cls(tuple(Claim.from_dict(c) for c in claims), tuple(data.get("by", ("quality", "policy"))))

    def table(self, results: Any) -> pd.DataFrame:
        """The summary of a study's `Results` these claims read."""
        out: pd.DataFrame = results.summary(by=self.by)
        return out

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Conclusion:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(str(path), expected="a readable conclusion.json", got=repr(exc)) from exc
        return cls.from_dict(data)

    def failures(self, summary: pd.DataFrame) -> list[str]:
        """Every claim the table does not support: its sentence and the checks that fail."""
        out = []
        for claim in self.claims:
            broken = claim.broken(summary)
            if broken:
                out.append(f"{claim.sentence(summary)} -- not supported: {'; '.join(broken)}")
        return out

    def text(self, summary: pd.DataFrame) -> str:
        """The sentences; one the table contradicts is struck through and says why."""
        parts = []
        for claim in self.claims:
            broken = claim.broken(summary)
            sentence = claim.sentence(summary)
            parts.append(sentence if not broken else f"~~{sentence}~~ (the table does not support this: "
                         f"{'; '.join(broken)})")
        return " ".join(parts)


__all__ = ["Claim", "Conclusion"]
