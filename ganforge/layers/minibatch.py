"""Layers that let the discriminator look across the batch, against mode collapse.

* :class:`MinibatchStdDev` (ProGAN): the batch is split into groups of ``group_size`` (sample i joins the
  samples i ± B/G, as in ProGAN's reshape); the standard deviation of every feature over each group, averaged
  to one number, is appended as one constant feature map.
* :class:`MinibatchDiscrimination` (Salimans et al. 2016): features x [B, A] are mapped by a learnt tensor to
  ``kernels`` rows of ``kernel_dim`` values; for each kernel b, o_b(x_i) = Σ_{j≠i} exp(−‖M_i,b − M_j,b‖₁) and
  o is appended to x (the paper's sum includes j = i, a constant 1, left out here).

Both see only the samples in the same forward pass; in a data-parallel run that is each process's share.
"""
from __future__ import annotations

import torch
import torch.nn as nn


class MinibatchStdDev(nn.Module):
    def __init__(self, group_size: int = 4, eps: float = 1e-8):
        super().__init__()
        self.group_size, self.eps = group_size, eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        g = min(self.group_size, b)
        if b % g:
            raise ValueError(f"minibatch stddev: a batch of {b} does not split into groups of {g}; use a batch "
                             f"size divisible by model.mbstd_group={self.group_size}")
        y = x.float().view(g, -1, c, h, w)
        std = (y.var(dim=0, unbiased=False) + self.eps).sqrt().mean(dim=[1, 2, 3])  # [B / g]
        stat = std.repeat(g).view(b, 1, 1, 1).expand(b, 1, h, w).to(x.dtype)
        return torch.cat([x, stat], dim=1)


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
