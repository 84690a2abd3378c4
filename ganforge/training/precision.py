"""Mixed precision for the loop: autocast around the G and D forward passes (bf16 or fp16), and for fp16 one
gradient scaler per optimizer. Weights, optimizer state, spectral-norm σ, losses and the EMA stay fp32."""
from __future__ import annotations

import torch

from ..device import DTYPES, autocast, resolve_precision


class Precision:
    def __init__(self, name: str, device: torch.device):
        name, _ = resolve_precision(name, device)
        self.name, self.device = name, device
        self.dtype = DTYPES[name]
        self.scalers = {}
        if name == "fp16":
            self.scalers = {"G": torch.amp.GradScaler(device.type), "D": torch.amp.GradScaler(device.type)}

    def autocast(self):
        return autocast(self.name, self.device)

    def backward(self, loss: torch.Tensor, which: str) -> None:
        scaler = self.scalers.get(which)
        (scaler.scale(loss) if scaler else loss).backward()

    def unscale(self, optimizer, which: str) -> None:
        """Bring the gradients back to their true scale (before anything reads or adds to them)."""
        if which in self.scalers:
            self.scalers[which].unscale_(optimizer)

    def step(self, optimizer, which: str) -> None:
        """Optimizer step; with fp16 skipped when a gradient overflowed, and the scale adapted."""
        scaler = self.scalers.get(which)
        if scaler is None:
            optimizer.step()
        else:
            scaler.step(optimizer)
            scaler.update()

    def state_dict(self) -> dict:
        return {k: s.state_dict() for k, s in self.scalers.items()}

    def load_state_dict(self, state: dict) -> None:
        for k, s in self.scalers.items():
            if k in state:
                s.load_state_dict(state[k])
