"""Precision/recall (Kynkäänniemi et al. 2019, k = 3) and density/coverage (Naeem et al. 2020, k = 5) from
k-nearest-neighbour balls, with pairwise distances computed in chunks so 50k × 50k sets fit in memory."""
from __future__ import annotations

import torch

CHUNK = 2048


def _as_tensor(x) -> torch.Tensor:
    return torch.as_tensor(x, dtype=torch.float32)


def knn_radii(x: torch.Tensor, k: int) -> torch.Tensor:
    """Distance from each row of x to its k-th nearest other row."""
    radii = torch.empty(len(x))
    for i in range(0, len(x), CHUNK):
        d = torch.cdist(x[i:i + CHUNK], x)
        radii[i:i + CHUNK] = d.topk(k + 1, dim=1, largest=False).values[:, k]  # column 0 is the row itself
    return radii


def _ball_counts(points: torch.Tensor, centres: torch.Tensor, radii: torch.Tensor):
    """For each point, how many balls (centres, radii) contain it; for each centre, its nearest point."""
    counts = torch.empty(len(points))
    nearest = torch.full((len(centres),), float("inf"))
    for i in range(0, len(points), CHUNK):
        d = torch.cdist(points[i:i + CHUNK], centres)
        counts[i:i + CHUNK] = (d <= radii[None]).sum(1).float()
        nearest = torch.minimum(nearest, d.min(0).values)
    return counts, nearest


def precision_recall(fake, real, k: int = 3) -> dict[str, float]:
    fake, real = _as_tensor(fake), _as_tensor(real)
    real_in_fake_balls, _ = _ball_counts(real, fake, knn_radii(fake, k))
    fake_in_real_balls, _ = _ball_counts(fake, real, knn_radii(real, k))
    return {"precision": float((fake_in_real_balls > 0).float().mean()),
            "recall": float((real_in_fake_balls > 0).float().mean()), "k": k}


def density_coverage(fake, real, k: int = 5) -> dict[str, float]:
    fake, real = _as_tensor(fake), _as_tensor(real)
    radii = knn_radii(real, k)
    counts, nearest_fake = _ball_counts(fake, real, radii)
    return {"density": float(counts.sum() / (k * len(fake))),
            "coverage": float((nearest_fake <= radii).float().mean()), "k": k}
