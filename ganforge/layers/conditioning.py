"""Class conditioning: a class embedding that also takes soft class weights, and conditional batch norm.

Conditional BN (BigGAN): batch norm without affine parameters, then ``(1 + gain(c)) * x̂ + bias(c)``.
With a shared embedding, ``c`` is a vector (class embedding, optionally concatenated with a latent
chunk) and gain/bias are bias-free spectrally-normalised linear maps; without one, ``c`` is the class
itself and gain/bias are per-class embeddings (BigGAN-PyTorch's CIFAR setting).
"""
from __future__ import annotations

import torch
import torch.nn as nn

from .spectral_norm import SNLinear


class ClassEmbedding(nn.Embedding):
    """An embedding that accepts class indices [B] or class weights [B, num_classes] (soft or one-hot).

    Soft weights give the matching mixture of embeddings, which is how class interpolation works.
    """

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        if y.is_floating_point():
            return y.to(self.weight.dtype) @ self.weight
        return super().forward(y)


class ConditionalBatchNorm2d(nn.Module):
    def __init__(self, num_features: int, cond_dim: int | None, num_classes: int | None = None,
                 *, sn_eps: float = 1e-6, bn_eps: float = 1e-5, momentum: float = 0.1):
        super().__init__()
        self.bn = nn.BatchNorm2d(num_features, eps=bn_eps, momentum=momentum, affine=False)
        if cond_dim is not None:
            self.gain = SNLinear(cond_dim, num_features, bias=False, sn_eps=sn_eps)
            self.bias = SNLinear(cond_dim, num_features, bias=False, sn_eps=sn_eps)
        else:
            self.gain = ClassEmbedding(num_classes, num_features)
            self.bias = ClassEmbedding(num_classes, num_features)

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        gain = (1 + self.gain(c)).to(x.dtype)[:, :, None, None]
        bias = self.bias(c).to(x.dtype)[:, :, None, None]
        return self.bn(x) * gain + bias


def batch_norms(module: nn.Module) -> list[nn.modules.batchnorm._BatchNorm]:
    return [m for m in module.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]


@torch.no_grad()
def accumulate_standing_stats(G: nn.Module, passes: int, batch_size: int, make_inputs) -> None:
    """Standing statistics (BigGAN): replace every BN's running statistics by their average over
    ``passes`` train-mode forward passes of fresh inputs ``make_inputs(batch_size) -> (z, y)``.

    Meant for a copy of G used for sampling: the train-mode passes also advance spectral-norm vectors.
    Leaves G in eval mode.
    """
    bns = batch_norms(G)
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
