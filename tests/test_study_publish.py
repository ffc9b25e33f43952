"""Publishing: a Voilà app that needs nothing from the network, a static report, an audit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from designkit.cli import main
from designkit.errors import InputError
from designkit.log import read_log
from designkit.policy import Policy
from designkit.proposers.simulated import PERFECT
from designkit.study import ScenarioSet, Study
from designkit.study.publish import publish, session_audits, voila_command

NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "id": "t", "metadata": {}, "source": "# Tiny study"},
        {"cell_type": "code", "execution_count": None, "id": "c", "metadata": {}, "outputs": [], "source":
         "import altair as alt\nfrom IPython.display import Markdown, display\n"
         "from designkit.study import Study, charts, run\nalt.renderers.enable('svg')\n"
         "results = run(Study.load('study.json'), progress=False)\nsummary = results.summary()\n"
         "best = summary[summary.metric == 'attention_cost'].sort_values('mean').iloc[0]\n"
         "display(Markdown(f\"**Conclusion.** {best.policy} costs least: {best['mean']:.2f}/min\"))\n"
         "charts.comparison(summary, 'attention_cost')"},
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5,
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "tiny"
    root.mkdir()
    Study(name="tiny", scenarios=(ScenarioSet("dialogue-basic", n=2),), grid={"context": ["focused", "public"]},
          metrics=("attention_cost",)).save(root / "study.json")
    (root / "tiny.ipynb").write_text(json.dumps(NOTEBOOK))
    return root


def test_publish_writes_app_report_and_audit(folder: Path) -> None:
    done = publish(folder)
    app = done.folder
    settings = json.loads((app / "voila.json").read_text())["VoilaConfiguration"]
    assert settings["template"] == "designkit" and settings["theme"] == "light"
    template = (app / "share" / "jupyter" / "voila" / "templates" / "designkit" / "index.html.j2").read_text()
    assert "cdn.jsdelivr" not in template and "fontawesome" not in template
    report = done.report.read_text()
    assert ("<svg" in report or "data:image/svg+xml" in report) and "costs least" in report
    assert 'src="http' not in report and "href=\"https://cdn" not in report
    audit = json.loads(done.audit.read_text())
    assert set(audit["policies"]) == {"context=focused", "context=public"}
    assert audit["packages"]["designkit"]
    assert len(audit["results_sha256"]) == 64
    sessions = audit["sessions"]
    assert [s["variant"] for s in sessions] == ["context=focused", "context=public"]
    assert all(s["chain_ok"] and s["final_hash"] and s["consent"] for s in sessions)
    assert sessions[1]["policy"]["context"] == "public"
    cmd, env, cwd = voila_command(app, port=1234)
    assert "--Voila.ip=127.0.0.1" in cmd and cwd == app
    assert str((app / "share" / "jupyter").resolve()) in env["JUPYTER_PATH"]


def test_a_folder_without_a_study_is_refused(tmp_path: Path, folder: Path) -> None:
    with pytest.raises(InputError, match=r"study\.json"):
        publish(tmp_path)
    shutil.copy(folder / "tiny.ipynb", folder / "other.ipynb")
    with pytest.raises(InputError, match="exactly one"):
        publish(folder)


def test_cli_runs_a_study_and_publishes_it(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["study", "run", str(folder), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "context=public" in out and (folder / "results.parquet").is_file()
    assert main(["publish", str(folder), "--no-execute"]) == 0
    assert (folder / "published" / "voila.json").is_file()
    (folder / "study.json").write_text(json.dumps({"name": "tiny", "scenarios": ["nope"]}))
    assert main(["study", "run", str(folder)]) == 2
    assert "dialogue-basic" in capsys.readouterr().err


def test_audit_logs_come_from_the_model_the_results_were_measured_with(tmp_path: Path) -> None:
    # The breathing study's model proposes at the breathing targets, not at turn ends: its
    # published audit logs must show that model, not the default one.
    study = Study(name="breath", scenarios=(ScenarioSet("breathing-6s", n=1),),
                  variants=(("model timing", Policy(style="barge_in", confidence=0.5)),),
                  qualities=(("perfect", PERFECT),), model_moments=("targets",), targets_from="targets")
    [audit] = session_audits(study, tmp_path / "logs")
    frame = read_log(tmp_path / "logs" / audit["log"]).frame
    proposed = frame[frame["proposal_action"] != "silent"]
    assert len(proposed) >= 3 and set(proposed["proposal_source"]) == {"targets"}


STUDIES = Path(__file__).resolve().parents[1] / "studies"


@pytest.mark.parametrize("slug", sorted(p.parent.name for p in STUDIES.glob("*/study.json")))
def test_the_app_carries_every_file_its_study_notebook_opens(slug: str, tmp_path: Path) -> None:
    """A published app opens its study.json and conclusion.json from its own folder, like the study."""
    from designkit.study.publish import write_app

    notebook = write_app(STUDIES / slug, tmp_path / "app")
    own = {p.name for p in (STUDIES / slug).iterdir() if p.is_file() and not p.name.startswith(".")}
    assert own <= {p.name for p in notebook.parent.iterdir()}
