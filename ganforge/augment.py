"""DiffAugment (Zhao et al. 2020): differentiable colour, translation and cutout applied to every image the
discriminator sees, real and generated alike, so D cannot memorise a small dataset and G still gets gradients.

Each op draws its parameters per image from a ``torch.Generator`` on the CPU (the loop's, so runs stay
reproducible and resumable); the same op with the same draws gives the same result on real and fake images.
In a data-parallel run every rank draws for the whole global batch and keeps its slice, as for the latents.
Ops follow the paper's: brightness ±0.5, saturation ×[0, 2], contrast ×[0.5, 1.5]; translation by up to 1/8
of the size with zero fill; cutout of a zeroed square of half the size. An op may instead reach each image with
a probability p, fixed or adapted during training (``loss/objective.py``: ADA's heuristic applied to these ops,
not ADA's own pipeline of geometric and colour transforms).
"""
from __future__ import annotations

from typing import Callable

import torch

from .errors import GanforgeError

# name -> op(x, draws) -> x; an op draws its per-image parameters from ``draws`` (one call per parameter)
AUGMENT_OPS: dict[str, Callable] = {}


def augment_op(name: str):
    """Register a DiffAugment op under ``name`` (usable in ``augment.diffaugment``)."""
    def register(fn: Callable) -> Callable:
        AUGMENT_OPS[name] = fn
        return fn
    return register


def parse_policy(text: str) -> list[str]:
    """'color,translation,cutout' -> ['color', 'translation', 'cutout'] ('' -> [])."""
    ops = [op.strip() for op in text.split(",") if op.strip()]
    unknown = [op for op in ops if op not in AUGMENT_OPS]
    if unknown:
        raise GanforgeError(f"DiffAugment op {unknown[0]!r} is unknown; choose from {', '.join(AUGMENT_OPS)} "
                            f"(comma-separated)")
    return ops


class Draws:
    """Per-image random numbers for ``total`` images of which this batch is ``part``."""

    def __init__(self, gen: torch.Generator, total: int, part: slice = slice(None)):
        self.gen, self.total, self.part = gen, total, part

    def uniform(self, like: torch.Tensor) -> torch.Tensor:
        u = torch.rand(self.total, generator=self.gen)[self.part]
        return u.to(like.device, like.dtype).view(-1, 1, 1, 1)

    def integers(self, low: int, high: int, device) -> torch.Tensor:
        return torch.randint(low, high, (self.total,), generator=self.gen)[self.part].to(device)


@augment_op("color")
def color(x: torch.Tensor, draws: Draws) -> torch.Tensor:
    x = x + (draws.uniform(x) - 0.5)
    mean = x.mean(dim=1, keepdim=True)
    x = (x - mean) * (draws.uniform(x) * 2) + mean
    mean = x.mean(dim=[1, 2, 3], keepdim=True)
    return (x - mean) * (draws.uniform(x) + 0.5) + mean


@augment_op("translation")
def translation(x: torch.Tensor, draws: Draws, ratio: float = 0.125) -> torch.Tensor:
    n, _, h, w = x.shape
    sh, sw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    dy, dx = draws.integers(-sh, sh + 1, x.device), draws.integers(-sw, sw + 1, x.device)
    rows = torch.arange(h, device=x.device)[None, :, None] - dy[:, None, None]  # source row of each output row
    cols = torch.arange(w, device=x.device)[None, None, :] - dx[:, None, None]
    inside = ((rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)).unsqueeze(1)
    batch = torch.arange(n, device=x.device)[:, None, None]
    moved = x.permute(0, 2, 3, 1)[batch, rows.clamp(0, h - 1), cols.clamp(0, w - 1)].permute(0, 3, 1, 2)
    return moved * inside.to(x.dtype)


@augment_op("cutout")
def cutout(x: torch.Tensor, draws: Draws, ratio: float = 0.5) -> torch.Tensor:
    _, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    cy = draws.integers(0, h + (1 - ch % 2), x.device)  # centre of the square
    cx = draws.integers(0, w + (1 - cw % 2), x.device)
    rows = torch.arange(h, device=x.device)[None, :, None]
    cols = torch.arange(w, device=x.device)[None, None, :]
    top, left = (cy - ch // 2)[:, None, None], (cx - cw // 2)[:, None, None]
    hole = (rows >= top) & (rows < top + ch) & (cols >= left) & (cols < left + cw)
    return x * (~hole).unsqueeze(1).to(x.dtype)


def diff_augment(x: torch.Tensor, ops: list[str], gen: torch.Generator, total: int | None = None,
                 part: slice = slice(None), p: float | None = None) -> torch.Tensor:
    """Apply ``ops`` in order to the batch ``x`` [B, C, H, W] (the ``part`` of a batch of ``total``);
    differentiable in ``x``. With ``p``, each op reaches each image with probability p (one more draw per op;
    the op's own draws are made either way, so the random stream does not depend on p)."""
    draws = Draws(gen, len(x) if total is None else total, part)
    for op in ops:
        if p is None:
            x = AUGMENT_OPS[op](x, draws)
        else:
            apply = draws.uniform(x) < p
            x = torch.where(apply, AUGMENT_OPS[op](x, draws), x)
    return x
