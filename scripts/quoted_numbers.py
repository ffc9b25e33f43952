"""The numbers the workshop pack and the docs quote about the kit's own results, from a fresh run.

Every such number has a name here, is computed by running what the text describes (the first
conversation of notebook 00, notebook 03's nine policies and its near-perfect model, the
quiet-modes study, the starter study of `designkit study new`) and is written into the text from a
template, so the worksheet and the screen cannot disagree:

- `docs/workshop/answers.template.md` -> the answers at the end of `docs/workshop/worksheet.md`
  (everything from `## Answers (for the teacher)` on) and the teacher's version
  `docs/workshop/answer-key.md` (the same answers, then every number with its exact value and source);
- `docs/glossary.md` quotes the starter study's cost (`QUOTED_ELSEWHERE`).

Tolerance: a quoted number matches a fresh run when it is within one unit of its last written
digit of the fresh value (0.74 quoted: 0.73 to 0.75; 77% quoted: 76 % to 78 %). The runs are seeded,
so a fresh run on the same code gives the same numbers; a change in the kit that moves a number
beyond that shows as stale. Besides the numbers, `CHECKS` holds the comparisons the answers state
in words ("answers the most turns", "the brackets do not overlap").

    python scripts/quoted_numbers.py            # check: list stale numbers (exit 1 if any)
    python scripts/quoted_numbers.py --write    # write the answers and the answer key
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "docs" / "workshop" / "answers.template.md"
WORKSHEET = REPO / "docs" / "workshop" / "worksheet.md"
ANSWER_KEY = REPO / "docs" / "workshop" / "answer-key.md"
ANSWERS_START = "## Answers (for the teacher)"
GENERATED = ("<!-- The answers below are written by scripts/quoted_numbers.py from "
             "docs/workshop/answers.template.md and a fresh run: edit the template, then run the script. -->")
PLACEHOLDER = re.compile(r"\{(\w+):([^}]*)\}")
NUMBER = r"(-?\d+(?:\.\d+)?)"
CLOCK = r"(\d\d:\d\d\.\d)"


@dataclass(frozen=True)
class Quote:
    """A number quoted outside the answers: a file, the sentence around it (a regular expression
    whose one group is the number), the number's name and how it is written."""

    path: str
    pattern: str
    name: str
    spec: str


QUOTED_ELSEWHERE = (
    Quote("docs/glossary.md", r"\*\*(\d+)\*\* is a spoken answer every 12 s \(about what the starter study's",
          "starter_pause_07_cost", ".0f"),
)

SOURCES = {
    "notebook 00 (first conversation)": ("microturns", "answers_", "yields_", "answer_before_barge_in_s",
                                         "first_barge_in_s"),
    "notebook 03 (nine policies, 20 sessions)": ("barge_in_", "pause_", "backchannel_"),
    "notebook 03 (near-perfect model)": ("perfect_",),
    "studies/quiet-modes": ("focused_", "stressed_", "public_", "dnd_"),
    "designkit study new (starter study)": ("starter_",),
}


def first_conversation() -> dict[str, float]:
    """Notebook 00: the 30 s conversation answered after 2, 4 and 8 quiet microturns."""
    import numpy as np

    from designkit.core import Engine
    from designkit.log import replay_to_log
    from designkit.perception import EnergyVAD
    from designkit.policy import SpeakAfterSilence
    from designkit.testing import random_turns, scripted_session

    session = scripted_session(random_turns(30.0, np.random.default_rng(7)), 30.0, seed=7, name="first conversation")
    numbers: dict[str, float] = {}
    for quiet in (2, 4, 8):
        frame = replay_to_log(Engine([EnergyVAD()], SpeakAfterSilence(silent_microturns=quiet, utterance_s=1.2)),
                              session).frame
        numbers["microturns"] = len(frame)
        numbers[f"answers_{quiet}"] = int((frame["action"] == "speak").sum())
        numbers[f"yields_{quiet}"] = int((frame["action"] == "yield").sum())
        if quiet == 4:
            barge = frame[frame["reason"] == "yield:user_barge_in"]["t"].iloc[0]
            numbers["first_barge_in_s"] = float(barge)
            numbers["answer_before_barge_in_s"] = float(frame[(frame["action"] == "speak") & (frame["t"] < barge)]["t"].iloc[-1])
    return numbers


def nine_policies() -> dict[str, float]:
    """Notebook 03: nine policies over 20 dialogues with a decent simulated model, and the calm
    one with a near-perfect model (the notebook's own code and seeds)."""
    from designkit import scenarios
    from designkit.policy import Policy
    from designkit.proposers.simulated import PERFECT, ModelQuality
    from designkit.study.compare import compare
    from designkit.study.prepare import prepare

    sessions = scenarios.get("dialogue-basic", n=20)
    model = ModelQuality(miss_rate=0.1, false_alarms_per_min=2.0, jitter_s=0.2)
    prepared = [prepare(truth, quality=model, seed=i) for i, truth in enumerate(sessions)]
    policies = {f"{s} @ {c}": Policy(style=s, confidence=c)
                for s in ("barge_in", "wait_for_pause", "backchannel_only") for c in (0.5, 0.7, 0.9)}
    table = compare(policies, prepared).set_index(["policy", "metric"])
    short = {"barge_in": "barge_in", "wait_for_pause": "pause", "backchannel_only": "backchannel"}
    numbers: dict[str, float] = {}
    for name in policies:
        style, threshold = name.split(" @ ")
        key = f"{short[style]}_{threshold.replace('.', '')}"
        for metric, word in (("task_success", "success"), ("attention_cost", "cost"), ("silence_regret_per_min", "regret")):
            numbers[f"{key}_{word}"] = float(table.loc[(name, metric), "mean"])
            numbers[f"{key}_{word}_low"] = float(table.loc[(name, metric), "low"])
            numbers[f"{key}_{word}_high"] = float(table.loc[(name, metric), "high"])
    numbers["backchannel_success"] = max(numbers[f"backchannel_{t}_success"] for t in ("05", "07", "09"))
    better = [prepare(truth, quality=PERFECT, seed=i) for i, truth in enumerate(sessions)]
    perfect = compare({"calm": Policy(style="wait_for_pause", confidence=0.7)}, better).set_index("metric")["mean"]
    numbers |= {"perfect_success": float(perfect["task_success"]), "perfect_cost": float(perfect["attention_cost"]),
                "perfect_regret": float(perfect["silence_regret_per_min"])}
    return numbers


def quiet_modes() -> dict[str, float]:
    """studies/quiet-modes: its four context modes, as its notebook and app show them."""
    from designkit.study import Study, run
    from designkit.study.claims import Conclusion

    study = Study.load(REPO / "studies" / "quiet-modes" / "study.json")
    conclusion = Conclusion.load(REPO / "studies" / "quiet-modes" / "conclusion.json")
    table = conclusion.table(run(study, progress=False, workers=1)).set_index(["policy", "metric"])["mean"]
    numbers: dict[str, float] = {}
    for mode, key in (("focused", "focused"), ("stressed", "stressed"), ("public", "public"), ("do_not_disturb", "dnd")):
        for metric, word in (("task_success", "success"), ("attention_cost", "cost"), ("silence_regret_per_min", "regret")):
            numbers[f"{key}_{word}"] = float(table[(f"context={mode}", metric)])
    return numbers


def starter_study() -> dict[str, float]:
    """The study `designkit study new` writes: its `wait_for_pause` at confidence 0.7."""
    from designkit.study import Study, run
    from designkit.study.new import starter_spec

    study = Study.from_dict(starter_spec("starter"))
    results = run(study, progress=False, workers=1).frame
    cost = results[(results["metric"] == "attention_cost") & results["policy"].str.contains("style=wait_for_pause")
                   & results["policy"].str.contains("confidence=0.7")]["value"]
    return {"starter_pause_07_cost": float(cost.mean())}


def compute() -> dict[str, float]:
    """Every quoted number, from a fresh run (about 10 s)."""
    return first_conversation() | nine_policies() | quiet_modes() | starter_study()


def _overlap(n: dict[str, float], a: str, b: str, metric: str) -> bool:
    return n[f"{a}_{metric}_low"] <= n[f"{b}_{metric}_high"] and n[f"{b}_{metric}_low"] <= n[f"{a}_{metric}_high"]


# What the answers say in words, each a comparison of fresh numbers.
CHECKS: dict[str, Callable[[dict[str, float]], bool]] = {
    "5: barge_in @ 0.5 answers the most turns of the nine (within rounding)": lambda n: n["barge_in_05_success"] >= max(
        n[f"{s}_{t}_success"] for s in ("barge_in", "pause", "backchannel") for t in ("05", "07", "09")) - 0.005,
    "5: barge_in @ 0.5 costs about twice wait_for_pause @ 0.7": lambda n: 1.6 <= n["barge_in_05_cost"] / n["pause_07_cost"] <= 2.4,
    "5: their task-success brackets do not overlap": lambda n: not _overlap(n, "barge_in_05", "pause_07", "success"),
    "5: wait_for_pause @ 0.5's task-success bracket overlaps barge_in @ 0.5's": lambda n: _overlap(n, "barge_in_05", "pause_05", "success"),
    "5: wait_for_pause @ 0.5 costs less than barge_in @ 0.5": lambda n: n["pause_05_cost"] < n["barge_in_05_cost"],
    "6: the near-perfect model answers more, costs more, regrets less": lambda n: (
        n["perfect_success"] > n["pause_07_success"] and n["perfect_cost"] > n["pause_07_cost"]
        and n["perfect_regret"] < n["pause_07_regret"]),
    "7: attention cost orders focused > stressed > public > do not disturb": lambda n: (
        n["focused_cost"] > n["stressed_cost"] > n["public_cost"] > n["dnd_cost"]),
    "7: silence regret orders do not disturb > stressed > focused > public": lambda n: (
        n["dnd_regret"] > n["stressed_regret"] > n["focused_regret"] > n["public_regret"]),
    "1: waiting 2 microturns answers as often as 4": lambda n: (n["answers_2"], n["yields_2"]) == (n["answers_4"], n["yields_4"]),
}


def fmt(value: float, spec: str) -> str:
    if spec == "clock":
        return f"{int(value // 60):02d}:{value % 60:04.1f}"
    return format(value, spec)


def render(template: str, numbers: dict[str, float]) -> str:
    return PLACEHOLDER.sub(lambda m: fmt(numbers[m.group(1)], m.group(2)), template)


def parse(written: str, spec: str) -> float:
    if spec == "clock":
        minutes, seconds = written.split(":")
        return int(minutes) * 60 + float(seconds)
    return float(written) / (100 if spec.endswith("%") else 1)


def tolerance(written: str, spec: str) -> float:
    """One unit of the last written digit (a percentage's in percent)."""
    decimals = len(written.split(".")[1]) if "." in written else 0
    return 10.0 ** -decimals / (100 if spec.endswith("%") else 1) + 1e-9


def quoted_in_answers(text: str, template: str) -> list[tuple[str, str, str]] | None:
    """(name, spec, the number as written) for each placeholder, or None when the words around the
    numbers differ from the template's."""
    pattern, fields, last = [], [], 0
    for m in PLACEHOLDER.finditer(template):
        pattern += [re.escape(template[last:m.start()]), CLOCK if m.group(2) == "clock" else NUMBER + "%" * m.group(2).endswith("%")]
        fields.append((m.group(1), m.group(2)))
        last = m.end()
    pattern.append(re.escape(template[last:]))
    found = re.fullmatch("".join(pattern), text.strip() + "\n", re.S) or re.fullmatch("".join(pattern), text.strip(), re.S)
    if found is None:
        return None
    return [(name, spec, found.group(i + 1)) for i, (name, spec) in enumerate(fields)]


def answers_of(worksheet: str) -> str:
    start = worksheet.find(ANSWERS_START)
    return worksheet[start:] if start >= 0 else ""


def stale(numbers: dict[str, float], repo: Path = REPO) -> list[str]:
    """Each quoted number that a fresh run contradicts beyond its tolerance, each stated comparison
    that no longer holds, and an answers section that no longer reads as its template."""
    template = (repo / TEMPLATE.relative_to(REPO)).read_text(encoding="utf-8")
    problems = [f"the answers say {claim!r}, a fresh run does not" for claim, holds in CHECKS.items() if not holds(numbers)]
    quotes: list[tuple[str, str, str, str]] = []
    for path in (WORKSHEET, ANSWER_KEY):
        text = answers_of((repo / path.relative_to(REPO)).read_text(encoding="utf-8"))
        found = quoted_in_answers(text.split(KEY_TABLE)[0], template)
        if found is None:
            problems.append(f"{path.relative_to(REPO)}: its answers differ from answers.template.md "
                            "(run python scripts/quoted_numbers.py --write)")
            continue
        quotes += [(str(path.relative_to(REPO)), *q) for q in found]
    for quote in QUOTED_ELSEWHERE:
        text = (repo / quote.path).read_text(encoding="utf-8")
        m = re.search(quote.pattern, text)
        if m is None:
            problems.append(f"{quote.path}: the sentence quoting {quote.name} is gone (update QUOTED_ELSEWHERE)")
            continue
        quotes.append((quote.path, quote.name, quote.spec, m.group(1)))
    for path, name, spec, written in quotes:
        if abs(parse(written, spec) - numbers[name]) > tolerance(written, spec):
            problems.append(f"{path}: {name} is quoted as {written}, a fresh run gives {fmt(numbers[name], spec)}")
    return problems


KEY_TABLE = "## Every number, from a fresh run"


def source_of(name: str) -> str:
    return next((source for source, prefixes in SOURCES.items() if any(name.startswith(p) for p in prefixes)), "")


def answer_key(answers: str, numbers: dict[str, float], template: str) -> str:
    used = dict.fromkeys(m.group(1) for m in PLACEHOLDER.finditer(template))
    used |= dict.fromkeys(q.name for q in QUOTED_ELSEWHERE)
    rows = "\n".join(f"| `{name}` | {numbers[name]:.4g} | {source_of(name)} |" for name in used)
    checks = "\n".join(f"- {claim}" for claim in CHECKS)
    return (f"# Worksheet answers: the teacher's version\n\n{GENERATED}\n\nThe answers of "
            "[the worksheet](worksheet.md), with every number they quote as a fresh run gives it. A quoted "
            "number may differ from this run by one unit of its last digit; `tests/test_quoted_numbers.py` "
            "fails beyond that.\n\n" + answers.strip() + f"\n\n{KEY_TABLE}\n\n| number | value | from |\n|---|---|---|\n"
            f"{rows}\n\nWhat the answers state in words, each checked against the same run:\n\n{checks}\n")


def write(numbers: dict[str, float], repo: Path = REPO) -> None:
    template = (repo / TEMPLATE.relative_to(REPO)).read_text(encoding="utf-8")
    answers = render(template, numbers)
    worksheet = repo / WORKSHEET.relative_to(REPO)
    text = worksheet.read_text(encoding="utf-8")
    before = text[:text.find(ANSWERS_START)] if ANSWERS_START in text else text.rstrip() + "\n\n---\n\n"
    before = before.replace(GENERATED + "\n\n", "")
    worksheet.write_text(before + GENERATED + "\n\n" + answers, encoding="utf-8")
    (repo / ANSWER_KEY.relative_to(REPO)).write_text(answer_key(answers, numbers, template), encoding="utf-8")


def main(argv: list[str]) -> int:
    numbers = compute()
    if "--write" in argv:
        write(numbers)
    problems = stale(numbers)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} stale")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
