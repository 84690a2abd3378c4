"""Config fields that document themselves: a dataclass field carries its help text and allowed values, and
:func:`coerce` turns a YAML or command-line value into the field's type or says what is allowed. The run config's
sections (``config.py``) and each model family's options (declared in the family's module) are built from them.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import field

from .checks import listed, number
from .errors import ConfigError


def option(default, help: str, lo=None, hi=None, choices=None, item=int):
    """A dataclass field with its documentation and allowed values (``item``: the type of a list's items)."""
    meta = {"help": help, "lo": lo, "hi": hi, "choices": choices, "item": item}
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=meta)
    return field(default=default, metadata=meta)


class LiveChoices:
    """Allowed values read from a registry each time they are checked, so that one registered later is valid."""

    def __init__(self, names: Callable[[], list[str]]):
        self.names = names

    def __contains__(self, value) -> bool:
        return value in self.names()

    def __iter__(self):
        return iter(self.names())


def default_of(f: dataclasses.Field):
    return f.default_factory() if f.default is dataclasses.MISSING else f.default


def allowed(f: dataclasses.Field) -> str:
    """The allowed values in a few characters: ``[a|b]`` or ``[lo..hi]`` (empty when anything of the type goes)."""
    if f.metadata.get("choices") is not None:
        return "[" + "|".join(map(str, f.metadata["choices"])) + "]"
    if f.metadata.get("lo") is not None:
        return f"[{f.metadata['lo']}..{f.metadata['hi']}]"
    return ""


def non_defaults(obj) -> dict:
    """The fields of a dataclass instance that differ from their defaults."""
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if getattr(obj, f.name) != default_of(f)}


def coerce(f: dataclasses.Field, value, dotted: str, origin: str):
    """Convert a YAML/CLI value to the field's type and check its range or choices."""
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))  # str when postponed
    meta = f.metadata
    bad = lambda what: ConfigError(f"{origin}: {dotted}={value!r} is not valid: expected {what}")  # noqa: E731
    if kind == "bool":
        if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0"):
            value = value.lower() in ("true", "yes", "1")
        if not isinstance(value, bool):
            raise bad("true or false")
    elif kind in ("int", "float"):
        value = number(value, f"{origin}: {dotted}", integer=kind == "int", lo=meta.get("lo"), hi=meta.get("hi"),
                       error=ConfigError)
    elif kind == "str":
        if isinstance(value, bool):  # YAML reads true/false as booleans
            value = "true" if value else "false"
        if not isinstance(value, (str, int, float)):
            raise bad("a string")
        value = str(value)
    elif kind == "list":
        value = listed(value, meta.get("item", int), f"{origin}: {dotted}", ConfigError)
    if meta.get("choices") is not None and value not in meta["choices"]:
        raise ConfigError(f"{origin}: {dotted}={value!r} is not valid: choose one of "
                          f"{', '.join(map(str, meta['choices']))}")
    return value
