"""The data-format registry: ``data.kind`` names one; ``auto`` asks each format whether a source is its own, the
one registered last first (the built-ins from the most specific to image folders, which take any directory).

Adding a format is one module that ends with a :class:`~ganforge.data.base.DataFormat` and one
:func:`register_format` call (here for the built-ins); training, ``ganforge eval`` on either side, the automatic
recipe and the statistics cache all go through it.
"""
from __future__ import annotations

import pathlib

from ..errors import GanforgeError
from ..fields import LiveChoices
from . import arrays, cifar, embedded, folder, idx
from .base import DataFacts, DataFormat

FORMATS: dict[str, DataFormat] = {}


def register_format(fmt: DataFormat, replace: bool = False) -> DataFormat:
    """Make ``fmt`` a choice of ``data.kind`` and, for ``auto``, ask it first."""
    if fmt.name in FORMATS and not replace:
        raise ValueError(f"a data format named {fmt.name!r} is already registered (pass replace=True to replace it)")
    if fmt.name == "auto":
        raise ValueError("'auto' is data.kind's choice of detecting the format")
    FORMATS.pop(fmt.name, None)
    FORMATS[fmt.name] = fmt
    return fmt


def unregister_format(name: str) -> None:
    FORMATS.pop(name, None)


for _fmt in (folder.FORMAT, cifar.FORMAT, arrays.FORMAT, idx.FORMAT, embedded.FORMAT):
    register_format(_fmt)


KINDS = LiveChoices(lambda: ["auto", *FORMATS])  # data.kind's choices: detect, or a registered format


def detect_kind(source: str) -> str:
    """The name of the format of ``source`` (a path that does not exist is an error, unless a format such as
    the embedded data owns the name)."""
    exists = pathlib.Path(source).expanduser().exists()
    for fmt in reversed(FORMATS.values()):
        if fmt.detect(source):
            return fmt.name
    if not exists:
        raise GanforgeError(f"data source {source!r} does not exist: give {formats_text()}")
    raise GanforgeError(f"data source {source} is a file but not an .npz or any other format ganforge reads; give "
                        f"{formats_text()}")


def get_format(source: str, kind: str = "auto") -> DataFormat:
    if kind == "auto":
        return FORMATS[detect_kind(source)]
    if kind not in FORMATS:
        raise GanforgeError(f"data.kind={kind!r}: choose auto or one of {', '.join(FORMATS)}")
    return FORMATS[kind]


def formats_text() -> str:
    return "; ".join(fmt.summary for fmt in reversed(FORMATS.values()))


def probe(source: str, kind: str, sample: int = 256) -> DataFacts:
    """What ``source`` holds, read cheaply (``kind``: as :func:`detect_kind` returns it)."""
    return get_format(source, kind).probe(source, sample)
