"""ganforge: class-conditional image synthesis with GANs (BigGAN and its family).

    import ganforge
    G = ganforge.load("runs/demo")                       # a run, an export, or a Hub id such as org/name
    imgs = G.sample(classes=[3, 7], n=16, truncation=0.5, seed=1)   # [16, C, H, W] in [-1, 1]
"""
from .config import Config, load_preset
from .errors import GanforgeError
from .models import build_discriminator, build_generator
from .hub import load
from .pretrained import save_pretrained
from .sampling import interpolation, sample, sample_latents
from .train.run import train

__version__ = "0.1.0"
__all__ = ["Config", "GanforgeError", "build_discriminator", "build_generator", "interpolation", "load",
           "load_preset", "sample", "sample_latents", "save_pretrained", "train", "__version__"]
