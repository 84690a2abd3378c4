"""BigGAN-deep (Brock et al., 2019, appendix): bottleneck residual blocks with four conditional BNs, several
blocks per resolution, the whole [z, class embedding] vector conditioning every block; a bottleneck
discriminator whose skip path concatenates learned channels. As in BigGAN-PyTorch's BigGANdeep.py, with
self- or channel attention at any set of resolutions in G and D.

The output conv maps to the image channels directly, as BigGAN-PyTorch's does; TF-Hub's BigGAN-deep (and
pytorch-pretrained-BigGAN, its port) convolves to 128 channels and keeps the first 3, the same function up to
the spectral normalisation of the unused rows, so converting keeps those 3 rows and their σ exactly
(``model.biggan_deep.sn_eval=cached``, ``interop/hf.py``).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..fields import option
from .spec import ModelSpec
from ..layers import ClassEmbedding, ConditionalBatchNorm2d, SNConv2d, SNLinear
from ..layers.attention import make_attention
from ..layers.minibatch import added_channels, minibatch_stddev
from . import base
from .biggan import (CommonBigGANOptions, blocks_to_image, blocks_to_score, check_attention, discriminator_attention,
                     finish_discriminator, finish_generator)
from .widths import deep_discriminator_stages, generator_stages


@dataclass
class BigGANDeepOptions(CommonBigGANOptions):
    """``model.biggan_deep.*`` (no ``shared``/``hier``: every block reads the whole [z, class embedding])."""
    depth: int = option(2, "blocks per resolution", lo=1, hi=16)
    channel_ratio: int = option(4, "bottleneck ratio (hidden = channels / ratio)", lo=1, hi=64)


class DeepGBlock(nn.Module):
    """BN-ReLU-1×1 (→ hidden) · BN-ReLU-[up]-3×3 · BN-ReLU-3×3 · BN-ReLU-1×1 (→ out); skip: keep the first
    ``out`` channels, [up]."""

    def __init__(self, cin: int, cout: int, cond_dim: int, upsample: bool, o):
        super().__init__()
        if cout > cin:
            raise ValueError(f"BigGAN-deep G blocks cannot widen ({cin} -> {cout} channels)")
        hidden = cin // o.channel_ratio
        cbn = dict(sn_eps=o.sn_eps, bn_eps=o.bn_eps, stats=o.bn_stats, n_stats=o.n_stats)
        self.upsample, self.out_channels = upsample, cout
        self.bn1, self.conv1 = ConditionalBatchNorm2d(cin, cond_dim, **cbn), SNConv2d(cin, hidden, 1, sn_eps=o.sn_eps)
        self.bn2 = ConditionalBatchNorm2d(hidden, cond_dim, **cbn)
        self.conv2 = SNConv2d(hidden, hidden, 3, padding=1, sn_eps=o.sn_eps)
        self.bn3 = ConditionalBatchNorm2d(hidden, cond_dim, **cbn)
        self.conv3 = SNConv2d(hidden, hidden, 3, padding=1, sn_eps=o.sn_eps)
        self.bn4, self.conv4 = ConditionalBatchNorm2d(hidden, cond_dim, **cbn), SNConv2d(hidden, cout, 1,
                                                                                        sn_eps=o.sn_eps)

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.bn2(self.conv1(F.relu(self.bn1(x, c), inplace=True)), c), inplace=True)  # fresh tensors
        if self.upsample:
            h = F.interpolate(h, scale_factor=2)
        h = self.conv3(F.relu(self.bn3(self.conv2(h), c), inplace=True))
        h = self.conv4(F.relu(self.bn4(h, c), inplace=True))
        x = x[:, :self.out_channels]
        return h + (F.interpolate(x, scale_factor=2) if self.upsample else x)


class DeepDBlock(nn.Module):
    """ReLU-1×1 (→ hidden) · ReLU-3×3 · ReLU-3×3 · ReLU-[pool]-1×1 (→ out); skip: [pool], then the input with
    ``out − in`` learned channels concatenated, or, for a block that narrows (the one that reads a
    minibatch-stddev map), its first ``out`` channels, as the deep G's blocks do."""

    def __init__(self, cin: int, cout: int, downsample: bool, o):
        super().__init__()
        hidden = cout // o.channel_ratio
        self.downsample, self.out_channels = downsample, cout
        self.conv1 = SNConv2d(cin, hidden, 1, sn_eps=o.sn_eps)
        self.conv2 = SNConv2d(hidden, hidden, 3, padding=1, sn_eps=o.sn_eps)
        self.conv3 = SNConv2d(hidden, hidden, 3, padding=1, sn_eps=o.sn_eps)
        self.conv4 = SNConv2d(hidden, cout, 1, sn_eps=o.sn_eps)
        self.conv_sc = SNConv2d(cin, cout - cin, 1, sn_eps=o.sn_eps) if cout > cin else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.conv3(F.relu(self.conv2(F.relu(self.conv1(F.relu(x)))))))
        if self.downsample:
            h, x = F.avg_pool2d(h, 2), F.avg_pool2d(x, 2)
        h = self.conv4(h)
        if self.conv_sc is not None:
            x = torch.cat([x, self.conv_sc(x)], 1)
        return h + x[:, :self.out_channels]


class Generator(base.Generator):
    def __init__(self, spec: ModelSpec):
        super().__init__(spec)
        m, o, res = spec.model, spec.model.options, spec.resolution
        stages = generator_stages(res, o.widths)
        self.shared = ClassEmbedding(self.num_classes, m.shared_dim)
        cond_dim = m.dim_z + m.shared_dim
        self.bottom_channels = stages[0].in_mult * m.ch
        self.linear = SNLinear(cond_dim, self.bottom_channels * 16, sn_eps=o.sn_eps)
        blocks, self.stage_ends = [], []
        for s in stages:  # depth-1 blocks keep the width, the last one changes it and upsamples
            for d in range(o.depth):
                last = d == o.depth - 1
                blocks.append(DeepGBlock(s.in_mult * m.ch, (s.out_mult if last else s.in_mult) * m.ch, cond_dim,
                                         last, o))
            self.stage_ends.append(len(blocks) - 1)
        self.blocks = nn.ModuleList(blocks)
        finish_generator(self, spec, stages, self.stage_ends)

    def no_regularization_parameters(self) -> list[nn.Parameter]:
        return list(self.shared.parameters())

    def forward(self, z: torch.Tensor, y: torch.Tensor, truncation: float | None = None) -> torch.Tensor:
        """``truncation`` only selects truncation-indexed BN statistics (the option bn_stats='truncation')."""
        self.select_statistics(truncation)
        cond = torch.cat([z, self.shared(y).to(z.dtype)], dim=1)
        h = self.linear(cond).view(z.shape[0], self.bottom_channels, 4, 4)
        return blocks_to_image(self, h, [cond] * len(self.blocks))


class Discriminator(base.Discriminator):
    options = frozenset({"mbstd_group", "mbstd_by_class", "mbstd_features"})

    def __init__(self, spec: ModelSpec):
        super().__init__(spec)
        m, o = spec.model, spec.model.options
        stages = deep_discriminator_stages(spec.resolution, o.widths)
        self.input_conv = SNConv2d(spec.channels, stages[0].in_mult * m.d_ch, 3, padding=1, sn_eps=o.sn_eps)
        # optional (not in BigGAN-deep): a minibatch-stddev map as more input channels of the last block, which
        # then narrows back to its stage's width
        self.mbstd = minibatch_stddev(m)
        blocks, ends = [], []
        for s in stages:  # the first block of a stage changes the width and downsamples
            for d in range(o.depth):
                cin = (s.in_mult if d == 0 else s.out_mult) * m.d_ch
                last = s is stages[-1] and d == o.depth - 1
                blocks.append(DeepDBlock(cin + (added_channels(self.mbstd) if last else 0), s.out_mult * m.d_ch,
                                         s.resample and d == 0, o))
            ends.append(len(blocks) - 1)
        self.blocks = nn.ModuleList(blocks)
        res = spec.resolution
        check_attention(f"model.{m.name}.d_attention", [r for r in o.d_attention if r != res], stages, "D")
        self.attention = nn.ModuleDict()
        if res in o.d_attention:  # on the input conv's output, at full resolution
            self.attention["in"] = make_attention(o.attention_type, stages[0].in_mult * m.d_ch, o.sn_eps)
        discriminator_attention(m, stages, ends, self.attention)
        finish_discriminator(self, m, stages[-1].out_mult * m.d_ch)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        h = self.input_conv(x)
        if "in" in self.attention:
            h = self.attention["in"](h)
        return blocks_to_score(self, h, y)
