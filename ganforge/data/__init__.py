"""Datasets: the embedded Fashion-MNIST subset, image folders, .npz files, the CIFAR-10 python directory and
MNIST-format (idx) files.

Every dataset yields uint8 images [B, C, H, W] and int64 labels through ``__getitems__`` and knows its
``class_names``; :func:`load_dataset` picks the reader from the data config.
"""
from __future__ import annotations

import pathlib

from ..config import DataConfig
from ..errors import GanforgeError
from .arrays import ArrayDataset, load_npz
from .cifar import is_cifar10_dir, load_cifar10
from .embedded import NAME as EMBEDDED_NAME
from .embedded import load_fashion_mnist
from .folder import FolderDataset, load_folder
from .idx import is_idx_source, load_idx

__all__ = ["ArrayDataset", "FolderDataset", "load_dataset", "detect_kind"]


def detect_kind(source: str) -> str:
    if source == EMBEDDED_NAME or source.startswith(EMBEDDED_NAME + ":"):
        return "embedded"
    path = pathlib.Path(source).expanduser()
    if not path.exists():
        raise GanforgeError(f"data source {source!r} does not exist: give '{EMBEDDED_NAME}' (embedded), an image "
                            f"folder with one sub-folder per class, an .npz file or a CIFAR-10 "
                            f"'cifar-10-batches-py' directory")
    if is_idx_source(path):
        return "idx"
    if path.is_file():
        if path.suffix.lower() == ".npz":
            return "npz"
        raise GanforgeError(f"data source {path} is a file but not an .npz or an MNIST-format images file "
                            f"(*-images-idx3-ubyte[.gz]); give an image folder, an .npz file, a CIFAR-10 directory "
                            f"or MNIST-format files")
    return "cifar10" if is_cifar10_dir(path) else "folder"


def load_dataset(cfg: DataConfig, split: str = "train"):
    kind = detect_kind(cfg.source) if cfg.kind == "auto" else cfg.kind
    res, ch = cfg.resolution, cfg.channels
    if kind == "embedded":
        _, _, sub = cfg.source.partition(":")
        return load_fashion_mnist(res, ch, sub or split)
    path = pathlib.Path(cfg.source).expanduser()
    if not path.exists():
        raise GanforgeError(f"data source {path} does not exist")
    if kind == "npz":
        return load_npz(path, res, ch)
    if kind == "cifar10":
        return load_cifar10(path, res, ch, split)
    if kind == "idx":
        return load_idx(path, res, ch, split)
    if not path.is_dir():
        raise GanforgeError(f"data source {path} is not a folder (data.kind=folder)")
    return load_folder(path, res, ch, cfg.preload, cfg.skip_bad_images)
