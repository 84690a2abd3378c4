"""Layers that let the discriminator look across the batch, against mode collapse.

* :class:`MinibatchStdDev` (ProGAN): the batch is split into groups of ``group_size`` (sample i joins the
  samples i ± B/G, as in ProGAN's reshape); the standard deviation of every feature over each group, averaged
  to one number, is appended as one constant feature map.
* :class:`ClassStdDev` (not from a paper): the same map taken over the samples of the batch that share a
  class. In a class-conditional GAN a fixed group mixes classes, so its spread is mostly between classes,
  which G already varies; the class-wise spread is exactly what a G that ignores z inside a class lacks.
* :class:`MinibatchDiscrimination` (Salimans et al. 2016): features x [B, A] are mapped by a learnt tensor to
  ``kernels`` rows of ``kernel_dim`` values; for each kernel b, o_b(x_i) = Σ_{j≠i} exp(−‖M_i,b − M_j,b‖₁) and
  o is appended to x (the paper's sum includes j = i, a constant 1, left out here).

Both see only the samples in the same forward pass; in a data-parallel run that is each process's share.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


def _append(x: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """x [B, C, *S] with n more channels (constant maps, or features when S is empty) holding each sample's
    ``values`` [B, n]."""
    b, n = values.shape
    shape = (b, n, *x.shape[2:])
    return torch.cat([x, values.view(b, n, *[1] * (x.dim() - 2)).expand(shape).to(x.dtype)], dim=1)


def _split(std: torch.Tensor, features: int) -> torch.Tensor:
    """[N, C, *S] stds -> [N, features]: averaged over each of ``features`` equal groups of channels."""
    if std.shape[1] % features:
        raise ValueError(f"minibatch stddev: {std.shape[1]} channels do not split into model.mbstd_features="
                         f"{features} groups")
    return std.reshape(std.shape[0], features, -1).mean(dim=2)


class MinibatchStdDev(nn.Module):
    def __init__(self, group_size: int = 4, features: int = 1, eps: float = 1e-8):
        super().__init__()
        self.group_size, self.features, self.eps = group_size, features, eps

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """x: feature maps [B, C, H, W] or feature vectors [B, F]. ``y`` (the classes) is not used: the groups
        are fixed by position."""
        b = x.shape[0]
        g = min(self.group_size, b)
        if b % g:
            raise ValueError(f"minibatch stddev: a batch of {b} does not split into groups of {g}; use a batch "
                             f"size divisible by model.mbstd_group={self.group_size}")
        groups = x.float().view(g, -1, *x.shape[1:])
        std = _split((groups.var(dim=0, unbiased=False) + self.eps).sqrt(), self.features)  # [B / g, n]
        return _append(x, std.repeat(g, 1))


class ClassStdDev(nn.Module):
    def __init__(self, num_classes: int, features: int = 1, eps: float = 1e-8):
        super().__init__()
        self.num_classes, self.features, self.eps = num_classes, features, eps

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Sample i gets the std over the batch's samples of class y_i (a class seen once: 0), averaged over
        each group of channels; x: feature maps [B, C, H, W] or feature vectors [B, F]."""
        f = x.float().flatten(1)  # [B, F]
        member = F.one_hot(y, self.num_classes).to(f.dtype)  # [B, K]
        count = member.sum(0).clamp_min(1.0)[:, None]  # [K, 1]
        mean = member.t() @ f / count  # [K, F]
        # index_select, not indexing: its CPU backward (index_add) accumulates in a fixed order whatever the thread
        # count, where indexing's (index_put with accumulate) does not, so runs would not repeat bit for bit
        var = member.t() @ (f - mean.index_select(0, y)).square() / count
        std = _split((var + self.eps).sqrt().view(-1, *x.shape[1:]), self.features)  # [K, n]
        return _append(x, std.index_select(0, y))


def minibatch_stddev(m, default_group: int = 0) -> MinibatchStdDev | ClassStdDev | None:
    """The minibatch-stddev layer a model config ``m`` asks for (``mbstd_by_class``, else ``mbstd_group`` or
    ``default_group``; ``mbstd_features`` values each), or None."""
    if m.mbstd_by_class:
        return ClassStdDev(m.num_classes, m.mbstd_features)
    group = m.mbstd_group or default_group
    return MinibatchStdDev(group, m.mbstd_features) if group else None


def added_channels(layer: MinibatchStdDev | ClassStdDev | None) -> int:
    return layer.features if layer is not None else 0


class MinibatchDiscrimination(nn.Module):
    def __init__(self, in_features: int, kernels: int, kernel_dim: int = 5):
        super().__init__()
        self.kernels, self.kernel_dim = kernels, kernel_dim
        self.T = nn.Parameter(torch.randn(in_features, kernels * kernel_dim) * 0.1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        m = (x @ self.T).view(-1, self.kernels, self.kernel_dim)  # [B, kernels, dim]
        l1 = (m[:, None] - m[None, :]).abs().sum(-1)  # [B, B, kernels]
        o = torch.exp(-l1).sum(dim=1) - 1.0  # leave out j = i
        return torch.cat([x, o], dim=1)
