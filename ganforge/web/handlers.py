"""What the web demo does, without the web framework: every input is validated here (the browser's limits
are a convenience, not a guarantee) and every answer is an image or a file."""
from __future__ import annotations

import pathlib
import threading

import torch
from PIL import Image

from ..checks import number
from ..errors import GanforgeError
from ..sampling import interpolation, latents_for, sample
from ..steering import steered_samples
from ..viz import image_grid, labelled_sheet, to_uint8
from ..viz.attention_sheet import attention_figure
from .downloads import Downloads

MAX_SEED = 2**31 - 1
MAX_STEPS = 16
FOCUS_REGIONS = ("none", "top half", "bottom half", "left half", "right half", "centre")


def region_mask(region: str, size: int) -> torch.Tensor | None:
    if region not in FOCUS_REGIONS:
        raise GanforgeError(f"focus region {region!r}: choose one of {', '.join(FOCUS_REGIONS)}")
    if region == "none":
        return None
    mask, h = torch.zeros(size, size), size // 2
    index = {"top half": (slice(0, h), slice(None)), "bottom half": (slice(h, None), slice(None)),
             "left half": (slice(None), slice(0, h)), "right half": (slice(None), slice(h, None)),
             "centre": (slice(size // 4, size - size // 4), slice(size // 4, size - size // 4))}[region]
    mask[index] = 1.0
    return mask


class DemoModel:
    """A generator loaded once, with validated entry points. Generation is serialised by a lock: one model,
    one request at a time (the queue in front of it bounds how many wait)."""

    def __init__(self, G, max_images: int = 64, downloads: Downloads | None = None):
        self.G, self.max_images = G.eval(), max_images
        self.size = G.image_shape[-1]
        self.display = max(1, 256 // self.size)  # pixels per generated pixel in the browser
        self.downloads = downloads or Downloads()
        self.lock = threading.Lock()
        self.has_attention = bool(getattr(G, "attention", None))
        self.tfhub = G.truncation_style == "tfhub"

    @property
    def class_names(self) -> list[str]:
        return list(self.G.class_names)

    # validation -----------------------------------------------------------------------------------------
    def check_class(self, name) -> int:
        if not isinstance(name, str) or not name:
            raise GanforgeError("choose a class")
        return self.G.class_index(name)

    @staticmethod
    def check_seed(seed) -> int:
        return number(seed, "seed", integer=True, lo=0, hi=MAX_SEED)

    def check_truncation(self, psi) -> float | None:
        """ψ: 0 or None = no truncation; else a threshold in (0, 2], or (0, 1] for converted TF-Hub models."""
        if psi is None:
            return None
        top = 1.0 if self.tfhub else 2.0
        value = self.check_range(psi, "truncation", 0.0, top)
        return None if value == 0 else value

    def check_count(self, n, name: str = "number of images", top: int | None = None, low: int = 1) -> int:
        return number(n, name, integer=True, lo=low, hi=self.max_images if top is None else top)

    @staticmethod
    def check_range(value, name: str, low: float, high: float) -> float:
        return number(value, name, lo=low, hi=high)

    # answers ---------------------------------------------------------------------------------------------
    def _grid(self, images: torch.Tensor) -> Image.Image:
        cols = min(8, len(images))
        return image_grid(images, ncol=cols, scale=max(1, 128 // self.size))

    def _save(self, image: Image.Image, stem: str) -> pathlib.Path:
        path = self.downloads.path(f"{stem}.png")
        image.save(path, format="PNG")
        return self.downloads.added(path)

    def sample_grid(self, class_name, seed, psi, n) -> tuple[Image.Image, str]:
        """A grid of n samples of one class; also written as a PNG file for download."""
        cls, seed = self.check_class(class_name), self.check_seed(seed)
        psi, n = self.check_truncation(psi), self.check_count(n)
        with self.lock, torch.no_grad():
            images = sample(self.G, classes=cls, n=n, truncation=psi, seed=seed)
        grid = self._grid(images)
        return grid, str(self._save(grid, f"{self.class_names[cls]}-seed{seed}-n{n}"))

    def interpolate(self, from_class, to_class, seed, to_seed, steps, psi) -> tuple[Image.Image, str]:
        """A strip from one class (and seed) to another, and the same frames as an animated GIF (there and back)."""
        a, b = self.check_class(from_class), self.check_class(to_class)
        seed, steps, psi = self.check_seed(seed), self.check_count(steps, "steps", MAX_STEPS, 2), \
            self.check_truncation(psi)
        to_seed = None if to_seed in (None, "", -1) else self.check_seed(to_seed)
        with self.lock, torch.no_grad():
            frames = interpolation(self.G, a, b, steps=steps, rows=1, from_seed=seed, to_seed=to_seed,
                                   truncation=psi)[0]
        strip = labelled_sheet(frames[None], [""], scale=max(1, 96 // self.size))
        pictures = [Image.fromarray(im).resize((256, 256), Image.NEAREST) for im in to_uint8(frames)]
        loop = pictures + pictures[-2:0:-1]
        gif = self.downloads.path(f"interp-{a}-{b}-seed{seed}-{to_seed}-{steps}.gif")
        loop[0].save(gif, save_all=True, append_images=loop[1:], duration=120, loop=0)
        return strip, str(self.downloads.added(gif))

    def attention_sample(self, class_name, seed, psi) -> Image.Image:
        """One sample, enlarged so a click can pick a query pixel."""
        self._need_attention()
        cls, seed, psi = self.check_class(class_name), self.check_seed(seed), self.check_truncation(psi)
        with self.lock, torch.no_grad():
            image = sample(self.G, classes=cls, n=1, truncation=psi, seed=seed)
        return image_grid(image, ncol=1, scale=self.display, gap=0)

    def attention_maps(self, class_name, seed, psi, x, y) -> Image.Image:
        """Per-layer heatmaps for the query at display pixel (x, y) of the enlarged sample."""
        self._need_attention()
        cls, seed, psi = self.check_class(class_name), self.check_seed(seed), self.check_truncation(psi)
        qx = int(self.check_range(x, "x", 0, self.size * self.display - 1)) // self.display
        qy = int(self.check_range(y, "y", 0, self.size * self.display - 1)) // self.display
        z = latents_for(self.G, 1, psi, torch.Generator().manual_seed(seed))
        with self.lock:
            return attention_figure(self.G, z, torch.tensor([cls]), [(qx, qy)], psi)[0]

    def steered(self, class_name, seed, psi, n, strength, region, focus_weight, from_seed) -> Image.Image:
        """Samples with attention scaled, focused on a region, and/or transplanted from another seed."""
        self._need_attention()
        cls, seed, psi = self.check_class(class_name), self.check_seed(seed), self.check_truncation(psi)
        n = self.check_count(n, top=min(16, self.max_images))
        strength = self.check_range(strength, "attention strength", 0.0, 4.0)
        mask = region_mask(region, self.size)
        weight = self.check_range(focus_weight, "focus weight", -20.0, 20.0) if mask is not None else 0.0
        y = torch.full((n,), cls, dtype=torch.long)
        z = latents_for(self.G, n, psi, torch.Generator().manual_seed(seed))
        other = None if from_seed in (None, "", -1) else \
            latents_for(self.G, n, psi, torch.Generator().manual_seed(self.check_seed(from_seed)))
        with self.lock:
            images = steered_samples(self.G, z, y, psi, strength, mask, weight, other)
        return self._grid(images)

    def _need_attention(self) -> None:
        if not self.has_attention:
            raise GanforgeError("this model has no attention layers")
