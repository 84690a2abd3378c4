"""ganforge: class-conditional image synthesis with GANs (BigGAN and its family).

    import ganforge
    G = ganforge.load("runs/demo")                       # a run, an export, or a Hub id such as org/name
    imgs = G.sample(classes=[3, 7], n=16, truncation=0.5, seed=1)   # [16, C, H, W] in [-1, 1]

Loading and sampling import nothing of the trainer: ``ganforge.train`` is imported on first use.

Extension points (each adds one thing in one place; docs/extending.md): :func:`register_family`,
:func:`register_loss`, :func:`register_metric`, :func:`augment_op`, :func:`register_extractor`,
:func:`register_format`.
"""
from .augment import augment_op
from .config import Config, load_preset
from .data.formats import register_format
from .errors import GanforgeError
from .hub import load
from .loss.terms import register_loss
from .metrics.features import register_extractor
from .metrics.registry import register_metric
from .models import build_discriminator, build_generator
from .models.registry import register_family
from .pretrained import save_pretrained
from .sampling import interpolation, sample, sample_latents

__version__ = "0.1.0"
__all__ = ["Config", "GanforgeError", "augment_op", "build_discriminator", "build_generator", "interpolation",
           "load", "load_preset", "register_extractor", "register_family", "register_format", "register_loss",
           "register_metric", "sample", "sample_latents", "save_pretrained", "train", "__version__"]


def __getattr__(name: str):
    if name == "train":  # the trainer (and its data-parallel machinery) only when a program trains
        from .training.run import train
        return train
    raise AttributeError(f"module 'ganforge' has no attribute {name!r}")
