"""Losses: the terms as plain functions (``terms``) and the training objective built from them (``objective``)."""
from .objective import GANLoss, Phase

__all__ = ["GANLoss", "Phase"]
