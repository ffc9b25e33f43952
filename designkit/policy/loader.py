"""Build a policy from its JSON form, whichever kind it is."""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from designkit.core.protocols import Decider
from designkit.errors import InputError

# kind -> "module:factory" taking the dict; the spec `Policy` is the default kind.
POLICY_KINDS: dict[str, str] = {
    "speak_after_silence": "designkit.policy.speak_after_silence:SpeakAfterSilence.from_dict",
    "policy": "designkit.policy.spec:Policy.from_dict",
}


def _factory(target: str) -> Callable[[dict[str, Any]], Decider]:
    module_name, _, attr = target.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    factory: Callable[[dict[str, Any]], Decider] = obj
    return factory


def policy_from_dict(data: Mapping[str, Any]) -> Decider:
    """`{"kind": ..., ...}` -> a policy; without a kind, the designer's `Policy` spec."""
    if not isinstance(data, Mapping):
        raise InputError("policy", expected="a JSON object", got=type(data).__name__)
    kind = str(data.get("kind", "policy"))
    if kind not in POLICY_KINDS:
        raise InputError("policy kind", expected=f"one of {sorted(POLICY_KINDS)}", got=repr(kind))
    return _factory(POLICY_KINDS[kind])(dict(data))


def load_policy(path: str | os.PathLike[str]) -> Decider:
    """Read a policy JSON file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"policy file {path}", expected="a readable JSON file", got=str(exc)) from exc
    return policy_from_dict(data)
