"""Adding a model family is one module and one registry entry (the README's "Extending" example, run)."""
import torch
import torch.nn as nn

from ganforge import load, train
from ganforge.models import FAMILIES, base
from ganforge.models.registry import Family

from .conftest import tiny_train_config


class Generator(base.Generator):
    def __init__(self, spec):
        super().__init__(spec)
        self.embed = nn.Embedding(self.num_classes, 8)
        self.net = nn.Linear(self.dim_z + 8, spec.channels * spec.resolution ** 2)

    def forward(self, z, y, truncation=None):
        h = torch.cat([z, self.embed(y).to(z.dtype)], 1)
        return torch.tanh(self.net(h)).view(-1, *self.image_shape)


class Discriminator(base.Discriminator):
    def __init__(self, spec):
        super().__init__(spec)
        self.net = nn.Linear(spec.channels * spec.resolution ** 2, 1)
        self.embed = nn.Embedding(spec.model.num_classes, spec.channels * spec.resolution ** 2)

    def forward(self, x, y):
        h = x.flatten(1)
        return self.net(h).squeeze(1) + (self.embed(y) * h).sum(1)  # a projection term for the class


def test_a_family_added_in_one_module_and_one_line_trains_and_samples(tmp_path, monkeypatch):
    monkeypatch.setitem(FAMILIES, "tiny", Family("tiny", Generator, Discriminator, "one linear layer each"))
    cfg = tiny_train_config(steps=2)
    cfg.set("model.name", "tiny")
    summary = train(cfg.validate(), tmp_path / "run", show_progress=False)
    assert summary["trained_steps"] == 2
    G = load(tmp_path / "run")
    assert isinstance(G, Generator) and G.sample(classes=["Sneaker"], n=2, seed=0).shape == (2, 1, 32, 32)
