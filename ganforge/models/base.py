"""What every generator offers besides ``forward(z, y)``: its config, class names and sampling helpers."""
from __future__ import annotations

import difflib

import torch
import torch.nn as nn

from ..config import Config
from ..errors import GanforgeError


class ConditionalGenerator(nn.Module):
    """Base class of class-conditional generators.

    ``forward(z, y)`` takes latents z [B, dim_z] and class indices y [B] (int64) or class weights
    [B, num_classes] (float, for interpolation) and returns images [B, C, H, W] in [-1, 1].
    """

    conditional = True  # False: y is accepted and ignored (an unconditional model)

    def __init__(self, config: Config):
        super().__init__()
        self.config = config
        self.dim_z = config.model.dim_z
        self.num_classes = config.model.num_classes
        if self.num_classes < 1:
            raise ValueError("model.num_classes must be set (it is filled in from the data) before building G")

    def select_statistics(self, truncation: float | None) -> None:
        """With truncation-indexed BN statistics, pick the row for ``truncation`` (default 1.0)."""
        if self.config.model.bn_stats != "truncation":
            return
        from ..layers.conditioning import set_truncation
        t = 1.0 if truncation is None else float(truncation)
        if not 0 < t <= 1:
            raise GanforgeError(f"truncation={truncation} is outside (0, 1]: this model's BN statistics were "
                                f"measured for truncation values in (0, 1]")
        set_truncation(self, t)

    @property
    def class_names(self) -> list[str]:
        names = self.config.model.class_names
        return list(names) if names else [str(i) for i in range(self.num_classes)]

    @property
    def image_shape(self) -> tuple[int, int, int]:
        r = self.config.data.resolution
        return (self.config.data.channels, r, r)

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def class_index(self, cls: int | str) -> int:
        """A class given by index (int or digits) or by name (case-insensitive) -> its index."""
        if isinstance(cls, str) and cls.strip().lstrip("-").isdigit():
            cls = int(cls)
        if isinstance(cls, int):
            if not 0 <= cls < self.num_classes:
                raise GanforgeError(f"class index {cls} is out of range: this model has classes 0 to "
                                    f"{self.num_classes - 1}")
            return cls
        lookup = {n.lower(): i for i, n in enumerate(self.class_names)}
        key = cls.strip().lower()
        if key not in lookup:
            close = difflib.get_close_matches(key, list(lookup), n=5, cutoff=0.6)
            if close:
                hint = "did you mean: " + ", ".join(self.class_names[lookup[c]] for c in close) + "?"
            else:
                hint = "this model's classes are: " + ", ".join(self.class_names[:50])
                hint += " ..." if self.num_classes > 50 else ""
            raise GanforgeError(f"unknown class {cls!r}; {hint}")
        return lookup[key]

    def sample(self, classes=None, n: int = 16, truncation: float | None = None, seed: int | None = None,
               batch_size: int = 64) -> torch.Tensor:
        """n images [n, C, H, W] in [-1, 1]; see :func:`ganforge.sampling.sample`."""
        from ..sampling import sample
        return sample(self, classes=classes, n=n, truncation=truncation, seed=seed, batch_size=batch_size)

    def save_pretrained(self, directory) -> None:
        """Write ``config.json`` and ``model.safetensors``; :func:`ganforge.load` reads them back."""
        from ..pretrained import save_pretrained
        save_pretrained(self, directory)
