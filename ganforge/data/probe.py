"""What a data source holds, read cheaply before training: image count, colour or greyscale, typical size.
The automatic recipe (``training/recipe.py``) sizes a run from it."""
from __future__ import annotations

import pathlib
import statistics
import zipfile
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..errors import GanforgeError
from .cifar import is_cifar10_dir
from .embedded import NAME as EMBEDDED_NAME
from .folder import UNREADABLE, scan_folder
from .idx import find_pair, read_idx

GREY_MODES = {"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F"}  # the modes to_mode reads as greyscale


@dataclass(frozen=True)
class DataFacts:
    count: int  # images
    classes: int
    channels: int  # 1: greyscale, 3: colour (a folder: the mode of most of the images looked at)
    size: int  # the typical longer side in pixels (a folder: the median over the images looked at)
    how: str  # what was looked at, for the user


def probe(source: str, kind: str, sample: int = 256) -> DataFacts:
    """``kind``: as :func:`ganforge.data.detect_kind` returns it. A folder's headers are read for up to
    ``sample`` images spread over it (no decoding)."""
    if kind == "embedded":
        return DataFacts(10_000, 10, 1, 28, "the embedded Fashion-MNIST subset (28 px greyscale)")
    path = pathlib.Path(source).expanduser()
    if kind == "cifar10":
        return DataFacts(50_000, 10, 3, 32, "CIFAR-10 (32 px colour)")
    if kind == "idx":
        shape = read_idx(find_pair(path, "train")[0]).shape
        return DataFacts(shape[0], 10, 1, max(shape[1:]), f"MNIST-format files ({shape[1]} px greyscale)")
    if kind == "npz":
        return _probe_npz(path)
    return _probe_folder(path, sample)


def _probe_npz(path: pathlib.Path) -> DataFacts:
    try:
        with np.load(path) as data:
            shape, classes = data["images"].shape, len(np.unique(data["labels"])) if "labels" in data else 1
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as e:
        raise GanforgeError(f"{path}: cannot read an 'images' array ({e})") from None
    channel_axis = 1 if len(shape) == 4 and shape[1] in (1, 3, 4) else -1 if len(shape) == 4 else None
    channels = 1 if channel_axis is None or shape[channel_axis] == 1 else 3
    spatial = shape[2:] if channel_axis == 1 else shape[1:3]
    return DataFacts(int(shape[0]), classes, channels, int(max(spatial)), f"{path.name}: images {list(shape)}")


def _probe_folder(root: pathlib.Path, sample: int) -> DataFacts:
    files, _, classes = scan_folder(root)
    picked = [files[int(i)] for i in np.linspace(0, len(files) - 1, min(sample, len(files)))]
    sizes, grey = [], 0
    for path in dict.fromkeys(picked):
        try:
            with Image.open(path) as img:
                sizes.append(max(img.size))
                grey += img.mode in GREY_MODES
        except UNREADABLE:
            continue  # training reports unreadable files (or skips them with --skip-bad-images)
    if not sizes:
        raise GanforgeError(f"{root}: none of the {len(picked)} images looked at could be read")
    channels = 1 if grey > len(sizes) / 2 else 3
    looked = f"{len(sizes)} of {len(files):,} images in {len(classes)} class folders"
    return DataFacts(len(files), len(classes), channels, int(statistics.median(sizes)), looked)
