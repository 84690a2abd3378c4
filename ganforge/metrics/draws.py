"""A generator scored on several independent draws of its samples (sampling seeds 0, 1, ...; the model and the
reference fixed), so that a figure can be read against the spread of its own measurement, and the same metrics
for real held-out images (the floor a perfect generator would reach at the same sample count)."""
from __future__ import annotations

import statistics

from .evaluator import Evaluator
from .registry import count_label, score_names
from .sources import dataset_source

# the headline numbers of a draw: score name -> (metric, field of its value)
FIELDS = {name: score_names()[name][:2] for name in ("fid", "precision", "recall", "density", "coverage", "acc")}


def summarise(draws: list[dict], n: int) -> dict:
    """{'fid2k': {'mean', 'sd', 'draws'}, 'recall2k': ...} over the draws' metric dictionaries."""
    out = {}
    for name, (metric, part) in FIELDS.items():
        values = []
        for d in draws:
            value = next((v for key, v in d.items() if key.startswith(metric)), None)
            if value is not None:
                values.append(float(value[part] if part else value))
        if values:
            sd = statistics.stdev(values) if len(values) > 1 else 0.0
            out[f"{name}{count_label(n)}"] = {"mean": round(statistics.mean(values), 4), "sd": round(sd, 4),
                                              "draws": [round(v, 4) for v in values]}
    return out


def score_generator(G, ref: str, draws: int, n: int, data_cfg=None) -> list[dict]:
    """Each draw's metrics (fid, pr, dc and, for a conditional G, acc) of n samples of G against ``ref``."""
    metrics = ["fid", "pr", "dc", "acc"] if G.conditional else ["fid", "pr", "dc"]
    return [Evaluator(ref, G.image_shape, metrics, data_cfg=data_cfg, seed=seed).evaluate_generator(G, n)["metrics"]
            for seed in range(draws)]


def score_real(dataset, ref: str, draws: int, n: int) -> list[dict]:
    """The same metrics for draws of n images of a real dataset (held out from ``ref``)."""
    return [Evaluator(ref, tuple(dataset.image_shape), ["fid", "pr", "dc", "acc"], seed=seed)
            .evaluate(dataset_source(dataset, n, seed))["metrics"] for seed in range(draws)]
