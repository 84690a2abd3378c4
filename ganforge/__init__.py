"""ganforge: class-conditional image synthesis with GANs (BigGAN and its family).

    import ganforge
    G = ganforge.load("runs/demo")                       # a run, an export, or a Hub id such as org/name
    imgs = G.sample(classes=[3, 7], n=16, truncation=0.5, seed=1)   # [16, C, H, W] in [-1, 1]

Loading and sampling import nothing of the trainer: ``ganforge.train`` is imported on first use.
"""
from .config import Config, load_preset
from .errors import GanforgeError
from .hub import load
from .models import build_discriminator, build_generator
from .pretrained import save_pretrained
from .sampling import interpolation, sample, sample_latents

__version__ = "0.1.0"
__all__ = ["Config", "GanforgeError", "build_discriminator", "build_generator", "interpolation", "load",
           "load_preset", "sample", "sample_latents", "save_pretrained", "train", "__version__"]


def __getattr__(name: str):
    if name == "train":  # the trainer (and its data-parallel machinery) only when a program trains
        from .training.run import train
        return train
    raise AttributeError(f"module 'ganforge' has no attribute {name!r}")
