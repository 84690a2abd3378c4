"""Which options each model family supports; a config asking a family for something it lacks is refused."""
from __future__ import annotations

from ..config import Config, ConfigError

CLASSIC = ("vanilla", "cgan", "dcgan")
ALWAYS_CONDITIONAL = ("biggan", "biggan_deep", "cgan", "progan")


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
    levels = cfg.data.resolution.bit_length() - 2
    for key in ("batch_sizes", "lrs"):
        values = getattr(cfg.growth, key)
        if values and len(values) != levels:
            raise ConfigError(f"growth.{key} has {len(values)} entries; data.resolution={cfg.data.resolution} grows "
                              f"through {levels} levels (4 to {cfg.data.resolution} px): give one per level")
