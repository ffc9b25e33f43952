"""A study with people, scripted: 4 participants x 2 conditions, checked from the order to forgetting.

    python benchmarks/people.py --example studies/timing-with-people   # (re)write the shipped example

`write_example` fills a study folder the way the facilitator does (consent, the order the square
gives, one session per condition, markers, the questionnaire's answers), with scripted sessions in
place of live ones: each participant's speech is a different pattern of turns and mid-turn pauses,
heard by the loudness detector, and their answers are a fixed script. The logs say
`source: scripted`; the shipped example is there to read a finished study, not as a finding.

    python benchmarks/run.py --only people --quick                     # the benchmark

`run` runs the same study through its pages: JupyterLab and Debian Chromium (one browser launch
per participant, each with a different espeak-ng voice as the fake microphone; the network cut),
the facilitator's console and the participant's screen (tests/browser/people_flow.py), the
questionnaire answered by clicking, two markers per session pressed by key. Then it checks the
balanced order, the analysis against a hand computation with pandas and scipy on the same table,
the markers' microturns against the page's, forgetting a participant (study folder and published
app), and the published app in Voilà offline (console errors and failed requests).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

NAME = "people"
REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "studies" / "timing-with-people"
FORGOTTEN = "P03"

# Per participant: the user's speech (turns with short pauses inside) and two marker times.
SPEECH = {
    "P01": ([(0.4, 2.0), (2.6, 4.2), (5.4, 7.0), (7.5, 9.0), (10.4, 11.6)], (4.6, 9.6)),
    "P02": ([(0.6, 1.8), (2.4, 4.6), (6.0, 7.2), (7.8, 9.4), (10.8, 12.0)], (5.0, 10.0)),
    "P03": ([(0.3, 2.4), (3.0, 4.0), (5.2, 6.6), (7.2, 8.8), (10.0, 11.8)], (4.4, 9.2)),
    "P04": ([(0.5, 1.6), (2.2, 3.8), (4.4, 6.0), (7.4, 8.6), (9.2, 11.0)], (6.4, 11.4)),
}
DURATION_S = 13.0
# The scripted answers: per participant and condition, the four timing items in order
# (interrupted, waited_too_long, attentive, quiet_when_right).
ANSWERS = {
    ("P01", "quick"): (6, 2, 4, 2), ("P01", "patient"): (2, 4, 5, 6),
    ("P02", "quick"): (5, 1, 5, 3), ("P02", "patient"): (3, 3, 5, 5),
    ("P03", "quick"): (7, 2, 3, 1), ("P03", "patient"): (2, 5, 4, 6),
    ("P04", "quick"): (4, 2, 5, 3), ("P04", "patient"): (3, 2, 6, 5),
}
ITEMS = ("interrupted", "waited_too_long", "attentive", "quiet_when_right")


def example_study() -> object:
    from designkit.policy import Policy
    from designkit.study.people.questionnaire import Questionnaire
    from designkit.study.people.spec import People, Task
    from designkit.study.spec import ScenarioSet, Study

    return Study(
        name="timing-with-people", title="Timing with people: a quick agent or a patient one?",
        question="Do people feel interrupted by an agent that answers at the first short pause, and does "
                 "what they feel follow what the agent did?",
        scenarios=(ScenarioSet("dialogue-basic", n=3),),
        metrics=("task_success", "attention_cost", "response_latency_s"),
        variants={"quick": Policy(confidence=0.2, pause_s=0.2), "patient": Policy(confidence=0.9, pause_s=1.0)},
        people=People(conditions=("quick", "patient"),
                      tasks=(Task("trip", "Tell the agent about a trip you would like to make. Take your time.",
                                  90.0),),
                      questionnaire=Questionnaire(open_question="Was there a moment that felt wrong?"),
                      seed=2))


def write_example(folder: str | Path) -> Path:
    """Write the scripted example study into `folder` (study.json, people/, people.parquet)."""
    import shutil

    from designkit.study.people.scripted import record_scripted
    from designkit.study.people.storage import TABLE, ConsentRecord, PeopleStore

    folder = Path(folder)
    study = example_study()
    assert study.people is not None
    if (folder / "people").exists():
        shutil.rmtree(folder / "people")
    (folder / TABLE).unlink(missing_ok=True)
    study.save(folder / "study.json")
    store = PeopleStore(folder, study.people)
    policies = study.policies()
    for seed, (pid, (speech, marks)) in enumerate(SPEECH.items()):
        store.save_consent(ConsentRecord(pid, study.people.consent_text(pid), given_at=0.0))
        for position, condition, task in study.people.sessions_for(store.order(pid)):
            session = store.session(pid, condition, task.name)
            record_scripted(session, policies[condition], user=speech, duration_s=DURATION_S,
                            markers=[(marks[0], "that felt too quick"), (marks[1], "")], seed=seed)
            store.save_markers(session)
            answers = dict(zip(ITEMS, ANSWERS[(pid, condition)], strict=True))
            store.save_ratings(session, answers, position=position,
                               open_answer="it jumped in when I paused" if condition == "quick" and seed % 2 == 0
                               else "")
    store.write_table()
    return folder


def run(quick: bool = True) -> Iterator[dict[str, Any]]:
    """The scripted study through real pages; see the module docstring."""
    sys.path.insert(0, str(REPO / "tests" / "browser"))
    import harness
    import offline
    import people_flow as flow

    task_s = 8.0 if quick else 15.0
    marks_at = (12, 28) if quick else (20, 55)  # chunks of 200 ms sent when M goes down
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="dk-people-bench-") as tmp:
        work = Path(tmp)
        root = work / "lab-root"
        folder = root / "timing-with-people"
        folder.mkdir(parents=True)
        for name in ("timing-with-people.ipynb", "conclusion.json"):
            (folder / name).write_bytes((EXAMPLE / name).read_bytes())
        study = example_study()
        people = study.people  # type: ignore[attr-defined]
        task = replace(people.tasks[0], duration_s=task_s)
        replace(study, people=replace(people, tasks=(task,))).save(folder / "study.json")  # type: ignore[type-var]
        pressed: dict[tuple[str, int], tuple[int, ...]] = {}
        with harness.jupyterlab(root, work, timeout=180.0) as lab:
            for index, pid in enumerate(SPEECH):
                wav = flow.participant_wav(work / f"{pid}.wav", index)
                notebook = flow.facilitator_notebook(root / f"{pid.lower()}.ipynb", folder)
                with harness.chromium(wav) as browser:
                    page = harness.new_page(browser)
                    offline.block_network(page)
                    flow.open_console(page, f"{lab.url}/lab/tree/{notebook.name}?reset")
                    flow.begin(page, pid)
                    for position in (1, 2):
                        session = flow.run_session(page, marks_at=marks_at)
                        pressed[(pid, position)] = session.pressed_in
                        condition = flow.current_condition(folder, pid)
                        answers = dict(zip(ITEMS, ANSWERS[(pid, condition)], strict=True))
                        flow.rate_by_mouse(page, answers)
                        flow.wait_status(page, "all 2 sessions done" if position == 2 else "answers saved")
                    flow.shut_down_kernels(page)
        yield {"metric": "sessions_completed", "value": _completed(folder), "unit": "sessions", "goal": "== 8"}
        yield {"metric": "order_balanced", "value": _balanced(folder, people.conditions), "unit": "bool",
               "goal": "== 1"}
        yield {"metric": "analysis_equals_hand", "value": _analysis_equals_hand(folder, people.conditions),
               "unit": "bool", "goal": "== 1"}
        yield {"metric": "markers_placed_within_1_microturn", "value": _markers_within(folder, pressed),
               "unit": "bool", "goal": "== 1"}
        yield {"metric": "forget_leaves_nothing", "value": _forget_leaves_nothing(folder), "unit": "bool",
               "goal": "== 1"}
        errors = _report_console_errors(folder, work, flow, harness)
        yield {"metric": "report_console_errors", "value": errors, "unit": "errors", "goal": "== 0"}
    yield {"metric": "people_wall_s", "value": round(time.perf_counter() - started, 1), "unit": "s",
           "goal": f"informational (4 participants x 2 sessions of {task_s:g} s)"}


def _rated(folder: Path) -> dict[tuple[str, int], tuple[str, Path]]:
    """(participant, position) -> (condition, session folder), from the saved ratings."""
    out = {}
    for ratings in folder.glob("people/*/*/*/ratings.json"):
        saved = json.loads(ratings.read_text())
        session = ratings.parent
        out[(session.parent.parent.name, int(saved["position"]))] = (session.parent.name, session)
    return out


def _completed(folder: Path) -> int:
    return sum(1 for _, session in _rated(folder).values()
               if list(session.glob("session-*/log.parquet")) and (session / "markers.json").is_file())


def _balanced(folder: Path, conditions: tuple[str, ...]) -> int:
    """1 when each condition came first for the same number of participants (as they ran)."""
    firsts = [condition for (_, position), (condition, _) in _rated(folder).items() if position == 1]
    return int(len(firsts) == len(SPEECH) and all(firsts.count(c) == len(SPEECH) // len(conditions)
                                                    for c in conditions))


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-9 * max(1.0, abs(b))


def _analysis_equals_hand(folder: Path, conditions: tuple[str, ...]) -> int:
    """The kit's means, Wilcoxon and rating-metric Spearman against pandas/scipy on people.parquet."""
    import pandas as pd
    from scipy.stats import spearmanr, wilcoxon

    from designkit.study.people import analysis

    table = pd.read_parquet(folder / "people.parquet")
    answers = table[table["kind"] == "item"]
    a, b = conditions
    ok = True
    hand_means = answers.groupby(["item", "condition", "participant"])["value"].mean().groupby(
        ["item", "condition"]).mean()
    kit_means = analysis.item_means(table).set_index(["item", "condition"])["mean"]
    ok &= set(hand_means.index) == set(kit_means.index)
    ok &= all(_same(float(kit_means[key]), float(value)) for key, value in hand_means.items())
    for item in ITEMS:
        rows = answers[answers["item"] == item]
        x = rows[rows["condition"] == a].groupby("participant")["value"].mean()
        y = rows[rows["condition"] == b].groupby("participant")["value"].mean()
        both = pd.concat([x.rename("a"), y.rename("b")], axis=1).dropna()
        hand = wilcoxon(both["a"], both["b"])
        kit = analysis.compare(table, item, a, b)
        ok &= kit.n == len(both) and _same(kit.statistic, float(hand.statistic)) and _same(kit.p, float(hand.pvalue))
    sessions = answers[answers["item"] == "interrupted"]
    hand_rho = spearmanr(sessions["value"], sessions["false_interruptions_per_min"])
    kit_rho = analysis.rating_vs_metric(table, "interrupted", "false_interruptions_per_min")
    ok &= kit_rho.n_sessions == len(sessions) and _same(kit_rho.rho, float(hand_rho.statistic)) \
        and _same(kit_rho.p, float(hand_rho.pvalue))
    return int(ok)


def _markers_within(folder: Path, pressed: dict[tuple[str, int], tuple[int, ...]]) -> int:
    """1 when every key press is logged, each within one microturn of the chunk the page was sending."""
    rated = _rated(folder)
    ok = len(pressed) == 2 * len(SPEECH)
    for key, chunks in pressed.items():
        logged = [int(m["microturn"]) for m in json.loads((rated[key][1] / "markers.json").read_text())]
        ok &= len(logged) == len(chunks) and all(abs(m - c) <= 1 for m, c in zip(logged, chunks, strict=True))
    return int(ok)


def _mentions(path: Path, pid: str) -> bool:
    if pid in path.name:
        return True
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        metadata = table.schema.metadata or {}
        if any(pid.encode() in v for v in metadata.values()):
            return True
        return any(pid in str(v) for column in table.columns if str(column.type) in ("string", "large_string")
                   for v in column.to_pylist())
    return pid.encode() in path.read_bytes()


def _forget_leaves_nothing(folder: Path) -> int:
    """Publish, forget one participant with the command, publish again: nothing of them anywhere."""
    from designkit.cli import main as designkit
    from designkit.study.people.storage import PUBLISHED
    from designkit.study.publish import write_app

    app = folder / PUBLISHED
    write_app(folder, app)
    there_before = any(_mentions(p, FORGOTTEN) for p in app.rglob("*") if p.is_file())
    with contextlib.redirect_stdout(sys.stderr):  # what the command says is not a benchmark line
        if designkit(["study", "forget", str(folder), FORGOTTEN]) != 0:
            return 0
    forgotten_here = not any(_mentions(p, FORGOTTEN) for p in folder.rglob("*") if p.is_file())
    write_app(folder, app)  # the next publish
    gone_after = not any(_mentions(p, FORGOTTEN) for p in app.rglob("*") if p.is_file())
    return int(there_before and forgotten_here and gone_after)


def _report_console_errors(folder: Path, work: Path, flow: Any, harness: Any) -> int:
    """The published app in Voilà with the network cut: console errors, page errors, failed or
    refused requests, counted once it shows its conclusion. A screenshot goes to test-artifacts/people/."""
    from designkit.study.people.storage import PUBLISHED

    app = folder / PUBLISHED
    notebook = app / "timing-with-people.ipynb"
    with harness.voila_app(notebook, app / "share", work, wav="quiet.wav") as (browser, server):
        page = harness.new_page(browser)
        problems = harness.watch_offline(page)
        page.goto(server.url, wait_until="domcontentloaded", timeout=300_000)
        page.wait_for_selector(".dk-conclusion", timeout=300_000)
        page.wait_for_load_state("networkidle", timeout=60_000)
        shots = REPO / "test-artifacts" / "people"
        shots.mkdir(parents=True, exist_ok=True)
        # Voilà scrolls inside its own box: a viewport as tall as the content shows all of it.
        tall = page.evaluate("() => Math.max(...Array.from(document.querySelectorAll('*'), e => e.scrollHeight))")
        page.set_viewport_size({"width": 1280, "height": min(int(tall) + 200, 12_000)})
        page.wait_for_timeout(1000)
        page.screenshot(path=str(shots / "published-app.png"), full_page=True)
        body = page.inner_text("body")
        if "Traceback (most recent call last)" in body:
            problems.append("a cell failed: " + body[body.find("Traceback"):][:500])
        for line in problems:
            print(line, file=sys.stderr)
        return len(problems)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--example", nargs="?", const=str(EXAMPLE), help="write the scripted example study here")
    args = parser.parse_args(argv)
    if args.example:
        print(write_example(args.example))
        return 0
    parser.print_help()
    return 1


if __name__ == "__main__":
    sys.exit(main())
