"""A designer's vocabulary: every reason code, action, metric and widget term has a plain label and
an entry in docs/glossary.md, and the notebooks link to it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from designkit.core.decisions import ACTION_LABELS, REASON_LABELS, Action, Reason, reason_label
from designkit.metrics.anchors import AGENTS
from designkit.metrics.catalogue import CATALOGUE, Better, Metric
from designkit.metrics.units import axis_title
from designkit.study.spec import METRICS

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
TERMS = {t.strip().lower() for line in GLOSSARY.splitlines() if line.startswith("### ")
         for t in line[4:].split(",")}
# Words the notebooks, charts and the README use without saying what they are.
NOTEBOOK_TERMS = ("microturn", "VAD", "VAP", "eot", "bc", "TimeSpeak", "CueSpeak", "backchannel", "proposal",
                  "barge-in", "attention cost", "bootstrap CI", "F1", "AUC", "SNR", "precision", "recall",
                  "policy", "decision", "reason", "signals", "scenario", "study", "session log", "consent",
                  "gap", "fault", "style", "initiative", "context mode", "confidence threshold",
                  "attention budget", "yield rule", "task success", "overlap", "silence as outcome",
                  "room mode", "measurement mode", "echo cancellation", "noise suppression", "secure context",
                  "Voilà", "pose", "language ID", "held-out", "TOR", "JSD", "Full-Duplex-Bench", "median")


def _row(code: str) -> str:
    rows = [line for line in GLOSSARY.splitlines() if line.startswith(f"| `{code}` |")]
    assert rows, f"docs/glossary.md has no table row for `{code}`"
    return rows[0]


@pytest.mark.parametrize("reason", list(Reason), ids=lambda r: r.value)
def test_every_reason_has_a_plain_label_and_a_glossary_row(reason: Reason) -> None:
    label = reason.label
    assert label and label != reason.value and ":" not in label.split(" ", 1)[-1]
    assert not re.search(r"[a-z]_[a-z]", label), f"{label!r} reads like code"
    assert f"| {label} |" in _row(reason.value)
    assert reason_label(reason.value) == label


def test_labels_are_complete_and_distinct() -> None:
    assert set(REASON_LABELS) == set(Reason) and set(ACTION_LABELS) == set(Action)
    assert len(set(REASON_LABELS.values())) == len(Reason)
    assert reason_label("silent:from_a_newer_version") == "silent:from_a_newer_version"


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_every_action_has_a_label_and_an_entry(action: Action) -> None:
    assert ACTION_LABELS[action]
    assert action.value in TERMS


@pytest.mark.parametrize("metric", list(CATALOGUE.values()), ids=lambda m: m.name)
def test_every_declared_metric_has_a_label_unit_direction_anchors_and_a_glossary_row(metric: Metric) -> None:
    assert metric.label and metric.unit and metric.scale and isinstance(metric.better, Better)
    assert metric.unit in axis_title(metric.name)
    assert set(metric.anchors.by_agent()) == set(AGENTS) and all(map(callable, metric.anchors.by_agent().values()))
    cells = [cell.strip() for cell in _row(metric.glossary_row).strip().strip("|").split("|")]
    assert cells[-1] == metric.better.value, f"the glossary says {cells[-1]!r} is better, the declaration {metric.better}"
    if metric.name.startswith("share:"):
        _row(metric.name.removeprefix("share:"))  # the reason's own row says what it means
    else:
        assert cells[1] == metric.label


def test_every_metric_a_session_reports_is_declared() -> None:
    assert set(METRICS) == set(CATALOGUE)


@pytest.mark.parametrize("term", NOTEBOOK_TERMS)
def test_every_term_has_an_entry(term: str) -> None:
    assert term.lower() in TERMS, f"docs/glossary.md has no '### {term}'"


def test_every_widget_legend_term_has_an_entry() -> None:
    from designkit.study.colours import colour_table

    terms = [label for label, _ in colour_table()["legend"]]  # the lanes; reasons join by their labels
    assert len(terms) >= 2
    for term in terms:
        assert term.lower() in TERMS, f"the widget's legend shows '{term}' without a glossary entry"


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebooks_link_to_the_glossary(notebook: Path) -> None:
    text = "".join("".join(c["source"]) for c in json.loads(notebook.read_text())["cells"]
                   if c["cell_type"] == "markdown")
    assert "docs/glossary.md#" in text, f"{notebook.name} links no term to the glossary"


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_link_into_the_glossary_lands_on_an_entry() -> None:
    anchors = {_slug(line.lstrip("#")) for line in GLOSSARY.splitlines() if line.startswith("#")}
    sources = [*(ROOT / "notebooks").glob("*.ipynb"), ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
    links = [(path.name, anchor) for path in sources
             for anchor in re.findall(r"glossary\.md#([^)\s\"\\]+)", path.read_text(encoding="utf-8"))]
    assert links
    broken = [(name, anchor) for name, anchor in links if anchor not in anchors]
    assert not broken, broken


def test_charts_show_plain_words_and_units() -> None:
    """The study charts' legends say why in plain words, their axes name the unit."""
    from designkit.core import Engine
    from designkit.log import replay_to_log
    from designkit.perception import EnergyVAD
    from designkit.policy import SpeakAfterSilence
    from designkit.study import charts
    from designkit.testing import scripted_session

    log = replay_to_log(Engine([EnergyVAD()], SpeakAfterSilence()), scripted_session([(1.0, 3.0), (4.0, 6.5)], 8.0))
    spec = charts.timeline(log).to_dict()
    domain = spec["encoding"]["color"]["scale"]["domain"]
    assert "quiet: the person is talking" in domain and "silent:user_speaking" not in domain
    assert all(label == "speaking" or label in REASON_LABELS.values() for label in domain)
    assert axis_title("attention_cost") == "attention cost (cost points per minute, lower is better)"
