"""Class conditioning: a class embedding that also takes soft class weights, and conditional batch norm.

Conditional BN (BigGAN): batch norm without affine parameters, then ``(1 + gain(c)) * x̂ + bias(c)``.
With a shared embedding, ``c`` is a vector (class embedding, optionally concatenated with a latent
chunk) and gain/bias are bias-free spectrally-normalised linear maps; without one, ``c`` is the class
itself and gain/bias are per-class embeddings (BigGAN-PyTorch's CIFAR setting).
"""
from __future__ import annotations

import copy
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .spectral_norm import SNLinear


class ClassEmbedding(nn.Embedding):
    """An embedding that accepts class indices [B] or class weights [B, num_classes] (soft or one-hot).

    Soft weights give the matching mixture of embeddings, which is how class interpolation works.
    """

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        if y.is_floating_point():
            return y.to(self.weight.dtype) @ self.weight
        return super().forward(y)


def class_maps(embedding: nn.Module, y: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """The class embedding of each sample as constant feature maps the size of ``like`` [B, E, H, W] (how cGAN,
    DCGAN and LAPGAN hand the class to a convolutional network)."""
    return embedding(y).to(like.dtype)[:, :, None, None].expand(-1, -1, *like.shape[2:])


class TruncationIndexedNorm(nn.Module):
    """Batch norm that never uses batch statistics: ``running_means`` / ``running_vars`` [n_stats, C] hold
    statistics measured at truncation values 0, 1/(n−1), ..., 1 (TF-Hub BigGAN-deep, as converted by
    pytorch-pretrained-BigGAN), and the generator's current ``truncation`` picks or blends two rows. The blend
    reproduces that package exactly: lower row × frac + upper row × (1 − frac), where frac = the fractional
    part of truncation·(n−1)."""

    def __init__(self, num_features: int, n_stats: int = 51, eps: float = 1e-4, affine: bool = False):
        super().__init__()
        self.eps, self.step = eps, 1.0 / (n_stats - 1)
        self.register_buffer("running_means", torch.zeros(n_stats, num_features))
        self.register_buffer("running_vars", torch.ones(n_stats, num_features))
        self.weight = nn.Parameter(torch.ones(num_features)) if affine else None
        self.bias = nn.Parameter(torch.zeros(num_features)) if affine else None
        self.truncation = 1.0

    def statistics(self) -> tuple[torch.Tensor, torch.Tensor]:
        frac, whole = math.modf(self.truncation / self.step)
        i = int(whole)
        if frac == 0.0:
            return self.running_means[i], self.running_vars[i]
        mean = self.running_means[i] * frac + self.running_means[i + 1] * (1 - frac)
        var = self.running_vars[i] * frac + self.running_vars[i + 1] * (1 - frac)
        return mean, var

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean, var = self.statistics()
        return F.batch_norm(x, mean, var, self.weight, self.bias, training=False, momentum=0.0, eps=self.eps)


def set_truncation(model: nn.Module, truncation: float) -> None:
    """Select the statistics of every truncation-indexed norm in ``model``."""
    if not 0 < truncation <= 1:
        raise ValueError(f"truncation={truncation} is outside (0, 1]")
    for m in model.modules():
        if isinstance(m, TruncationIndexedNorm):
            m.truncation = float(truncation)


def make_norm(num_features: int, bn_eps: float, stats: str = "batch", n_stats: int = 51, affine: bool = False):
    """'batch': ordinary BN (batch statistics in training, running ones in eval); 'truncation': see
    :class:`TruncationIndexedNorm`."""
    if stats == "truncation":
        return TruncationIndexedNorm(num_features, n_stats, bn_eps, affine)
    return nn.BatchNorm2d(num_features, eps=bn_eps, affine=affine)


class ConditionalBatchNorm2d(nn.Module):
    def __init__(self, num_features: int, cond_dim: int | None, num_classes: int | None = None,
                 *, sn_eps: float = 1e-6, bn_eps: float = 1e-5, stats: str = "batch", n_stats: int = 51):
        super().__init__()
        self.bn = make_norm(num_features, bn_eps, stats, n_stats)
        if cond_dim is not None:
            self.gain = SNLinear(cond_dim, num_features, bias=False, sn_eps=sn_eps)
            self.bias = SNLinear(cond_dim, num_features, bias=False, sn_eps=sn_eps)
        else:
            self.gain = ClassEmbedding(num_classes, num_features)
            self.bias = ClassEmbedding(num_classes, num_features)

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        gain, bias = 1 + self.gain(c), self.bias(c)
        fixed = self.fixed_statistics()
        if fixed is not None:  # stored statistics (sampling): one pass over x, x · scale + shift
            mean, var, eps = fixed
            scale = gain.float() * torch.rsqrt(var.float() + eps)
            shift = bias.float() - mean.float() * scale
            return torch.addcmul(shift.to(x.dtype)[:, :, None, None], x, scale.to(x.dtype)[:, :, None, None])
        return self.bn(x) * gain.to(x.dtype)[:, :, None, None] + bias.to(x.dtype)[:, :, None, None]

    def fixed_statistics(self) -> tuple[torch.Tensor, torch.Tensor, float] | None:
        """(mean, var, eps) when the norm uses stored statistics (eval mode, or truncation-indexed ones), so
        normalisation and the class's gain and bias fold into one scale and shift; None in training."""
        bn = self.bn
        if isinstance(bn, TruncationIndexedNorm):
            return (*bn.statistics(), bn.eps)
        if not bn.training and bn.track_running_stats and bn.running_mean is not None:
            return bn.running_mean, bn.running_var, bn.eps
        return None


def batch_norms(module: nn.Module) -> list[nn.modules.batchnorm._BatchNorm]:
    return [m for m in module.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]


@torch.no_grad()
def accumulate_standing_stats(G: nn.Module, passes: int, batch_size: int, make_inputs) -> None:
    """Standing statistics (BigGAN): replace every BN's running statistics by their average over
    ``passes`` train-mode forward passes of fresh inputs ``make_inputs(batch_size) -> (z, y)``.

    Meant for a copy of G used for sampling: the train-mode passes also advance spectral-norm vectors.
    Leaves G in eval mode.
    """
    bns = [bn for bn in batch_norms(G) if bn.track_running_stats]
    saved = [bn.momentum for bn in bns]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative moving average over the passes
    G.train()
    for _ in range(passes):
        G(*make_inputs(batch_size))
    for bn, m in zip(bns, saved):
        bn.momentum = m
    G.eval()


def with_standing_stats(G: nn.Module, passes: int, batch_size: int = 64, seed: int = 0) -> nn.Module:
    """A copy of G whose BN statistics are standing statistics over ``passes`` batches of random latents and
    classes (seeded, so repeatable); see :func:`accumulate_standing_stats`."""
    G = copy.deepcopy(G)
    gen = torch.Generator().manual_seed(seed)
    device = next(G.parameters()).device

    def inputs(n):
        z = torch.randn(n, G.dim_z, generator=gen).to(device)
        return z, torch.randint(G.num_classes, (n,), generator=gen).to(device)

    accumulate_standing_stats(G, passes, batch_size, inputs)
    return G
