"""The numbers the worksheet's answers and the docs quote about the kit's own results agree with a
fresh run (scripts/quoted_numbers.py: within one unit of the last written digit), and a number
that a fresh run contradicts is found."""

from __future__ import annotations

import shutil
import sys
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


sys.path.insert(0, str(REPO / "scripts"))
import quoted_numbers  # noqa: E402


@cache
def fresh() -> dict[str, float]:
    return quoted_numbers.compute()


def test_every_quoted_number_agrees_with_a_fresh_run() -> None:
    assert quoted_numbers.stale(fresh()) == []


def test_the_answers_quote_the_quiet_modes_study_as_its_app_shows_it() -> None:
    answers = (REPO / "docs" / "workshop" / "worksheet.md").read_text(encoding="utf-8")
    numbers = fresh()
    assert f"Focused answers {numbers['focused_success']:.0%}" in answers
    assert f"public {numbers['public_success']:.0%} by caption" in answers


def copy_of_the_quoting_files(tmp_path: Path) -> Path:
    for part in ("docs/workshop/worksheet.md", "docs/workshop/answer-key.md", "docs/workshop/answers.template.md",
                 "docs/glossary.md"):
        (tmp_path / part).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / part, tmp_path / part)
    return tmp_path


def test_an_old_number_in_the_answers_is_found(tmp_path: Path) -> None:
    repo = copy_of_the_quoting_files(tmp_path)
    numbers = fresh()
    sheet = repo / "docs" / "workshop" / "worksheet.md"
    written = f"focused (about {numbers['focused_cost']:.1f} cost points per minute)"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace(written, "focused (about 4.9 cost points per minute)"))
    problems = quoted_numbers.stale(numbers, repo)
    assert len(problems) == 1 and "worksheet.md: focused_cost is quoted as 4.9" in problems[0]


def test_rounding_within_the_last_digit_is_not_stale(tmp_path: Path) -> None:
    numbers = dict(fresh())
    numbers["focused_cost"] += 0.09  # still within 0.1 of the quoted 7.9 or so
    assert not any("focused_cost" in p for p in quoted_numbers.stale(numbers, copy_of_the_quoting_files(tmp_path)))
    numbers["focused_cost"] += 0.2
    assert any("focused_cost" in p for p in quoted_numbers.stale(numbers, copy_of_the_quoting_files(tmp_path)))


def test_a_comparison_the_answers_state_is_checked(tmp_path: Path) -> None:
    numbers = fresh() | {"public_cost": 9.0}  # public now costs more than focused
    problems = quoted_numbers.stale(numbers, copy_of_the_quoting_files(tmp_path))
    assert any("attention cost orders focused > stressed > public" in p for p in problems)


def test_answers_edited_by_hand_are_found(tmp_path: Path) -> None:
    repo = copy_of_the_quoting_files(tmp_path)
    key = repo / "docs" / "workshop" / "answer-key.md"
    key.write_text(key.read_text(encoding="utf-8").replace("Do-not-disturb misses", "Do not disturb misses"))
    assert any("answer-key.md: its answers differ" in p for p in quoted_numbers.stale(fresh(), repo))
