"""A study with people publishes its table, logs, ratings and markers (no audio unless shared), and
`designkit study forget` removes a participant from the study folder and the published app."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pandas as pd

from designkit.cli import main as designkit
from designkit.study.people.storage import published_sessions
from designkit.study.publish import write_app

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from people import write_example  # noqa: E402


def test_publish_then_forget_leaves_nothing_of_the_participant(tmp_path) -> None:
    folder = tmp_path / "timing-with-people"
    folder.mkdir()
    shutil.copy2(ROOT / "studies/timing-with-people/timing-with-people.ipynb", folder)
    shutil.copy2(ROOT / "studies/timing-with-people/conclusion.json", folder)
    write_example(folder)
    app = tmp_path / "published"
    write_app(folder, app)
    assert len(published_sessions(app)) == 8
    assert len(list(app.glob("people/*/*/*/log.parquet"))) == 8
    assert not list(app.rglob("audio.wav")) and not list(app.rglob("consent.json"))
    assert designkit(["study", "forget", str(folder), "P03"]) == 0
    shutil.rmtree(app)
    write_app(folder, app)  # the next publish starts from the study folder
    for root in (folder, app):
        assert not [p for p in root.rglob("*") if "P03" in p.name]
        assert "P03" not in set(pd.read_parquet(root / "people.parquet")["participant"])
        assert all("P03" not in p.read_text() for p in root.rglob("*.json"))
    assert len(published_sessions(app)) == 6
