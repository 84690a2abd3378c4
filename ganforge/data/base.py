"""The contract of a data format: how ganforge recognises a source, reads it, looks at it cheaply and names its
content. Each format module ends with one :class:`DataFormat`; ``formats.py`` registers them.

A dataset (what ``load`` returns) yields uint8 images [B, C, H, W] and int64 labels through ``__getitems__``, and
has ``class_names``, ``image_shape``, ``source`` and ``__len__`` (:class:`~ganforge.data.arrays.ArrayDataset`
is the ready-made one for data that fits in memory).
"""
from __future__ import annotations

import pathlib
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class DataFacts:
    """What a source holds, read cheaply before training (the automatic recipe sizes a run from it)."""
    count: int  # images
    classes: int
    channels: int  # 1: greyscale, 3: colour (a folder: the mode of most of the images looked at)
    size: int  # the typical longer side in pixels (a folder: the median over the images looked at)
    how: str  # what was looked at, for the user


@dataclass(frozen=True)
class DataFormat:
    """One way of giving data (``data.kind``). Every callable takes the source as the user gave it (a path or
    a name)."""
    name: str
    summary: str  # what a source of this format is, for help texts and errors
    detect: Callable[[str], bool]  # does this source have this format? (paths exist when asked)
    load: Callable[..., object]  # (source, data config, split) -> a dataset brought to the config's size
    probe: Callable[[str, int], DataFacts]  # (source, images to look at at most) -> facts
    native_shape: Callable[[str], tuple[int, int, int] | None]  # (C, H, W) before resizing; None: it varies
    content: Callable[[str], tuple[str, list[pathlib.Path]]]  # (label, files or folders whose bytes it is)
