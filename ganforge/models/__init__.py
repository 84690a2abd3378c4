"""Model families; each builds its generator and discriminator from a :class:`~ganforge.config.Config`."""
from .base import ConditionalGenerator
from .registry import FAMILIES, build_discriminator, build_generator, parameter_count

__all__ = ["ConditionalGenerator", "FAMILIES", "build_discriminator", "build_generator", "parameter_count"]
