"""ProGAN's layers (Karras et al. 2018): equalized learning rate and pixel-wise feature normalisation.

Equalized learning rate: weights are drawn from N(0, 1) and multiplied at run time by gain/√fan_in (He's
constant), so Adam's per-parameter step size means the same for every layer. Biases start at 0.
PixelNorm: every pixel's feature vector divided by the root of its mean square (+1e-8).
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class EqualizedConv2d(nn.Conv2d):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, gain: float = math.sqrt(2), **kwargs):
        super().__init__(in_channels, out_channels, kernel_size, padding=kernel_size // 2, **kwargs)
        self.scale = gain / math.sqrt(in_channels * kernel_size * kernel_size)
        nn.init.normal_(self.weight)
        nn.init.zeros_(self.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._conv_forward(x, self.weight * self.scale, self.bias)


class EqualizedLinear(nn.Linear):
    def __init__(self, in_features: int, out_features: int, gain: float = math.sqrt(2)):
        super().__init__(in_features, out_features)
        self.scale = gain / math.sqrt(in_features)
        nn.init.normal_(self.weight)
        nn.init.zeros_(self.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * self.scale, self.bias)


class PixelNorm(nn.Module):
    def __init__(self, eps: float = 1e-8):
        super().__init__()
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + self.eps)
