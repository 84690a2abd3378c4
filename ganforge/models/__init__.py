"""Model families; each builds its generator and discriminator from a :class:`~ganforge.models.spec.ModelSpec`."""
from .base import Discriminator, FamilyOptions, FeatureDiscriminator, Generator
from .registry import FAMILIES, build_discriminator, build_generator, family, parameter_count, register_family
from .spec import ModelSpec

__all__ = ["Discriminator", "FAMILIES", "FamilyOptions", "FeatureDiscriminator", "Generator", "ModelSpec",
           "build_discriminator", "build_generator", "family", "parameter_count", "register_family"]
