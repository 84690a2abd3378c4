"""Where evaluated images come from: a generator (a run or an export), a dataset (embedded, image folder with
class sub-folders, npz, CIFAR-10), or a flat folder of images. Each source yields uint8 batches with labels
(or None) and has an ``identity`` string for the reference-statistics cache."""
from __future__ import annotations

import hashlib
import pathlib
from dataclasses import dataclass, field

import numpy as np
import torch

from ..config import DataConfig
from ..data import detect_kind, load_dataset
from ..data.embedded import NAME as EMBEDDED
from ..data.folder import IMAGE_SUFFIXES, image_header, read_image
from ..errors import GanforgeError
from ..sampling import generate, latents_for


@dataclass
class Source:
    description: str
    n: int
    shape: tuple[int, int, int]
    class_names: list[str] | None
    batches: object  # callable(batch_size) -> iterator of (uint8 [B, C, H, W], labels [B] or None)
    identity: str = ""
    extra: dict = field(default_factory=dict)


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
            images = generate(G, z, y, batch_size, truncation)
            yield ((images.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8), y
    return Source(f"{n} samples (truncation {truncation})", n, G.image_shape, G.class_names, batches)


def _subset(n_available: int, n: int | None, seed: int, what: str) -> np.ndarray:
    if n is None or n == n_available:
        return np.arange(n_available)
    if n > n_available:
        raise GanforgeError(f"{what} holds {n_available} images, fewer than the {n} asked for (--n)")
    return np.sort(np.random.default_rng(seed).choice(n_available, n, replace=False))


def dataset_source(dataset, n: int | None = None, seed: int = 0, identity: str = "") -> Source:
    idx = _subset(len(dataset), n, seed, dataset.source)

    def batches(batch_size):
        for i in range(0, len(idx), batch_size):
            yield dataset.__getitems__(idx[i:i + batch_size].tolist())

    return Source(f"{dataset.source} ({len(idx)} images)", len(idx), tuple(dataset.image_shape),
                  dataset.class_names, batches, identity=f"{identity}|n={len(idx)}|seed={seed}" if identity else "")


def flat_folder_source(root: pathlib.Path, n: int | None, seed: int) -> Source:
    """A folder of generated images without class sub-folders: all images must share one size and mode."""
    files = sorted(p for p in root.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not files:
        raise GanforgeError(f"{root}: holds no images (looked for {', '.join(sorted(IMAGE_SUFFIXES))})")
    (w, h), mode = image_header(files[0])
    channels = 1 if mode in ("L", "I;16", "I", "1") else 3
    if w != h:
        raise GanforgeError(f"{files[0]}: images to evaluate must be square, this one is {w}x{h}")
    idx = _subset(len(files), n, seed, str(root))

    def batches(batch_size):
        for i in range(0, len(idx), batch_size):
            chunk = [files[j] for j in idx[i:i + batch_size]]
            arrays = []
            for path in chunk:
                size, _ = image_header(path)
                if size != (w, h):
                    raise GanforgeError(f"{path}: is {size[0]}x{size[1]}, but {files[0].name} is {w}x{h}; "
                                        f"all images on one side must have the same size")
                arrays.append(read_image(path, w, channels))
            yield torch.from_numpy(np.stack(arrays)), None

    return Source(f"{root} ({len(idx)} images)", len(idx), (channels, w, w), None, batches)


def data_identity(spec: str) -> str:
    """A fingerprint of a dataset's content (names, sizes, modification times)."""
    if spec == EMBEDDED or spec.startswith(EMBEDDED + ":"):
        from importlib import resources
        data = resources.files("ganforge.data").joinpath("fashion_mnist.npz").read_bytes()
        return f"{spec}#{hashlib.sha256(data).hexdigest()[:16]}"
    path = pathlib.Path(spec).expanduser().resolve()
    h = hashlib.sha256(str(path).encode())
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for p in files:
        st = p.stat()
        h.update(f"{p.relative_to(path) if p != path else p.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return f"{path}#{h.hexdigest()[:16]}"


def native_shape(spec: str) -> tuple[int, int, int] | None:
    """The image shape a dataset has before any resizing (None for image folders, which are always resized)."""
    kind = detect_kind(spec)
    if kind == "embedded":
        return (1, 32, 32)
    if kind == "cifar10":
        return (3, 32, 32)
    if kind == "npz":
        with np.load(pathlib.Path(spec).expanduser(), allow_pickle=False) as f:
            shape = f["images"].shape if "images" in f.files else None
        if shape is None:
            return None
        if len(shape) == 3:
            return (1, shape[1], shape[2])
        return (shape[3], shape[1], shape[2]) if shape[-1] in (1, 3) and shape[1] not in (1, 3) else tuple(shape[1:])
    return None


def open_dataset(spec: str, shape: tuple[int, int, int], n: int | None, seed: int, split: str = "train",
                 data_cfg: DataConfig | None = None) -> Source:
    """A dataset brought to ``shape``: image folders are resized; other sets must already have that shape,
    unless ``data_cfg`` (the run's own data settings) says how to prepare them."""
    if data_cfg is None:
        native = native_shape(spec)
        if native is not None and tuple(native) != tuple(shape):
            raise GanforgeError(f"{spec}: images are {native[1]}x{native[2]} with {native[0]} channel(s), but the "
                                f"images evaluated are {shape[1]}x{shape[2]} with {shape[0]}; both sides must match")
        data_cfg = DataConfig(source=spec, resolution=shape[1], channels=shape[0])
    dataset = load_dataset(data_cfg, split=split)
    cfg_key = f"{data_cfg.resolution}x{data_cfg.channels}"
    return dataset_source(dataset, n, seed, identity=f"{data_identity(spec)}|{split}|{cfg_key}")
