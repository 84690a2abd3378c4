"""Where evaluated images come from: a generator (a run or an export), a dataset (embedded, image folder with
class sub-folders, npz, CIFAR-10, MNIST-format files), or a flat folder of images. Each source yields uint8
batches with labels (or None) and has an ``identity`` string (a content digest, computed when first asked
for) for the reference-statistics cache. Either side of ``ganforge eval`` may be any of them (:func:`open_images`)."""
from __future__ import annotations

import functools
import hashlib
import pathlib
from dataclasses import dataclass, field

import numpy as np
import torch

from ..sections import DataConfig
from ..data import detect_kind, get_format, load_dataset
from ..data.folder import GREY_MODES, IMAGE_SUFFIXES, image_header, read_image, some
from ..errors import GanforgeError
from ..sampling import latents_for, render
from .cache import cache_root
from .digest import content_digest


@dataclass
class Source:
    description: str
    n: int
    shape: tuple[int, int, int]
    class_names: list[str] | None
    batches: object  # callable(batch_size) -> iterator of (uint8 [B, C, H, W], labels [B] or None)
    identity_of: object = None  # callable() -> str, the identity; computed only when the cache asks for it
    extra: dict = field(default_factory=dict)

    @functools.cached_property
    def identity(self) -> str:
        return self.identity_of() if self.identity_of is not None else ""


def generator_source(G, n: int, truncation=None, seed: int = 0, rank: int = 0, world: int = 1) -> Source:
    """n samples of G with balanced classes (sample i has class i mod classes), quantised to uint8 as a saved
    PNG would be. With ``world`` > 1 only batches rank, rank + world, ... are generated (the latents of all
    are drawn, so each sample is the one a single process would make)."""
    def batches(batch_size):
        gen = torch.Generator().manual_seed(seed)
        for k, start in enumerate(range(0, n, batch_size)):
            m = min(batch_size, n - start)
            z = latents_for(G, m, truncation, gen)
            if k % world != rank:
                continue
            y = torch.arange(start, start + m) % G.num_classes
            images = render(G, z, y, batch_size, truncation)
            yield ((images.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8), y
    return Source(f"{n} samples (truncation {truncation})", n, G.image_shape, G.class_names, batches)


def _subset(n_available: int, n: int | None, seed: int, what: str, flag: str = "--n") -> np.ndarray:
    if n is None or n == n_available:
        return np.arange(n_available)
    if n > n_available:
        raise GanforgeError(f"{what} holds {n_available} images, fewer than the {n} asked for ({flag})")
    return np.sort(np.random.default_rng(seed).choice(n_available, n, replace=False))


def dataset_source(dataset, n: int | None = None, seed: int = 0, identity=None, flag: str = "--n") -> Source:
    """``identity``: a callable giving the dataset's identity (None: not cached)."""
    idx = _subset(len(dataset), n, seed, dataset.source, flag)

    def batches(batch_size):
        for i in range(0, len(idx), batch_size):
            yield dataset.__getitems__(idx[i:i + batch_size].tolist())

    return Source(f"{dataset.source} ({len(idx)} images)", len(idx), tuple(dataset.image_shape),
                  dataset.class_names, batches,
                  identity_of=(lambda: f"{identity()}|n={len(idx)}|seed={seed}") if identity else None)


def flat_folder_source(root: pathlib.Path, n: int | None, seed: int, shape: tuple[int, int, int] | None = None,
                       flag: str = "--n") -> Source:
    """A folder of images without class sub-folders (no labels). All images share the first one's size and
    mode, unless ``shape`` (C, H, W) says what to convert them to."""
    files = sorted(p for p in root.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()
                   and not p.name.startswith("."))
    if not files:
        raise GanforgeError(f"{root}: holds no images (looked for {', '.join(sorted(IMAGE_SUFFIXES))})")
    (w, h), mode = image_header(files[0])
    if shape is None:
        if w != h:
            raise GanforgeError(f"{files[0]}: images to evaluate must be square, this one is {w}x{h}")
        shape = (1 if mode in GREY_MODES else 3, w, w)
    channels, size = shape[0], shape[1]
    convert = shape != (1 if mode in GREY_MODES else 3, h, w)
    idx = _subset(len(files), n, seed, str(root), flag)

    def batches(batch_size):
        for i in range(0, len(idx), batch_size):
            arrays = []
            for path in (files[j] for j in idx[i:i + batch_size]):
                if not convert:
                    header = image_header(path)
                    if header[0] != (w, h):
                        raise GanforgeError(f"{path}: is {header[0][0]}x{header[0][1]}, but {files[0].name} is "
                                            f"{w}x{h}; all images on one side must have the same size")
                arrays.append(read_image(path, size, channels))
            yield torch.from_numpy(np.stack(arrays)), None

    return Source(f"{root} ({len(idx)} images)", len(idx), (channels, size, size), None, batches,
                  identity_of=lambda: f"{data_identity(str(root))}|flat|{size}x{channels}|n={len(idx)}|seed={seed}")


def open_images(spec: str, n: int | None, seed: int, shape: tuple[int, int, int] | None = None,
                convert: bool = False, flag: str = "--n") -> Source:
    """An image set on either side of an evaluation: a flat folder, a folder of class folders, an npz, a CIFAR-10
    or MNIST-format source, or the embedded data. ``shape`` (C, H, W): the shape the other side has; a set of
    another shape is an error unless ``convert`` asks to resize and convert it."""
    path = pathlib.Path(spec).expanduser()
    if detect_kind(spec) == "folder":
        images = sorted(p.name for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
                        and not p.name.startswith("."))
        subdirs = sorted(p.name for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
        if images and subdirs:
            raise GanforgeError(f"{path}: holds images in its root ({some(images)}) and sub-folders ({some(subdirs)}); "
                                f"put every image in a class folder, or move the sub-folders out to evaluate a "
                                f"flat folder")
        if not subdirs:
            own = flat_folder_source(path, n, seed, None, flag)
            if shape is None or own.shape == tuple(shape):
                return own
            _mismatch(spec, own.shape, shape, convert)
            return flat_folder_source(path, n, seed, tuple(shape), flag)
        first = next((f for d in subdirs for f in sorted((path / d).rglob("*")) if f.suffix.lower() in IMAGE_SUFFIXES
                      and f.is_file()), None)
        if first is None:
            raise GanforgeError(f"{path}: its sub-folders hold no images")
        (w, h), mode = image_header(first)
        native = (1 if mode in GREY_MODES else 3, h, w)
    else:
        native = native_shape(spec)
    if shape is not None and native is not None and tuple(native) != tuple(shape):
        _mismatch(spec, native, shape, convert)
        native = tuple(shape)
    if native is None:
        native = tuple(shape) if shape is not None else None
    if native is None or native[1] != native[2]:
        raise GanforgeError(f"{spec}: images to evaluate must be square"
                            + (f", found {native[2]}x{native[1]}" if native else ""))
    return open_dataset(spec, native, n, seed, flag=flag, check=False)


def _mismatch(spec: str, have, want, convert: bool) -> None:
    if convert:
        return
    raise GanforgeError(f"{spec}: images are {have[2]}x{have[1]} with {have[0]} channel(s), but the evaluated "
                        f"images are {want[2]}x{want[1]} with {want[0]}; both sides must match (--convert resizes "
                        f"and converts the reference to the evaluated images)")


def data_identity(spec: str) -> str:
    """A fingerprint of a dataset's content: a digest of every byte (``digest.py``) of the files its format reads,
    so a rewritten file is noticed even when its size and times were restored."""
    label, paths = get_format(spec).content(spec)
    return f"{label}#" + "+".join(content_digest(p, memo=digest_memo(p) if p.is_dir() else None) for p in paths)


def digest_memo(folder: pathlib.Path) -> pathlib.Path:
    """Where the file digests of ``folder`` are remembered: beside the statistics cache."""
    key = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:24]
    return cache_root() / "digests" / f"{key}.json"


def native_shape(spec: str) -> tuple[int, int, int] | None:
    """The image shape a dataset has before any resizing (None for image folders, which are always resized)."""
    return get_format(spec).native_shape(spec)


def open_dataset(spec: str, shape: tuple[int, int, int], n: int | None, seed: int, split: str = "train",
                 data_cfg: DataConfig | None = None, flag: str = "--n", check: bool = True) -> Source:
    """A dataset brought to ``shape``: image folders are resized; other sets must already have that shape
    (``check``), unless ``data_cfg`` (the run's own data settings) says how to prepare them."""
    if data_cfg is None and check:
        native = native_shape(spec)
        if native is not None and tuple(native) != tuple(shape):
            raise GanforgeError(f"{spec}: images are {native[1]}x{native[2]} with {native[0]} channel(s), but the "
                                f"images evaluated are {shape[1]}x{shape[2]} with {shape[0]}; both sides must match")
    if data_cfg is None:
        data_cfg = DataConfig(source=spec, resolution=shape[1], channels=shape[0])
    dataset = load_dataset(data_cfg, split=split)
    cfg_key = f"{data_cfg.resolution}x{data_cfg.channels}"
    if (data_cfg.fit, data_cfg.background) != ("crop", "white"):  # how a folder's images were prepared
        cfg_key += f"|{data_cfg.fit}|{data_cfg.background}"
    return dataset_source(dataset, n, seed, identity=lambda: f"{data_identity(spec)}|{split}|{cfg_key}", flag=flag)
