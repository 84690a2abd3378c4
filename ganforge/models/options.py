"""Which options each model family supports; a config asking a family for something it lacks is refused."""
from __future__ import annotations

from ..config import Config, ConfigError
from .growing import level_count

CLASSIC = ("vanilla", "cgan", "dcgan")
ALWAYS_CONDITIONAL = ("biggan", "biggan_deep", "cgan", "progan", "lapgan")
BASE_RESOLUTION = {"progan": 4, "lapgan": 8}


def check_family_options(cfg: Config) -> None:
    m, loss = cfg.model, cfg.loss
    for key, value, families in (("model.mbstd_group", m.mbstd_group, ("dcgan", "progan")),
                                 ("model.mb_kernels", m.mb_kernels, CLASSIC),
                                 ("loss.feature_matching", loss.feature_matching, CLASSIC)):
        if value and m.name not in families:
            raise ConfigError(f"{key}={value} is not available for model.name={m.name} (its discriminator has no "
                              f"such layer; use {', '.join(families)})")
    if not m.conditional and m.name in ALWAYS_CONDITIONAL:
        raise ConfigError(f"model.conditional=false: {m.name} is class-conditional by design (use dcgan or vanilla "
                          f"for an unconditional GAN)")
    base = BASE_RESOLUTION.get(m.name)
    if base is None:
        return
    if cfg.data.resolution < base:
        raise ConfigError(f"model.name={m.name} starts at {base} px; data.resolution={cfg.data.resolution} is smaller")
    levels = level_count(cfg.data.resolution, base)
    for key in ("batch_sizes", "lrs"):
        values = getattr(cfg.growth, key)
        if values and len(values) != levels:
            raise ConfigError(f"growth.{key} has {len(values)} entries; {m.name} at data.resolution="
                              f"{cfg.data.resolution} has {levels} levels ({base} to {cfg.data.resolution} px): "
                              f"give one per level")
    if m.name == "lapgan" and cfg.growth.fade > 0:
        raise ConfigError(f"growth.fade={cfg.growth.fade}: LAPGAN trains one level after another without fade-in "
                          f"(leave growth.fade at -1 or 0)")
