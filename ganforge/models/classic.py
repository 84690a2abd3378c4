"""The classic family, on the same interface as BigGAN (G(z, y) -> images in [-1, 1], D(x, y) -> scores [B]):

* ``vanilla`` (Goodfellow et al. 2014): MLP G and D, unconditional.
* ``cgan`` (Mirza & Osindero 2014): the same MLPs, a class embedding concatenated to z and to D's input.
* ``dcgan`` (Radford et al. 2016): transposed convolutions with BN and ReLU in G (no BN on its output, tanh),
  strided convolutions with LeakyReLU 0.2 and BN in D (none on its input), N(0, 0.02) init; conditional by the
  same concatenation (label maps as extra input channels of D) unless ``model.dcgan.conditional=false``.

Widths: MLP hidden layers 32·ch (G) and 32·d_ch (D); DCGAN 4×4 maps of ch·min(8, 2^(n−1)) channels halving
at each doubling (G) and d_ch doubling at each halving (D). D may end with a minibatch-stddev map
(``model.mbstd_group``; for the MLPs also by class, ``model.mbstd_by_class``: one more hidden feature) or
minibatch discrimination (``model.mb_kernels``); ``D.features`` gives the features its last layer reads, for
feature matching.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..fields import option
from .spec import ModelSpec
from ..layers import ClassEmbedding
from ..layers.conditioning import class_maps
from ..layers.minibatch import MinibatchDiscrimination, added_channels, minibatch_stddev
from . import base


def _init_normal(module: nn.Module) -> None:
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


@dataclass
class DCGANOptions(base.FamilyOptions):
    """``model.dcgan.*``"""
    conditional: bool = option(True, "condition G and D on the class (a label embedding concatenated to z and, as "
                               "maps, to D's input); false: an unconditional DCGAN")


class _ClassicGenerator(base.Generator):
    always_conditional: bool | None = None  # None: the family's ``conditional`` option decides

    def __init__(self, spec: ModelSpec):
        super().__init__(spec)
        m = spec.model
        self.embed = ClassEmbedding(self.num_classes, m.shared_dim) if self.conditional else None
        self.input_dim = m.dim_z + (m.shared_dim if self.conditional else 0)

    def latent_input(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return torch.cat([z, self.embed(y).to(z.dtype)], dim=1) if self.conditional else z


class _ClassicDiscriminator(base.FeatureDiscriminator, base.Discriminator):
    always_conditional: bool | None = None  # as the generator's
    options = frozenset({"mb_kernels"})

    def __init__(self, spec: ModelSpec):
        super().__init__(spec)
        m = spec.model
        self.conditional = m.options.conditional if self.always_conditional is None else self.always_conditional
        self.embed = ClassEmbedding(m.num_classes, m.shared_dim) if self.conditional else None
        self.mb_kernels = m.mb_kernels

    def head(self, features: int) -> nn.Module:
        """Minibatch discrimination (if configured) and the final linear map to one score."""
        if not self.mb_kernels:
            return nn.Linear(features, 1)
        return nn.Sequential(MinibatchDiscrimination(features, self.mb_kernels),
                             nn.Linear(features + self.mb_kernels, 1))

    def score(self, features: torch.Tensor) -> torch.Tensor:
        return self.out(features).squeeze(1)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.score(self.features(x, y))


class MLPGenerator(_ClassicGenerator):
    def __init__(self, spec: ModelSpec):
        super().__init__(spec)
        hidden = 32 * spec.model.ch
        out = spec.channels * spec.resolution ** 2
        self.net = nn.Sequential(nn.Linear(self.input_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, out))

    def forward(self, z: torch.Tensor, y: torch.Tensor, truncation: float | None = None) -> torch.Tensor:
        return torch.tanh(self.net(self.latent_input(z, y))).view(-1, *self.image_shape)


class MLPDiscriminator(_ClassicDiscriminator):
    always_conditional = False
    options = frozenset({"mb_kernels", "mbstd_group", "mbstd_features"})

    def __init__(self, spec: ModelSpec):
        super().__init__(spec)
        m, hidden = spec.model, 32 * spec.model.d_ch
        inputs = spec.channels * spec.resolution ** 2 + (m.shared_dim if self.conditional else 0)
        self.body = nn.Sequential(nn.Linear(inputs, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, hidden),
                                  nn.LeakyReLU(0.2))
        # the minibatch-stddev value joins the hidden features as one more (so feature matching sees it too)
        self.mbstd = minibatch_stddev(m)
        self.out = self.head(hidden + added_channels(self.mbstd))

    def features(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        h = x.flatten(1)
        if self.conditional:
            h = torch.cat([h, self.embed(y).to(h.dtype)], dim=1)
        h = self.body(h)
        return h if self.mbstd is None else self.mbstd(h, y)


class VanillaGenerator(MLPGenerator):
    always_conditional = False


class CGANGenerator(MLPGenerator):
    always_conditional = True


class CGANDiscriminator(MLPDiscriminator):
    always_conditional = True
    options = MLPDiscriminator.options | {"mbstd_by_class"}


def _dcgan_stages(resolution: int) -> int:
    return resolution.bit_length() - 3  # doublings from 4×4


class DCGANGenerator(_ClassicGenerator):
    def __init__(self, spec: ModelSpec):
        super().__init__(spec)
        m, n = spec.model, _dcgan_stages(spec.resolution)
        widths = [m.ch * min(8, 2 ** (n - 1 - i)) for i in range(n)]
        self.project = nn.Sequential(nn.ConvTranspose2d(self.input_dim, widths[0], 4, 1, 0, bias=False),
                                     nn.BatchNorm2d(widths[0]), nn.ReLU())
        layers = []
        for a, b in zip(widths, widths[1:]):
            layers += [nn.ConvTranspose2d(a, b, 4, 2, 1, bias=False), nn.BatchNorm2d(b), nn.ReLU()]
        layers.append(nn.ConvTranspose2d(widths[-1], spec.channels, 4, 2, 1))
        self.body = nn.Sequential(*layers)
        _init_normal(self)

    def forward(self, z: torch.Tensor, y: torch.Tensor, truncation: float | None = None) -> torch.Tensor:
        h = self.latent_input(z, y)
        return torch.tanh(self.body(self.project(h[:, :, None, None])))


class DCGANDiscriminator(_ClassicDiscriminator):
    options = frozenset({"mb_kernels", "mbstd_group", "mbstd_features"})

    def __init__(self, spec: ModelSpec):
        super().__init__(spec)
        m, n = spec.model, _dcgan_stages(spec.resolution)
        widths = [m.d_ch * min(8, 2 ** i) for i in range(n)]
        first = spec.channels + (m.shared_dim if self.conditional else 0)
        layers = [nn.Conv2d(first, widths[0], 4, 2, 1), nn.LeakyReLU(0.2)]
        for a, b in zip(widths, widths[1:]):
            layers += [nn.Conv2d(a, b, 4, 2, 1, bias=False), nn.BatchNorm2d(b), nn.LeakyReLU(0.2)]
        self.body = nn.Sequential(*layers)
        self.mbstd = minibatch_stddev(m)
        self.final = nn.Conv2d(widths[-1] + added_channels(self.mbstd), widths[-1], 4, 1, 0)  # 4×4 -> 1×1
        self.out = self.head(widths[-1])
        _init_normal(self)

    def features(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if self.conditional:
            x = torch.cat([x, class_maps(self.embed, y, x)], dim=1)
        h = self.body(x)
        if self.mbstd is not None:
            h = self.mbstd(h)
        return F.leaky_relu(self.final(h).flatten(1), 0.2)
