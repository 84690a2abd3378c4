"""Model registry: family name -> its generator and discriminator classes, and a line for the help text.

Adding a family is one module with a :class:`~ganforge.models.base.Generator` and a
:class:`~ganforge.models.base.Discriminator` subclass, and one line here; the config's ``model.name`` choices,
its help text and the option checks follow from the classes' declarations.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch.nn as nn

from ..errors import ConfigError
from . import biggan, biggan_deep, classic, lapgan, progan
from .base import Discriminator, Generator
from .spec import ModelSpec


@dataclass(frozen=True)
class Family:
    name: str
    generator: type[Generator]
    discriminator: type[Discriminator]
    summary: str


FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("biggan", biggan.Generator, biggan.Discriminator, "BigGAN"),
    Family("biggan_deep", biggan_deep.Generator, biggan_deep.Discriminator, "BigGAN-deep"),
    Family("vanilla", classic.VanillaGenerator, classic.MLPDiscriminator, "MLPs, unconditional"),
    Family("cgan", classic.CGANGenerator, classic.CGANDiscriminator, "MLPs, label concatenated"),
    Family("dcgan", classic.DCGANGenerator, classic.DCGANDiscriminator, "DCGAN"),
    Family("progan", progan.Generator, progan.Discriminator, "progressive growing"),
    Family("lapgan", lapgan.Generator, lapgan.Discriminator, "Laplacian pyramid"),
)}


def family(name: str) -> Family:
    if name not in FAMILIES:
        raise ConfigError(f"unknown model '{name}'; available: {', '.join(FAMILIES)}")
    return FAMILIES[name]


def _spec(spec_or_config) -> ModelSpec:
    """A ModelSpec, or one made from a run Config (anything with ``model_spec()``)."""
    return spec_or_config if isinstance(spec_or_config, ModelSpec) else spec_or_config.model_spec()


def _build(cls: type, spec: ModelSpec) -> nn.Module:
    try:
        return cls(spec)
    except ValueError as e:  # architecture constraints found while building
        raise ConfigError(str(e)) from None


def build_generator(spec) -> Generator:
    """The generator of a :class:`ModelSpec` (or of a run Config's model section and image size)."""
    spec = _spec(spec)
    return _build(family(spec.model.name).generator, spec)


def build_discriminator(spec) -> Discriminator:
    spec = _spec(spec)
    return _build(family(spec.model.name).discriminator, spec)


def parameter_count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
