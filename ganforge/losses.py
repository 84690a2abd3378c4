"""Adversarial losses and regularisers as plain functions."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


def hinge_d(d_real: torch.Tensor, d_fake: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Discriminator hinge loss, returned as its (real, fake) parts: E[relu(1 - D(x))], E[relu(1 + D(G(z)))]."""
    return F.relu(1.0 - d_real).mean(), F.relu(1.0 + d_fake).mean()


def hinge_g(d_fake: torch.Tensor) -> torch.Tensor:
    """Generator hinge loss: -E[D(G(z))]."""
    return -d_fake.mean()


D_LOSSES = {"hinge": hinge_d}
G_LOSSES = {"hinge": hinge_g}


@torch.no_grad()
def add_orthogonal_regularization_grad(model: nn.Module, strength: float, skip=()) -> None:
    """BigGAN's modified orthogonal regularisation, added straight to ``.grad`` as BigGAN-PyTorch does.

    For every weight W with two or more dimensions (viewed as [out, -1]) except those in ``skip``:
    grad += strength · 2 · ((W Wᵀ) ⊙ (1 − I)) W, the gradient of (strength / 2) · ‖W Wᵀ ⊙ (1 − I)‖²_F.
    """
    if strength == 0:
        return
    skip_ids = {id(p) for p in skip}
    for p in model.parameters():
        if p.ndim < 2 or id(p) in skip_ids or not p.requires_grad:
            continue
        w = p.reshape(p.shape[0], -1)
        gram = w @ w.t()
        gram.fill_diagonal_(0.0)
        grad = 2.0 * (gram @ w)
        if p.grad is None:
            p.grad = torch.zeros_like(p)
        p.grad.add_(grad.view_as(p), alpha=strength)


def orthogonal_penalty(w: torch.Tensor) -> torch.Tensor:
    """‖W Wᵀ ⊙ (1 − I)‖²_F for W viewed as [out, -1] (the quantity the regulariser shrinks)."""
    w = w.reshape(w.shape[0], -1)
    gram = w @ w.t()
    return (gram * (1 - torch.eye(w.shape[0], dtype=w.dtype, device=w.device))).pow(2).sum()
