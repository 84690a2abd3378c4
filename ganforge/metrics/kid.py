"""Kernel Inception Distance: the unbiased MMD² with the cubic polynomial kernel (x·y/d + 1)³, averaged over
random subsets (100 subsets of 1000 by default, seeded)."""
from __future__ import annotations

import numpy as np

from ..errors import GanforgeError


def mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
    d = x.shape[1]
    kxx = (x @ x.T / d + 1) ** 3
    kyy = (y @ y.T / d + 1) ** 3
    kxy = (x @ y.T / d + 1) ** 3
    m, n = len(x), len(y)
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
                 - 2 * kxy.mean())


def kid(fake: np.ndarray, real: np.ndarray, subsets: int = 100, subset_size: int = 1000,
        seed: int = 0) -> dict[str, float]:
    fake, real = np.asarray(fake, np.float64), np.asarray(real, np.float64)
    size = min(subset_size, len(fake), len(real))
    if size < 2:
        raise GanforgeError(f"KID needs at least 2 samples per side, got {len(fake)} and {len(real)}")
    rng = np.random.default_rng(seed)
    values = [mmd2_unbiased(fake[rng.choice(len(fake), size, replace=False)],
                            real[rng.choice(len(real), size, replace=False)]) for _ in range(subsets)]
    return {"mean": float(np.mean(values)), "std": float(np.std(values)), "subset_size": size, "subsets": subsets}
