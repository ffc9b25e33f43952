"""A designer changes a study by clicking in the study editor: conditions added, renamed and
removed, knobs moved, weights changed, the study run and its conclusion checked; study.json keeps
every change and still reads back as the same study. Always on a copy in a temporary folder."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ipywidgets as w
import pytest

from designkit.errors import InputError
from designkit.metrics.attention import DEFAULT_OVERLAP_WEIGHT, DEFAULT_WEIGHTS, STUDY_WEIGHT_DEFAULTS
from designkit.study import Study
from designkit.study.editing import plain_name
from designkit.study.new import new_study
from designkit.widgets import StudyEditor

STUDIES = Path(__file__).resolve().parents[1] / "studies"
CODE = re.compile(r"\w_\w|\w:\w")


def copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(STUDIES / name, target, ignore=shutil.ignore_patterns("published", "results.parquet"))
    return target


def texts(widget: Any) -> Iterator[str]:
    for name in ("description", "tooltip", "placeholder"):
        value = getattr(widget, name, None)
        if isinstance(value, str) and value:
            yield value
    if isinstance(widget, w.HTML | w.Label):
        words = re.sub(r"<[^>]+>|\{[^}]*\}", "", str(widget.value))
        yield re.sub(r"\S+\.(json|md|html)\b|\S*/\S*", "", words)  # file names and paths may be codes
    yield from getattr(widget, "_options_labels", ())
    for child in getattr(widget, "children", ()):
        yield from texts(child)


def test_add_rename_and_remove_a_condition(tmp_path: Path) -> None:
    folder = copy("interruption-styles", tmp_path)
    before = Study.load(folder)
    editor = StudyEditor(root=tmp_path)
    assert editor.picker.options == (("interruption-styles", str(folder)),)
    editor.open_study(editor.picker.value)
    assert [v for _, v in editor.condition_list.options] == ["base"]

    editor.add_condition()  # a copy of the picked one, run as it is
    assert editor.selected == "condition 1"
    editor.knobs["pause_s"].value = 1.2
    saved = Study.load(folder)
    assert dict(saved.saved)["condition 1"] == before.base.replace(pause_s=1.2)
    assert set(before.policies()) < set(saved.policies())  # the grid's conditions keep their names

    editor.new_name.value = "patient"
    editor.rename_condition(editor.new_name.value)
    assert [n for n, _ in Study.load(folder).saved] == ["patient"]
    assert "patient" in [v for _, v in editor.condition_list.options]

    editor.add_condition()
    editor.new_name.value = "patient"
    editor.rename_condition("patient")  # taken: said, nothing saved
    assert "condition name" in editor.message.value
    assert [n for n, _ in Study.load(folder).saved] == ["patient", "condition 1"]

    editor.select("patient")
    editor.remove_condition()
    assert [n for n, _ in Study.load(folder).saved] == ["condition 1"]
    editor.select("base")
    editor.remove_condition()  # the base stays
    assert "not the base" in editor.message.value
    assert Study.load(folder).base == before.base


def test_renaming_a_variant_keeps_the_conclusion_pointing_at_it(tmp_path: Path) -> None:
    folder = copy("language-coach", tmp_path)
    editor = StudyEditor(folder)
    old = editor.selected
    editor.rename_condition("right away")
    assert next(n for n, _ in Study.load(folder).variants) == "right away"
    policies = [where.get("policy") for claim in json.loads((folder / "conclusion.json").read_text())["claims"]
                for where in claim["values"].values()]
    assert "right away" in policies and old not in policies


@pytest.mark.parametrize("name", sorted(p.parent.name for p in STUDIES.glob("*/study.json")))
def test_study_json_round_trips_through_the_editor(tmp_path: Path, name: str) -> None:
    folder = copy(name, tmp_path)
    original = (folder / "study.json").read_text()
    editor = StudyEditor(folder)
    assert (folder / "study.json").read_text() == original  # opening writes nothing
    first = editor.selected
    knob = "confidence"
    start = editor.knobs[knob].value
    editor.knobs[knob].value = 0.95 if start != 0.95 else 0.9
    editor.knobs[knob].value = start
    assert Study.load(folder) == Study.load(STUDIES / name)  # moved and moved back: the same study
    # What a browser's slider sends back for the value it was given (float noise) saves nothing.
    saved = (folder / "study.json").stat().st_mtime_ns
    editor.knobs[knob].value = start + 1e-15
    assert (folder / "study.json").stat().st_mtime_ns == saved and Study.load(folder) == Study.load(STUDIES / name)
    # A hand edit is read again on opening.
    data = json.loads((folder / "study.json").read_text())
    data["title"] = "edited by hand"
    (folder / "study.json").write_text(json.dumps(data))
    editor.open_study(folder)
    assert editor.title.value == "edited by hand" and editor.selected == first


def test_attention_cost_weights_are_changed_and_reset_by_clicking(tmp_path: Path) -> None:
    folder = copy("quiet-modes", tmp_path)
    editor = StudyEditor(folder)
    assert {k: s.value for k, s in editor.weight_controls.items()} == dict(STUDY_WEIGHT_DEFAULTS)
    assert all(not any(c in s.description for c in "_=") for s in editor.weight_controls.values())  # plain words
    editor.weight_controls["caption"].value = 1.0
    editor.weight_controls["overlap_s"].value = 1.5
    weights = json.loads((folder / "study.json").read_text())["weights"]
    # every weight, so the metric reads them all
    assert weights == dict(STUDY_WEIGHT_DEFAULTS) | {"caption": 1.0, "overlap_s": 1.5}
    editor._reset_weights()
    assert json.loads((folder / "study.json").read_text())["weights"] == {}
    assert editor.weight_controls["caption"].value == DEFAULT_WEIGHTS["caption"]
    assert editor.weight_controls["overlap_s"].value == DEFAULT_OVERLAP_WEIGHT


def test_the_weight_of_talking_over_the_person_changes_the_attention_cost(tmp_path: Path) -> None:
    from designkit.study import editing
    from designkit.study.runner import run

    study = Study.load(new_study(tmp_path / "quick") / "study.json")
    study = study.replace(scenarios=({"set": "dialogue-basic", "n": 2, "seed": 0},))
    plain = run(study, progress=False).summary(["attention_cost"]).set_index("policy")["mean"]
    heavy = editing.set_weights(study, {"overlap_s": 5.0, "interruptions": 10.0})
    costly = run(heavy, progress=False).summary(["attention_cost"]).set_index("policy")["mean"]
    barge = "style=barge_in, confidence=0.5"
    assert costly[barge] > plain[barge]  # barging in talks over the person: it costs more now
    with pytest.raises(InputError, match="attention-cost weight"):
        editing.set_weights(study, {"overlap": 1.0})


def test_a_run_shows_the_table_and_the_conclusion_check(tmp_path: Path) -> None:
    folder = new_study(tmp_path / "quick")
    (folder / "conclusion.json").write_text(json.dumps({"claims": [
        {"says": "Barge-in answers {b:.0%} of turn ends.",
         "values": {"b": {"policy": "style=barge_in, confidence=0.5", "metric": "task_success"}},
         "checks": [["b", ">=", 0.5]]},
        {"says": "Waiting for a pause costs more attention ({w:.1f}) than barging in ({b:.1f}).",
         "values": {"w": {"policy": "style=wait_for_pause, confidence=0.5", "metric": "attention_cost"},
                    "b": {"policy": "style=barge_in, confidence=0.5", "metric": "attention_cost"}},
         "checks": [["w", ">", "b"]]}]}))
    editor = StudyEditor(folder)
    editor.run()
    assert "ran 4 conditions" in editor.run_status.value
    assert "interruption style may interrupt, confidence threshold 0.5" in editor.table.value
    assert "1 of 2 claims hold" in editor.conclusion.value
    assert "dk-claim-fails" in editor.conclusion.value and "not supported" in editor.conclusion.value
    assert not CODE.search(re.sub(r"<[^>]+>", "", editor.table.value))


def test_no_editor_label_or_choice_is_a_code(tmp_path: Path) -> None:
    editor = StudyEditor(copy("interruption-styles", tmp_path))
    editor.add_condition()
    shown = [text for text in texts(editor) if CODE.search(text)]
    assert shown == []
    assert plain_name("context=public, style=barge_in") == "context mode in public, interruption style may interrupt"


def test_a_new_study_says_how_to_open_the_editor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from designkit.cli import main

    assert main(["study", "new", str(tmp_path / "mine")]) == 0
    said = capsys.readouterr().out
    assert "study editor" in said and "mine.ipynb" in said
    cells = json.loads((tmp_path / "mine" / "mine.ipynb").read_text())["cells"]
    editor_cell = next(c for c in cells if "StudyEditor(" in "".join(c["source"]))
    assert "notebook-only" in editor_cell["metadata"]["tags"]


def test_every_attention_cost_weight_the_editor_shows_is_in_the_glossary() -> None:
    from designkit.study.editing import WEIGHT_LABELS

    glossary = (STUDIES.parent / "docs" / "glossary.md").read_text(encoding="utf-8")
    section = glossary[glossary.index("### attention cost"):]
    section = " ".join(section[:section.index("\n### ")].split())
    assert set(WEIGHT_LABELS) == set(STUDY_WEIGHT_DEFAULTS)
    for kind in ("overlap_s", "interruptions"):
        assert WEIGHT_LABELS[kind] in section, f"the glossary's attention cost does not name '{WEIGHT_LABELS[kind]}'"


def test_a_study_is_copied_as_a_new_one_by_clicking_without_its_people(tmp_path: Path) -> None:
    copy("timing-with-people", tmp_path)  # with its scripted participants
    editor = StudyEditor(root=tmp_path)
    editor.picker.value = str(tmp_path / "timing-with-people")
    editor.open_study(editor.picker.value)
    editor.copy_name.value = "our pair"  # not a folder name: said, nothing copied
    assert editor.copy_study(editor.copy_name.value) is None and "folder name" in editor.message.value
    assert not (tmp_path / "our pair").exists()
    copied = editor.copy_study("our-pair")
    assert copied == tmp_path / "our-pair" and editor.folder == copied
    assert sorted(p.name for p in copied.iterdir()) == ["conclusion.json", "our-pair.ipynb", "study.json"]
    original = Study.load(tmp_path / "timing-with-people")
    assert Study.load(copied) == original.replace(name="our-pair")  # the same study, its own name
    assert (tmp_path / "timing-with-people" / "people.parquet").is_file()  # the original keeps its people
    assert [label for label, _ in editor.picker.options] == ["our-pair", "timing-with-people"]
    assert editor.copy_study("timing-with-people") is None and "another name" in editor.message.value
