"""Exponential moving average of the generator, as in BigGAN-PyTorch.

Every floating-point entry of the state dict (weights, BN running statistics, spectral-norm vectors)
moves as ema ← decay · ema + (1 − decay) · G; before ``start`` the decay is 0, so the EMA copies G. With
``warmup`` the decay rises as min(decay, (1 + n) / (1 + 1/h + n)) over the n steps since ``start`` or, for a model
that trains level by level, since its current level began: its horizon 1 / (1 − decay) grows as about h · n, a
fixed fraction of the steps so far (h = 1/9 gives (1 + n) / (10 + n), TensorFlow's ExponentialMovingAverage with
``num_updates``; h = 1 the plain mean of every step's weights). A run or level shorter than the EMA's horizon still
ends on an average of trained weights, not of initial ones.
Integer entries (BN batch counters) are copied. Entries the source reports as finished
(``finished_state()``: the levels a LAPGAN has done training) are left as they are, so the EMA keeps its
average of a finished level instead of drifting, over the later levels' steps, to that level's last weights.
"""
from __future__ import annotations

import copy

import torch
import torch.nn as nn


class EMA:
    def __init__(self, source: nn.Module, decay: float, start: int = 0, warmup: bool = False,
                 warmup_horizon: float = 1 / 9):
        self.source, self.decay, self.start, self.warmup = source, decay, start, warmup
        self.warmup_offset = 1 + 1 / warmup_horizon  # 10.0 exactly for h = 1/9
        self.model = copy.deepcopy(source).eval()
        self.model.requires_grad_(False)

    @torch.no_grad()
    def update(self, step: int, level_steps: int | None = None) -> None:
        """After ``step`` steps, ``level_steps`` of them in the current level (for a model that grows)."""
        decay = 0.0 if step < self.start else self.decay
        if self.warmup and step >= self.start:
            n = step - self.start if level_steps is None else min(level_steps, step - self.start)
            decay = min(decay, (1 + n) / (self.warmup_offset + n))
        src = self.source.state_dict()
        finished = self.source.finished_state() if hasattr(self.source, "finished_state") else frozenset()
        for key, value in self.model.state_dict().items():
            if key in finished:
                continue
            if value.is_floating_point():
                value.lerp_(src[key].to(value.dtype), 1.0 - decay)
            else:
                value.copy_(src[key])
