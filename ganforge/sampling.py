"""Latents, the truncation trick, class selection, batched generation and interpolation.

Truncation is *true* truncation: each latent entry is drawn from N(0, 1) conditioned on |z| <= ψ — the
distribution that redrawing out-of-range entries produces, not a rescaled normal. It is drawn by inverse
CDF from uniforms, so one seed gives the same uniforms at every ψ: lowering ψ pulls the *same* sample
toward the mode, which makes truncation sweeps comparable.

Models converted from TF-Hub BigGAN-deep (``model.biggan_deep.truncation_style = "tfhub"``) follow their own
convention instead: z = ψ · truncnorm(−2, 2), ψ in (0, 1], and ψ also selects their BN statistics.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from .checks import number
from .device import autocast
from .errors import GanforgeError


def check_truncation(truncation: float | None) -> float | None:
    """A truncation threshold ψ > 0 (inf or None: no truncation)."""
    if truncation is None:
        return None
    value = number(truncation, "truncation", above=0.0, infinite=True)
    return None if math.isinf(value) else value


def sample_latents(n: int, dim_z: int, truncation: float | None = None,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """z [n, dim_z] ~ N(0, I), each entry truncated to |z| <= truncation when one is given."""
    truncation = check_truncation(truncation)
    u = torch.rand(n, dim_z, generator=generator, dtype=torch.float64)
    lo = 0.0 if truncation is None else torch.special.ndtr(torch.tensor(-truncation, dtype=torch.float64))
    hi = 1.0 - lo
    tiny = torch.finfo(torch.float64).eps
    z = torch.special.ndtri((lo + u * (hi - lo)).clamp(tiny, 1 - tiny))
    if truncation is not None:
        z = z.clamp(-truncation, truncation)  # guards against rounding at the bounds
    return z.float()


def resolve_classes(G, classes, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """Class indices [n]: None -> uniform at random; one class -> all n; a list -> contiguous blocks
    (n split as evenly as possible, in list order). Classes may be given by index or name."""
    if classes is None:
        return torch.randint(G.num_classes, (n,), generator=generator)
    if isinstance(classes, (int, str)):
        classes = [classes]
    if isinstance(classes, torch.Tensor):
        classes = classes.flatten().tolist()
    if not isinstance(classes, Sequence) or len(classes) == 0:
        raise GanforgeError("classes must be a class index or name, a non-empty list of them, or None")
    idx = [G.class_index(c) for c in classes]
    return torch.tensor([idx[i * len(idx) // n] for i in range(n)], dtype=torch.long)


def latents_for(G, n: int, truncation: float | None, generator: torch.Generator | None) -> torch.Tensor:
    """Latents in the model's own truncation convention."""
    if G.truncation_style == "tfhub":
        psi = 1.0 if truncation is None else check_truncation(truncation)
        if psi is None or psi > 1:
            raise GanforgeError(f"truncation={truncation} is outside (0, 1]: this converted TF-Hub model takes "
                                f"psi in (0, 1] (z = psi * truncnorm(-2, 2))")
        return psi * sample_latents(n, G.dim_z, 2.0, generator)
    return sample_latents(n, G.dim_z, truncation, generator)


@torch.no_grad()
def render(G, z: torch.Tensor, y: torch.Tensor, batch_size: int = 64,
           truncation: float | None = None) -> torch.Tensor:
    """Run G in eval mode over (z, y) in batches; returns float32 images on the CPU. ``truncation`` reaches
    models whose BN statistics depend on it (TF-Hub conversions) and is ignored by the others. The arithmetic is
    ``G.sample_precision`` (fp32 unless ``load`` was asked for another)."""
    was_training = G.training
    G.eval()
    device = G.device
    try:
        with autocast(G.sample_precision, device):
            out = [G(z[i:i + batch_size].to(device), y[i:i + batch_size].to(device), truncation=truncation)
                   .float().cpu() for i in range(0, z.shape[0], batch_size)]
    finally:
        G.train(was_training)
    return torch.cat(out) if out else torch.empty(0, *G.image_shape)


def sample(G, classes=None, n: int = 16, truncation: float | None = None, seed: int | None = None,
           batch_size: int = 64) -> torch.Tensor:
    """n images [n, C, H, W] in [-1, 1] of the given classes, reproducible for a given seed."""
    n = number(n, "n", integer=True, lo=1)
    if classes is not None and not G.conditional:
        raise GanforgeError(f"this {G.spec.model.name} model is unconditional: it cannot sample a given class "
                            f"(leave the class out)")
    gen = torch.Generator().manual_seed(seed) if seed is not None else None
    z = latents_for(G, n, truncation, gen)
    y = resolve_classes(G, classes, n, gen)
    return render(G, z, y, batch_size, truncation)


def one_hot(y: torch.Tensor, num_classes: int) -> torch.Tensor:
    return torch.nn.functional.one_hot(y, num_classes).float()


def interpolation(G, from_class, to_class, steps: int = 8, rows: int = 4, from_seed: int = 0,
                  to_seed: int | None = None, truncation: float | None = None, batch_size: int = 64) -> torch.Tensor:
    """Images [rows, steps, C, H, W]: along each row the class embedding moves linearly from
    ``from_class`` to ``to_class`` (the generator sees the mixture of the two class vectors). With
    ``to_seed``, the latent moves linearly too, from the row's latent under ``from_seed`` to that under
    ``to_seed``; without it, each row keeps its latent (rows differ by latent)."""
    if steps < 2:
        raise GanforgeError(f"steps={steps} is not valid: an interpolation needs at least 2 steps")
    if rows < 1:
        raise GanforgeError(f"rows={rows} is not valid: expected at least 1")
    a, b = G.class_index(from_class), G.class_index(to_class)
    t = torch.linspace(0, 1, steps)
    z0 = latents_for(G, rows, truncation, torch.Generator().manual_seed(from_seed))
    z1 = z0 if to_seed is None else latents_for(G, rows, truncation, torch.Generator().manual_seed(to_seed))
    z = torch.lerp(z0[:, None], z1[:, None], t[None, :, None]).reshape(rows * steps, G.dim_z)
    ya, yb = one_hot(torch.tensor([a]), G.num_classes), one_hot(torch.tensor([b]), G.num_classes)
    y = torch.lerp(ya, yb, t[:, None]).repeat(rows, 1)
    images = render(G, z, y, batch_size, truncation)
    return images.view(rows, steps, *images.shape[1:])
