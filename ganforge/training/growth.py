"""The schedule of progressive growing, consulted by the loop before every step (for models that grow or train
level by level: :class:`~ganforge.models.growing.Growing`).

Time is counted in real images shown to D (``Trainer.images_seen``, kept in checkpoints): level 0 (the family's
``base_resolution``: 4 px for ProGAN, 8 for LAPGAN) is
stable for ``growth.stable`` images; every further level first fades in for ``growth.fade`` images (α rising
linearly from 0 to 1) and is then stable for ``growth.stable`` images (``growth.stable_images`` gives each level its
own); the last level stays. Level and α are a function of the images seen, so a run resumed in the middle of a fade
continues with exactly the α it had.
On entering a level the batch size and learning rates switch to that level's (``growth.batch_sizes``,
``growth.lrs``) and, with ``growth.reset_optimizer``, Adam's state is cleared (the paper's choice). Real
images are shown at the current level's resolution, blended with their 2× coarser version by the same α as
G's output (then brought back to the data resolution by nearest upsampling, which D's pooling undoes exactly).
"""
from __future__ import annotations

import math
from fractions import Fraction

import torch.nn.functional as F

from ..config import Config


class Growth:
    def __init__(self, cfg: Config, levels: int, base_resolution: int = 4, fades: bool = True):
        g, t = cfg.growth, cfg.train
        self.levels, self.base = levels, base_resolution
        self.stables = list(g.stable_images) or [g.stable] * levels  # images in each level's stable phase
        self.fade = (g.fade if g.fade >= 0 else g.stable) if fades else 0
        self.batch_sizes = list(g.batch_sizes) or [t.batch_size] * levels
        if not any(self.stables):  # phases of equal images that end with the run
            # a level with a smaller batch takes more steps for its images:
            # train.steps = stable · Σ over phases of 1 / (images per step at that phase's level)
            per_level = 1 + (1 if fades and g.fade else 0)
            steps_per_image = Fraction(1, self.batch_sizes[0]) + sum(Fraction(per_level, b)
                                                                     for b in self.batch_sizes[1:])
            stable = max(1, math.floor(t.steps * t.accumulate * t.d_steps / steps_per_image))
            self.stables = [stable] * levels
            if fades and g.fade < 0:
                self.fade = stable
        self.lrs = [(lr, lr) for lr in g.lrs] or [(t.g_lr, t.d_lr)] * levels
        self.reset_optimizer = g.reset_optimizer
        self.level: int | None = None
        self.alpha = 1.0
        self.grew = False  # whether the last consultation entered a new level

    def start(self, level: int) -> int:
        """Images seen when ``level`` begins (its fade-in, then its stable phase)."""
        return sum(self.stables[:level]) + max(level - 1, 0) * self.fade

    def steps_into_level(self, trainer) -> int:
        """Steps the trainer has taken since the current level (its fade-in, if any) began."""
        return (trainer.images_seen - self.start(self.level)) // trainer.images_per_step

    def stage(self, images: int) -> tuple[int, float]:
        """(level, α) after ``images`` real images."""
        level = 0
        while level + 1 < self.levels and images >= self.start(level + 1):
            level += 1
        into = images - self.start(level)
        return level, min(1.0, into / self.fade) if level and self.fade else 1.0

    def state_dict(self) -> dict:
        return {"stables": list(self.stables), "fade": self.fade}

    def load_state_dict(self, state: dict) -> None:
        """The phase lengths the run started with (an automatic schedule must not move when train.steps does)."""
        # checkpoints written before per-level phases hold one "stable" for every level
        stables = state["stables"] if "stables" in state else [state["stable"]] * self.levels
        self.stables, self.fade = [int(s) for s in stables], int(state["fade"])

    def total_images(self) -> int:
        """Images until the last level is fully faded in and has had its stable phase."""
        return self.start(self.levels - 1) + self.fade + self.stables[-1]

    def before_step(self, trainer) -> None:
        level, alpha = self.stage(trainer.images_seen)
        for model in (trainer.G, trainer.D, trainer.ema.model):
            model.set_stage(level, alpha)
        self.grew = self.level is not None and level != self.level
        if level != self.level:
            trainer.stream.set_batch_size(self.batch_sizes[level])
            g_lr, d_lr = self.lrs[level]
            for opt, lr in ((trainer.opt_G, g_lr), (trainer.opt_D, d_lr)):
                if self.grew and self.reset_optimizer:
                    opt.state.clear()
                for group in opt.param_groups:
                    group["lr"] = lr
        self.level, self.alpha = level, alpha

    def prepare_reals(self, x):
        """Reals as D should see them at the current level and α (at the data resolution)."""
        full, size = x.shape[-1], self.base << self.level
        if size == full and self.alpha >= 1:
            return x
        small = F.avg_pool2d(x, full // size) if size < full else x
        if self.level > 0 and self.alpha < 1:
            coarse = F.interpolate(F.avg_pool2d(small, 2), scale_factor=2.0, mode="nearest")
            small = coarse.lerp(small, self.alpha)
        return F.interpolate(small, scale_factor=float(full // size), mode="nearest") if size < full else small
