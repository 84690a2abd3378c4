"""Losses: the terms as plain functions and the adversarial-loss registry (``terms``), and the training objective
built from them (``objective``, imported on first use: sampling needs only the registry's names)."""
from __future__ import annotations

from .terms import register_loss

__all__ = ["GANLoss", "Phase", "register_loss"]


def __getattr__(name: str):
    if name in ("GANLoss", "Phase"):
        from . import objective
        return getattr(objective, name)
    raise AttributeError(f"module 'ganforge.loss' has no attribute {name!r}")
