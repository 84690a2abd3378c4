"""Attention layers and the controls that let you see and steer them at sampling time.

Self-attention as in SAGAN / BigGAN: θ = 1×1 conv C→C/8 over all N positions (queries); φ = 1×1 C→C/8 and
g = 1×1 C→C/2, each followed by a 2×2 max-pool (N/4 keys); β = softmax(θᵀφ) is the attention map [B, N, N/4];
o = 1×1 C/2→C applied to g·βᵀ; output x + γ·o with γ initialised to 0. All convs are spectrally normalised
and bias-free.

Channel attention (squeeze-and-excitation): s = sigmoid(W₂ ReLU(W₁ mean_hw(x))) per channel; output
x + γ·(x ⊙ s), γ initialised to 0 like self-attention's.

An :class:`AttentionControl` attached to a layer (see :mod:`ganforge.steering`) records its maps, scales
γ (strength), biases the attention logits toward a region (focus), or replaces the maps by given ones
(transplant). Without a control the layer takes the fused path and never materialises the map.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F

from .spectral_norm import SNConv2d, SNLinear


@dataclass
class AttentionControl:
    strength: float = 1.0
    focus: torch.Tensor | None = None      # [H, W] weights (any size), pooled to the key grid, added to the logits
    transplant: torch.Tensor | None = None  # maps to use instead of the computed ones
    record: bool = False
    recorded: list = field(default_factory=list)


class SelfAttention(nn.Module):
    kind = "self"

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
        self.control: AttentionControl | None = None

    def forward(self, x: torch.Tensor, return_map: bool = False):
        b, c, h, w = x.shape
        theta = self.theta(x).flatten(2).transpose(1, 2)                  # [B, N, C/8]
        phi = F.max_pool2d(self.phi(x), 2).flatten(2).transpose(1, 2)      # [B, N/4, C/8]
        g = F.max_pool2d(self.g(x), 2).flatten(2).transpose(1, 2)          # [B, N/4, C/2]
        ctl = self.control
        if ctl is None and not return_map and x.device.type != "cpu":  # fused kernel, no map materialised
            beta = None
            attended = F.scaled_dot_product_attention(theta[:, None], phi[:, None], g[:, None], scale=1.0)[:, 0]
        elif ctl is None and not return_map:  # on CPU the plain product is faster than SDPA's math fallback
            beta = None
            attended = torch.softmax(theta @ phi.transpose(1, 2), dim=-1) @ g
        else:
            beta = self.attention_map(theta, phi, ctl, (h // 2, w // 2))
            attended = beta.to(g.dtype) @ g
        o = self.o(attended.transpose(1, 2).reshape(b, c // 2, h, w))
        strength = 1.0 if ctl is None else ctl.strength
        out = x + (strength * self.gamma) * o
        return (out, beta) if return_map else out

    @staticmethod
    def attention_map(theta, phi, ctl: AttentionControl | None, key_grid: tuple[int, int]) -> torch.Tensor:
        if ctl is not None and ctl.transplant is not None:
            beta = ctl.transplant.to(theta.device, theta.dtype)
            if beta.shape != (theta.shape[0], theta.shape[1], phi.shape[1]):
                raise ValueError(f"transplanted attention map has shape {list(beta.shape)}, this layer needs "
                                 f"{[theta.shape[0], theta.shape[1], phi.shape[1]]}")
        else:
            logits = theta @ phi.transpose(1, 2)                           # [B, N, N/4]
            if ctl is not None and ctl.focus is not None:
                bias = F.adaptive_avg_pool2d(ctl.focus.to(logits)[None, None], key_grid).flatten()
                logits = logits + bias[None, None, :]
            beta = torch.softmax(logits, dim=-1)
        if ctl is not None and ctl.record:
            ctl.recorded.append(beta.detach())
        return beta


class ChannelAttention(nn.Module):
    """Squeeze-and-excitation channel attention with a zero-initialised residual gain γ."""
    kind = "channel"

    def __init__(self, channels: int, sn_eps: float = 1e-6, reduction: int = 8):
        super().__init__()
        hidden = max(1, channels // reduction)
        self.squeeze = SNLinear(channels, hidden, sn_eps=sn_eps)
        self.excite = SNLinear(hidden, channels, sn_eps=sn_eps)
        self.gamma = nn.Parameter(torch.zeros(()))
        self.control: AttentionControl | None = None

    def forward(self, x: torch.Tensor, return_map: bool = False):
        ctl = self.control
        if ctl is not None and ctl.transplant is not None:
            s = ctl.transplant.to(x.device, x.dtype)
        else:
            s = torch.sigmoid(self.excite(F.relu(self.squeeze(x.mean((2, 3)))))).to(x.dtype)   # [B, C]
        if ctl is not None and ctl.record:
            ctl.recorded.append(s.detach())
        strength = 1.0 if ctl is None else ctl.strength
        out = x + (strength * self.gamma) * (x * s[:, :, None, None])
        return (out, s) if return_map else out


ATTENTION_TYPES = {"self": SelfAttention, "channel": ChannelAttention}


def make_attention(kind: str, channels: int, sn_eps: float) -> nn.Module:
    if kind not in ATTENTION_TYPES:
        raise ValueError(f"unknown attention type {kind!r}; choose one of {', '.join(ATTENTION_TYPES)}")
    return ATTENTION_TYPES[kind](channels, sn_eps)
