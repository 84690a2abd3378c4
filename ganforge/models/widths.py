"""Channel plans of BigGAN, computed from the resolution (no per-resolution tables).

Multipliers of ``ch``. The *ladder* plan (BigGAN's ImageNet models) starts G at 16·ch on the 4×4 grid and
halves the width at each doubling down to 1·ch; from six blocks on (256 px and up) the 8·ch stage spans
two blocks and the extra top blocks stay at 1·ch. D mirrors that ladder (at least five stages), ending
with a 16·ch block on the 4×4 grid that does not downsample. This reproduces BigGAN-PyTorch's
architectures at 64, 128, 256 and 512 px exactly. The *uniform* plan is BigGAN-PyTorch's CIFAR model:
4·ch everywhere, D downsampling until 8×8 and then keeping that size.
"""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    in_mult: int
    out_mult: int
    out_resolution: int
    resample: bool  # upsample (G) or downsample (D)


def num_g_blocks(resolution: int) -> int:
    return int(math.log2(resolution)) - 2  # 4×4 start, one doubling per block


def ladder(n: int) -> list[int]:
    """Descending multipliers for n stages: 16, 8, 4, 2, 1; with n >= 6: 16, 8, 8, 4, 2, 1, 1, 1, ..."""
    if n <= 5:
        return [16, 8, 4, 2, 1][:n]
    return [16, 8, 8, 4, 2, 1] + [1] * (n - 6)


def resolve_plan(plan: str, resolution: int) -> str:
    if plan == "auto":
        return "uniform" if resolution <= 32 else "ladder"
    return plan


def generator_stages(resolution: int, plan: str = "auto") -> list[Stage]:
    n = num_g_blocks(resolution)
    outs = [4] * n if resolve_plan(plan, resolution) == "uniform" else ladder(n)
    ins = [outs[0]] + outs[:-1]  # the first block takes the width of the projected 4x4 grid
    return [Stage(i, o, 8 * 2 ** k, True) for k, (i, o) in enumerate(zip(ins, outs))]


def discriminator_stages(resolution: int, plan: str = "auto") -> list[Stage]:
    """D blocks; the first block's in_mult is 0, standing for the image channels."""
    n = num_g_blocks(resolution) + 1
    if resolve_plan(plan, resolution) == "uniform":
        stages, res = [], resolution
        for k in range(n):
            down = res > 8
            res = res // 2 if down else res
            stages.append(Stage(0 if k == 0 else 4, 4, res, down))
        return stages
    outs = list(reversed(ladder(max(n - 1, 5))))
    outs = outs[-n:] if len(outs) >= n else outs + [16] * (n - len(outs))
    ins = [0] + outs[:-1]
    return [Stage(i, o, max(resolution >> (k + 1), 4), k < n - 1) for k, (i, o) in enumerate(zip(ins, outs))]


def deep_discriminator_stages(resolution: int, plan: str = "auto") -> list[Stage]:
    """BigGAN-deep's D stages (each may hold several blocks): an input conv gives 1·ch (4·ch in the uniform
    plan); the ladder plan is BigGAN's D without its first stage, every stage downsampling (BigGAN-PyTorch's
    BigGAN-deep tables at 64, 128 and 256 px)."""
    n = num_g_blocks(resolution)
    if resolve_plan(plan, resolution) == "uniform":
        stages, res = [], resolution
        for _ in range(n):
            down = res > 8
            res = res // 2 if down else res
            stages.append(Stage(4, 4, res, down))
        return stages
    outs = [s.out_mult for s in discriminator_stages(resolution, "ladder")[1:]]
    ins = [1] + outs[:-1]
    return [Stage(i, o, resolution >> (k + 1), True) for k, (i, o) in enumerate(zip(ins, outs))]
