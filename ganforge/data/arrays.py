"""In-memory labelled image sets, and the ``.npz`` format (uint8 images + integer labels)."""
from __future__ import annotations

import pathlib
import zipfile

import numpy as np
import torch

from ..errors import GanforgeError
from .base import DataFacts, DataFormat
from .transforms import resize_array, to_channels


class ArrayDataset:
    """uint8 images [N, C, H, W] and int64 labels [N] held in memory. ``named``: whether the class names come
    from the data (False: they are the label numbers, and a config's names may replace them)."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, class_names: list[str], source: str,
                 named: bool = True):
        self.images = torch.from_numpy(np.ascontiguousarray(images))
        self.labels = torch.from_numpy(np.asarray(labels, dtype=np.int64))
        self.class_names = list(class_names)
        self.source, self.named = source, named

    def __len__(self) -> int:
        return len(self.labels)

    def __getitems__(self, indices) -> tuple[torch.Tensor, torch.Tensor]:
        idx = torch.as_tensor(indices, dtype=torch.long)
        return self.images[idx], self.labels[idx]

    @property
    def image_shape(self) -> tuple[int, ...]:
        return tuple(self.images.shape[1:])


def prepare(images: np.ndarray, labels: np.ndarray, class_names, resolution: int, channels: int,
            source: str) -> ArrayDataset:
    """Check labels, convert channels and size, and wrap as an :class:`ArrayDataset`."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != len(images):
        raise GanforgeError(f"{source}: expected one label per image ({len(images)} images), got labels of "
                            f"shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise GanforgeError(f"{source}: labels must be integers, got dtype {labels.dtype}")
    if len(labels) == 0:
        raise GanforgeError(f"{source}: holds no images")
    if min(images.shape[2:]) < 1:
        raise GanforgeError(f"{source}: images have no pixels (size {images.shape[3]}x{images.shape[2]})")
    n_classes = len(class_names) if class_names is not None else int(labels.max()) + 1
    if labels.min() < 0 or labels.max() >= n_classes:
        raise GanforgeError(f"{source}: labels must lie in 0..{n_classes - 1}, found {labels.min()}..{labels.max()}")
    names = list(class_names) if class_names is not None else [str(i) for i in range(n_classes)]
    images = resize_array(to_channels(images, channels), resolution)
    return ArrayDataset(images, labels.astype(np.int64), names, source, named=class_names is not None)


def load_npz(path: pathlib.Path, resolution: int, channels: int) -> ArrayDataset:
    """An ``.npz`` with ``images`` (uint8, [N, H, W], [N, H, W, C] or [N, C, H, W], C in 1/3) and ``labels``
    (integers, [N]); optional ``class_names`` (strings)."""
    try:
        with np.load(path, allow_pickle=False) as f:
            files = set(f.files)
            missing = {"images", "labels"} - files
            if missing:
                raise GanforgeError(f"{path}: missing array(s) {', '.join(sorted(missing))}; an npz dataset holds "
                                    f"'images' (uint8) and 'labels' (integers), found: {', '.join(sorted(files)) or 'nothing'}")
            images, labels = f["images"], f["labels"]
            names = [str(n) for n in f["class_names"]] if "class_names" in files else None
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as e:
        raise GanforgeError(f"{path}: cannot read as an .npz file ({e})") from None
    if images.dtype != np.uint8:
        raise GanforgeError(f"{path}: 'images' must be uint8 (0..255), got {images.dtype}")
    return prepare(to_nchw(images, str(path)), labels, names, resolution, channels, str(path))


def to_nchw(images: np.ndarray, source: str) -> np.ndarray:
    if images.ndim == 3:
        return images[:, None]
    if images.ndim == 4 and images.shape[-1] in (1, 3) and images.shape[1] not in (1, 3):
        return images.transpose(0, 3, 1, 2)
    if images.ndim == 4 and images.shape[1] in (1, 3):
        return images
    raise GanforgeError(f"{source}: 'images' must have shape [N, H, W], [N, H, W, C] or [N, C, H, W] with C = 1 "
                        f"or 3, got {list(images.shape)}")


def probe_npz(path: pathlib.Path) -> DataFacts:
    try:
        with np.load(path) as data:
            shape, classes = data["images"].shape, len(np.unique(data["labels"])) if "labels" in data else 1
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as e:
        raise GanforgeError(f"{path}: cannot read an 'images' array ({e})") from None
    channel_axis = 1 if len(shape) == 4 and shape[1] in (1, 3, 4) else -1 if len(shape) == 4 else None
    channels = 1 if channel_axis is None or shape[channel_axis] == 1 else 3
    spatial = shape[2:] if channel_axis == 1 else shape[1:3]
    return DataFacts(int(shape[0]), classes, channels, int(max(spatial)), f"{path.name}: images {list(shape)}")


def npz_shape(path: pathlib.Path) -> tuple[int, int, int] | None:
    """(C, H, W) of an npz's images as stored."""
    with np.load(path, allow_pickle=False) as f:
        shape = f["images"].shape if "images" in f.files else None
    if shape is None:
        return None
    if len(shape) == 3:
        return (1, shape[1], shape[2])
    return (shape[3], shape[1], shape[2]) if shape[-1] in (1, 3) and shape[1] not in (1, 3) else tuple(shape[1:])


def _path(source: str) -> pathlib.Path:
    return pathlib.Path(source).expanduser()


FORMAT = DataFormat(
    "npz", "an .npz file ('images' uint8, 'labels' integers, optional 'class_names')",
    detect=lambda source: _path(source).is_file() and _path(source).suffix.lower() == ".npz",
    load=lambda source, cfg, split: load_npz(_path(source), cfg.resolution, cfg.channels),
    probe=lambda source, sample: probe_npz(_path(source)),
    native_shape=lambda source: npz_shape(_path(source)),
    content=lambda source: (_path(source).name, [_path(source)]))
