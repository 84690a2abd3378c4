"""Self-attention as in SAGAN / BigGAN.

θ = 1×1 conv C→C/8 over all N positions (queries); φ = 1×1 C→C/8 and g = 1×1 C→C/2, each followed by a
2×2 max-pool (N/4 keys); β = softmax(θᵀφ) is the attention map [B, N, N/4]; o = 1×1 C/2→C applied to
g·βᵀ; output x + γ·o with γ initialised to 0. All convs are spectrally normalised and bias-free.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .spectral_norm import SNConv2d


class SelfAttention(nn.Module):
    def __init__(self, channels: int, sn_eps: float = 1e-6):
        super().__init__()
        if channels < 8:
            raise ValueError(f"self-attention needs at least 8 channels, got {channels}")
        self.channels = channels
        self.theta = SNConv2d(channels, channels // 8, 1, bias=False, sn_eps=sn_eps)
        self.phi = SNConv2d(channels, channels // 8, 1, bias=False, sn_eps=sn_eps)
        self.g = SNConv2d(channels, channels // 2, 1, bias=False, sn_eps=sn_eps)
        self.o = SNConv2d(channels // 2, channels, 1, bias=False, sn_eps=sn_eps)
        self.gamma = nn.Parameter(torch.zeros(()))

    def forward(self, x: torch.Tensor, return_map: bool = False):
        b, c, h, w = x.shape
        theta = self.theta(x).flatten(2).transpose(1, 2)                  # [B, N, C/8]
        phi = F.max_pool2d(self.phi(x), 2).flatten(2).transpose(1, 2)      # [B, N/4, C/8]
        g = F.max_pool2d(self.g(x), 2).flatten(2).transpose(1, 2)          # [B, N/4, C/2]
        if return_map:
            beta = torch.softmax(theta @ phi.transpose(1, 2), dim=-1)      # [B, N, N/4]
            attended = beta @ g
        else:  # same maths through the fused kernel; the map is never materialised
            beta = None
            attended = F.scaled_dot_product_attention(theta[:, None], phi[:, None], g[:, None], scale=1.0)[:, 0]
        o = self.o(attended.transpose(1, 2).reshape(b, c // 2, h, w))
        out = x + self.gamma * o
        return (out, beta) if return_map else out
