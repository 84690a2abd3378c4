"""Spectral normalisation (Miyato et al. 2018) with a persistent singular-vector buffer.

Follows BigGAN-PyTorch: the weight is viewed as a matrix [out, -1]; each forward runs power iteration
from the stored left singular vector ``u`` (v = normalise(Wᵀu), u' = normalise(Wv)) and divides W by
σ = u'ᵀWv, with gradients flowing through W only. In training mode ``u`` is replaced by ``u'``;
in eval mode the same step is computed but nothing is stored, so evaluation never changes the model.
``sigma`` records the latest training-mode estimate. With ``eval_sigma = "cached"`` an eval-mode forward
divides by that stored σ instead of iterating (faster, and how converted weights whose σ came from another
implementation keep it exactly).
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


class SpectralNorm:
    """Mixin placed before a layer class that owns ``self.weight`` (e.g. ``class X(SpectralNorm, nn.Linear)``);
    takes the keyword ``sn_eps`` on top of the layer's own arguments."""

    def __init__(self, *args, sn_eps: float = 1e-6, **kwargs):
        super().__init__(*args, **kwargs)
        self.init_spectral_norm(sn_eps)

    def init_spectral_norm(self, eps: float = 1e-6, n_power_iterations: int = 1) -> None:
        self.sn_eps = eps
        self.n_power_iterations = n_power_iterations
        self.register_buffer("u", torch.randn(self.weight.shape[0]))
        self.register_buffer("sigma", torch.ones(()))
        self.eval_sigma = "iterate"

    def normalized_weight(self) -> torch.Tensor:
        w = self.weight
        if not self.training and self.eval_sigma == "cached":
            return w / self.sigma.clamp_min(self.sn_eps).to(w.dtype)
        mat = w.reshape(w.shape[0], -1).to(torch.promote_types(w.dtype, torch.float32))
        with torch.autocast(w.device.type, enabled=False):  # σ in fp32 (or fp64) under mixed precision
            with torch.no_grad():
                u = self.u.to(mat.dtype)
                for _ in range(self.n_power_iterations):
                    v = F.normalize(mat.t() @ u, dim=0, eps=self.sn_eps)
                    u = F.normalize(mat @ v, dim=0, eps=self.sn_eps)
                if self.training:
                    self.u.copy_(u)
            sigma = torch.dot(u, mat @ v)
        if self.training:
            self.sigma.copy_(sigma.detach())
        return w / sigma.clamp_min(self.sn_eps).to(w.dtype)  # an all-zero W stays zero, not NaN


def set_eval_sigma(model: nn.Module, mode: str) -> None:
    """'iterate' (BigGAN-PyTorch: one non-stored power iteration per eval forward) or 'cached' (stored σ)."""
    if mode not in ("iterate", "cached"):
        raise ValueError(f"spectral-norm eval mode must be 'iterate' or 'cached', got {mode!r}")
    for m in model.modules():
        if isinstance(m, SpectralNorm):
            m.eval_sigma = mode


class SNConv2d(SpectralNorm, nn.Conv2d):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._conv_forward(x, self.normalized_weight(), self.bias)


class SNLinear(SpectralNorm, nn.Linear):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.normalized_weight(), self.bias)


class SNEmbedding(SpectralNorm, nn.Embedding):
    """Class embedding for the projection discriminator; the matrix normalised is [num_classes, dim]."""

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        return F.embedding(y, self.normalized_weight())
