"""The CIFAR-10 python directory (``cifar-10-batches-py``: data_batch_1..5, test_batch, batches.meta).

Those files are pickles; they are read with an unpickler that only builds plain containers and numpy
arrays, so a tampered file cannot run code.
"""
from __future__ import annotations

import pathlib
import pickle

import numpy as np

from ..errors import GanforgeError
from .arrays import ArrayDataset, prepare
from .base import DataFacts, DataFormat

TRAIN_FILES = [f"data_batch_{i}" for i in range(1, 6)]
_ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
            ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"),
            ("numpy._core.multiarray", "scalar"), ("_codecs", "encode")}  # bytes under protocol 2


class _ArraysOnly(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def _read(path: pathlib.Path) -> dict:
    try:
        with open(path, "rb") as f:
            return _ArraysOnly(f, encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, OSError, ValueError, TypeError) as e:
        raise GanforgeError(f"{path}: not a readable CIFAR-10 batch file ({e})") from None


def is_cifar10_dir(path: pathlib.Path) -> bool:
    return path.is_dir() and (path / "data_batch_1").is_file()


def load_cifar10(root: pathlib.Path, resolution: int, channels: int, split: str = "train") -> ArrayDataset:
    files = TRAIN_FILES if split == "train" else ["test_batch"]
    missing = [f for f in files if not (root / f).is_file()]
    if missing:
        raise GanforgeError(f"{root}: not a complete CIFAR-10 python directory, missing {', '.join(missing)}")
    images, labels = [], []
    for name in files:
        batch = _read(root / name)
        if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
            raise GanforgeError(f"{root / name}: expected a dict with b'data' and b'labels'")
        data = np.asarray(batch[b"data"])
        if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
            raise GanforgeError(f"{root / name}: b'data' must be uint8 [N, 3072], got {data.dtype} {list(data.shape)}")
        images.append(data.reshape(-1, 3, 32, 32))
        labels.append(np.asarray(batch[b"labels"], dtype=np.int64))
    names = [f"class {i}" for i in range(10)]
    if (root / "batches.meta").is_file():
        meta = _read(root / "batches.meta")
        if isinstance(meta, dict) and b"label_names" in meta:
            names = [n.decode() if isinstance(n, bytes) else str(n) for n in meta[b"label_names"]]
    return prepare(np.concatenate(images), np.concatenate(labels), names, resolution, channels, str(root))


FORMAT = DataFormat(
    "cifar10", "a CIFAR-10 'cifar-10-batches-py' directory",
    detect=lambda source: is_cifar10_dir(pathlib.Path(source).expanduser()),
    load=lambda source, cfg, split: load_cifar10(pathlib.Path(source).expanduser(), cfg.resolution, cfg.channels,
                                                 split),
    probe=lambda source, sample: DataFacts(50_000, 10, 3, 32, "CIFAR-10 (32 px colour)"),
    native_shape=lambda source: (3, 32, 32),
    content=lambda source: (pathlib.Path(source).expanduser().name, [pathlib.Path(source).expanduser()]))
