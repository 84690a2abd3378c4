"""Adversarial losses and regularisers as plain functions of scores, images and networks.

Losses by name (``loss.name``); D's loss comes as its (real, fake) parts. ``bce`` is the non-saturating GAN
(G maximises log D(G(z))), ``minimax`` the original (G minimises log(1 − D(G(z)))), ``wasserstein`` the WGAN
critic, ``ls`` least squares (a = 0, b = c = 1); ``rpgan`` (relativistic pairing, R3GAN) compares each fake
with a real image, so it is not split into parts: :func:`relativistic_d` / :func:`relativistic_g`. Penalties:
WGAN-GP, R1 (R2 is R1 on generated images), drift; orthogonal regularisation of weights.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..fields import LiveChoices


def hinge_d(d_real: torch.Tensor, d_fake: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Discriminator hinge loss, returned as its (real, fake) parts: E[relu(1 - D(x))], E[relu(1 + D(G(z)))]."""
    return F.relu(1.0 - d_real).mean(), F.relu(1.0 + d_fake).mean()


def hinge_g(d_fake: torch.Tensor) -> torch.Tensor:
    """Generator hinge loss: -E[D(G(z))]."""
    return -d_fake.mean()


def bce_d(d_real: torch.Tensor, d_fake: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """−E[log σ(D(x))], −E[log(1 − σ(D(G(z))))] on logits."""
    return F.softplus(-d_real).mean(), F.softplus(d_fake).mean()


def non_saturating_g(d_fake: torch.Tensor) -> torch.Tensor:
    """−E[log σ(D(G(z)))]."""
    return F.softplus(-d_fake).mean()


def minimax_g(d_fake: torch.Tensor) -> torch.Tensor:
    """E[log(1 − σ(D(G(z))))] (saturates when D wins)."""
    return -F.softplus(d_fake).mean()


def wasserstein_d(d_real: torch.Tensor, d_fake: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return -d_real.mean(), d_fake.mean()


def least_squares_d(d_real: torch.Tensor, d_fake: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return 0.5 * (d_real - 1).pow(2).mean(), 0.5 * d_fake.pow(2).mean()


def least_squares_g(d_fake: torch.Tensor) -> torch.Tensor:
    return 0.5 * (d_fake - 1).pow(2).mean()


def relativistic_d(d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    """RpGAN's D loss E[softplus(D(G(z)) − D(x))] over paired scores (R3GAN's non-saturating form)."""
    return F.softplus(d_fake - d_real).mean()


def relativistic_g(d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    """RpGAN's G loss E[softplus(D(x) − D(G(z)))]."""
    return F.softplus(d_real - d_fake).mean()


D_LOSSES = {"hinge": hinge_d, "bce": bce_d, "minimax": bce_d, "wasserstein": wasserstein_d, "ls": least_squares_d}
G_LOSSES = {"hinge": hinge_g, "bce": non_saturating_g, "minimax": minimax_g, "wasserstein": hinge_g,  # −E[D(G(z))]
            "ls": least_squares_g}
PAIRED = "rpgan"  # the relativistic pairing loss: not split into per-image parts (relativistic_d / _g)


def register_loss(name: str, d_loss, g_loss) -> None:
    """Make ``loss.name: NAME`` an adversarial loss: ``d_loss(d_real, d_fake) -> (real part, fake part)`` and
    ``g_loss(d_fake) -> G's loss``, both of D's fp32 scores [B]."""
    if name == PAIRED:
        raise ValueError(f"{PAIRED!r} is the built-in relativistic pairing loss")
    D_LOSSES[name], G_LOSSES[name] = d_loss, g_loss


LOSS_NAMES = LiveChoices(lambda: [*D_LOSSES, PAIRED])  # loss.name's choices


def mode_seeking(fake_a: torch.Tensor, fake_b: torch.Tensor, z_a: torch.Tensor, z_b: torch.Tensor,
                 eps: float = 1e-5) -> torch.Tensor:
    """MSGAN's term (Mao et al. 2019) for pairs of images of the same classes from different latents: the inverse
    of how far the images move per unit the latents move, so that G is penalised for mapping distinct z to
    near-identical images."""
    ratio = (fake_a - fake_b).abs().mean() / (z_a - z_b).abs().mean()
    return 1.0 / (ratio + eps)


def _input_gradients(D, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x, y).sum(), x, create_graph=True)
    return grad.flatten(1)


def gradient_penalty(D, real: torch.Tensor, fake: torch.Tensor, y: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    """WGAN-GP (Gulrajani et al. 2017): E[(‖∇D(x̂)‖₂ − 1)²] at x̂ = α·real + (1 − α)·fake, α [B] in [0, 1],
    scored with the real labels (as StudioGAN does for conditional critics)."""
    a = alpha.to(real.device, real.dtype).view(-1, *[1] * (real.dim() - 1))
    mixed = a * real.detach() + (1 - a) * fake.detach()
    return (_input_gradients(D, mixed, y).norm(dim=1) - 1).pow(2).mean()


def r1_penalty(D, real: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """R1 (Mescheder et al. 2018) without its γ/2 factor: E[‖∇ₓD(x)‖²] on real images."""
    return _input_gradients(D, real, y).pow(2).sum(dim=1).mean()


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
