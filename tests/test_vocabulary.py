"""One vocabulary in what a designer reads: no retired name of the attention cost's unit, no grid
variant's code (`context=do_not_disturb`) in prose, across the README, docs, notebooks and studies."""

from __future__ import annotations

from pathlib import Path

from vocabulary import designer_files, designer_text_problems

from designkit.metrics.catalogue import CATALOGUE

REPO = Path(__file__).resolve().parents[1]


def test_designer_facing_text_uses_one_vocabulary() -> None:
    assert len(designer_files(REPO)) > 20  # the walk sees the docs, notebooks and studies
    assert designer_text_problems(REPO) == []


def test_the_attention_cost_unit_is_the_catalogues() -> None:
    assert CATALOGUE["attention_cost"].unit == "cost points per minute"
    glossary = (REPO / "docs" / "glossary.md").read_text()
    assert "cost points per minute" in glossary and "**15**" in glossary  # the worked reading


def test_the_walk_finds_a_retired_word_and_a_raw_code(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("It costs 4 attention units; `context=public` is fine in code.\n")
    (tmp_path / "docs" / "a.md").write_text("Then context=do_not_disturb answers less.\n```\nPolicy(confidence=0.7)\n```\n")
    found = designer_text_problems(tmp_path)
    assert len(found) == 2 and "attention units" in found[0] and "context=do_not_disturb" in found[1]


def test_the_readme_counts_the_study_apps() -> None:
    words = {5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}
    apps = len(list((REPO / "studies").glob("*/study.json")))
    assert f"({words[apps]} Voilà apps" in (REPO / "README.md").read_text()


def test_the_walk_finds_a_scenario_condition_named_like_a_context_mode(tmp_path: Path) -> None:
    (tmp_path / "studies" / "s").mkdir(parents=True)
    (tmp_path / "README.md").write_text("Eight stressed dialogues and a public (café noise) user; the stressed mode waits.\n")
    (tmp_path / "studies" / "s" / "conclusion.json").write_text(
        '{"claims": [{"says": "The public user is answered by caption.", "values": {}}]}')
    found = designer_text_problems(tmp_path)
    assert [f.split(": ", 1)[1].split(" (write")[0] for f in found] == ["'stressed dialogues'", "'public (café'", "'public user'"]
    assert "studies/s/conclusion.json" in found[2]
