"""A metric of your own: a function of both sides' features, one registration (--metrics meandist)."""
import numpy as np

import ganforge
from ganforge.metrics.registry import Metric


def mean_distance(inputs):
    """FID's first term alone: the squared distance between the feature means."""
    fake, real = inputs.fake["features"], inputs.real["features"]
    return float(np.sum((fake.mean(0) - real.mean(0)) ** 2))


ganforge.register_metric(Metric("meandist", mean_distance, headline=float, text=lambda v: f"{v:.6g}",
                                needs_real_features=True))
