"""Networks that work at one level of a resolution pyramid at a time (ProGAN, LAPGAN).

Level l works at ``base_resolution``·2^l px (a class attribute of each family: 4 for ProGAN, 8 for LAPGAN);
``fades`` says whether a new level fades in (ProGAN) or is trained alone once the coarser ones are done (LAPGAN). The level and the fade-in α live in an integer buffer
``stage`` = [level, round(α·10⁶)], so checkpoints and the EMA carry them (the EMA copies integer entries);
:class:`ganforge.training.growth.Growth` sets them before every training step. A new network starts at its
last level with α = 1 (the full resolution), which is what sampling a finished run uses.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

ALPHA_UNIT = 1_000_000


def level_count(resolution: int, base_resolution: int) -> int:
    return resolution.bit_length() - base_resolution.bit_length() + 1


class Growing:
    """Mixed into a generator or discriminator class before its base; call :meth:`init_stage` in ``__init__``."""

    base_resolution: int  # px of level 0
    fades = True

    def init_stage(self, resolution: int) -> None:
        self.levels = level_count(resolution, self.base_resolution)
        self.register_buffer("stage", torch.tensor([self.levels - 1, ALPHA_UNIT]))

    def set_stage(self, level: int, alpha: float) -> None:
        if not 0 <= level < self.levels:
            raise ValueError(f"level {level} is outside 0..{self.levels - 1}")
        self.stage.copy_(torch.tensor([level, round(alpha * ALPHA_UNIT)]))

    @property
    def level(self) -> int:
        return int(self.stage[0])

    @property
    def alpha(self) -> float:
        return int(self.stage[1]) / ALPHA_UNIT

    def level_resolution(self, level: int | None = None) -> int:
        return self.base_resolution << (self.level if level is None else level)


def upsample_to(image: torch.Tensor, resolution: int) -> torch.Tensor:
    """Nearest upsampling to ``resolution`` (which average pooling undoes exactly)."""
    factor = resolution // image.shape[-1]
    return F.interpolate(image, scale_factor=float(factor), mode="nearest") if factor > 1 else image


def pool_to(image: torch.Tensor, resolution: int) -> torch.Tensor:
    factor = image.shape[-1] // resolution
    return F.avg_pool2d(image, factor) if factor > 1 else image
