"""Progressive growing of GANs (ProGAN, Karras et al. 2018), class-conditional.

Level l works at 4·2^l px. G: [PixelNorm(z), class embedding] → equalized linear to 4×4 → 3×3 conv, then per
level nearest ×2 upsampling and two 3×3 convs (LeakyReLU 0.2, PixelNorm after each), a 1×1 toRGB per level
(linear output). D mirrors it: a 1×1 fromRGB per level, two 3×3 convs and 2×2 average pooling per level, then
minibatch stddev, a 3×3 conv and two equalized linear layers at 4×4, and a projection term ⟨embed(y), h⟩ for
the class (projection rather than an auxiliary classifier, so D(x, y) -> scores like every other family's).
Widths: min(ch·256 / res, ch·8) channels (ch 64 gives the paper's min(16384 / res, 512)).

While a new level fades in (α from 0 to 1), G's output is lerp(upsampled toRGB of the previous level, toRGB of
the new one, α) and D's input path is blended the same way. The level and α are held as ``growing.py``
describes. G always returns images at ``data.resolution``
(nearest-upsampled from the current level) and D average-pools its input down to the current level, so
sampling, sheets and evaluation work unchanged at every level.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .spec import ModelSpec
from ..layers import ClassEmbedding
from ..layers.equalized import EqualizedConv2d, EqualizedLinear, PixelNorm
from ..layers.minibatch import added_channels, minibatch_stddev
from . import base
from .growing import Growing, pool_to, upsample_to

def width(ch: int, resolution: int) -> int:
    return min(ch * 256 // resolution, ch * 8)


def _conv_block(a: int, b: int, norm: bool) -> list[nn.Module]:
    return [EqualizedConv2d(a, b, 3), nn.LeakyReLU(0.2)] + ([PixelNorm()] if norm else [])


class Generator(Growing, base.Generator):
    base_resolution = 4
    def __init__(self, spec: ModelSpec):
        super().__init__(spec)
        m, res = spec.model, spec.resolution
        self.init_stage(res)
        widths = [width(m.ch, 4 << level) for level in range(self.levels)]
        self.embed = ClassEmbedding(self.num_classes, m.shared_dim)
        self.normalize = PixelNorm()
        self.start = EqualizedLinear(m.dim_z + m.shared_dim, widths[0] * 16, gain=2 ** 0.5 / 4)
        self.start_conv = nn.Sequential(nn.LeakyReLU(0.2), PixelNorm(), *_conv_block(widths[0], widths[0], True))
        self.blocks = nn.ModuleList(
            [nn.Identity()] + [nn.Sequential(nn.Upsample(scale_factor=2.0, mode="nearest"),
                                             *_conv_block(widths[i - 1], widths[i], True),
                                             *_conv_block(widths[i], widths[i], True))
                               for i in range(1, self.levels)])
        self.to_rgb = nn.ModuleList([EqualizedConv2d(w, spec.channels, 1, gain=1.0) for w in widths])

    def forward(self, z: torch.Tensor, y: torch.Tensor, truncation: float | None = None) -> torch.Tensor:
        level, alpha = self.level, self.alpha
        h = torch.cat([self.normalize(z), self.embed(y).to(z.dtype)], dim=1)
        h = self.start_conv(self.start(h).view(len(z), -1, 4, 4))
        previous = h
        for i in range(1, level + 1):
            previous, h = h, self.blocks[i](h)
        image = self.to_rgb[level](h)
        if level > 0 and alpha < 1:
            coarse = F.interpolate(self.to_rgb[level - 1](previous), scale_factor=2.0, mode="nearest")
            image = torch.lerp(coarse, image, alpha)
        return upsample_to(image, self.spec.resolution)


class Discriminator(Growing, base.Discriminator):
    base_resolution = 4
    options = frozenset({"mbstd_group", "mbstd_by_class", "mbstd_features"})
    mbstd_default_group = 4  # the paper's

    def __init__(self, spec: ModelSpec):
        super().__init__(spec)
        m, res = spec.model, spec.resolution
        self.init_stage(res)
        widths = [width(m.d_ch, 4 << level) for level in range(self.levels)]
        self.from_rgb = nn.ModuleList([nn.Sequential(EqualizedConv2d(spec.channels, w, 1), nn.LeakyReLU(0.2))
                                       for w in widths])
        self.blocks = nn.ModuleList(
            [nn.Identity()] + [nn.Sequential(*_conv_block(widths[i], widths[i], False),
                                             *_conv_block(widths[i], widths[i - 1], False), nn.AvgPool2d(2))
                               for i in range(1, self.levels)])
        self.mbstd = minibatch_stddev(m, self.mbstd_default_group)
        self.final = nn.Sequential(*_conv_block(widths[0] + added_channels(self.mbstd), widths[0], False), nn.Flatten(),
                                   EqualizedLinear(widths[0] * 16, widths[0]), nn.LeakyReLU(0.2))
        self.out = EqualizedLinear(widths[0], 1, gain=1.0)
        self.embed = ClassEmbedding(m.num_classes, widths[0])

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        level, alpha = self.level, self.alpha
        x = pool_to(x, self.level_resolution(level))
        h = self.blocks[level](self.from_rgb[level](x)) if level > 0 else self.from_rgb[0](x)
        if level > 0 and alpha < 1:
            h = torch.lerp(self.from_rgb[level - 1](F.avg_pool2d(x, 2)), h, alpha)
        for i in range(level - 1, 0, -1):
            h = self.blocks[i](h)
        h = self.final(self.mbstd(h, y))
        return self.out(h).squeeze(1) + (self.embed(y).to(h.dtype) * h).sum(1)
