"""Reading other projects' files (checkpoints of BigGAN-PyTorch, pytorch-pretrained-BigGAN, ...)."""
from .torch_files import load_torch_weights

__all__ = ["load_torch_weights"]
