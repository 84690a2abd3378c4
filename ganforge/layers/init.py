"""Weight initialisation styles of BigGAN-PyTorch: orthogonal, N(0, 0.02) and Xavier (Glorot) uniform."""
from __future__ import annotations

import torch.nn as nn

INIT_STYLES = ("ortho", "N02", "xavier")


def init_weights(model: nn.Module, style: str) -> None:
    """Initialise the weight of every conv, linear and embedding layer in place (biases keep torch's init)."""
    if style not in INIT_STYLES:
        raise ValueError(f"unknown init style {style!r}; choose one of {INIT_STYLES}")
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear, nn.Embedding)):
            if style == "ortho":
                nn.init.orthogonal_(module.weight)
            elif style == "N02":
                nn.init.normal_(module.weight, 0.0, 0.02)
            else:
                nn.init.xavier_uniform_(module.weight)
