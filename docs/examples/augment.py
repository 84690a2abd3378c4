"""A DiffAugment op of your own: a differentiable function of a batch and its per-image draws."""
import torch

import ganforge


@ganforge.augment_op("flip")  # augment.diffaugment: flip,translation
def flip(x, draws):
    flipped = draws.uniform(x) < 0.5  # one draw per image, shared by every process of a data-parallel run
    return torch.where(flipped, x.flip(3), x)
