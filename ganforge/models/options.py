"""A config asking a family for something its classes do not declare is refused (see ``models/base.py``).

Generic: nothing here names a family. The shared optional layer keys (:data:`LAYER_KEYS`) are checked against
the discriminator's ``options``, a family's own keys by its options' ``check``, and a growing family's growth
settings against its level count.
"""
from __future__ import annotations

import dataclasses

from ..errors import ConfigError
from ..fields import default_of, non_defaults
from .base import FeatureDiscriminator
from .growing import Growing, level_count
from .registry import FAMILIES, family

# optional layers that several families' discriminators implement (declared in ``Discriminator.options``)
LAYER_KEYS = ("mbstd_group", "mbstd_by_class", "mbstd_features", "mb_kernels")


def _offering(option: str) -> list[str]:
    return [name for name, f in FAMILIES.items() if option in f.discriminator.options]


def check_family_options(cfg) -> None:
    """``cfg``: a run Config (model, loss, growth sections and the data resolution)."""
    m, loss = cfg.model, cfg.loss
    fam = family(m.name)
    G, D = fam.generator, fam.discriminator
    for other, options in m.other_options().items():
        for key, value in non_defaults(options).items():
            raise ConfigError(f"model.{other}.{key}={value!r} is set, but model.name={m.name}: a family's own keys "
                              f"apply to that family only")
    defaults = {f.name: default_of(f) for f in dataclasses.fields(m)}
    for option in LAYER_KEYS:
        value = getattr(m, option)
        if value != defaults[option] and option not in D.options:
            raise ConfigError(f"model.{option}={value} is not available for model.name={m.name} (its discriminator "
                              f"has no such layer; use {', '.join(_offering(option))})")
    if m.mbstd_features != 1 and not (m.mbstd_group or m.mbstd_by_class or D.mbstd_default_group):
        raise ConfigError(f"model.mbstd_features={m.mbstd_features} without a minibatch-stddev map: set "
                          f"model.mbstd_group or model.mbstd_by_class")
    if m.mbstd_by_class and m.mbstd_group:
        raise ConfigError(f"model.mbstd_by_class=true and model.mbstd_group={m.mbstd_group}: D has one "
                          f"minibatch-stddev map, by class or in fixed groups; set model.mbstd_group=0")
    if loss.feature_matching and not issubclass(D, FeatureDiscriminator):
        users = [name for name, f in FAMILIES.items() if issubclass(f.discriminator, FeatureDiscriminator)]
        raise ConfigError(f"loss.feature_matching={loss.feature_matching} is not available for model.name={m.name} "
                          f"(its discriminator exposes no features; use {', '.join(users)})")
    m.options.check(cfg)
    if issubclass(G, Growing):
        check_growth(cfg, G)


def check_growth(cfg, G) -> None:
    """The growth settings of a family trained level by level."""
    name, base, res = cfg.model.name, G.base_resolution, cfg.data.resolution
    if res < base:
        raise ConfigError(f"model.name={name} starts at {base} px; data.resolution={res} is smaller")
    levels = level_count(res, base)
    for key in ("stable_images", "batch_sizes", "lrs"):
        values = getattr(cfg.growth, key)
        if values and len(values) != levels:
            raise ConfigError(f"growth.{key} has {len(values)} entries; {name} at data.resolution={res} has "
                              f"{levels} levels ({base} to {res} px): give one per level")
    if cfg.growth.stable_images and cfg.growth.stable:
        raise ConfigError(f"growth.stable={cfg.growth.stable} and growth.stable_images={cfg.growth.stable_images}: "
                          f"give the stable phases once (one value for every level, or one per level)")
    if cfg.growth.stable_images and G.fades and cfg.growth.fade < 0:
        raise ConfigError(f"growth.stable_images={cfg.growth.stable_images} with growth.fade=-1 ('as stable'): "
                          f"the levels' stable phases differ; set growth.fade to the images of each fade-in")
    if not G.fades and cfg.growth.fade > 0:
        raise ConfigError(f"growth.fade={cfg.growth.fade}: {name} trains one level after another without fade-in "
                          f"(leave growth.fade at -1 or 0)")
