"""Errors that designkit raises at its edges, each saying what was expected and what came."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import TypeVar

from designkit.distribution import install_line


class DesignkitError(Exception):
    """Base class of every error designkit raises on purpose."""


class InputError(DesignkitError, ValueError):
    """Input that designkit cannot use as given: the message names what was expected and what came."""

    def __init__(self, what: str, *, expected: str, got: object, fix: str | None = None) -> None:
        message = f"{what}: expected {expected}, got {got}"
        if fix:
            message += f". {fix}"
        super().__init__(message)
        self.what = what
        self.expected = expected
        self.got = got
        self.fix = fix

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only arguments: rebuild through _rebuild so the error crosses process boundaries.
        return (_rebuild_input_error, (type(self), self.what, self.expected, str(self.got) if not isinstance(
            self.got, (str, int, float, list, tuple)) else self.got, self.fix))


def _rebuild_input_error(cls: type[InputError], what: str, expected: str, got: object, fix: str | None) -> InputError:
    return cls(what, expected=expected, got=got, fix=fix)


class LogError(InputError):
    """A session log that cannot be read (unreadable, truncated in the middle, wrong schema)."""


class MissingExtraError(DesignkitError, ImportError):
    """An optional part of designkit is used without its extra installed."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"this needs the '{package}' package, which comes with designkit's '{extra}' extra: "
            f"{install_line(extra)}"
        )
        self.package = package
        self.extra = extra

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.package, self.extra))


E = TypeVar("E", bound=Enum)


def choice(kind: type[E], value: object, what: str, allowed: Iterable[E] | None = None) -> E:
    """`value` as a member of the enum `kind` (and of `allowed` when given), or an InputError
    that lists the valid values: how specs read their enum fields."""
    options = list(kind) if allowed is None else list(allowed)
    try:
        member = kind(value)
    except ValueError:
        member = None
    if member is None or member not in options:
        got = member.value if member is not None else repr(value)
        raise InputError(what, expected=f"one of {[o.value for o in options]}", got=got)
    return member
