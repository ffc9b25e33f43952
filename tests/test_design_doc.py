"""The design the code cites is in the repository: every citation names docs/design.md and a
section that exists there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DESIGN = ROOT / "docs" / "design.md"
FOLDERS = ("designkit", "tests", "benchmarks", "docs", "studies", "notebooks", "scripts", "widgets", "binder")
TOP_FILES = ("pyproject.toml", "README.md", "Makefile")
SUFFIXES = {".py", ".md", ".toml", ".ipynb", ".js", ".css", ".txt", ".cfg", ".yml", ".yaml", ".json", ".sh"}
# A citation: `docs/design.md, "Section"` or `docs/design.md ("Section")`, quotes single or double,
# the section name possibly wrapped onto the next line.
CITATION = re.compile(r"docs/design\.md,?\s*\(?\s*[\"']([^\"']+)[\"']")


def _text_files() -> list[Path]:
    files = [ROOT / name for name in TOP_FILES]
    for folder in FOLDERS:
        files += [p for p in (ROOT / folder).rglob("*") if p.is_file() and p.suffix in SUFFIXES
                  and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts]
    return [p for p in files if p.exists()]


def _sections() -> set[str]:
    return {line.lstrip("#").strip() for line in DESIGN.read_text(encoding="utf-8").splitlines()
            if line.startswith("#")}


def test_no_file_cites_a_design_file_outside_the_repository() -> None:
    old = "DESIGN" + ".md"  # spelt in two parts so this file does not cite it
    citing = [str(p.relative_to(ROOT)) for p in _text_files() if old in p.read_text(encoding="utf-8", errors="replace")]
    assert not citing, f"these files cite {old}, which is not in the repository: use docs/design.md: {citing}"


def test_every_cited_section_of_the_design_exists() -> None:
    sections = _sections()
    cited: dict[str, list[str]] = {}
    for path in _text_files():
        if path == Path(__file__).resolve():
            continue  # its comments show the form of a citation
        for name in CITATION.findall(path.read_text(encoding="utf-8", errors="replace")):
            cited.setdefault(" ".join(name.split()), []).append(str(path.relative_to(ROOT)))
    assert {"TimeSpeak", "CueSpeak", "Sanity anchors", "Layout", "Attention cost"} <= set(cited)
    missing = {name: where for name, where in cited.items() if name not in sections}
    assert not missing, f"cited sections that docs/design.md lacks: {missing}"


def test_the_design_speaks_of_the_project_only() -> None:
    text = DESIGN.read_text(encoding="utf-8").lower()
    for word in ("issue", "session notes", "closing note", "this round"):
        assert word not in text, f"docs/design.md speaks of {word!r}"
