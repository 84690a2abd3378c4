"""A config asking a family for something its classes do not declare is refused (see ``models/base.py``)."""
from __future__ import annotations

from ..errors import ConfigError
from .base import FeatureDiscriminator
from .growing import Growing, level_count
from .registry import FAMILIES, family


def _offering(option: str) -> list[str]:
    return [name for name, f in FAMILIES.items() if option in f.discriminator.options]


def check_family_options(cfg) -> None:
    """``cfg``: a run Config (model, loss, growth sections and the data resolution)."""
    m, loss = cfg.model, cfg.loss
    fam = family(m.name)
    G, D = fam.generator, fam.discriminator
    for option in ("mbstd_group", "mbstd_by_class", "mb_kernels"):
        value = getattr(m, option)
        if value and option not in D.options:
            raise ConfigError(f"model.{option}={value} is not available for model.name={m.name} (its discriminator "
                              f"has no such layer; use {', '.join(_offering(option))})")
    for option in ("refiner", "context_noise", "chain_share"):
        value = getattr(m, option)
        if value != type(m).__dataclass_fields__[option].default and option not in G.options:  # not the default
            raise ConfigError(f"model.{option}={value} is not available for model.name={m.name} (only lapgan's "
                              f"generators refine a coarser image)")
    if m.mbstd_features != 1:
        if "mbstd_features" not in D.options:
            raise ConfigError(f"model.mbstd_features={m.mbstd_features} is not available for model.name={m.name} "
                              f"(its discriminator has no minibatch-stddev map; use "
                              f"{', '.join(_offering('mbstd_features'))})")
        if not (m.mbstd_group or m.mbstd_by_class or D.mbstd_default_group):
            raise ConfigError(f"model.mbstd_features={m.mbstd_features} without a minibatch-stddev map: set "
                              f"model.mbstd_group or model.mbstd_by_class")
    if m.mbstd_by_class and m.mbstd_group:
        raise ConfigError(f"model.mbstd_by_class=true and model.mbstd_group={m.mbstd_group}: D has one "
                          f"minibatch-stddev map, by class or in fixed groups; set model.mbstd_group=0")
    if loss.feature_matching and not issubclass(D, FeatureDiscriminator):
        users = [name for name, f in FAMILIES.items() if issubclass(f.discriminator, FeatureDiscriminator)]
        raise ConfigError(f"loss.feature_matching={loss.feature_matching} is not available for model.name={m.name} "
                          f"(its discriminator exposes no features; use {', '.join(users)})")
    if not m.conditional and G.always_conditional:
        raise ConfigError(f"model.conditional=false: {m.name} is class-conditional by design (use dcgan or vanilla "
                          f"for an unconditional GAN)")
    if not issubclass(G, Growing):
        return
    base, res = G.base_resolution, cfg.data.resolution
    if res < base:
        raise ConfigError(f"model.name={m.name} starts at {base} px; data.resolution={res} is smaller")
    levels = level_count(res, base)
    for key in ("stable_images", "batch_sizes", "lrs"):
        values = getattr(cfg.growth, key)
        if values and len(values) != levels:
            raise ConfigError(f"growth.{key} has {len(values)} entries; {m.name} at data.resolution={res} has "
                              f"{levels} levels ({base} to {res} px): give one per level")
    if cfg.growth.stable_images and cfg.growth.stable:
        raise ConfigError(f"growth.stable={cfg.growth.stable} and growth.stable_images={cfg.growth.stable_images}: "
                          f"give the stable phases once (one value for every level, or one per level)")
    if cfg.growth.stable_images and G.fades and cfg.growth.fade < 0:
        raise ConfigError(f"growth.stable_images={cfg.growth.stable_images} with growth.fade=-1 ('as stable'): "
                          f"the levels' stable phases differ; set growth.fade to the images of each fade-in")
    if not G.fades and cfg.growth.fade > 0:
        raise ConfigError(f"growth.fade={cfg.growth.fade}: {m.name} trains one level after another without fade-in "
                          f"(leave growth.fade at -1 or 0)")
