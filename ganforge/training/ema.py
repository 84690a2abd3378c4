"""Exponential moving average of the generator, as in BigGAN-PyTorch.

Every floating-point entry of the state dict (weights, BN running statistics, spectral-norm vectors)
moves as ema ← decay · ema + (1 − decay) · G; before ``start`` the decay is 0, so the EMA copies G.
Integer entries (BN batch counters) are copied. Entries the source reports as finished
(``finished_state()``: the levels a LAPGAN has done training) are left as they are, so the EMA keeps its
average of a finished level instead of drifting, over the later levels' steps, to that level's last weights.
"""
from __future__ import annotations

import copy

import torch
import torch.nn as nn


class EMA:
    def __init__(self, source: nn.Module, decay: float, start: int = 0):
        self.source, self.decay, self.start = source, decay, start
        self.model = copy.deepcopy(source).eval()
        self.model.requires_grad_(False)

    @torch.no_grad()
    def update(self, step: int) -> None:
        decay = 0.0 if step < self.start else self.decay
        src = self.source.state_dict()
        finished = self.source.finished_state() if hasattr(self.source, "finished_state") else frozenset()
        for key, value in self.model.state_dict().items():
            if key in finished:
                continue
            if value.is_floating_point():
                value.lerp_(src[key].to(value.dtype), 1.0 - decay)
            else:
                value.copy_(src[key])
