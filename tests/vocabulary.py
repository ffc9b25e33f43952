"""The words designkit no longer uses with designers, and where designer-facing text lives.

Attention cost has one name and one unit: the metric catalogue's label ("attention cost") and unit
("cost points per minute"). Policy conditions are shown in the knob declarations' plain words, so a
grid variant's code (`context=do_not_disturb`) in prose is a raw code a person should not read.
Plain functions: `tests/test_vocabulary.py` and the `readable` benchmark share them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

# retired word (a regular expression, case-insensitive) -> what to write instead
RETIRED: dict[str, str] = {
    r"\battention units?\b": "cost points (the attention cost's unit)",
    r"\battention points?\b": "cost points (the attention cost's unit)",
    r"\bunits of attention\b": "cost points (the attention cost's unit)",
    r"\bunits per minute, lower is calmer\b": "cost points per minute",
    r"\b\d+ units of your attention\b": "N cost points a minute",
    # "stressed" and "public" name the policy's context modes only; the scenario conditions they
    # used to name too are a hurried speaker and café noise.
    r"\bstressed (user|speaker|person|voice|dialogues?|scenarios?)\b": "a hurried speaker (the scenario condition)",
    r"\bstressed \((faster|shorter|higher)": "a hurried speaker (the scenario condition)",
    r"\bpublic (user|speaker|person|dialogues?|scenarios?)\b": "café noise (the scenario condition)",
    r"\bpublic \(café": "café noise (the scenario condition)",
}
# A grid variant's code outside a code span: `knob=value` in prose.
RAW_CODE = re.compile(r"(?<![`\w])(style|context|confidence|thinking|initiative)=[\w.]+")
CODE_SPAN = re.compile(r"```.*?```|`[^`\n]*`", re.S)


def designer_files(repo: Path) -> list[Path]:
    """README, docs, notebooks and studies: what a designer or a teacher reads."""
    files = [repo / "README.md", *sorted((repo / "docs").rglob("*.md")), *sorted((repo / "notebooks").rglob("*.ipynb")),
             *sorted((repo / "studies").rglob("*.md")), *sorted((repo / "studies").rglob("*.ipynb"))]
    return [f for f in files if f.is_file() and "published" not in f.parts and ".ipynb_checkpoints" not in f.parts]


def prose(path: Path) -> str:
    """A file's text a person reads: a notebook's markdown cells, a Markdown file whole."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text())["cells"]
        return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return path.read_text()


def widget_labels() -> str:
    """What the kit's widgets show a designer in words: every knob's label, hint and choices, and
    every scenario set's description (the study editor's and the explorer's controls)."""
    from designkit.policy import Policy
    from designkit.policy.knobs import knobs_of
    from designkit.scenarios import sets

    words = [part for k in knobs_of(Policy).values() for part in (k.label, k.hint, *(c.label for c in k.choices))]
    return "\n".join(words + [info.description for info in sets().values()])


def conclusion_text(path: Path) -> str:
    """A study's conclusion sentences, as its report shows them."""
    return "\n".join(claim["says"] for claim in json.loads(path.read_text())["claims"])


def designer_text_problems(repo: Path) -> list[str]:
    """Each retired word and raw variant code in designer-facing text (files, study conclusions and
    widget labels), as `where: word (write ...)`."""
    out = []
    texts = [(path.relative_to(repo), prose(path)) for path in designer_files(repo)]
    texts += [(path.relative_to(repo), conclusion_text(path)) for path in sorted((repo / "studies").glob("*/conclusion.json"))]
    texts.append(("widget labels", widget_labels()))
    for where, text in texts:
        for pattern, instead in RETIRED.items():
            out += [f"{where}: {m.group(0)!r} (write {instead})" for m in re.finditer(pattern, text, re.I)]
        outside = CODE_SPAN.sub("", text)
        out += [f"{where}: {m.group(0)!r} (a raw code; write the condition in words)" for m in RAW_CODE.finditer(outside)]
    return out
