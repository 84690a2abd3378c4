"""A folder of labelled images: one sub-folder per class (its name is the class name), any image size.

Images are turned upright (EXIF), their transparency composited onto ``data.background``, resized and
centre-cropped (or padded: ``data.fit``) to the configured resolution and converted to L or RGB. Small sets are decoded once into memory (which also checks every file before training starts);
large ones are decoded batch by batch.
"""
from __future__ import annotations

import pathlib
import statistics
import warnings
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from ..checks import colour
from ..errors import GanforgeError
from .arrays import ArrayDataset
from .base import DataFacts, DataFormat
from .transforms import has_alpha, pil_to_array

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm", ".pgm", ".pbm"}
PRELOAD_BUDGET_BYTES = 2 * 1024 ** 3
GREY_MODES = {"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F"}  # the modes to_mode reads as greyscale


def some(names: list[str], k: int = 3) -> str:
    """The first k names, and '...' when there are more (for messages)."""
    return ", ".join(names[:k]) + (", ..." if len(names) > k else "")


def scan_folder(root: pathlib.Path) -> tuple[list[pathlib.Path], np.ndarray, list[str]]:
    """Image files, their labels and the sorted class names; clear errors for empty layouts."""
    classes = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    loose = sorted(p.name for p in root.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
                   and not p.name.startswith("."))
    if classes and loose:
        raise GanforgeError(f"{root}: holds images in its root ({some(loose)}) next to class sub-folders "
                            f"({some(classes)}); an image-folder dataset keeps every image in its class's folder")
    if not classes:
        raise GanforgeError(f"{root}: no class sub-folders found. An image-folder dataset holds one sub-folder per "
                            f"class (e.g. {root}/cat/001.png, {root}/dog/002.jpg)")
    files, labels, empty = [], [], []
    for label, name in enumerate(classes):
        found = sorted(p for p in (root / name).rglob("*")
                       if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file() and not p.name.startswith("."))
        if not found:
            empty.append(name)
        files += found
        labels += [label] * len(found)
    if not files:
        raise GanforgeError(f"{root}: the class sub-folders ({', '.join(classes[:10])}) hold no images "
                            f"(looked for {', '.join(sorted(IMAGE_SUFFIXES))})")
    if empty:
        raise GanforgeError(f"{root}: class folder(s) {', '.join(empty[:10])} hold no images; remove them or add "
                            f"images")
    return files, np.asarray(labels, dtype=np.int64), classes


def _unreadable(path: pathlib.Path, e: Exception) -> GanforgeError:
    if isinstance(e, Image.DecompressionBombError):  # PIL's guard: a small file that decodes to huge images
        return GanforgeError(f"{path}: too large to decode safely ({e}); fix or remove the file")
    return GanforgeError(f"{path}: cannot read this image ({e.__class__.__name__}: {e}); fix or remove the file")


UNREADABLE = (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError)


def read_image(path: pathlib.Path, resolution: int, channels: int, fit: str = "crop",
               background: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # counted in survey() instead
            with Image.open(path) as img:
                img.load()
                return pil_to_array(img, resolution, channels, fit, background)
    except UNREADABLE as e:
        raise _unreadable(path, e) from None


def image_header(path: pathlib.Path) -> tuple[tuple[int, int], str]:
    """An image's (width, height) and mode, without decoding it; unreadable files are a clear error."""
    try:
        with Image.open(path) as img:
            return img.size, img.mode
    except UNREADABLE as e:
        raise _unreadable(path, e) from None


@dataclass(frozen=True)
class Reading:
    """How a folder's images become arrays: size, channels, fit (crop | pad) and the background colour."""
    resolution: int
    channels: int
    fit: str = "crop"
    background: str = "white"  # data.background: a colour name or #rrggbb

    def read(self, path: pathlib.Path) -> np.ndarray:
        return read_image(path, self.resolution, self.channels, self.fit, colour(self.background, "data.background"))


def survey(files: list[pathlib.Path], labels: np.ndarray, classes: list[str], reading: Reading) -> list[str]:
    """What a user should know about a folder before training (from the image headers, nothing decoded): the
    images per class, those much smaller than the resolution (upscaled more than 2x), those with transparency
    and the colour they are put on, and the non-square ones and what ``fit`` does with them."""
    counts = np.bincount(labels, minlength=len(classes))
    notes = [f"{len(files):,} images in {len(classes)} classes: "
             + ", ".join(f"{name} {n:,}" for name, n in zip(classes, counts))]
    if counts.max() >= 2 * max(counts.min(), 1):
        notes[0] += (f" (uneven: the largest class has {counts.max() / max(counts.min(), 1):.1f}x the images of the "
                     f"smallest; data.balance=classes draws every class equally often)")
    small, huge, alpha, oblong = [], [], 0, 0
    for path in files:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(path) as img:
                    (w, h), transparent = img.size, has_alpha(img)
        except UNREADABLE:
            continue  # reported when it is read
        small += [path.name] if min(w, h) * 2 < reading.resolution else []
        huge += [path.name] if w * h > (Image.MAX_IMAGE_PIXELS or float("inf")) else []
        alpha += transparent
        oblong += max(w, h) > 1.1 * min(w, h)
    if small:
        notes.append(f"{len(small):,} images are less than half the resolution ({reading.resolution} px) on their "
                     f"short side and are upscaled more than 2x (e.g. {some(small)})")
    if huge:
        notes.append(f"{len(huge):,} images have more than {Image.MAX_IMAGE_PIXELS / 1e6:.0f} M pixels and are slow to "
                     f"decode (e.g. {some(huge)}); above twice that PIL refuses them as possible decompression bombs")
    if alpha:
        notes.append(f"{alpha:,} images have transparency: composited onto {reading.background} (data.background)")
    if oblong:
        how = "centre-cropped" if reading.fit == "crop" else f"padded with {reading.background}"
        notes.append(f"{oblong:,} images are not square: {how} (data.fit={reading.fit})")
    return notes


class FolderDataset:
    """Decodes images on access; same interface as :class:`ArrayDataset`."""

    def __init__(self, files, labels, class_names, reading: "Reading", source: str):
        self.files, self.class_names, self.source = files, class_names, source
        self.labels = torch.from_numpy(labels)
        self.reading = reading
        self.resolution, self.channels = reading.resolution, reading.channels

    def __len__(self) -> int:
        return len(self.files)

    def __getitems__(self, indices) -> tuple[torch.Tensor, torch.Tensor]:
        idx = [int(i) for i in indices]
        images = np.stack([self.reading.read(self.files[i]) for i in idx])
        return torch.from_numpy(images), self.labels[idx]

    @property
    def image_shape(self) -> tuple[int, ...]:
        return (self.channels, self.resolution, self.resolution)


def load_folder(root: pathlib.Path, reading: Reading, preload: str = "auto", skip_bad: bool = False):
    """The dataset of an image folder. With ``skip_bad``, every image is decoded once up front and the
    unreadable ones are left out; the dataset's ``skipped`` lists them with the reason, its ``notes`` what the
    folder holds (see :func:`survey`)."""
    files, labels, classes = scan_folder(root)
    notes = survey(files, labels, classes, reading)
    fits = len(files) * reading.channels * reading.resolution ** 2 <= PRELOAD_BUDGET_BYTES
    in_memory = preload == "true" or (preload == "auto" and fits)
    if not (in_memory or skip_bad):
        dataset = FolderDataset(files, labels, classes, reading, str(root))
        dataset.notes = notes
        return dataset
    images, keep, skipped = [], [], []
    for i, path in enumerate(files):
        try:
            image = reading.read(path)
        except GanforgeError as e:
            if not skip_bad:
                raise
            skipped.append(str(e).split("; fix or remove")[0])
            continue
        keep.append(i)
        if in_memory:
            images.append(image)
    if not keep:
        raise GanforgeError(f"{root}: none of its {len(files)} images could be read")
    labels = labels[keep]
    if in_memory:
        dataset = ArrayDataset(np.stack(images), labels, classes, str(root))
    else:
        dataset = FolderDataset([files[i] for i in keep], labels, classes, reading, str(root))
    dataset.skipped, dataset.notes = skipped, notes
    missing = sorted(set(range(len(classes))) - set(labels.tolist()))
    if missing:
        raise GanforgeError(f"{root}: class folder(s) {', '.join(classes[i] for i in missing[:10])} hold no readable "
                            f"images")
    return dataset


def probe_folder(root: pathlib.Path, sample: int) -> DataFacts:
    """Facts from the headers of up to ``sample`` images spread over the folder (no decoding)."""
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


def _load(source: str, cfg, split: str):
    root = pathlib.Path(source).expanduser()
    if not root.is_dir():
        raise GanforgeError(f"data source {root} is not a folder (data.kind=folder)")
    return load_folder(root, Reading(cfg.resolution, cfg.channels, cfg.fit, cfg.background), cfg.preload,
                       cfg.skip_bad_images)


FORMAT = DataFormat(
    "folder", "an image folder with one sub-folder per class",
    detect=lambda source: pathlib.Path(source).expanduser().is_dir(),
    load=_load,
    probe=lambda source, sample: probe_folder(pathlib.Path(source).expanduser(), sample),
    native_shape=lambda source: None,  # images of any size, always resized
    content=lambda source: (pathlib.Path(source).expanduser().name, [pathlib.Path(source).expanduser()]))
