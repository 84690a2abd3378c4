"""Datasets: the embedded Fashion-MNIST subset, image folders, .npz files, the CIFAR-10 python directory and
MNIST-format (idx) files, each a format in the registry of ``formats.py`` (``register_format`` adds one).

Every dataset yields uint8 images [B, C, H, W] and int64 labels through ``__getitems__`` and knows its
``class_names``; :func:`load_dataset` reads the source the data config names with its format.
"""
from __future__ import annotations

from .arrays import ArrayDataset
from .base import DataFacts, DataFormat
from .folder import FolderDataset
from .formats import FORMATS, detect_kind, get_format, probe, register_format

__all__ = ["ArrayDataset", "DataFacts", "DataFormat", "FORMATS", "FolderDataset", "detect_kind", "get_format",
           "load_dataset", "probe", "register_format"]


def load_dataset(cfg, split: str = "train"):
    """The dataset ``cfg`` (a DataConfig: source, kind, resolution, channels, ...) names, for ``split``
    ('train', or 'heldout'/'test' where the format has one)."""
    return get_format(cfg.source, cfg.kind).load(cfg.source, cfg, split)
