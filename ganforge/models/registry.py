"""Model registry: family name -> (generator class, discriminator class)."""
from __future__ import annotations

import torch.nn as nn

from ..config import Config, ConfigError
from . import biggan, biggan_deep, classic, lapgan, progan

FAMILIES: dict[str, tuple[type, type]] = {
    "biggan": (biggan.Generator, biggan.Discriminator),
    "biggan_deep": (biggan_deep.Generator, biggan_deep.Discriminator),
    "vanilla": (classic.VanillaGenerator, classic.MLPDiscriminator),
    "cgan": (classic.CGANGenerator, classic.CGANDiscriminator),
    "dcgan": (classic.DCGANGenerator, classic.DCGANDiscriminator),
    "progan": (progan.Generator, progan.Discriminator),
    "lapgan": (lapgan.Generator, lapgan.Discriminator),
}


def _family(cfg: Config) -> tuple[type, type]:
    if cfg.model.name not in FAMILIES:
        raise ConfigError(f"unknown model '{cfg.model.name}'; available: {', '.join(FAMILIES)}")
    return FAMILIES[cfg.model.name]


def _build(cls: type, cfg: Config) -> nn.Module:
    try:
        return cls(cfg)
    except ValueError as e:  # architecture constraints found while building
        raise ConfigError(str(e)) from None


def build_generator(cfg: Config) -> nn.Module:
    return _build(_family(cfg)[0], cfg)


def build_discriminator(cfg: Config) -> nn.Module:
    return _build(_family(cfg)[1], cfg)


def parameter_count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
