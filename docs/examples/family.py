"""A model family of your own: a generator, a discriminator, its options, and one registration."""
from dataclasses import dataclass

import torch
import torch.nn as nn

import ganforge
from ganforge.fields import option
from ganforge.models import Discriminator, FamilyOptions, Generator


@dataclass
class LinearOptions(FamilyOptions):  # set as model.linear.hidden
    hidden: int = option(64, "width of the hidden layer", lo=1, hi=4096)


class LinearGenerator(Generator):
    def __init__(self, spec):
        super().__init__(spec)
        hidden = spec.model.options.hidden
        self.embed = nn.Embedding(self.num_classes, spec.model.shared_dim)
        self.net = nn.Sequential(nn.Linear(self.dim_z + spec.model.shared_dim, hidden), nn.ReLU(),
                                 nn.Linear(hidden, spec.channels * spec.resolution ** 2))

    def forward(self, z, y, truncation=None):
        h = torch.cat([z, self.embed(y).to(z.dtype)], 1)
        return torch.tanh(self.net(h)).view(-1, *self.image_shape)


class LinearDiscriminator(Discriminator):
    def __init__(self, spec):
        super().__init__(spec)
        pixels = spec.channels * spec.resolution ** 2
        self.net = nn.Sequential(nn.Linear(pixels, spec.model.options.hidden), nn.LeakyReLU(0.2))
        self.out = nn.Linear(spec.model.options.hidden, 1)
        self.embed = nn.Embedding(spec.model.num_classes, spec.model.options.hidden)

    def forward(self, x, y):
        h = self.net(x.flatten(1))
        return self.out(h).squeeze(1) + (self.embed(y) * h).sum(1)  # a projection term for the class


ganforge.register_family("linear", LinearGenerator, LinearDiscriminator, "one hidden layer each",
                         options=LinearOptions)
