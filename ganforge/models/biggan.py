"""BigGAN (Brock, Donahue & Simonyan, 2019): residual generator with conditional BN, shared class
embedding and hierarchical latents; residual projection discriminator. Architecture as in
BigGAN-PyTorch; channel plans come from :mod:`.widths`.

Two exact rewrites of the reference for speed: G's skip path applies its 1×1 conv before the
nearest-neighbour upsample, and D's skip path average-pools before its 1×1 conv. Both operations are
linear and act per pixel, so the order does not change the result, only the cost (4× fewer pixels).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..errors import ConfigError
from ..fields import option
from .spec import ModelSpec
from ..layers import ClassEmbedding, ConditionalBatchNorm2d, SNConv2d, SNEmbedding, SNLinear
from ..layers.attention import make_attention
from ..layers.conditioning import make_norm
from ..layers.init import init_weights
from ..layers.minibatch import added_channels, minibatch_stddev
from ..layers.spectral_norm import set_eval_sigma
from . import base
from .widths import discriminator_stages, generator_stages


@dataclass
class CommonBigGANOptions(base.FamilyOptions):
    """The keys BigGAN and BigGAN-deep share (each family has its own copy: ``model.biggan.*``,
    ``model.biggan_deep.*``)."""
    g_attention: list = option([], "resolutions with attention in G, e.g. [64]")
    d_attention: list = option([], "resolutions with attention in D, e.g. [64]")
    attention_type: str = option("self", "attention layers: 'self' (SAGAN) or 'channel' (squeeze-and-excitation)",
                                 choices=["self", "channel"])
    widths: str = option("auto", "channel plan: 'ladder' (ImageNet, >= 64 px), 'uniform' (CIFAR, 4*ch), "
                         "'auto' (uniform up to 32 px, ladder above)", choices=["auto", "ladder", "uniform"])
    init: str = option("ortho", "weight init", choices=["ortho", "N02", "xavier"])
    sn_eps: float = option(1e-6, "spectral-norm epsilon", lo=0.0, hi=1.0)
    bn_eps: float = option(1e-5, "batch-norm epsilon", lo=0.0, hi=1.0)
    sn_eval: str = option("iterate", "spectral norm in eval: 'iterate' (BigGAN-PyTorch) or 'cached' (stored sigma)",
                          choices=["iterate", "cached"])
    bn_stats: str = option("batch", "'batch' norm statistics, or 'truncation'-indexed ones (converted TF-Hub "
                           "BigGAN-deep; sampling only)", choices=["batch", "truncation"])
    n_stats: int = option(51, "rows of truncation-indexed statistics", lo=2, hi=1001)
    truncation_style: str = option("resample", "what truncation psi means when sampling: 'resample' (|z| <= psi) or "
                                   "'tfhub' (psi * truncnorm(-2, 2), and it selects truncation-indexed statistics)",
                                   choices=["resample", "tfhub"])

    def check(self, cfg) -> None:
        res, name = cfg.data.resolution, cfg.model.name
        for key in ("g_attention", "d_attention"):
            for r in getattr(self, key):
                if r < 4 or r > res or r & (r - 1):
                    raise ConfigError(f"model.{name}.{key} holds {r}; attention resolutions must be powers of two "
                                      f"between 4 and data.resolution={res}")


@dataclass
class BigGANOptions(CommonBigGANOptions):
    """``model.biggan.*``"""
    shared: bool = option(True, "one shared class embedding feeding every conditional BN")
    hier: bool = option(True, "hierarchical latents: z split into chunks, one per block (needs shared)")

    def check(self, cfg) -> None:
        super().check(cfg)
        if self.hier and not self.shared:
            raise ConfigError("model.biggan.hier=true needs model.biggan.shared=true (hierarchical latents are "
                              "concatenated to the shared class embedding)")


def projection_head(h: torch.Tensor, y: torch.Tensor, linear: nn.Module, embed: nn.Module) -> torch.Tensor:
    """ReLU, global sum pooling, a linear score plus the projection ⟨embed(y), h⟩."""
    h = torch.sum(F.relu(h), dim=(2, 3))
    return linear(h).squeeze(1) + (embed(y) * h).sum(1)


def check_attention(key: str, resolutions, stages, name: str) -> None:
    """``key``: the option's whole name (model.FAMILY.g_attention or ...d_attention)."""
    available = sorted({s.out_resolution for s in stages})
    for r in resolutions:
        if r not in available:
            raise ValueError(f"{key}={r}: {name} has no block at that resolution; its blocks output "
                             f"{', '.join(map(str, available))} px")


class GBlock(nn.Module):
    """CBN → ReLU → upsample → 3×3 conv → CBN → ReLU → 3×3 conv, plus a 1×1-conv upsampled skip."""

    def __init__(self, cin: int, cout: int, cond_dim: int | None, num_classes: int, sn_eps: float, bn_eps: float,
                 stats: str = "batch", n_stats: int = 51):
        super().__init__()
        cbn = dict(num_classes=num_classes, sn_eps=sn_eps, bn_eps=bn_eps, stats=stats, n_stats=n_stats)
        self.bn1 = ConditionalBatchNorm2d(cin, cond_dim, **cbn)
        self.conv1 = SNConv2d(cin, cout, 3, padding=1, sn_eps=sn_eps)
        self.bn2 = ConditionalBatchNorm2d(cout, cond_dim, **cbn)
        self.conv2 = SNConv2d(cout, cout, 3, padding=1, sn_eps=sn_eps)
        self.conv_sc = SNConv2d(cin, cout, 1, sn_eps=sn_eps)

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        h = F.interpolate(F.relu(self.bn1(x, c), inplace=True), scale_factor=2)  # fresh tensors: in place
        h = self.conv2(F.relu(self.bn2(self.conv1(h), c), inplace=True))
        return h + F.interpolate(self.conv_sc(x), scale_factor=2)


class DBlock(nn.Module):
    """[ReLU] → 3×3 conv → ReLU → 3×3 conv → [avg-pool], plus a (pooled) 1×1-conv skip when shapes change."""

    def __init__(self, cin: int, cout: int, preactivation: bool, downsample: bool, sn_eps: float):
        super().__init__()
        self.preactivation, self.downsample = preactivation, downsample
        self.conv1 = SNConv2d(cin, cout, 3, padding=1, sn_eps=sn_eps)
        self.conv2 = SNConv2d(cout, cout, 3, padding=1, sn_eps=sn_eps)
        self.conv_sc = SNConv2d(cin, cout, 1, sn_eps=sn_eps) if (cin != cout or downsample) else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(x) if self.preactivation else x
        h = self.conv2(F.relu(self.conv1(h)))
        if self.downsample:
            h, x = F.avg_pool2d(h, 2), F.avg_pool2d(x, 2)
        if self.conv_sc is not None:
            x = self.conv_sc(x)
        return h + x


class Generator(base.Generator):
    def __init__(self, spec: ModelSpec):
        super().__init__(spec)
        m, o, res = spec.model, spec.model.options, spec.resolution
        stages = generator_stages(res, o.widths)
        self.num_blocks = len(stages)
        if o.hier:
            slots = self.num_blocks + 1
            if m.dim_z % slots:
                raise ValueError(f"model.dim_z={m.dim_z} must split into {slots} equal chunks with hierarchical "
                                 f"latents at {res} px (e.g. {m.dim_z // slots * slots or slots})")
            self.z_chunk = m.dim_z // slots
        else:
            self.z_chunk = m.dim_z
        if o.shared:
            self.shared = ClassEmbedding(self.num_classes, m.shared_dim)
            cond_dim = m.shared_dim + (self.z_chunk if o.hier else 0)
        else:
            self.shared, cond_dim = None, None
        self.bottom_channels = stages[0].in_mult * m.ch
        self.linear = SNLinear(self.z_chunk, self.bottom_channels * 16, sn_eps=o.sn_eps)
        self.blocks = nn.ModuleList(
            GBlock(s.in_mult * m.ch, s.out_mult * m.ch, cond_dim, self.num_classes, o.sn_eps, o.bn_eps, o.bn_stats,
                   o.n_stats) for s in stages)
        finish_generator(self, spec, stages, list(range(len(stages))))

    def no_regularization_parameters(self) -> list[nn.Parameter]:
        """Parameters excluded from orthogonal regularisation: the shared embedding (BigGAN-PyTorch)."""
        return list(self.shared.parameters()) if self.shared is not None else []

    def forward(self, z: torch.Tensor, y: torch.Tensor, truncation: float | None = None) -> torch.Tensor:
        """``truncation`` only selects truncation-indexed BN statistics (the option bn_stats='truncation')."""
        self.select_statistics(truncation)
        cond = self.shared(y) if self.shared is not None else y
        if self.spec.model.options.hier:
            z, *chunks = torch.split(z, self.z_chunk, dim=1)
            conds = [torch.cat([cond, zc.to(cond.dtype)], dim=1) for zc in chunks]
        else:
            conds = [cond] * self.num_blocks
        return blocks_to_image(self, self.linear(z).view(z.shape[0], self.bottom_channels, 4, 4), conds)


def finish_generator(G: nn.Module, spec: ModelSpec, stages, last_block_of_stage: list[int]) -> None:
    """Attention after the last block of each stage at a listed resolution, the output BN and conv, then
    initialisation and the SN eval rule (shared by BigGAN and BigGAN-deep)."""
    m, o = spec.model, spec.model.options
    check_attention(f"model.{m.name}.g_attention", o.g_attention, stages, "G")
    G.attention = nn.ModuleDict({
        str(last_block_of_stage[k]): make_attention(o.attention_type, s.out_mult * m.ch, o.sn_eps)
        for k, s in enumerate(stages) if s.out_resolution in o.g_attention})
    last = stages[-1].out_mult * m.ch
    G.output_bn = make_norm(last, o.bn_eps, o.bn_stats, o.n_stats, affine=True)
    G.output_conv = SNConv2d(last, spec.channels, 3, padding=1, sn_eps=o.sn_eps)
    G.truncation_style, G.bn_stats = o.truncation_style, o.bn_stats
    init_weights(G, o.init)
    set_eval_sigma(G, o.sn_eval)


def blocks_to_image(G: nn.Module, h: torch.Tensor, conds: list[torch.Tensor]) -> torch.Tensor:
    """The generator's body after its first linear layer: block k conditioned on ``conds[k]``, attention
    after the blocks that have it, then BN-ReLU-conv-tanh (shared by BigGAN and BigGAN-deep)."""
    for k, block in enumerate(G.blocks):
        h = block(h, conds[k])
        if str(k) in G.attention:
            h = G.attention[str(k)](h)
    return torch.tanh(G.output_conv(F.relu(G.output_bn(h), inplace=True)))


class Discriminator(base.Discriminator):
    options = frozenset({"mbstd_group", "mbstd_by_class", "mbstd_features"})

    def __init__(self, spec: ModelSpec):
        super().__init__(spec)
        m, o = spec.model, spec.model.options
        stages = discriminator_stages(spec.resolution, o.widths)
        widths = [s.in_mult * m.d_ch or spec.channels for s in stages]
        # optional (not in BigGAN): a minibatch-stddev map (ProGAN's groups, or by class) as one more input
        # channel of the last block
        self.mbstd = minibatch_stddev(m)
        widths[-1] += added_channels(self.mbstd)
        self.blocks = nn.ModuleList(
            DBlock(cin, s.out_mult * m.d_ch, preactivation=k > 0, downsample=s.resample, sn_eps=o.sn_eps)
            for k, (cin, s) in enumerate(zip(widths, stages)))
        check_attention(f"model.{m.name}.d_attention", o.d_attention, stages, "D")
        self.attention = discriminator_attention(m, stages, list(range(len(stages))))
        finish_discriminator(self, m, stages[-1].out_mult * m.d_ch)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return blocks_to_score(self, x, y)


def discriminator_attention(m, stages, last_block_of_stage: list[int], layers=None) -> nn.ModuleDict:
    """One attention layer per listed resolution, after the first stage that produces it (keyed by the index
    of that stage's last block); ``layers`` may already hold others."""
    layers, seen, o = layers if layers is not None else nn.ModuleDict(), set(), m.options
    for k, s in enumerate(stages):
        if s.out_resolution in o.d_attention and s.out_resolution not in seen:
            seen.add(s.out_resolution)
            layers[str(last_block_of_stage[k])] = make_attention(o.attention_type, s.out_mult * m.d_ch, o.sn_eps)
    return layers


def finish_discriminator(D: nn.Module, m, last: int) -> None:
    """The projection head's linear layer and class embedding, then initialisation and the SN eval rule."""
    o = m.options
    D.linear = SNLinear(last, 1, sn_eps=o.sn_eps)
    D.embed = SNEmbedding(m.num_classes, last, sn_eps=o.sn_eps)
    init_weights(D, o.init)
    set_eval_sigma(D, o.sn_eval)


def blocks_to_score(D: nn.Module, h: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """D's blocks with attention after those that have it (and a minibatch-stddev map before the last, where D
    has one), then the projection head."""
    mbstd, last = D.mbstd, len(D.blocks) - 1
    for k, block in enumerate(D.blocks):
        h = block(mbstd(h, y) if k == last and mbstd is not None else h)
        if str(k) in D.attention:
            h = D.attention[str(k)](h)
    return projection_head(h, y, D.linear, D.embed)
