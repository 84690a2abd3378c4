"""The embedded Fashion-MNIST subset (MIT licence, see FASHION_MNIST_LICENSE.txt), loaded with numpy.

1,000 training images per class and a separate held-out subset of 100 per class (from the test split);
28×28 greyscale, padded to 32×32 with the black background.
"""
from __future__ import annotations

import pathlib
from importlib import resources

import numpy as np

from .arrays import ArrayDataset, prepare
from .base import DataFacts, DataFormat
from .transforms import pad_to

NAME = "fashion-mnist"
SPLITS = ("train", "heldout")


def load_raw(split: str = "train") -> tuple[np.ndarray, np.ndarray, list[str]]:
    """uint8 [N, 28, 28], int64 [N], class names."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    with resources.files("ganforge.data").joinpath("fashion_mnist.npz").open("rb") as fh:
        with np.load(fh, allow_pickle=False) as f:
            return f[f"{split}_images"], f[f"{split}_labels"], [str(n) for n in f["class_names"]]


def load_fashion_mnist(resolution: int = 32, channels: int = 1, split: str = "train") -> ArrayDataset:
    images, labels, names = load_raw(split)
    padded = pad_to(images[:, None], 32)
    return prepare(padded, labels, names, resolution, channels, f"{NAME}:{split}")


def _load(source: str, cfg, split: str) -> ArrayDataset:
    _, _, sub = source.partition(":")  # fashion-mnist:heldout names the split
    return load_fashion_mnist(cfg.resolution, cfg.channels, sub or split)


FORMAT = DataFormat(
    "embedded", f"'{NAME}' (the embedded subset; '{NAME}:heldout' its held-out images)",
    detect=lambda source: source == NAME or source.startswith(NAME + ":"),
    load=_load,
    probe=lambda source, sample: DataFacts(10_000, 10, 1, 28, "the embedded Fashion-MNIST subset (28 px greyscale)"),
    native_shape=lambda source: (1, 32, 32),
    content=lambda source: (source, [pathlib.Path(str(resources.files("ganforge.data") / "fashion_mnist.npz"))]))
