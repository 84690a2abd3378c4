"""A data format of your own: a directory holding images.npy (uint8 [N, H, W, C]) and labels.npy, read as
data.kind=npy (or detected). One DataFormat, one registration."""
import pathlib

import numpy as np

import ganforge
from ganforge.data import DataFacts, DataFormat
from ganforge.data.arrays import prepare, to_nchw


def _files(source):
    root = pathlib.Path(source).expanduser()
    return root / "images.npy", root / "labels.npy"


def detect(source):
    return all(p.is_file() for p in _files(source))


def load(source, cfg, split):
    images, labels = (np.load(p, allow_pickle=False) for p in _files(source))
    return prepare(to_nchw(images, source), labels, None, cfg.resolution, cfg.channels, source)


def probe(source, sample):
    images = np.load(_files(source)[0], mmap_mode="r", allow_pickle=False)
    labels = np.load(_files(source)[1], allow_pickle=False)
    return DataFacts(len(images), len(np.unique(labels)), images.shape[-1] if images.ndim == 4 else 1,
                     max(images.shape[1:3]), f"{source}: images.npy {list(images.shape)}")


def native_shape(source):
    shape = np.load(_files(source)[0], mmap_mode="r", allow_pickle=False).shape
    return (shape[3] if len(shape) == 4 else 1, shape[1], shape[2])


ganforge.register_format(DataFormat(
    "npy", "a directory with images.npy and labels.npy", detect=detect, load=load, probe=probe,
    native_shape=native_shape, content=lambda source: (pathlib.Path(source).name, list(_files(source)))))
