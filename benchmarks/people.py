"""A study with people, scripted: 4 participants x 2 conditions, checked from the order to forgetting.

    python benchmarks/people.py --example studies/timing-with-people   # (re)write the shipped example

`write_example` fills a study folder the way the facilitator does (consent, the order the square
gives, one session per condition, markers, the questionnaire's answers), with scripted sessions in
place of live ones: each participant's speech is a different pattern of turns and mid-turn pauses,
heard by the loudness detector, and their answers are a fixed script. The logs say
`source: scripted`; the shipped example is there to read a finished study, not as a finding.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "people"
EXAMPLE = Path(__file__).resolve().parents[1] / "studies" / "timing-with-people"

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
