"""A feature extractor of your own: uint8 images -> (features, logits or None), one registration
(--extractor pixels, or pixels:8 for 8×8)."""
import torch
import torch.nn.functional as F

import ganforge
from ganforge.metrics.features import Extractor


class Pixels(Extractor):
    """The images themselves, average-pooled to size × size: a crude but dependency-free feature space."""

    def __init__(self, size: int = 8):
        self.size, self.name = size, f"pixels:{size}"
        self.identity = self.name  # names the features exactly (the statistics cache is keyed by it)
        self.feature_dim = None  # depends on the images' channels

    @torch.no_grad()
    def __call__(self, images):
        x = F.adaptive_avg_pool2d(images.float() / 127.5 - 1, self.size)
        return x.flatten(1), None


ganforge.register_extractor("pixels", lambda arg, **options: Pixels(int(arg or 8)))
