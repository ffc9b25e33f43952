"""Each study's conclusion holds for the table its own run produces; a claim the numbers do not
support fails (and shows struck through in the notebook)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from designkit.errors import InputError
from designkit.study import Study, run
from designkit.study.claims import Conclusion

STUDIES = Path(__file__).resolve().parents[1] / "studies"
SCORECARD_EXAMPLES = 6  # as in studies/fd-scorecard's notebook
NAMES = sorted(p.parent.name for p in STUDIES.glob("*/conclusion.json"))


def test_every_study_has_a_checked_conclusion() -> None:
    assert sorted(p.parent.name for p in STUDIES.glob("*/study.json")) == NAMES


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_each_claim_holds_for_the_study_table(name: str) -> None:
    study = Study.load(STUDIES / name / "study.json")
    conclusion = Conclusion.load(STUDIES / name / "conclusion.json")
    if name == "fd-scorecard":  # its table is the benchmark run, as its notebook makes it
        from designkit.agents.fdbench import scorecard

        summary = scorecard(study.policies(), n=SCORECARD_EXAMPLES)
    else:
        summary = conclusion.table(run(study, progress=False, workers=1))
    assert conclusion.failures(summary) == []
    assert "~~" not in conclusion.text(summary)


SUMMARY = pd.DataFrame({"policy": ["voice", "caption", "voice", "caption"],
                        "metric": ["rude_hits", "rude_hits", "cue_recall", "cue_recall"],
                        "mean": [3.2, 0.0, 1.0, 1.0]})


def test_a_claim_the_table_contradicts_fails_and_is_struck_through() -> None:
    conclusion = Conclusion.from_dict({"claims": [
        {"says": "Captions talk over the learner {c:.1f} times, as often as the voice ({v:.1f}).",
         "values": {"c": {"policy": "caption", "metric": "rude_hits"}, "v": {"policy": "voice", "metric": "rude_hits"}},
         "checks": [["c", "==", "v"]]},
        {"says": "Both catch every switch ({r:.0%}).", "values": {"r": {"policy": "caption", "metric": "cue_recall"}},
         "checks": [["r", ">=", 0.99]]}]})
    failures = conclusion.failures(SUMMARY)
    assert len(failures) == 1 and "c == v (0 vs 3.2)" in failures[0]
    assert conclusion.text(SUMMARY).startswith("~~Captions talk over the learner 0.0 times")
    assert conclusion.text(SUMMARY).endswith("Both catch every switch (100%).")
    with pytest.raises(InputError, match="exactly one row"):
        Conclusion.from_dict({"claims": [{"says": "{x}", "values": {"x": {"metric": "rude_hits"}}}]}).text(SUMMARY)
