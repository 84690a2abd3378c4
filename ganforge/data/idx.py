"""MNIST-format data (MNIST, Fashion-MNIST, KMNIST, EMNIST): an images file ``*-images-idx3-ubyte`` and a
labels file ``*-labels-idx1-ubyte``, each gzip-compressed (``.gz``) or not.

A source is a directory holding such pairs (the ``train`` pair for training, ``t10k``/``test`` for the held-out
split) or the images file of one pair (its labels file is found by name). The files name no classes: the
classes are 0..K-1 unless ``model.class_names`` names them (the ``fashion-mnist-full`` preset does). 28×28
images are padded to 32×32 with their black background, as the embedded Fashion-MNIST is (and the shipped
classifier expects), then resized to the run's resolution. EMNIST stores its images transposed; they are read
as stored.
"""
from __future__ import annotations

import gzip
import pathlib
import zlib

import numpy as np

from ..errors import GanforgeError
from .arrays import ArrayDataset, prepare
from .base import DataFacts, DataFormat
from .transforms import pad_to

SPLIT_PREFIXES = {"train": ("train",), "heldout": ("t10k", "test"), "test": ("t10k", "test")}
IMAGES, LABELS = "-images-idx3-ubyte", "-labels-idx1-ubyte"


def read_idx(path: pathlib.Path) -> np.ndarray:
    """An idx file of unsigned bytes (gzip-compressed or not) as an array of its declared shape."""
    path = pathlib.Path(path)
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise GanforgeError(f"{path}: cannot read this idx file ({e})") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise GanforgeError(f"{path}: not an idx file of unsigned bytes (magic {raw[:4].hex() or 'missing'}, "
                            f"expected 00000801 for labels or 00000803 for images)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    if len(raw) != header + int(np.prod(shape)):
        raise GanforgeError(f"{path}: declares shape {shape} ({int(np.prod(shape)):,} bytes) but holds "
                            f"{max(len(raw) - header, 0):,}; the file is truncated or damaged")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _labels_for(images: pathlib.Path) -> pathlib.Path:
    stem = images.name.replace(IMAGES, LABELS)
    for name in (stem, stem[:-3] if stem.endswith(".gz") else stem + ".gz"):
        if (images.parent / name).is_file():
            return images.parent / name
    raise GanforgeError(f"{images}: no labels file beside it (expected {images.parent / stem})")


def is_idx_source(path: pathlib.Path) -> bool:
    if path.is_file():
        return IMAGES in path.name
    return path.is_dir() and any(IMAGES in p.name for p in path.iterdir() if p.is_file())


def find_pair(path: pathlib.Path, split: str = "train") -> tuple[pathlib.Path, pathlib.Path]:
    """(images file, labels file) of ``split`` in a directory, or of the images file given."""
    if path.is_file():
        return path, _labels_for(path)
    prefixes = SPLIT_PREFIXES.get(split)
    if prefixes is None:
        raise GanforgeError(f"split {split!r}: MNIST-format data has train and test (heldout) files")
    found = sorted(p for p in path.iterdir() if IMAGES in p.name and p.is_file()
                   and any(part in prefixes for part in p.name.split(IMAGES)[0].split("-")))
    if not found:
        raise GanforgeError(f"{path}: no {'/'.join(prefixes)}*{IMAGES}[.gz] file for the {split} split")
    plain = {p.name.removesuffix(".gz") for p in found}
    if len(plain) > 1:
        raise GanforgeError(f"{path}: several {split} image files ({', '.join(sorted(plain))}); give the images "
                            f"file to use as the data source")
    return found[0], _labels_for(found[0])


def load_idx(path: pathlib.Path, resolution: int, channels: int, split: str = "train") -> ArrayDataset:
    images_path, labels_path = find_pair(pathlib.Path(path), split)
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or labels.ndim != 1:
        raise GanforgeError(f"{images_path}: expected images [N, H, W] and labels [N], got {list(images.shape)} "
                            f"and {list(labels.shape)} ({labels_path.name})")
    if len(images) != len(labels):
        raise GanforgeError(f"{images_path} holds {len(images):,} images but {labels_path.name} {len(labels):,} "
                            f"labels")
    images = images[:, None]
    if images.shape[-1] == images.shape[-2] == 28:
        images = pad_to(images, 32)
    dataset = prepare(images, labels.astype(np.int64), None, resolution, channels, str(images_path))
    return dataset


def probe_idx(path: pathlib.Path) -> DataFacts:
    shape = read_idx(find_pair(path, "train")[0]).shape
    return DataFacts(shape[0], 10, 1, max(shape[1:]), f"MNIST-format files ({shape[1]} px greyscale)")


def idx_shape(path: pathlib.Path) -> tuple[int, int, int]:
    h, w = read_idx(find_pair(path)[0]).shape[1:]
    return (1, 32, 32) if h == w == 28 else (1, h, w)  # 28 px is padded to 32


def _files(path: pathlib.Path) -> list[pathlib.Path]:
    """The pair of files read, whichever way the source names them."""
    pair = find_pair(path) if path.is_file() else None
    return list(pair) if pair else [path]


def _path(source: str) -> pathlib.Path:
    return pathlib.Path(source).expanduser()


FORMAT = DataFormat(
    "idx", "MNIST-format files (*-images-idx3-ubyte[.gz] + *-labels-idx1-ubyte[.gz]) or their directory",
    detect=lambda source: _path(source).exists() and is_idx_source(_path(source)),
    load=lambda source, cfg, split: load_idx(_path(source), cfg.resolution, cfg.channels, split),
    probe=lambda source, sample: probe_idx(_path(source)),
    native_shape=lambda source: idx_shape(_path(source)),
    content=lambda source: ("idx", _files(_path(source))))
