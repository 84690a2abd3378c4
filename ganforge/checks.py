"""Checking a number a user typed — in a config file or ``--set``, a command-line flag, the web demo or a Python
API argument: one helper, so every surface accepts the same spellings (numbers or numeric strings such as
'1e6'; never booleans or NaN) and words the same error."""
from __future__ import annotations

import math
import re

import yaml

from .errors import GanforgeError


def number(value, name: str, *, integer: bool = False, lo: float | None = None, hi: float | None = None,
           above: float | None = None, infinite: bool = False, error: type[GanforgeError] = GanforgeError):
    """``value`` as an int (``integer``) or a float, within [lo, hi] and > ``above`` where given.
    ``infinite``: ±inf passes (as a float). Raises ``error`` naming ``name`` and what was expected."""
    what = "an integer" if integer else "a finite number"
    typed = value
    bad = error(f"{name}={typed!r} is not valid: expected {what}")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise bad from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise bad
    if math.isinf(value):
        if not infinite:
            raise bad
    elif integer:
        if not float(value).is_integer():
            raise bad
        value = int(value)
    else:
        value = float(value)
    if above is not None and not value > above:
        raise error(f"{name}={typed!r} is out of range: expected more than {_text(above)}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        bounds = f"{_text(lo)} to {_text(hi)}" if lo is not None and hi is not None else \
            f"at least {_text(lo)}" if lo is not None else f"at most {_text(hi)}"
        raise error(f"{name}={typed!r} is out of range: expected {bounds}")
    return value


def listed(value, item: type, name: str, error: type[GanforgeError] = GanforgeError) -> list:
    """A list from a list, a YAML list ('[32, 64]') or comma-separated text ('32,64'); items are str, int or
    float, numbers checked by :func:`number`."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = yaml.safe_load(value) if value.strip().startswith("[") else value.split(",")
    if not isinstance(value, (list, tuple)):
        value = [value]
    if item is str:
        return [str(v).strip() for v in value]
    try:
        return [number(v, name, integer=item is int, error=error) for v in value]
    except GanforgeError:
        kind = "integers" if item is int else "numbers"
        raise error(f"{name}={value!r} is not valid: expected a list of {kind}, e.g. [32, 64] or 32,64") from None


def _text(bound: float) -> str:
    return str(bound) if isinstance(bound, int) else f"{bound:g}"


def duration(value, name: str) -> float:
    """Seconds from '2h', '90m', '45s', '1h30m' or a plain number of seconds."""
    text = str(value).strip().lower()
    if not (re.fullmatch(r"\d+(\.\d+)?", text) or re.fullmatch(r"(\d+(\.\d+)?[hms])+", text)):
        raise GanforgeError(f"{name}={value!r} is not a duration: expected e.g. 2h, 90m, 1h30m or 600 (seconds)")
    seconds = sum(float(n) * {"h": 3600, "m": 60, "s": 1, "": 1}[unit]
                  for n, unit in re.findall(r"(\d+(?:\.\d+)?)([hms]?)", text))
    if seconds <= 0:
        raise GanforgeError(f"{name}={value!r}: a duration must be more than 0")
    return seconds


COLOURS = {"white": (255, 255, 255), "black": (0, 0, 0), "grey": (128, 128, 128), "gray": (128, 128, 128)}


def colour(value, name: str, error: type[GanforgeError] = GanforgeError) -> tuple[int, int, int]:
    """'white', 'black', 'grey' or '#rrggbb' -> (r, g, b)."""
    text = str(value).strip().lower()
    if text in COLOURS:
        return COLOURS[text]
    if re.fullmatch(r"#[0-9a-f]{6}", text):
        return tuple(int(text[i:i + 2], 16) for i in (1, 3, 5))
    raise error(f"{name}={value!r} is not a colour: expected white, black, grey or #rrggbb")
