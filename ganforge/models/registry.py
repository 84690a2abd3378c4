"""Model registry: family name -> its generator and discriminator classes, its options and a line for the help.

A family is one module with a :class:`~ganforge.models.base.Generator` and a
:class:`~ganforge.models.base.Discriminator` subclass and, where it has keys of its own, a
:class:`~ganforge.models.base.FamilyOptions` dataclass; :func:`register_family` makes it a choice of
``model.name``, its options the keys ``model.<name>.<key>`` (``--set``, ``--list-keys``, the config reference),
and the option checks follow from the classes' declarations. The built-in families are registered below.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch.nn as nn

from ..errors import ConfigError
from . import biggan, biggan_deep, classic, lapgan, progan
from .base import Discriminator, FamilyOptions, Generator
from .spec import ModelSpec


@dataclass(frozen=True)
class Family:
    name: str
    generator: type[Generator]
    discriminator: type[Discriminator]
    summary: str
    options: type[FamilyOptions] = FamilyOptions


FAMILIES: dict[str, Family] = {}


def register_family(name: str, generator: type[Generator], discriminator: type[Discriminator], summary: str,
                    options: type[FamilyOptions] = FamilyOptions, replace: bool = False) -> Family:
    """Make a model family available as ``model.name: NAME`` (config, CLI, presets, exports).

    ``options``: a dataclass (subclass of FamilyOptions) of :func:`ganforge.fields.option` fields, set as
    ``model.NAME.KEY``; the model reads them as ``spec.model.options``. ``replace`` allows re-registering a name."""
    if not name.isidentifier() or name != name.lower():
        raise ValueError(f"family name {name!r}: use a lower-case Python identifier (it becomes the config key "
                         f"model.{name}.*)")
    if name in FAMILIES and not replace:
        raise ValueError(f"a family named {name!r} is already registered (pass replace=True to replace it)")
    if not (issubclass(generator, Generator) and issubclass(discriminator, Discriminator)):
        raise TypeError("register_family needs a ganforge.models.Generator and a ganforge.models.Discriminator "
                        "subclass")
    if not (dataclasses.is_dataclass(options) and issubclass(options, FamilyOptions)):
        raise TypeError(f"options of {name!r} must be a dataclass subclassing ganforge.models.FamilyOptions")
    FAMILIES[name] = Family(name, generator, discriminator, summary, options)
    return FAMILIES[name]


def unregister_family(name: str) -> None:
    FAMILIES.pop(name, None)


for _args in (("biggan", biggan.Generator, biggan.Discriminator, "BigGAN", biggan.BigGANOptions),
              ("biggan_deep", biggan_deep.Generator, biggan_deep.Discriminator, "BigGAN-deep",
               biggan_deep.BigGANDeepOptions),
              ("vanilla", classic.VanillaGenerator, classic.MLPDiscriminator, "MLPs, unconditional"),
              ("cgan", classic.CGANGenerator, classic.CGANDiscriminator, "MLPs, label concatenated"),
              ("dcgan", classic.DCGANGenerator, classic.DCGANDiscriminator, "DCGAN", classic.DCGANOptions),
              ("progan", progan.Generator, progan.Discriminator, "progressive growing"),
              ("lapgan", lapgan.Generator, lapgan.Discriminator, "Laplacian pyramid", lapgan.LAPGANOptions)):
    register_family(*_args)


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
