"""Fréchet distance between Gaussians fitted to features (FID), with streaming float64 statistics."""
from __future__ import annotations

import numpy as np
import scipy.linalg
import torch

from ..errors import GanforgeError


class StreamingStats:
    """Mean and unbiased covariance of feature batches, accumulated in float64 without keeping the features."""

    def __init__(self, dim: int):
        self.n = 0
        self.sum = torch.zeros(dim, dtype=torch.float64)
        self.outer = torch.zeros(dim, dim, dtype=torch.float64)

    def add(self, features: torch.Tensor) -> None:
        f = features.detach().to("cpu", torch.float64)
        self.n += f.shape[0]
        self.sum += f.sum(0)
        self.outer += f.t() @ f

    @property
    def mean(self) -> np.ndarray:
        return (self.sum / self.n).numpy()

    @property
    def cov(self) -> np.ndarray:
        if self.n < 2:
            raise GanforgeError(f"FID needs at least 2 samples per side, got {self.n}")
        mu = self.sum / self.n
        return ((self.outer - self.n * torch.outer(mu, mu)) / (self.n - 1)).numpy()


def stats_of(features) -> tuple[np.ndarray, np.ndarray]:
    s = StreamingStats(features.shape[1])
    s.add(torch.as_tensor(features))
    return s.mean, s.cov


def frechet_distance(mu1, sigma1, mu2, sigma2, eps: float = 1e-6) -> float:
    """‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr √(Σ₁Σ₂). If the square root is not finite, εI is added to both
    covariances and it is retried; an imaginary part above 1e-3 on the diagonal is an error."""
    mu1, mu2 = np.atleast_1d(mu1).astype(np.float64), np.atleast_1d(mu2).astype(np.float64)
    sigma1, sigma2 = np.atleast_2d(sigma1).astype(np.float64), np.atleast_2d(sigma2).astype(np.float64)
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape:
        raise GanforgeError(f"FID: the two sides have features of different sizes ({mu1.shape[0]} vs {mu2.shape[0]})")
    diff = mu1 - mu2
    covmean = scipy.linalg.sqrtm(sigma1 @ sigma2)
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = scipy.linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise GanforgeError(f"FID: the matrix square root has a large imaginary part "
                                f"({np.max(np.abs(covmean.imag)):.3g}); the covariances are degenerate (too few "
                                f"samples for the feature size?)")
        covmean = covmean.real
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))
