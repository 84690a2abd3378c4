"""Inception Score: exp(E_x KL(p(y|x) ‖ p(y))) over splits of the samples (10 by default). The samples are
shuffled (seeded) before splitting, as torch-fidelity does, so a set stored class by class is not scored
split by split of a single class."""
from __future__ import annotations

import numpy as np
import torch


def inception_score(logits, splits: int = 10, seed: int = 0) -> dict[str, float]:
    probs = torch.softmax(torch.as_tensor(logits, dtype=torch.float64), dim=1).numpy()
    probs = probs[np.random.default_rng(seed).permutation(len(probs))]
    splits = max(1, min(splits, len(probs)))
    scores = []
    for part in np.array_split(probs, splits):
        marginal = part.mean(0, keepdims=True)
        kl = (part * (np.log(np.clip(part, 1e-30, None)) - np.log(np.clip(marginal, 1e-30, None)))).sum(1)
        scores.append(float(np.exp(kl.mean())))
    return {"mean": float(np.mean(scores)), "std": float(np.std(scores)), "splits": splits}
